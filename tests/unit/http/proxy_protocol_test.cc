// SPDX-License-Identifier: MIT
// PROXY protocol parser: every valid v1/v2 form per family, every rejection rule, the prefix
// property (a valid header's every prefix is NeedMore), and the address parsers against
// inet_pton.
#include "http/proxy_protocol.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace bastion::http {
namespace {

using namespace std::string_literals;

const std::string kSig = "\r\n\r\n\0\r\nQUIT\n"s;

std::string be16(size_t v) {
  return std::string{static_cast<char>((v >> 8) & 0xFF), static_cast<char>(v & 0xFF)};
}

// A v2 header: signature, version/command byte, family byte, length, payload.
std::string v2(uint8_t ver_cmd, uint8_t fam, const std::string& payload) {
  return kSig + static_cast<char>(ver_cmd) + static_cast<char>(fam) + be16(payload.size()) +
         payload;
}

std::string tlv(uint8_t type, const std::string& value) {
  return static_cast<char>(type) + be16(value.size()) + value;
}

// 192.0.2.1:12345 -> 10.0.0.1:443
const std::string kV4Block = "\xc0\x00\x02\x01" "\x0a\x00\x00\x01" "\x30\x39" "\x01\xbb"s;

std::string v6_block() {
  std::string b(36, '\0');
  b[0] = '\x20';  // 2001:db8::7
  b[1] = '\x01';
  b[2] = '\x0d';
  b[3] = '\xb8';
  b[15] = '\x07';
  b[31] = '\x01';  // ::1
  b[32] = '\xd4';  // 54321
  b[33] = '\x31';
  b[34] = '\x00';  // 80
  b[35] = '\x50';
  return b;
}

// Bitwise CRC32c, independent of the table in the parser.
uint32_t crc32c(const std::string& s) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char ch : s) {
    crc ^= static_cast<uint8_t>(ch);
    for (int k = 0; k < 8; ++k) crc = (crc & 1u) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

// A TCP4 v2 header whose CRC32C TLV is filled in (or corrupted when `bad`).
std::string v2_with_crc(bool bad) {
  std::string h = v2(0x21, 0x11, kV4Block + tlv(0x03, std::string(4, '\0')));
  uint32_t crc = crc32c(h) ^ (bad ? 1u : 0u);
  size_t at = h.size() - 4;
  for (int i = 0; i < 4; ++i) {
    h[at + static_cast<size_t>(i)] = static_cast<char>(crc >> (24 - 8 * i));
  }
  return h;
}

std::string text_of(const uint8_t* bytes, ProxyFamily fam) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(fam == ProxyFamily::Tcp4 ? AF_INET : AF_INET6, bytes, buf, sizeof buf);
  return buf;
}

ProxyResult parse(const std::string& in, ProxyVersions accept = ProxyVersions::Any) {
  return parse_proxy_header(in, accept);
}

// Every strict prefix of a header that completes at `consumed` must ask for more bytes.
void expect_prefixes_need_more(const std::string& in, size_t consumed, ProxyVersions accept) {
  for (size_t n = 0; n < consumed; ++n) {
    ProxyResult r = parse_proxy_header(std::string_view(in).substr(0, n), accept);
    ASSERT_EQ(r.status, ProxyStatus::NeedMore) << "prefix " << n << " of " << consumed;
  }
}

struct Good {
  const char* why;
  std::string input;
  ProxyFamily family;
  const char* src;  // text, or "" for Unknown/Local
  uint16_t sport;
  const char* dst;
  uint16_t dport;
  size_t consumed;  // 0 = the whole input
};

