// SPDX-License-Identifier: MIT
// PROXY protocol header parser (HAProxy's "The PROXY protocol", versions 1 and 2). Pure:
// no I/O, no allocation, no sockets. Addresses are parsed here rather than with inet_pton so
// the layer stays free of socket headers and the fuzz target covers every byte decision.
#include "http/proxy_protocol.h"

#include <array>
#include <cstddef>
#include <cstring>
#include <iterator>

namespace bastion::http {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
// v2 signature (spec 2.2): chosen so that it can never start an HTTP request or a v1 line.
constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr size_t kV2Fixed = 16;  // signature, version/command, family, length

constexpr uint8_t kV2CmdLocal = 0x0;
constexpr uint8_t kV2CmdProxy = 0x1;
constexpr uint8_t kV2FamUnspec = 0x00;
constexpr uint8_t kV2FamTcp4 = 0x11;  // AF_INET, SOCK_STREAM
constexpr uint8_t kV2FamTcp6 = 0x21;  // AF_INET6, SOCK_STREAM
constexpr uint8_t kV2TypeCrc32c = 0x03;

ProxyResult fail(ProxyError error) noexcept {
  ProxyResult r;
  r.status = ProxyStatus::Error;
  r.error = error;
  return r;
}

ProxyResult need_more() noexcept { return ProxyResult{}; }

// True when the first min(size, prefix.size()) bytes of `input` equal `prefix`.
bool prefix_matches(std::string_view input, std::string_view prefix) noexcept {
  size_t n = input.size() < prefix.size() ? input.size() : prefix.size();
  return input.substr(0, n) == prefix.substr(0, n);
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Strict decimal port: 1-5 digits, no leading zero (except "0" itself), at most 65535.
bool parse_port(std::string_view text, uint16_t* out) noexcept {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return false;
  uint32_t v = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

// CRC32c (Castagnoli, reflected polynomial 0x82F63B78), as PP2_TYPE_CRC32C uses.
constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrc32c = make_crc32c_table();

// CRC32c of `data` with the 4 bytes at `skip` counted as zeros (the checksum field itself).
uint32_t crc32c_skipping(std::string_view data, size_t skip) noexcept {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < data.size(); ++i) {
    uint8_t b = (i >= skip && i < skip + 4) ? 0 : static_cast<uint8_t>(data[i]);
    crc = kCrc32c[(crc ^ b) & 0xFFu] ^ (crc >> 8);
  }
  return crc ^ 0xFFFFFFFFu;
}

uint32_t load_be16(std::string_view s, size_t at) noexcept {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1]));
}

uint32_t load_be32(std::string_view s, size_t at) noexcept {
  return (load_be16(s, at) << 16) | load_be16(s, at + 2);
}

// --- version 1 (spec 2.1) -------------------------------------------------------------------

// Splits the fields after "PROXY TCPx " at single spaces: exactly four non-empty fields.
bool split_v1_fields(std::string_view rest, std::string_view out[4]) noexcept {
  for (int i = 0; i < 4; ++i) {
    size_t sp = rest.find(' ');
    std::string_view field = i < 3 ? rest.substr(0, sp) : rest;
    if (field.empty()) return false;
    out[i] = field;
    if (i < 3) {
      if (sp == std::string_view::npos) return false;
      rest.remove_prefix(sp + 1);
    }
  }
  return out[3].find(' ') == std::string_view::npos;
}

ProxyResult parse_v1(std::string_view input) noexcept {
  if (!prefix_matches(input, kV1Prefix)) return fail(ProxyError::NotProxy);
  size_t window = input.size() < kProxyV1MaxLine ? input.size() : kProxyV1MaxLine;
  const void* lf_ptr = std::memchr(input.data(), '\n', window);
  if (lf_ptr == nullptr) {
    // A CR anywhere but in the last byte so far is not followed by LF: refuse it now.
    const void* cr = std::memchr(input.data(), '\r', window);
    if (cr != nullptr && static_cast<const char*>(cr) - input.data() + 1 <
                             static_cast<std::ptrdiff_t>(window))
      return fail(ProxyError::V1BadLine);
    if (input.size() >= kProxyV1MaxLine) return fail(ProxyError::V1TooLong);
    return need_more();
  }
  const size_t lf = static_cast<size_t>(static_cast<const char*>(lf_ptr) - input.data());
  if (lf < kV1Prefix.size() + 1 || input[lf - 1] != '\r') return fail(ProxyError::V1BadLine);
  std::string_view line = input.substr(kV1Prefix.size(), lf - 1 - kV1Prefix.size());
  if (line.find('\r') != std::string_view::npos) return fail(ProxyError::V1BadLine);

  ProxyResult r;
  r.status = ProxyStatus::Done;
  r.consumed = lf + 1;
  r.header.version = 1;
  size_t sp = line.find(' ');
  std::string_view proto = line.substr(0, sp);
  if (proto == "UNKNOWN") {
    // Spec: the receiver ignores whatever follows UNKNOWN up to the CRLF.
    r.header.family = ProxyFamily::Unknown;
    return r;
  }
  if (proto.empty()) return fail(ProxyError::V1BadLine);
  const bool v4 = proto == "TCP4";
  if (!v4 && proto != "TCP6") return fail(ProxyError::V1BadProtocol);
  if (sp == std::string_view::npos) return fail(ProxyError::V1BadLine);
  std::string_view f[4];
  if (!split_v1_fields(line.substr(sp + 1), f)) return fail(ProxyError::V1BadLine);
  r.header.family = v4 ? ProxyFamily::Tcp4 : ProxyFamily::Tcp6;
  for (int i = 0; i < 2; ++i) {
    uint8_t* dst = i == 0 ? r.header.src_addr : r.header.dst_addr;
    bool ok = v4 ? parse_ipv4_text(f[i], dst) : parse_ipv6_text(f[i], dst);
    if (!ok) return fail(ProxyError::V1BadAddress);
  }
  if (!parse_port(f[2], &r.header.src_port) || !parse_port(f[3], &r.header.dst_port))
    return fail(ProxyError::V1BadPort);
  return r;
}

