// SPDX-License-Identifier: MIT
#include "config/tls_files.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace bastion::config {
namespace {

constexpr size_t kMaxPemBytes = 4u << 20;  // far above any certificate bundle

std::string resolve(const std::string& dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || dir.empty()) return path;
  return dir + (dir.back() == '/' ? "" : "/") + path;
}

base::Status read_one(const std::string& dir, const std::string& path, std::string_view label,
                      std::string* out) {
  out->clear();
  if (path.empty()) return base::Ok{};
  std::string full = resolve(dir, path);
  errno = 0;
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    return base::make_error(std::string(label) + ": cannot read '" + full + "': " +
                            (errno != 0 ? std::strerror(errno) : "cannot open"));
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    return base::make_error(std::string(label) + ": cannot read '" + full + "': " +
                            std::strerror(errno != 0 ? errno : EIO));
  }
  if (out->empty()) return base::make_error(std::string(label) + ": '" + full + "' is empty");
  if (out->size() > kMaxPemBytes) {
    return base::make_error(std::string(label) + ": '" + full + "' is too large for a PEM file");
  }
  return base::Ok{};
}

}  // namespace

base::Status read_tls_files(Config& c, const std::string& dir,
                            const std::function<std::string(std::string_view)>& who) {
  if (c.certfile.empty()) {
    c.tls_cert_pem.clear();
    c.tls_key_pem.clear();
    c.tls_ca_pem.clear();
    if (!c.keyfile.empty()) {
      return base::make_error(who("keyfile") + ": TLS needs a certificate too; set --certfile "
                              "(the key may also sit in the certfile itself)");
    }
    return base::Ok{};
  }
  if (auto st = read_one(dir, c.certfile, who("certfile"), &c.tls_cert_pem); !st.ok()) return st;
  if (auto st = read_one(dir, c.keyfile, who("keyfile"), &c.tls_key_pem); !st.ok()) return st;
  if (auto st = read_one(dir, c.ca_certs, who("ca_certs"), &c.tls_ca_pem); !st.ok()) return st;
  return base::Ok{};
}

}  // namespace bastion::config