std::vector<Good> good_cases() {
  std::string longest = "PROXY UNKNOWN " + std::string(107 - 16, 'x') + "\r\n";
  return {
      {"v1 tcp4", "PROXY TCP4 192.0.2.1 10.0.0.1 12345 443\r\n", ProxyFamily::Tcp4, "192.0.2.1",
       12345, "10.0.0.1", 443, 0},
      {"v1 tcp4 with http after", "PROXY TCP4 1.2.3.4 5.6.7.8 0 65535\r\nGET / HTTP/1.1\r\n",
       ProxyFamily::Tcp4, "1.2.3.4", 0, "5.6.7.8", 65535, 36},
      {"v1 tcp4 zeros and 255", "PROXY TCP4 0.0.0.0 255.255.255.255 1 2\r\n",
       ProxyFamily::Tcp4, "0.0.0.0", 1, "255.255.255.255", 2, 0},
      {"v1 tcp6", "PROXY TCP6 2001:db8::7 ::1 54321 80\r\n", ProxyFamily::Tcp6, "2001:db8::7",
       54321, "::1", 80, 0},
      {"v1 tcp6 full and mapped",
       "PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0007 ::ffff:192.0.2.1 1 2\r\n",
       ProxyFamily::Tcp6, "2001:db8::7", 1, "::ffff:192.0.2.1", 2, 0},
      {"v1 tcp6 longest", "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
       ProxyFamily::Tcp6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535,
       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, 0},
      {"v1 unknown", "PROXY UNKNOWN\r\n", ProxyFamily::Unknown, "", 0, "", 0, 0},
      {"v1 unknown with ignored fields", "PROXY UNKNOWN ffff::1 whatever \t 1 2\r\n",
       ProxyFamily::Unknown, "", 0, "", 0, 0},
      {"v1 107-byte line", longest, ProxyFamily::Unknown, "", 0, "", 0, 0},
      {"v2 tcp4", v2(0x21, 0x11, kV4Block), ProxyFamily::Tcp4, "192.0.2.1", 12345, "10.0.0.1",
       443, 0},
      {"v2 tcp4 with http after", v2(0x21, 0x11, kV4Block) + "GET / HTTP/1.1\r\n",
       ProxyFamily::Tcp4, "192.0.2.1", 12345, "10.0.0.1", 443, 28},
      {"v2 tcp6", v2(0x21, 0x21, v6_block()), ProxyFamily::Tcp6, "2001:db8::7", 54321, "::1", 80,
       0},
      {"v2 tcp4 with TLVs (NOOP, AWS VPC endpoint, empty)",
       v2(0x21, 0x11, kV4Block + tlv(0x04, "pad") + tlv(0xEA, "\x01vpce-0123456789abcdef") +
                          tlv(0x05, "")),
       ProxyFamily::Tcp4, "192.0.2.1", 12345, "10.0.0.1", 443, 0},
      {"v2 tcp4 with a valid CRC32C", v2_with_crc(false), ProxyFamily::Tcp4, "192.0.2.1", 12345,
       "10.0.0.1", 443, 0},
      {"v2 proxy unspec", v2(0x21, 0x00, ""), ProxyFamily::Unknown, "", 0, "", 0, 0},
      {"v2 proxy unspec with a TLV", v2(0x21, 0x00, tlv(0x04, "")), ProxyFamily::Unknown, "", 0,
       "", 0, 0},
      {"v2 local (health check)", v2(0x20, 0x00, ""), ProxyFamily::Local, "", 0, "", 0, 0},
      {"v2 local ignores family and block", v2(0x20, 0x31, "anything at all"),
       ProxyFamily::Local, "", 0, "", 0, 0},
      {"v2 largest payload", v2(0x21, 0x11, kV4Block + tlv(0x04, std::string(4096 - 15, 'p'))),
       ProxyFamily::Tcp4, "192.0.2.1", 12345, "10.0.0.1", 443, 0},
  };
}

TEST(ProxyProtocol, ValidHeaders) {
  for (const Good& g : good_cases()) {
    SCOPED_TRACE(g.why);
    ProxyResult r = parse(g.input);
    ASSERT_EQ(r.status, ProxyStatus::Done) << proxy_error_name(r.error);
    EXPECT_EQ(r.error, ProxyError::None);
    EXPECT_EQ(r.consumed, g.consumed == 0 ? g.input.size() : g.consumed);
    EXPECT_EQ(r.header.family, g.family);
    EXPECT_EQ(r.header.version, g.input[0] == 'P' ? 1 : 2);
    if (g.family == ProxyFamily::Tcp4 || g.family == ProxyFamily::Tcp6) {
      EXPECT_EQ(text_of(r.header.src_addr, g.family), g.src);
      EXPECT_EQ(text_of(r.header.dst_addr, g.family), g.dst);
      EXPECT_EQ(r.header.src_port, g.sport);
      EXPECT_EQ(r.header.dst_port, g.dport);
    }
    // The same header under the matching single-version setting.
    ProxyVersions only = g.input[0] == 'P' ? ProxyVersions::V1 : ProxyVersions::V2;
    EXPECT_EQ(parse(g.input, only).status, ProxyStatus::Done);
    expect_prefixes_need_more(g.input, r.consumed, ProxyVersions::Any);
    expect_prefixes_need_more(g.input, r.consumed, only);
  }
}

struct Bad {
  const char* why;
  std::string input;
  ProxyError error;
  ProxyVersions accept = ProxyVersions::Any;
};