// --- version 2 (spec 2.2) -------------------------------------------------------------------

// Walks the TLVs in [begin, end): each is type (1), length (2, big endian), value. They must
// tile the range exactly; a PP2_TYPE_CRC32C TLV is checked against the whole header.
ProxyError check_v2_tlvs(std::string_view header, size_t begin) noexcept {
  size_t at = begin;
  size_t crc_at = 0;
  bool has_crc = false;
  while (at < header.size()) {
    if (header.size() - at < 3) return ProxyError::V2BadTlv;
    const auto type = static_cast<uint8_t>(header[at]);
    const size_t len = load_be16(header, at + 1);
    if (header.size() - at - 3 < len) return ProxyError::V2BadTlv;
    if (type == kV2TypeCrc32c) {
      if (len != 4 || has_crc) return ProxyError::V2BadTlv;
      has_crc = true;
      crc_at = at + 3;
    }
    at += 3 + len;
  }
  if (has_crc && crc32c_skipping(header, crc_at) != load_be32(header, crc_at))
    return ProxyError::V2BadChecksum;
  return ProxyError::None;
}

ProxyResult parse_v2(std::string_view input) noexcept {
  if (!prefix_matches(input, kV2Signature)) return fail(ProxyError::NotProxy);
  // Each fixed byte is judged as soon as it arrives, so a bad header fails early.
  if (input.size() > 12) {
    const auto ver_cmd = static_cast<uint8_t>(input[12]);
    if ((ver_cmd >> 4) != 2) return fail(ProxyError::V2BadVersion);
    if ((ver_cmd & 0xF) != kV2CmdLocal && (ver_cmd & 0xF) != kV2CmdProxy)
      return fail(ProxyError::V2BadCommand);
  }
  const bool local = input.size() > 12 && (static_cast<uint8_t>(input[12]) & 0xF) == kV2CmdLocal;
  size_t addr_len = 0;
  if (input.size() > 13 && !local) {
    const auto fam = static_cast<uint8_t>(input[13]);
    if (fam == kV2FamTcp4) addr_len = 12;
    else if (fam == kV2FamTcp6) addr_len = 36;
    else if (fam != kV2FamUnspec) return fail(ProxyError::V2BadFamily);
  }
  if (input.size() < kV2Fixed) return need_more();
  const size_t len = load_be16(input, 14);
  if (len > kProxyV2MaxPayload) return fail(ProxyError::V2TooLong);
  if (len < addr_len) return fail(ProxyError::V2ShortAddress);
  if (input.size() < kV2Fixed + len) return need_more();

  ProxyResult r;
  r.status = ProxyStatus::Done;
  r.consumed = kV2Fixed + len;
  r.header.version = 2;
  if (local) {
    // Spec: for LOCAL the receiver discards the whole block, family included.
    r.header.family = ProxyFamily::Local;
    return r;
  }
  const std::string_view header = input.substr(0, r.consumed);
  const auto fam = static_cast<uint8_t>(input[13]);
  if (fam == kV2FamUnspec) {
    r.header.family = ProxyFamily::Unknown;
  } else {
    // IPv4: src(4) dst(4) sport(2) dport(2); IPv6: src(16) dst(16) sport(2) dport(2).
    const size_t alen = fam == kV2FamTcp4 ? 4 : 16;
    r.header.family = fam == kV2FamTcp4 ? ProxyFamily::Tcp4 : ProxyFamily::Tcp6;
    std::memcpy(r.header.src_addr, input.data() + kV2Fixed, alen);
    std::memcpy(r.header.dst_addr, input.data() + kV2Fixed + alen, alen);
    r.header.src_port = static_cast<uint16_t>(load_be16(input, kV2Fixed + 2 * alen));
    r.header.dst_port = static_cast<uint16_t>(load_be16(input, kV2Fixed + 2 * alen + 2));
  }
  if (ProxyError e = check_v2_tlvs(header, kV2Fixed + addr_len); e != ProxyError::None)
    return fail(e);
  return r;
}

