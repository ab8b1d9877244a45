// SPDX-License-Identifier: MIT
// Micro benchmarks for the WSGI hot path: building the environ of a browser-sized and a
// minimal request (EnvironBuilder::build, GIL held), and serialising a response head
// (status line + the app's fields + Server/Date/X-Request-ID). Embeds CPython.
// Run: ./build/bench/environ_bench  (time per iteration = time per request).
#include <Python.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>

#include <string>

#include "http/parser.h"
#include "http/request.h"
#include "http/response.h"
#include "server/handler.h"
#include "wsgi/environ.h"
#include "wsgi/types.h"

namespace {

using namespace bastion;

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
    "\r\n";

const std::string kMinimal = "GET / HTTP/1.1\r\nHost: localhost:8000\r\n\r\n";

struct Python {
  Python() {
    Py_InitializeEx(0);
    wsgi::init_types();
  }
};

void build_environ(benchmark::State& state, const std::string& raw) {
  static Python python;
  http::RequestParser parser{http::Limits{}};
  http::RequestHead head;
  parser.parse(raw, head);
  os::SockAddr peer;
  auto* in = reinterpret_cast<sockaddr_in*>(&peer.storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(51234);
  in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  peer.len = sizeof(sockaddr_in);
  os::SockAddr local = peer;
  server::Body body;
  server::RequestInfo info;
  info.head = &head;
  info.body = &body;
  info.peer = &peer;
  info.local = &local;
  info.request_id = "0123456789abcdef0123456789abcdef";
  info.connection_id = 7;
  wsgi::EnvironSettings settings;
  wsgi::EnvironBuilder builder(settings);
  py::PyRef input = wsgi::new_input(&body);
  py::PyRef errors = wsgi::new_errors();
  bool bad = false;
  for (auto _ : state) {
    py::PyRef env = builder.build(info, input.get(), errors.get(), &bad);
    benchmark::DoNotOptimize(env.get());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EnvironBrowser(benchmark::State& state) { build_environ(state, kBrowser); }
void BM_EnvironMinimal(benchmark::State& state) { build_environ(state, kMinimal); }
BENCHMARK(BM_EnvironBrowser);
BENCHMARK(BM_EnvironMinimal);

// The response head as Connection::start_head writes it for the raw hello-world app.
void BM_ResponseHead(benchmark::State& state) {
  const std::string fields = "Content-Type: text/plain\r\nContent-Length: 13\r\n";
  const std::string rid = "0123456789abcdef0123456789abcdef";
  http::DateCache date;
  std::string head;
  for (auto _ : state) {
    head.clear();
    http::append_status_line(head, 1, "200 OK");
    head.append(fields);
    head.append("Server: bastion\r\n");
    http::append_header(head, "Date", date.get());
    http::append_header(head, "X-Request-ID", rid);
    head.append("\r\n");
    benchmark::DoNotOptimize(head.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ResponseHead);

}  // namespace
