// SPDX-License-Identifier: MIT
// File reading for the scanner: open, fstat for the size, read once, close.
#include "check/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace bastion::check {

bool looks_textual(const std::string& bytes) {
  size_t n = bytes.size() < 8192 ? bytes.size() : 8192;
  return std::memchr(bytes.data(), 0, n) == nullptr;
}

base::Result<std::string> read_source(const std::string& path) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return base::make_error(std::string("cannot open: ") + std::strerror(errno), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return base::make_error(std::string("cannot stat: ") + std::strerror(errno), errno);
  if (!S_ISREG(st.st_mode)) return base::make_error("not a regular file");
  if (static_cast<unsigned long long>(st.st_size) > kMaxScanBytes)
    return base::make_error("skipped: larger than " + std::to_string(kMaxScanBytes >> 20) + " MiB");
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::make_error(std::string("cannot read: ") + std::strerror(errno), errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  if (!looks_textual(data)) return base::make_error("skipped: binary file");
  return data;
}

}  // namespace bastion::check