constexpr std::string_view kErrorNames[] = {
    "None",           "NotProxy",       "VersionRefused", "V1TooLong",      "V1BadLine",
    "V1BadProtocol",  "V1BadAddress",   "V1BadPort",      "V2BadVersion",   "V2BadCommand",
    "V2BadFamily",    "V2TooLong",      "V2ShortAddress", "V2BadTlv",       "V2BadChecksum",
};
static_assert(std::size(kErrorNames) == static_cast<size_t>(ProxyError::Count_));

}  // namespace

bool parse_ipv4_text(std::string_view text, uint8_t out[4]) noexcept {
  size_t at = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (at >= text.size() || text[at] != '.') return false;
      ++at;
    }
    size_t start = at;
    uint32_t v = 0;
    while (at < text.size() && is_digit(text[at]) && at - start < 3) {
      v = v * 10 + static_cast<uint32_t>(text[at] - '0');
      ++at;
    }
    const size_t digits = at - start;
    if (digits == 0 || v > 255 || (digits > 1 && text[start] == '0')) return false;
    out[octet] = static_cast<uint8_t>(v);
  }
  return at == text.size();
}

bool parse_ipv6_text(std::string_view text, uint8_t out[16]) noexcept {
  // The longest valid form is 45 bytes (six groups of four plus a dotted quad).
  if (text.empty() || text.size() > 45) return false;
  uint16_t groups[8] = {};
  int count = 0;
  int gap = -1;  // group index where "::" stands, if any
  size_t at = 0;
  if (text[0] == ':') {
    if (text.size() < 2 || text[1] != ':') return false;
    gap = 0;
    at = 2;
  }
  while (at < text.size()) {
    size_t end = text.find(':', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view token = text.substr(at, end - at);
    if (token.find('.') != std::string_view::npos) {
      // A dotted-quad tail fills the last two groups and must end the address.
      uint8_t v4[4];
      if (end != text.size() || count > 6 || !parse_ipv4_text(token, v4)) return false;
      groups[count++] = static_cast<uint16_t>((v4[0] << 8) | v4[1]);
      groups[count++] = static_cast<uint16_t>((v4[2] << 8) | v4[3]);
      break;
    }
    if (token.empty() || token.size() > 4 || count == 8) return false;
    uint32_t v = 0;
    for (char c : token) {
      int h = hex_value(c);
      if (h < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    groups[count++] = static_cast<uint16_t>(v);
    if (end == text.size()) break;
    if (end + 1 < text.size() && text[end + 1] == ':') {
      if (gap >= 0) return false;  // a second "::"
      gap = count;
      at = end + 2;
    } else {
      at = end + 1;
      if (at == text.size()) return false;  // a trailing single ':'
    }
  }
  // "::" stands for at least one zero group (RFC 4291 2.2).
  if (gap < 0 ? count != 8 : count > 7) return false;
  uint16_t full[8] = {};
  if (gap < 0) {
    std::memcpy(full, groups, sizeof full);
  } else {
    const int tail = count - gap;
    for (int i = 0; i < gap; ++i) full[i] = groups[i];
    for (int i = 0; i < tail; ++i) full[8 - tail + i] = groups[gap + i];
  }
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(full[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(full[i] & 0xFF);
  }
  return true;
}

ProxyResult parse_proxy_header(std::string_view input, ProxyVersions accept) noexcept {
  if (input.empty()) return need_more();
  // The first byte tells the versions apart: 'P' for v1, CR for the v2 signature.
  if (input[0] == 'P') {
    if (accept == ProxyVersions::V2) {
      return fail(prefix_matches(input, kV1Prefix) ? ProxyError::VersionRefused
                                                   : ProxyError::NotProxy);
    }
    return parse_v1(input);
  }
  if (input[0] == '\r') {
    if (accept == ProxyVersions::V1) {
      return fail(prefix_matches(input, kV2Signature) ? ProxyError::VersionRefused
                                                      : ProxyError::NotProxy);
    }
    return parse_v2(input);
  }
  return fail(ProxyError::NotProxy);
}

std::string_view proxy_error_name(ProxyError error) noexcept {
  const auto i = static_cast<size_t>(error);
  return i < std::size(kErrorNames) ? kErrorNames[i] : std::string_view("Unknown");
}

ProxySniff sniff_proxy_header(std::string_view input) noexcept {
  for (std::string_view sig : {kV1Prefix, kV2Signature}) {
    if (!prefix_matches(input, sig)) continue;
    return input.size() >= sig.size() ? ProxySniff::Yes : ProxySniff::Maybe;
  }
  return ProxySniff::No;
}

}  // namespace bastion::http