std::vector<Bad> bad_cases() {
  const std::string ok4 = "192.0.2.1 10.0.0.1 ";
  return {
      // Not a PROXY header at all.
      {"an HTTP request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", ProxyError::NotProxy},
      {"an HTTP request, first byte only", "G", ProxyError::NotProxy},
      {"lower-case proxy", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", ProxyError::NotProxy},
      {"PROXY without its space", "PROXYTCP4", ProxyError::NotProxy},
      {"a TLS client hello", "\x16\x03\x01\x02\x00\x01"s, ProxyError::NotProxy},
      {"CRLF then HTTP", "\r\nGET / HTTP/1.1\r\n", ProxyError::NotProxy},
      {"v2 signature broken at byte 5", "\r\n\r\n\0X"s, ProxyError::NotProxy},
      // Version not accepted by the setting.
      {"v1 when only v2 is accepted", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n",
       ProxyError::VersionRefused, ProxyVersions::V2},
      {"v1 start when only v2 is accepted", "PRO", ProxyError::VersionRefused, ProxyVersions::V2},
      {"v2 when only v1 is accepted", v2(0x21, 0x11, kV4Block), ProxyError::VersionRefused,
       ProxyVersions::V1},
      // v1 line rules.
      {"v1 over 107 bytes", "PROXY UNKNOWN " + std::string(107 - 15, 'x') + "\r\n",
       ProxyError::V1TooLong},
      {"v1 107 bytes without LF", "PROXY TCP4 " + std::string(200, '1'), ProxyError::V1TooLong},
      {"v1 bare LF", "PROXY TCP4 " + ok4 + "1 2\n", ProxyError::V1BadLine},
      {"v1 CR without LF", "PROXY TCP4 " + ok4 + "1 2\rX", ProxyError::V1BadLine},
      {"v1 CR inside the line", "PROXY UNKNOWN a\rb\r\n", ProxyError::V1BadLine},
      {"v1 empty protocol", "PROXY \r\n", ProxyError::V1BadLine},
      {"v1 two spaces", "PROXY  TCP4 " + ok4 + "1 2\r\n", ProxyError::V1BadLine},
      {"v1 two spaces between addresses", "PROXY TCP4 192.0.2.1  10.0.0.1 1 2\r\n",
       ProxyError::V1BadLine},
      {"v1 tab separator", "PROXY TCP4\t" + ok4 + "1 2\r\n", ProxyError::V1BadProtocol},
      {"v1 trailing space", "PROXY TCP4 " + ok4 + "1 2 \r\n", ProxyError::V1BadLine},
      {"v1 missing port", "PROXY TCP4 " + ok4 + "1\r\n", ProxyError::V1BadLine},
      {"v1 extra field", "PROXY TCP4 " + ok4 + "1 2 3\r\n", ProxyError::V1BadLine},
      {"v1 protocol only", "PROXY TCP4\r\n", ProxyError::V1BadLine},
      {"v1 protocol TCP5", "PROXY TCP5 " + ok4 + "1 2\r\n", ProxyError::V1BadProtocol},
      {"v1 protocol lower case", "PROXY tcp4 " + ok4 + "1 2\r\n", ProxyError::V1BadProtocol},
      {"v1 protocol UDP4", "PROXY UDP4 " + ok4 + "1 2\r\n", ProxyError::V1BadProtocol},
      {"v1 UNKNOWN glued", "PROXY UNKNOWNX\r\n", ProxyError::V1BadProtocol},
      {"v1 tcp4 with v6 source", "PROXY TCP4 ::1 10.0.0.1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 tcp6 with v4 source", "PROXY TCP6 192.0.2.1 ::1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 tcp6 with v4 destination", "PROXY TCP6 ::1 192.0.2.1 1 2\r\n",
       ProxyError::V1BadAddress},
      {"v1 octet leading zero", "PROXY TCP4 192.0.2.01 10.0.0.1 1 2\r\n",
       ProxyError::V1BadAddress},
      {"v1 octet 256", "PROXY TCP4 256.0.2.1 10.0.0.1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 three octets", "PROXY TCP4 192.0.2 10.0.0.1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 five octets", "PROXY TCP4 192.0.2.1.1 10.0.0.1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 host name", "PROXY TCP4 localhost 10.0.0.1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 v6 with two ::", "PROXY TCP6 1::2::3 ::1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 v6 zone id", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 v6 bracketed", "PROXY TCP6 [::1] ::1 1 2\r\n", ProxyError::V1BadAddress},
      {"v1 port leading zero", "PROXY TCP4 " + ok4 + "080 443\r\n", ProxyError::V1BadPort},
      {"v1 port 00", "PROXY TCP4 " + ok4 + "1 00\r\n", ProxyError::V1BadPort},
      {"v1 port 65536", "PROXY TCP4 " + ok4 + "65536 443\r\n", ProxyError::V1BadPort},
      {"v1 port six digits", "PROXY TCP4 " + ok4 + "100000 443\r\n", ProxyError::V1BadPort},
      {"v1 port with sign", "PROXY TCP4 " + ok4 + "+80 443\r\n", ProxyError::V1BadPort},
      {"v1 port hex", "PROXY TCP4 " + ok4 + "80 0x1bb\r\n", ProxyError::V1BadPort},
      // v2 rules.
      {"v2 version 1", v2(0x11, 0x11, kV4Block), ProxyError::V2BadVersion},
      {"v2 version 3", v2(0x31, 0x11, kV4Block), ProxyError::V2BadVersion},
      {"v2 version byte alone", kSig + "\x00"s, ProxyError::V2BadVersion},
      {"v2 command 2", v2(0x22, 0x11, kV4Block), ProxyError::V2BadCommand},
      {"v2 command 15", v2(0x2F, 0x11, kV4Block), ProxyError::V2BadCommand},
      {"v2 UDP over IPv4", v2(0x21, 0x12, kV4Block), ProxyError::V2BadFamily},
      {"v2 UDP over IPv6", v2(0x21, 0x22, v6_block()), ProxyError::V2BadFamily},
      {"v2 AF_UNIX stream", v2(0x21, 0x31, std::string(216, '\0')), ProxyError::V2BadFamily},
      {"v2 IPv4 unspecified transport", v2(0x21, 0x10, kV4Block), ProxyError::V2BadFamily},
      {"v2 unspecified family with stream", v2(0x21, 0x01, ""), ProxyError::V2BadFamily},
      {"v2 family 4", v2(0x21, 0x41, kV4Block), ProxyError::V2BadFamily},
      {"v2 length over the cap", kSig + "\x21\x11"s + be16(4097), ProxyError::V2TooLong},
      {"v2 length 65535", kSig + "\x21\x00"s + be16(65535), ProxyError::V2TooLong},
      {"v2 tcp4 block short", v2(0x21, 0x11, kV4Block.substr(0, 11)), ProxyError::V2ShortAddress},
      {"v2 tcp6 block short", v2(0x21, 0x21, v6_block().substr(0, 35)),
       ProxyError::V2ShortAddress},
      {"v2 tcp6 length of a tcp4 block", v2(0x21, 0x21, kV4Block), ProxyError::V2ShortAddress},
      {"v2 TLV value overruns", v2(0x21, 0x11, kV4Block + "\x04\x00\x05xy"s), ProxyError::V2BadTlv},
      {"v2 TLV header cut", v2(0x21, 0x11, kV4Block + "\x04\x00"s), ProxyError::V2BadTlv},
      {"v2 one stray byte", v2(0x21, 0x00, "\x04"s), ProxyError::V2BadTlv},
      {"v2 CRC32C of 3 bytes", v2(0x21, 0x11, kV4Block + tlv(0x03, "abc")), ProxyError::V2BadTlv},
      {"v2 CRC32C mismatch", v2_with_crc(true), ProxyError::V2BadChecksum},
  };
}

TEST(ProxyProtocol, Rejections) {
  for (const Bad& b : bad_cases()) {
    SCOPED_TRACE(b.why);
    ProxyResult r = parse(b.input, b.accept);
    EXPECT_EQ(r.status, ProxyStatus::Error);
    EXPECT_EQ(proxy_error_name(r.error), proxy_error_name(b.error));
    EXPECT_EQ(r.consumed, 0u);
    // No prefix of a refused input is ever accepted.
    for (size_t n = 0; n <= b.input.size(); ++n) {
      ProxyResult p = parse_proxy_header(std::string_view(b.input).substr(0, n), b.accept);
      ASSERT_NE(p.status, ProxyStatus::Done) << "prefix " << n;
    }
  }
}

TEST(ProxyProtocol, EarlyRefusal) {
  // Refused on the first byte that rules it out: no need to wait for a whole line.
  EXPECT_EQ(parse("GE").error, ProxyError::NotProxy);
  EXPECT_EQ(parse("PROXX").error, ProxyError::NotProxy);
  EXPECT_EQ(parse("\r\n\r\n\0\r\nQUIX"s).error, ProxyError::NotProxy);
  EXPECT_EQ(parse(kSig + "\x21\x12"s).error, ProxyError::V2BadFamily);
  EXPECT_EQ(parse(kSig + "\x21\x11"s + be16(5000)).error, ProxyError::V2TooLong);
  EXPECT_EQ(parse("PROXY TCP4 1\r2").error, ProxyError::V1BadLine);
  // Still incomplete: wait.
  EXPECT_EQ(parse("").status, ProxyStatus::NeedMore);
  EXPECT_EQ(parse("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r").status, ProxyStatus::NeedMore);
  EXPECT_EQ(parse(kSig + "\x21\x11"s + be16(12) + "abc").status, ProxyStatus::NeedMore);
  EXPECT_EQ(parse("PROXY UNKNOWN " + std::string(90, 'x')).status, ProxyStatus::NeedMore);
}

TEST(ProxyProtocol, ErrorNames) {
  for (int i = 0; i < static_cast<int>(ProxyError::Count_); ++i) {
    EXPECT_NE(proxy_error_name(static_cast<ProxyError>(i)), "Unknown");
  }
  EXPECT_EQ(proxy_error_name(ProxyError::Count_), "Unknown");
  EXPECT_EQ(proxy_error_name(ProxyError::V1BadPort), "V1BadPort");
}

// The hand-written address parsers agree with glibc's inet_pton on valid and invalid text.
TEST(ProxyProtocol, AddressParsersMatchInetPton) {
  const char* v4[] = {"0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.1", "01.2.3.4",
                      "1.2.3.256", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4 ",
                      "1.2.3.-4", "1234.1.1.1", "", "a.b.c.d", "1.2.3.0x4", "00.1.1.1"};
  for (const char* t : v4) {
    SCOPED_TRACE(t);
    uint8_t ours[4] = {};
    uint8_t theirs[4] = {};
    bool ok = parse_ipv4_text(t, ours);
    EXPECT_EQ(ok, inet_pton(AF_INET, t, theirs) == 1);
    if (ok) {
      EXPECT_EQ(std::memcmp(ours, theirs, 4), 0);
    }
  }
  const char* v6[] = {"::", "::1", "1::", "1::2", "2001:db8::7", "::ffff:1.2.3.4",
                      "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6::8",
                      "1:2:3:4:5:6:1.2.3.4", "1::1.2.3.4", "FFFF::abcd", "0001:0002::0003",
                      "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", ":1::", "1::2:",
                      "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", "1.2.3.4",
                      "::1.2.3.4:1", "1:2:3:4:5:6:7:1.2.3.4", "::01.2.3.4", "1:", ":", "",
                      "::ffff:256.1.1.1", "fe80::1%1", "1:2:3:4:5::1.2.3.4", "1::2:3:4:5:6:7"};
  for (const char* t : v6) {
    SCOPED_TRACE(t);
    uint8_t ours[16] = {};
    uint8_t theirs[16] = {};
    bool ok = parse_ipv6_text(t, ours);
    EXPECT_EQ(ok, inet_pton(AF_INET6, t, theirs) == 1);
    if (ok) {
      EXPECT_EQ(std::memcmp(ours, theirs, 16), 0);
    }
  }
}

TEST(ProxyProtocol, SniffForDirectClients) {
  using S = ProxySniff;
  const std::string v2sig("\r\n\r\n\0\r\nQUIT\n", 12);
  EXPECT_EQ(sniff_proxy_header(""), S::Maybe);
  EXPECT_EQ(sniff_proxy_header("P"), S::Maybe);
  EXPECT_EQ(sniff_proxy_header("PROXY"), S::Maybe);
  EXPECT_EQ(sniff_proxy_header("PROXY "), S::Yes);
  EXPECT_EQ(sniff_proxy_header("PROXY TCP4 1.2.3.4"), S::Yes);
  EXPECT_EQ(sniff_proxy_header("PROXX "), S::No);
  EXPECT_EQ(sniff_proxy_header("POST / HTTP/1.1\r\n"), S::No);
  EXPECT_EQ(sniff_proxy_header("GET / HTTP/1.1\r\n"), S::No);
  EXPECT_EQ(sniff_proxy_header("\r\n"), S::Maybe);  // could still be the v2 signature
  EXPECT_EQ(sniff_proxy_header(v2sig.substr(0, 7)), S::Maybe);
  EXPECT_EQ(sniff_proxy_header(v2sig), S::Yes);
  EXPECT_EQ(sniff_proxy_header("\r\nGET / HTTP/1.1\r\n"), S::No);
}

}  // namespace
}  // namespace bastion::http
