// SPDX-License-Identifier: MIT
// Shared helpers for the http unit tests: feeding a parser in pieces, the corpus .http escape
// format, and a small connection simulator that frames pipelined messages the way the server
// does (head, then Content-Length or chunked body). Test-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/chunked.h"
#include "http/errors.h"
#include "http/parser.h"
#include "http/request.h"

namespace bastion::http::test {

/// Prefix lengths at which input is delivered: whole, every byte, or random pieces.
enum class Split { Whole, Bytewise, Random };

inline std::vector<size_t> cut_points(size_t n, Split split, uint32_t seed = 1) {
  std::vector<size_t> cuts;
  if (split == Split::Whole || n == 0) {
    cuts.push_back(n);
  } else if (split == Split::Bytewise) {
    for (size_t i = 1; i <= n; ++i) cuts.push_back(i);
  } else {
    std::mt19937 rng(seed);
    size_t at = 0;
    while (at < n) {
      at += 1 + rng() % 37;
      cuts.push_back(at < n ? at : n);
    }
  }
  return cuts;
}

/// Feeds growing prefixes of `input` to a fresh parser until it stops asking for more.
inline ParseResult parse_split(std::string_view input, Split split, RequestHead& head,
                               const Limits& limits = Limits{}, uint32_t seed = 1) {
  RequestParser parser(limits);
  ParseResult r{ParseStatus::NeedMore};
  for (size_t cut : cut_points(input.size(), split, seed)) {
    r = parser.parse(input.substr(0, cut), head);
    if (r.status != ParseStatus::NeedMore) break;
  }
  return r;
}

struct ChunkedOutcome {
  ChunkedDecoder::Status status = ChunkedDecoder::Status::NeedMore;
  ParseError error = ParseError::None;
  std::string body;
  size_t consumed = 0;  // bytes of the input used up to Done / Error / the end
};

/// Decodes `input` delivered in pieces, as a caller keeping unconsumed bytes would.
inline ChunkedOutcome decode_split(std::string_view input, Split split, uint64_t max_body = 0,
                                   size_t max_trailer = 8192, uint32_t seed = 1) {
  ChunkedDecoder dec(max_body, max_trailer);
  ChunkedOutcome out;
  for (size_t cut : cut_points(input.size(), split, seed)) {
    for (;;) {
      const auto step = dec.next(input.substr(out.consumed, cut - out.consumed));
      out.consumed += step.consumed;
      out.status = step.status;
      out.error = step.error;
      if (step.status == ChunkedDecoder::Status::Data) {
        out.body.append(step.data);
        continue;
      }
      if (step.status == ChunkedDecoder::Status::NeedMore) break;
      return out;  // Done or Error
    }
  }
  return out;
}

/// Decodes the corpus escape format (tests/corpus/http/README.md): real newlines are layout
/// only; \r\n \n \r \t \0 and \xHH are bytes. Returns nullopt on a stray backslash.
inline std::optional<std::string> decode_http_file(std::string_view text) {
  std::string raw;
  for (char c : text)
    if (c != '\n') raw += c;
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (i + 1 >= raw.size()) return std::nullopt;
    const char e = raw[i + 1];
    if (e == 'r') {
      out += '\r';
    } else if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == '0') {
      out += '\0';
    } else if (e == 'x' && i + 3 < raw.size()) {
      const std::string hex(raw.substr(i + 2, 2));
      size_t used = 0;
      const unsigned long v = std::stoul(hex, &used, 16);
      if (used != 2) return std::nullopt;
      out += static_cast<char>(v);
      i += 2;
    } else {
      return std::nullopt;
    }
    ++i;
  }
  return out;
}

/// One parsed request with owned copies of everything (views die with the buffer).
struct OwnedRequest {
  std::string method, target, path, query, authority, host;
  TargetForm form = TargetForm::Origin;
  int version_minor = 1;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = true;
  bool expect_continue = false;
  bool upgrade = false;
};

