// SPDX-License-Identifier: MIT
// libFuzzer target for RequestParser (+ ChunkedDecoder for chunked bodies): frames the input
// as a stream of pipelined requests and asserts the parser's invariants. Depends only on
// src/http.
//
// Invariants checked on every input, under default and under tiny limits:
//   - feeding the bytes whole, byte by byte, or in two pieces gives the same outcome;
//   - consumed <= size, and Complete means every view lies inside the consumed head;
//   - stored names are tokens without '_', values are trimmed field-values;
//   - a declared Content-Length respects the body limit; decoded chunked bytes <= input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "base/assert.h"
#include "http/chunked.h"
#include "http/errors.h"
#include "http/parser.h"
#include "http/request.h"
#include "http/response.h"

namespace {

using namespace bastion::http;

bool inside(std::string_view view, std::string_view buf) {
  if (view.empty()) return true;
  return view.data() >= buf.data() && view.data() + view.size() <= buf.data() + buf.size();
}

bool trimmed(std::string_view v) {
  return v.empty() ||
         (v.front() != ' ' && v.front() != '\t' && v.back() != ' ' && v.back() != '\t');
}

void check_head(const RequestHead& h, std::string_view head) {
  BASTION_ASSERT(is_token(h.method));
  BASTION_ASSERT(inside(h.method, head) && inside(h.target, head) && inside(h.query, head));
  BASTION_ASSERT(inside(h.authority, head) && inside(h.host, head));
  BASTION_ASSERT(inside(h.path, head) || h.path == "/");  // "/" for an absolute-form empty path
  BASTION_ASSERT(!h.target.empty());
  BASTION_ASSERT(h.version_minor == 0 || h.version_minor == 1);
  BASTION_ASSERT(h.version_minor == 1 || h.body != BodyKind::Chunked);
  for (const HeaderField& f : h.headers) {
    BASTION_ASSERT(inside(f.name, head) && inside(f.value, head));
    BASTION_ASSERT(is_token(f.name) && f.name.find('_') == std::string_view::npos);
    BASTION_ASSERT(is_field_value(f.value) && trimmed(f.value));
  }
  switch (h.form) {
    case TargetForm::Origin:
      BASTION_ASSERT(h.target[0] == '/' && !h.path.empty());
      break;
    case TargetForm::Absolute:
      BASTION_ASSERT(!h.authority.empty() && h.path[0] == '/');
      break;
    case TargetForm::Authority:
      BASTION_ASSERT(h.method == "CONNECT" && h.path.empty());
      break;
    case TargetForm::Asterisk:
      BASTION_ASSERT(h.method == "OPTIONS" && h.target == "*");
      break;
  }
  if (h.version_minor == 1) BASTION_ASSERT(h.find("host") != nullptr);
}

bool same(const ParseResult& a, const ParseResult& b) {
  return a.status == b.status && a.error == b.error && a.consumed == b.consumed;
}

// Parses one head from `in` three ways and checks they agree.
ParseResult parse_head(std::string_view in, const Limits& limits, RequestHead& head) {
  RequestParser whole(limits);
  const ParseResult r = whole.parse(in, head);
  BASTION_ASSERT(r.consumed <= in.size());
  BASTION_ASSERT((r.status == ParseStatus::Error) == (r.error != ParseError::None));

  RequestHead scratch;
  RequestParser bytewise(limits);
  ParseResult rb{ParseStatus::NeedMore};
  for (size_t n = 0; n <= in.size(); ++n) {
    rb = bytewise.parse(in.substr(0, n), scratch);
    if (rb.status != ParseStatus::NeedMore) break;
  }
  BASTION_ASSERT(same(r, rb));

  const size_t cut = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % (in.size() + 1);
  RequestParser two(limits);
  ParseResult r2 = two.parse(in.substr(0, cut), scratch);
  if (r2.status == ParseStatus::NeedMore) r2 = two.parse(in, scratch);
  BASTION_ASSERT(same(r, r2));
  return r;
}

// Decodes a chunked body from `in`; returns bytes consumed or SIZE_MAX when the stream ends.
size_t skip_chunked(std::string_view in, const Limits& limits) {
  ChunkedDecoder dec(limits.body, limits.trailer_total);
  size_t pos = 0;
  uint64_t total = 0;
  for (;;) {
    const ChunkedDecoder::Step step = dec.next(in.substr(pos));
    BASTION_ASSERT(step.consumed <= in.size() - pos);
    if (step.status == ChunkedDecoder::Status::Data) {
      BASTION_ASSERT(!step.data.empty() && inside(step.data, in.substr(pos, step.consumed)));
      total += step.data.size();
    }
    pos += step.consumed;
    BASTION_ASSERT(total <= pos && total == dec.decoded());
    if (limits.body != 0) BASTION_ASSERT(total <= limits.body);
    if (step.status == ChunkedDecoder::Status::Data) continue;
    if (step.status == ChunkedDecoder::Status::Done) return pos;
    if (step.status == ChunkedDecoder::Status::NeedMore) BASTION_ASSERT(pos == in.size());
    return SIZE_MAX;
  }
}

void run(std::string_view in, const Limits& limits) {
  RequestHead head;
  for (int message = 0; message < 8 && !in.empty(); ++message) {
    const ParseResult r = parse_head(in, limits, head);
    if (r.status != ParseStatus::Complete) return;
    BASTION_ASSERT(r.consumed > 0);
    check_head(head, in.substr(0, r.consumed));
    if (limits.body != 0 && head.body == BodyKind::Length)
      BASTION_ASSERT(head.content_length <= limits.body);
    in.remove_prefix(r.consumed);
    if (head.body == BodyKind::Length) {
      if (head.content_length > in.size()) return;
      in.remove_prefix(static_cast<size_t>(head.content_length));
    } else if (head.body == BodyKind::Chunked) {
      const size_t used = skip_chunked(in, limits);
      if (used == SIZE_MAX) return;
      in.remove_prefix(used);
    }
    if (!head.keep_alive) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  run(in, Limits{});
  Limits tiny;
  tiny.request_line = 48;
  tiny.header_fields = 6;
  tiny.header_field_size = 64;
  tiny.header_total = 320;
  tiny.body = 256;
  tiny.trailer_total = 48;
  run(in, tiny);
  // The canned error table must stay well-formed for whatever error the input produced.
  RequestHead head;
  RequestParser parser{Limits{}};
  const ParseResult r = parser.parse(in, head);
  if (r.status == ParseStatus::Error) BASTION_ASSERT(!canned_response(r.error).empty());
  return 0;
}
