// SPDX-License-Identifier: MIT
// libFuzzer target for ChunkedDecoder: decodes the input as a chunked body whole, byte by
// byte and in pieces chosen from the input, and asserts they agree and that the decoder never
// produces more bytes than it was given. Depends only on src/http.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/assert.h"
#include "http/chunked.h"
#include "http/errors.h"

namespace {

using namespace bastion::http;

struct Outcome {
  ChunkedDecoder::Status status = ChunkedDecoder::Status::NeedMore;
  ParseError error = ParseError::None;
  std::string body;
  size_t consumed = 0;
};

// Delivers `in` in pieces of `piece` bytes (0 = all at once), keeping unconsumed bytes for the
// next call the way a server's read buffer does.
Outcome decode(std::string_view in, size_t piece, uint64_t max_body, size_t max_trailer) {
  ChunkedDecoder dec(max_body, max_trailer);
  Outcome out;
  size_t available = piece == 0 ? in.size() : 0;
  for (;;) {
    if (piece != 0) available = available + piece < in.size() ? available + piece : in.size();
    for (;;) {
      const std::string_view window = in.substr(out.consumed, available - out.consumed);
      const ChunkedDecoder::Step step = dec.next(window);
      BASTION_ASSERT(step.consumed <= window.size());
      out.consumed += step.consumed;
      out.status = step.status;
      out.error = step.error;
      BASTION_ASSERT((step.status == ChunkedDecoder::Status::Error) ==
                 (step.error != ParseError::None));
      if (step.status == ChunkedDecoder::Status::Data) {
        BASTION_ASSERT(!step.data.empty());
        BASTION_ASSERT(step.data.data() >= window.data() &&
                   step.data.data() + step.data.size() <= window.data() + step.consumed);
        out.body.append(step.data);
        BASTION_ASSERT(out.body.size() <= out.consumed);
        BASTION_ASSERT(dec.decoded() == out.body.size());
        continue;
      }
      if (step.status != ChunkedDecoder::Status::NeedMore) return out;
      BASTION_ASSERT(out.consumed == available);  // NeedMore consumes everything it was given
      break;
    }
    if (available == in.size()) return out;
  }
}

bool same(const Outcome& a, const Outcome& b) {
  return a.status == b.status && a.error == b.error && a.body == b.body && a.consumed == b.consumed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t piece =
      size == 0 ? 1 : 1 + static_cast<size_t>(static_cast<unsigned char>(in[0]) % 17);
  for (uint64_t max_body : {uint64_t{0}, uint64_t{64}}) {
    const size_t max_trailer = max_body == 0 ? 8192 : 16;
    const Outcome whole = decode(in, 0, max_body, max_trailer);
    BASTION_ASSERT(whole.consumed <= size && whole.body.size() <= size);
    if (max_body != 0) BASTION_ASSERT(whole.body.size() <= max_body);
    BASTION_ASSERT(same(whole, decode(in, 1, max_body, max_trailer)));
    BASTION_ASSERT(same(whole, decode(in, piece, max_body, max_trailer)));
  }
  return 0;
}
