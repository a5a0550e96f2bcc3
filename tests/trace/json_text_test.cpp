#include "trace/json_text.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace aegisrt::trace::detail {
namespace {

std::string micros(std::int64_t ns) {
  std::string s;
  append_micros(s, ns);
  return s;
}

std::string json_quoted(std::string_view in) {
  std::string s;
  append_json_string(s, in);
  return s;
}

TEST(AppendMicrosTest, WritesNanosecondsAsMicrosecondsWithThreeExactDecimals) {
  EXPECT_EQ(micros(0), "0.000");
  EXPECT_EQ(micros(1), "0.001");
  EXPECT_EQ(micros(999), "0.999");
  EXPECT_EQ(micros(1000), "1.000");
  EXPECT_EQ(micros(1'234'567), "1234.567");
  EXPECT_EQ(micros(33'333'333), "33333.333");
}

TEST(AppendMicrosTest, StaysExactWhereADoubleWouldRound) {
  // 2^53 + 1 ns is not representable as a double; the text must still end in ...993.
  EXPECT_EQ(micros(9'007'199'254'740'993), "9007199254740.993");
  EXPECT_EQ(micros(std::numeric_limits<std::int64_t>::max()), "9223372036854775.807");
}

TEST(AppendMicrosTest, WritesNegativeTimesWithASign) {
  EXPECT_EQ(micros(-1), "-0.001");
  EXPECT_EQ(micros(-1500), "-1.500");
  EXPECT_EQ(micros(std::numeric_limits<std::int64_t>::min()), "-9223372036854775.808");
}

TEST(AppendJsonStringTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_quoted("plain"), "\"plain\"");
  EXPECT_EQ(json_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quoted("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"");
  EXPECT_EQ(json_quoted(std::string_view("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(json_quoted(std::string_view("a\0b", 3)), "\"a\\u0000b\"");
}

TEST(AppendJsonStringTest, PassesValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(json_quoted("caf\xc3\xa9"), "\"caf\xc3\xa9\"");            // U+00E9
  EXPECT_EQ(json_quoted("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");  // U+1F600
  EXPECT_EQ(json_quoted("a\xff"
                        "b"),
            "\"a\\ufffdb\"");
  EXPECT_EQ(json_quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");             // overlong '/'
  EXPECT_EQ(json_quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a UTF-16 surrogate
  EXPECT_EQ(json_quoted("\xe2\x82"), "\"\\ufffd\\ufffd\"");             // truncated sequence
}

TEST(AppendJsonStringTest, OutputParsesBackToTheInputForEveryAsciiByte) {
  std::string all;
  for (int c = 0; c < 128; ++c) all.push_back(static_cast<char>(c));

  const auto parsed = nlohmann::json::parse(json_quoted(all));

  EXPECT_EQ(parsed.get<std::string>(), all);
}

}  // namespace
}  // namespace aegisrt::trace::detail
