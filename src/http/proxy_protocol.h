// SPDX-License-Identifier: MIT
// Parser for the PROXY protocol header (HAProxy's specification, versions 1 and 2) that a
// load balancer sends before the first byte of a proxied connection. A pure function over
// bytes: no I/O, no allocation, no globals, no sockets; any thread. See docs/proxy-protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace bastion::http {

/// Which header versions a listener accepts (the proxy_protocol setting without "off").
enum class ProxyVersions : uint8_t { V1, V2, Any };

enum class ProxyStatus : uint8_t { Done, NeedMore, Error };

/// Every reason a header is refused. A refused header closes the connection.
enum class ProxyError : uint8_t {
  None = 0,
  NotProxy,         // the first bytes are neither "PROXY " nor the v2 signature
  VersionRefused,   // a valid start of a version the setting does not accept
  V1TooLong,        // no CRLF within 107 bytes
  V1BadLine,        // bare LF, CR without LF, separators other than one SP, missing fields
  V1BadProtocol,    // protocol other than TCP4, TCP6, UNKNOWN
  V1BadAddress,     // an address that is not valid text for the line's family
  V1BadPort,        // not 1-5 decimal digits, a leading zero, or above 65535
  V2BadVersion,     // version nibble other than 2
  V2BadCommand,     // command other than LOCAL (0) or PROXY (1)
  V2BadFamily,      // PROXY with a family/transport other than TCP over IPv4/IPv6, or UNSPEC
  V2TooLong,        // declared length above kProxyV2MaxPayload
  V2ShortAddress,   // declared length smaller than the family's address block
  V2BadTlv,         // a TLV that overruns the header
  V2BadChecksum,    // a PP2_TYPE_CRC32C TLV that does not match the header
  Count_
};

/// What the header says about the connection.
enum class ProxyFamily : uint8_t {
  Tcp4,     // addresses below are IPv4 (first 4 bytes used)
  Tcp6,     // addresses below are IPv6 (16 bytes)
  Unknown,  // v1 "UNKNOWN" or v2 PROXY over AF_UNSPEC: use the socket's own addresses
  Local,    // v2 LOCAL (the proxy's own health check): use the socket's own addresses
};

struct ProxyHeader {
  ProxyFamily family = ProxyFamily::Unknown;
  uint8_t version = 0;          // 1 or 2
  uint8_t src_addr[16] = {};    // network byte order
  uint8_t dst_addr[16] = {};
  uint16_t src_port = 0;        // host byte order
  uint16_t dst_port = 0;
};

struct ProxyResult {
  ProxyStatus status = ProxyStatus::NeedMore;
  size_t consumed = 0;  // Done: bytes of the header; the first HTTP byte follows
  ProxyError error = ProxyError::None;
  ProxyHeader header;   // Done only
};

/// The longest v1 line, CRLF included (the specification's bound).
inline constexpr size_t kProxyV1MaxLine = 107;
/// The longest v2 payload (address block plus TLVs) accepted after the 16 fixed bytes. The
/// wire format allows 65535; real proxies send at most a few hundred bytes of TLVs.
inline constexpr size_t kProxyV2MaxPayload = 4096;

/// Parses the header at the start of `input` (everything received on the connection so far).
/// NeedMore: `input` is a strict prefix of a header that may still be valid; call again with
/// more bytes. A prefix that can no longer become a valid header is an Error at once (an HTTP
/// request is refused on its first byte). Stateless: the outcome depends only on `input`,
/// and for a header that completes at byte N every shorter prefix is NeedMore. On Done,
/// bytes after `consumed` belong to the proxied stream and are not looked at.
ProxyResult parse_proxy_header(std::string_view input, ProxyVersions accept) noexcept;

/// Whether `input` (the first bytes of a connection) starts like a PROXY header of either
/// version: Yes once a whole signature ("PROXY " or the v2 12 bytes) is there, Maybe while
/// `input` is a strict prefix of one (empty input included), No otherwise. For peers that may
/// not send a header: such a header is refused instead of being parsed as HTTP.
enum class ProxySniff : uint8_t { No, Maybe, Yes };
ProxySniff sniff_proxy_header(std::string_view input) noexcept;

/// Short stable name for logs and tests ("V1BadPort"); "Unknown" for out-of-range values.
std::string_view proxy_error_name(ProxyError error) noexcept;

/// Parses a complete textual IPv4 address (dotted quad, 1-3 digits per octet, no leading
/// zeros) into 4 bytes. Exposed for tests.
bool parse_ipv4_text(std::string_view text, uint8_t out[4]) noexcept;
/// Parses a complete textual IPv6 address (RFC 4291 2.2: hex groups, one "::", optional
/// dotted-quad tail) into 16 bytes. Exposed for tests.
bool parse_ipv6_text(std::string_view text, uint8_t out[16]) noexcept;

}  // namespace bastion::http
