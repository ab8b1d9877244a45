// SPDX-License-Identifier: MIT
// Micro benchmarks for the HTTP/1.1 parser: time per request for a browser-sized head, a
// minimal head, a chunked upload (head + body decode) and a batch of pipelined requests.
// Run: ./build/bench/parser_bench  (time per iteration = time per request unless noted).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "http/chunked.h"
#include "http/parser.h"
#include "http/request.h"

namespace {

using namespace bastion::http;

const std::string kBrowser =
    "GET /static/app/main.3f9c2a.js?v=2024-11-02 HTTP/1.1\r\n"
    "Host: www.example.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Referer: https://www.example.org/dashboard/overview\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=7b1d0f5e2c9a4e3b8d6f1a2c3e4b5d6f; theme=dark; consent=1\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: script\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Priority: u=2\r\n"
    "\r\n";

const std::string kMinimal = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";

const std::string kChunkedHead =
    "POST /api/upload HTTP/1.1\r\nHost: api.example.org\r\n"
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string make_chunked_body() {
  std::string body;
  const std::string chunk(256, 'j');
  for (int i = 0; i < 16; ++i) body += "100\r\n" + chunk + "\r\n";
  return body + "0\r\n\r\n";
}

void parse_head_loop(benchmark::State& state, const std::string& input) {
  RequestParser parser{Limits{}};
  RequestHead head;
  for (auto _ : state) {
    parser.reset();
    ParseResult r = parser.parse(input, head);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(head.headers.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

void BM_ParseBrowserRequest(benchmark::State& state) { parse_head_loop(state, kBrowser); }
BENCHMARK(BM_ParseBrowserRequest);

void BM_ParseMinimalRequest(benchmark::State& state) { parse_head_loop(state, kMinimal); }
BENCHMARK(BM_ParseMinimalRequest);

// Head plus a 4 KiB body in 16 chunks: one "request" per iteration.
void BM_ParseChunkedRequest(benchmark::State& state) {
  const std::string input = kChunkedHead + make_chunked_body();
  RequestParser parser{Limits{}};
  RequestHead head;
  for (auto _ : state) {
    parser.reset();
    const ParseResult r = parser.parse(input, head);
    ChunkedDecoder dec(Limits{}.body, Limits{}.trailer_total);
    std::string_view rest = std::string_view(input).substr(r.consumed);
    size_t body = 0;
    for (;;) {
      const auto step = dec.next(rest);
      rest.remove_prefix(step.consumed);
      body += step.data.size();
      if (step.status != ChunkedDecoder::Status::Data) break;
    }
    benchmark::DoNotOptimize(body);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}
BENCHMARK(BM_ParseChunkedRequest);

// 64 pipelined minimal requests in one buffer, parsed back to back: items = requests.
void BM_ParsePipelined64(benchmark::State& state) {
  std::string input;
  for (int i = 0; i < 64; ++i) input += kMinimal;
  RequestParser parser{Limits{}};
  RequestHead head;
  for (auto _ : state) {
    std::string_view rest = input;
    while (!rest.empty()) {
      parser.reset();
      const ParseResult r = parser.parse(rest, head);
      if (r.status != ParseStatus::Complete) break;
      rest.remove_prefix(r.consumed);
    }
    benchmark::DoNotOptimize(rest);
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_ParsePipelined64);

}  // namespace