/// A connection's receive side: bytes arrive in pieces; messages are framed one after the
/// other; after a non-keep-alive message the rest is ignored; the first error stops it.
class ConnectionSim {
 public:
  explicit ConnectionSim(const Limits& limits = Limits{}) : limits_(limits), parser_(limits) {}

  void feed(std::string_view bytes) {
    buf_.append(bytes);
    pump();
  }

  const std::vector<OwnedRequest>& requests() const { return requests_; }
  ParseError error() const { return error_; }
  bool closed() const { return closed_; }
  /// True when no message is partly received (every byte framed, or the connection closed).
  bool idle() const { return closed_ || (phase_ == Phase::Head && msg_start_ == buf_.size()); }

 private:
  enum class Phase { Head, Length, Chunked };

  void pump() {
    while (!closed_ && error_ == ParseError::None) {
      if (phase_ == Phase::Head) {
        const auto r = parser_.parse(std::string_view(buf_).substr(msg_start_), head_);
        if (r.status == ParseStatus::NeedMore) return;
        if (r.status == ParseStatus::Error) {
          error_ = r.error;
          return;
        }
        current_ = own(head_);
        body_pos_ = msg_start_ + r.consumed;
        if (head_.body == BodyKind::Length) {
          phase_ = Phase::Length;
          remaining_ = head_.content_length;
        } else if (head_.body == BodyKind::Chunked) {
          phase_ = Phase::Chunked;
          decoder_.emplace(limits_.body, limits_.trailer_total);
        } else {
          finish();
        }
      } else if (phase_ == Phase::Length) {
        const size_t avail = buf_.size() - body_pos_;
        const size_t n = remaining_ < avail ? static_cast<size_t>(remaining_) : avail;
        current_.body.append(buf_, body_pos_, n);
        body_pos_ += n;
        remaining_ -= n;
        if (remaining_ != 0) return;
        finish();
      } else {
        const auto step = decoder_->next(std::string_view(buf_).substr(body_pos_));
        body_pos_ += step.consumed;
        if (step.status == ChunkedDecoder::Status::Data) {
          current_.body.append(step.data);
        } else if (step.status == ChunkedDecoder::Status::NeedMore) {
          return;
        } else if (step.status == ChunkedDecoder::Status::Error) {
          error_ = step.error;
          return;
        } else {
          finish();
        }
      }
    }
  }

  void finish() {
    requests_.push_back(current_);
    msg_start_ = body_pos_;
    phase_ = Phase::Head;
    parser_.reset();
    if (!current_.keep_alive) closed_ = true;
  }

  static OwnedRequest own(const RequestHead& h) {
    OwnedRequest r;
    r.method = h.method;
    r.target = h.target;
    r.path = h.path;
    r.query = h.query;
    r.authority = h.authority;
    r.host = h.host;
    r.form = h.form;
    r.version_minor = h.version_minor;
    for (const auto& f : h.headers) r.headers.emplace_back(f.name, f.value);
    r.keep_alive = h.keep_alive;
    r.expect_continue = h.expect_continue;
    r.upgrade = h.upgrade;
    return r;
  }

  Limits limits_;
  RequestParser parser_;
  RequestHead head_;
  std::optional<ChunkedDecoder> decoder_;
  std::string buf_;
  Phase phase_ = Phase::Head;
  size_t msg_start_ = 0;
  size_t body_pos_ = 0;
  uint64_t remaining_ = 0;
  OwnedRequest current_;
  std::vector<OwnedRequest> requests_;
  ParseError error_ = ParseError::None;
  bool closed_ = false;
};

/// Runs `input` through a ConnectionSim delivered according to `split`.
inline ConnectionSim run_connection(std::string_view input, Split split,
                                    const Limits& limits = Limits{}, uint32_t seed = 1) {
  ConnectionSim sim(limits);
  size_t at = 0;
  for (size_t cut : cut_points(input.size(), split, seed)) {
    sim.feed(input.substr(at, cut - at));
    at = cut;
  }
  return sim;
}

}  // namespace bastion::http::test
