// SPDX-License-Identifier: MIT
// The small JSON reader/writer and the Python-repr printer used by --print-config.
#include "config/json.h"

#include <gtest/gtest.h>

namespace bastion::config::json {
namespace {

TEST(Json, ParsesEveryType) {
  auto v = parse(R"( {"a": null, "b": true, "c": -12, "d": 1.5, "e": "x\"\u00e9\n",
                      "f": [1, [2]], "g": {}} )");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->find("a")->is_null());
  EXPECT_TRUE(v->find("b")->b);
  EXPECT_EQ(v->find("c")->i, -12);
  EXPECT_DOUBLE_EQ(v->find("d")->d, 1.5);
  EXPECT_EQ(v->find("e")->s, "x\"\xc3\xa9\n");
  EXPECT_EQ(v->find("f")->array[1].array[0].i, 2);
  EXPECT_TRUE(v->find("g")->is_object());
  EXPECT_EQ(v->find("zzz"), nullptr);
}

TEST(Json, KeepsObjectOrderAndRoundTrips) {
  const char* text = R"({"z":1,"a":[true,null,"s"],"m":{"k":"v"}})";
  auto v = parse(text);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->object[0].first, "z");
  EXPECT_EQ(dump(*v), text);
}

TEST(Json, SurrogatePairsAndBigNumbers) {
  auto v = parse(R"(["\ud83d\ude00", 99999999999999999999])");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->array[0].s, "\xf0\x9f\x98\x80");
  EXPECT_EQ(v->array[1].type, Value::Type::Double);
}

TEST(Json, RejectsMalformed) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "1 2", "[\"\x01\"]",
                          "{1: 2}", "\"\\x\""}) {
    EXPECT_FALSE(parse(bad).ok()) << bad;
  }
  std::string deep(100, '[');
  EXPECT_FALSE(parse(deep).ok());
}

TEST(Json, PythonRepr) {
  auto v = parse(R"({"k": ["a", "it's", 1, 2.0, true, null], "e": {}})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(py_repr(*v), R"({'k': ['a', "it's", 1, 2.0, True, None], 'e': {}})");
  EXPECT_EQ(py_repr_string("a\\b\n'\""), R"('a\\b\n\'"')");
}

}  // namespace
}  // namespace bastion::config::json
