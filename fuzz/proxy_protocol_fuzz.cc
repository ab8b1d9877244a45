// SPDX-License-Identifier: MIT
// libFuzzer target for the PROXY protocol parser (v1 and v2) and its address parsers.
// Depends only on src/http (and libc's inet_pton as the reference for addresses).
//
// Invariants checked on every input, under each accepted-versions setting:
//   - consumed <= size; Done has no error and consumed > 0; Error consumes nothing;
//   - a Done header is Done again on exactly its own bytes, with the same result, and every
//     strict prefix of it is NeedMore (the parser never refuses a header that is still
//     arriving); v1 headers end in CRLF within 107 bytes, v2 stay within the payload cap;
//   - NeedMore never happens past the size bounds (no unbounded waiting);
//   - Any agrees with V1 on inputs starting with 'P' and with V2 on those starting with CR;
//   - parse_ipv4_text / parse_ipv6_text accept exactly what inet_pton accepts, same bytes.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/assert.h"
#include "http/proxy_protocol.h"

namespace {

using namespace bastion::http;

bool same(const ProxyResult& a, const ProxyResult& b) {
  if (a.status != b.status || a.consumed != b.consumed || a.error != b.error) return false;
  if (a.status != ProxyStatus::Done) return true;
  const ProxyHeader& x = a.header;
  const ProxyHeader& y = b.header;
  return x.family == y.family && x.version == y.version && x.src_port == y.src_port &&
         x.dst_port == y.dst_port && std::memcmp(x.src_addr, y.src_addr, 16) == 0 &&
         std::memcmp(x.dst_addr, y.dst_addr, 16) == 0;
}

void check_prefixes(std::string_view in, size_t consumed, ProxyVersions accept) {
  // Every prefix for short headers, a strided sample for long v2 ones.
  const size_t step = consumed <= 256 ? 1 : consumed / 97 + 1;
  for (size_t n = 0; n < consumed; n += step) {
    BASTION_ASSERT(parse_proxy_header(in.substr(0, n), accept).status == ProxyStatus::NeedMore);
  }
  BASTION_ASSERT(parse_proxy_header(in.substr(0, consumed - 1), accept).status ==
                 ProxyStatus::NeedMore);
}

ProxyResult run(std::string_view in, ProxyVersions accept) {
  const ProxyResult r = parse_proxy_header(in, accept);
  BASTION_ASSERT(r.consumed <= in.size());
  switch (r.status) {
    case ProxyStatus::Done: {
      BASTION_ASSERT(r.consumed > 0 && r.error == ProxyError::None);
      BASTION_ASSERT(r.header.version == 1 || r.header.version == 2);
      if (r.header.version == 1) {
        BASTION_ASSERT(in[0] == 'P' && r.consumed <= kProxyV1MaxLine);
        BASTION_ASSERT(in.substr(r.consumed - 2, 2) == "\r\n");
        BASTION_ASSERT(r.header.family != ProxyFamily::Local);
      } else {
        BASTION_ASSERT(in[0] == '\r' && r.consumed >= 16 && r.consumed <= 16 + kProxyV2MaxPayload);
      }
      BASTION_ASSERT(same(r, parse_proxy_header(in.substr(0, r.consumed), accept)));
      check_prefixes(in, r.consumed, accept);
      break;
    }
    case ProxyStatus::NeedMore:
      BASTION_ASSERT(r.error == ProxyError::None);
      BASTION_ASSERT(in.size() < 16 + kProxyV2MaxPayload);
      if (!in.empty() && in[0] == 'P') BASTION_ASSERT(in.size() < kProxyV1MaxLine);
      break;
    case ProxyStatus::Error:
      BASTION_ASSERT(r.consumed == 0 && r.error != ProxyError::None &&
                     r.error < ProxyError::Count_);
      BASTION_ASSERT(proxy_error_name(r.error) != "Unknown");
      break;
  }
  return r;
}

void check_addresses(std::string_view in) {
  if (in.size() > 64 || in.find('\0') != std::string_view::npos) return;
  char text[65];
  std::memcpy(text, in.data(), in.size());
  text[in.size()] = '\0';
  uint8_t ours[16];
  uint8_t ref[16];
  const bool ok4 = parse_ipv4_text(in, ours);
  BASTION_ASSERT(ok4 == (inet_pton(AF_INET, text, ref) == 1));
  if (ok4) BASTION_ASSERT(std::memcmp(ours, ref, 4) == 0);
  const bool ok6 = parse_ipv6_text(in, ours);
  BASTION_ASSERT(ok6 == (inet_pton(AF_INET6, text, ref) == 1));
  if (ok6) BASTION_ASSERT(std::memcmp(ours, ref, 16) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const ProxyResult any = run(in, ProxyVersions::Any);
  const ProxyResult v1 = run(in, ProxyVersions::V1);
  const ProxyResult v2 = run(in, ProxyVersions::V2);
  if (!in.empty() && in[0] == 'P') BASTION_ASSERT(same(any, v1));
  if (!in.empty() && in[0] == '\r') BASTION_ASSERT(same(any, v2));
  check_addresses(in);
  // Also the address fields of a v1-looking line, so the fuzzer reaches them through a header.
  if (in.size() > 11 && in.substr(0, 6) == "PROXY ") {
    std::string_view rest = in.substr(11);
    check_addresses(rest.substr(0, rest.find(' ')));
  }
  return 0;
}
