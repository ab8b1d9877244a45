// SPDX-License-Identifier: MIT
// Replays tests/corpus/http/{valid,invalid}/NNN.http through RequestParser + ChunkedDecoder
// (framed like the server does: pipelined messages, Content-Length and chunked bodies), fed
// whole, byte by byte and in random pieces, and checks each NNN.expect.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/errors.h"
#include "http_test_util.h"

namespace bastion::http {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::ConnectionSim;
using test::OwnedRequest;
using test::Split;

const fs::path kCorpus = fs::path(BASTION_SOURCE_DIR) / "tests" / "corpus" / "http";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string data(static_cast<size_t>(fs::file_size(p)), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  return data;
}

// Expectation strings are JSON text whose code points are byte values (latin-1); nlohmann
// hands them over as UTF-8, so fold each code point (all <= U+00FF) back into one byte.
std::string latin1(const std::string& utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      EXPECT_TRUE((c == 0xc2 || c == 0xc3) && i + 1 < utf8.size()) << "code point above U+00FF";
      const auto next = static_cast<unsigned char>(utf8[++i]);
      out += static_cast<char>(((c & 0x03u) << 6) | (next & 0x3fu));
    }
  }
  return out;
}

std::string_view form_name(TargetForm f) {
  switch (f) {
    case TargetForm::Origin:
      return "origin";
    case TargetForm::Absolute:
      return "absolute";
    case TargetForm::Authority:
      return "authority";
    case TargetForm::Asterisk:
      return "asterisk";
  }
  return "?";
}

void expect_request(const OwnedRequest& got, const json& want, const std::string& where) {
  EXPECT_EQ(got.method, latin1(want.at("method"))) << where;
  EXPECT_EQ(got.target, latin1(want.at("target"))) << where;
  EXPECT_EQ(got.path, latin1(want.at("path"))) << where;
  EXPECT_EQ(got.query, latin1(want.at("query"))) << where;
  EXPECT_EQ(got.version_minor, want.at("version_minor").get<int>()) << where;
  EXPECT_EQ(got.body, latin1(want.at("body"))) << where;
  EXPECT_EQ(got.keep_alive, want.at("keep_alive").get<bool>()) << where;
  const json& headers = want.at("headers");
  ASSERT_EQ(got.headers.size(), headers.size()) << where;
  for (size_t i = 0; i < headers.size(); ++i) {
    EXPECT_EQ(got.headers[i].first, latin1(headers[i].at(0))) << where << " header " << i;
    EXPECT_EQ(got.headers[i].second, latin1(headers[i].at(1))) << where << " header " << i;
  }
  const bool expect_continue = want.value("expect_continue", false);
  const bool upgrade = want.value("upgrade", false);
  EXPECT_EQ(got.expect_continue, expect_continue) << where;
  EXPECT_EQ(got.upgrade, upgrade) << where;
  EXPECT_EQ(form_name(got.form), want.value("form", "origin")) << where;
  EXPECT_EQ(got.authority, latin1(want.value("authority", ""))) << where;
}

struct CorpusCase {
  fs::path http;
  std::string input;
  json expect;
};

std::vector<CorpusCase> load(const char* kind) {
  std::vector<CorpusCase> cases;
  for (const auto& entry : fs::directory_iterator(kCorpus / kind)) {
    if (entry.path().extension() != ".http") continue;
    fs::path expect_path = entry.path();
    expect_path.replace_extension(".expect.json");
    CorpusCase c{entry.path(), {}, {}};
    const auto decoded = test::decode_http_file(read_file(entry.path()));
    EXPECT_TRUE(decoded.has_value()) << entry.path() << ": stray backslash";
    if (!decoded) continue;
    c.input = *decoded;
    EXPECT_TRUE(fs::exists(expect_path)) << expect_path;
    if (!fs::exists(expect_path)) continue;
    c.expect = json::parse(read_file(expect_path));
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(),
            [](const CorpusCase& a, const CorpusCase& b) { return a.http < b.http; });
  return cases;
}

struct Feed {
  Split split;
  uint32_t seed;
};
constexpr Feed kFeeds[] = {{Split::Whole, 1},  {Split::Bytewise, 1}, {Split::Random, 1},
                           {Split::Random, 2}, {Split::Random, 3},   {Split::Random, 4}};

std::string where(const CorpusCase& c, const Feed& f) {
  return c.http.filename().string() + " (" + c.expect.value("description", "") + ") split " +
         std::to_string(static_cast<int>(f.split)) + " seed " + std::to_string(f.seed);
}

TEST(Corpus, HasEnoughCases) {
  const size_t valid = load("valid").size();
  const size_t invalid = load("invalid").size();
  EXPECT_GE(valid, 55u);
  EXPECT_GE(invalid, 75u);
  EXPECT_GE(valid + invalid, 130u);
}

TEST(Corpus, ValidCasesParseAsExpected) {
  for (const CorpusCase& c : load("valid")) {
    const json& want = c.expect.at("requests");
    for (const Feed& f : kFeeds) {
      const ConnectionSim sim = test::run_connection(c.input, f.split, Limits{}, f.seed);
      const std::string w = where(c, f);
      EXPECT_EQ(sim.error(), ParseError::None) << w << ": " << name_of(sim.error());
      EXPECT_TRUE(sim.idle()) << w << ": input ends inside a message";
      ASSERT_EQ(sim.requests().size(), want.size()) << w;
      for (size_t i = 0; i < want.size(); ++i)
        expect_request(sim.requests()[i], want[i], w + " request " + std::to_string(i));
    }
  }
}

TEST(Corpus, InvalidCasesFailAsExpected) {
  for (const CorpusCase& c : load("invalid")) {
    const std::string error = c.expect.at("error");
    const int status = c.expect.at("status");
    const size_t before = c.expect.value("valid_before", 0u);
    for (const Feed& f : kFeeds) {
      const ConnectionSim sim = test::run_connection(c.input, f.split, Limits{}, f.seed);
      const std::string w = where(c, f);
      EXPECT_EQ(name_of(sim.error()), error) << w;
      EXPECT_EQ(status_for(sim.error()), status) << w;
      EXPECT_EQ(sim.requests().size(), before) << w;
    }
  }
}

}  // namespace
}  // namespace bastion::http
