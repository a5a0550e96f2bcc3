// Exact decimals and durations: every expected value below is worked out by hand from the text
// (2^53 = 9007199254740992, INT64_MAX = 9223372036854775807, UINT64_MAX = 18446744073709551615).
#include "aegisrt/core/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "aegisrt/core/time.hpp"

namespace aegisrt {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

void expect_decimal(std::string_view text, bool negative, const std::string& digits,
                    std::int64_t exponent) {
  SCOPED_TRACE(std::string(text));
  const std::optional<Decimal> sut = parse_decimal(text);
  ASSERT_TRUE(sut.has_value());
  EXPECT_EQ(sut->negative, negative);
  EXPECT_EQ(sut->digits, digits);
  EXPECT_EQ(sut->exponent, exponent);
}

ExactInteger int64_of(std::string_view text, int shift = 0) {
  const std::optional<Decimal> d = parse_decimal(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d ? to_int64(*d, shift) : ExactInteger{};
}

void expect_int64(std::string_view text, int shift, std::int64_t expected) {
  const ExactInteger sut = int64_of(text, shift);
  EXPECT_EQ(sut.status, ExactStatus::kOk) << text;
  EXPECT_EQ(sut.value, expected) << text;
}

TEST(DecimalTest, KeepsEveryDigitWithoutLeadingOrTrailingZeros) {
  expect_decimal("33.333", false, "33333", -3);
  expect_decimal("-2.5e-3", true, "25", -4);
  expect_decimal("1e6", false, "1", 6);
  expect_decimal("2.5E+2", false, "25", 1);
  expect_decimal("0.000001", false, "1", -6);
  expect_decimal("000120.0500", false, "12005", -2);
  expect_decimal(".5", false, "5", -1);
  expect_decimal("5.", false, "5", 0);
  expect_decimal("+7", false, "7", 0);
  expect_decimal("1200", false, "12", 2);
  expect_decimal("9007199254740993", false, "9007199254740993", 0);
}

TEST(DecimalTest, ZeroHasNoDigitsAndNoSign) {
  for (const char* text : {"0", "-0", "0.000", "+0e5", ".0"}) {
    SCOPED_TRACE(text);
    const auto sut = parse_decimal(text);
    ASSERT_TRUE(sut.has_value());
    EXPECT_TRUE(sut->is_zero());
    EXPECT_FALSE(sut->negative);
    EXPECT_EQ(sut->exponent, 0);
  }
}

TEST(DecimalTest, RefusesAnythingButADecimalNumber) {
  for (const char* text : {"", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", " 1", "1 ", "inf", "nan",
                           "0x10", "1_000", "+-5", "--5", "1e1000000001", "1,5", "5ms"}) {
    EXPECT_FALSE(parse_decimal(text).has_value()) << "`" << text << "`";
  }
}

TEST(DecimalTest, ConvertsToInt64ExactlyAtTheEdges) {
  expect_int64("9007199254740993", 0, 9'007'199'254'740'993);  // 2^53 + 1: a double cannot
  expect_int64("9223372036854775807", 0, kInt64Max);
  expect_int64("-9223372036854775808", 0, kInt64Min);
  expect_int64("2.0", 0, 2);
  expect_int64("1e6", 0, 1'000'000);
  expect_int64("-2.5e1", 0, -25);
  expect_int64("0", 0, 0);
  expect_int64("1.5", 1, 15);
  expect_int64("9.223372036854775807e18", 0, kInt64Max);
  EXPECT_EQ(int64_of("9223372036854775808").status, ExactStatus::kOutOfRange);
  EXPECT_EQ(int64_of("-9223372036854775809").status, ExactStatus::kOutOfRange);
  EXPECT_EQ(int64_of("1e19").status, ExactStatus::kOutOfRange);
  EXPECT_EQ(int64_of("1e999999999").status, ExactStatus::kOutOfRange);
  // Too large wins over a fraction.
  EXPECT_EQ(int64_of("99999999999999999999.5").status, ExactStatus::kOutOfRange);
}

TEST(DecimalTest, SaysWhenDigitsRemainAfterThePoint) {
  EXPECT_EQ(int64_of("1.5").status, ExactStatus::kNotInteger);
  EXPECT_EQ(int64_of("0.25", 1).status, ExactStatus::kNotInteger);  // 2.5
  EXPECT_EQ(int64_of("1e-999999999").status, ExactStatus::kNotInteger);
  EXPECT_EQ(int64_of("9007199254740993.000000001").status, ExactStatus::kNotInteger);
}

TEST(DecimalTest, RoundsToTheNearestUnsignedExactly) {
  const auto rounded = [](std::string_view text, std::uint64_t multiplier) {
    const auto d = parse_decimal(text);
    EXPECT_TRUE(d.has_value()) << text;
    return d ? to_uint64_rounded(*d, multiplier) : ExactUnsigned{};
  };
  EXPECT_EQ(rounded("1.5", 1024).value, 1536u);
  EXPECT_EQ(rounded("0.3", 1u << 20).value, 314'573u);  // 314572.8
  EXPECT_EQ(rounded("0.5", 1).value, 1u);               // halves away from zero
  EXPECT_EQ(rounded("0.49999", 1).value, 0u);
  EXPECT_EQ(rounded("0.05", 1).value, 0u);
  EXPECT_EQ(rounded("9007199254740993", 1).value, 9'007'199'254'740'993u);
  EXPECT_EQ(rounded("18446744073709551615", 1).value, 18'446'744'073'709'551'615u);
  EXPECT_EQ(rounded("18446744073709551614.5", 1).value, 18'446'744'073'709'551'615u);
  EXPECT_EQ(rounded("16", 1ull << 60).status, ExactStatus::kOutOfRange);  // 2^64
  EXPECT_EQ(rounded("18446744073709551616", 1).status, ExactStatus::kOutOfRange);
  EXPECT_EQ(rounded("18446744073709551615.5", 1).status, ExactStatus::kOutOfRange);
  EXPECT_EQ(rounded("-1", 1).status, ExactStatus::kOutOfRange);
  EXPECT_EQ(rounded("1e-999999999", 1024).value, 0u);
  EXPECT_EQ(rounded("1e999999999", 1).status, ExactStatus::kOutOfRange);
}

// Durations: a number in a unit, to exact integer nanoseconds.
Duration exact(std::string_view number, TimeUnit unit) {
  const ParsedDuration d = parse_duration_number(number, unit);
  EXPECT_TRUE(d.ok()) << number;
  return d.value;
}

DurationProblem problem(std::string_view number, TimeUnit unit) {
  return parse_duration_number(number, unit).problem;
}

TEST(ExactDurationTest, ScalesEveryUnitByItsPowerOfTen) {
  EXPECT_EQ(exact("7", TimeUnit::kNs).count(), 7);
  EXPECT_EQ(exact("7", TimeUnit::kUs).count(), 7'000);
  EXPECT_EQ(exact("7", TimeUnit::kMs).count(), 7'000'000);
  EXPECT_EQ(exact("7", TimeUnit::kS).count(), 7'000'000'000);
  EXPECT_EQ(exact("1.001", TimeUnit::kUs).count(), 1'001);
  EXPECT_EQ(exact("33.333", TimeUnit::kMs).count(), 33'333'000);
  EXPECT_EQ(exact("0.000001", TimeUnit::kMs).count(), 1);
  EXPECT_EQ(exact("1.000000001", TimeUnit::kS).count(), 1'000'000'001);
}

TEST(ExactDurationTest, ReadsExponents) {
  EXPECT_EQ(exact("1e6", TimeUnit::kNs).count(), 1'000'000);
  EXPECT_EQ(exact("2.5e-3", TimeUnit::kS).count(), 2'500'000);
  EXPECT_EQ(exact("1e-9", TimeUnit::kS).count(), 1);
  EXPECT_EQ(exact("0.5e1", TimeUnit::kNs).count(), 5);
  EXPECT_EQ(exact("-2E2", TimeUnit::kUs).count(), -200'000);
}

TEST(ExactDurationTest, KeepsIntegersAboveTwoToThe53) {
  EXPECT_EQ(exact("9007199254740993", TimeUnit::kNs).count(), 9'007'199'254'740'993);
  EXPECT_EQ(exact("9007199.254740993", TimeUnit::kS).count(), 9'007'199'254'740'993);
}

TEST(ExactDurationTest, AcceptsInt64MaxInEveryUnitAndRefusesOnePast) {
  EXPECT_EQ(exact("9223372036854775807", TimeUnit::kNs), Duration::max());
  EXPECT_EQ(exact("9223372036854775.807", TimeUnit::kUs), Duration::max());
  EXPECT_EQ(exact("9223372036854.775807", TimeUnit::kMs), Duration::max());
  EXPECT_EQ(exact("9223372036.854775807", TimeUnit::kS), Duration::max());
  EXPECT_EQ(exact("-9223372036854775808", TimeUnit::kNs).count(), kInt64Min);
  EXPECT_EQ(problem("9223372036854775808", TimeUnit::kNs), DurationProblem::kTooLarge);
  EXPECT_EQ(problem("9223372036854775.808", TimeUnit::kUs), DurationProblem::kTooLarge);
  EXPECT_EQ(problem("9223372036854.775808", TimeUnit::kMs), DurationProblem::kTooLarge);
  EXPECT_EQ(problem("9223372036.854775808", TimeUnit::kS), DurationProblem::kTooLarge);
  EXPECT_EQ(problem("9223372036854.775807", TimeUnit::kS), DurationProblem::kTooLarge);
  EXPECT_EQ(problem("-9223372036854775809", TimeUnit::kNs), DurationProblem::kTooLarge);
}

TEST(ExactDurationTest, RefusesFractionsOfANanosecond) {
  EXPECT_EQ(problem("1.5", TimeUnit::kNs), DurationProblem::kNotWholeNs);
  EXPECT_EQ(problem("0.0000001", TimeUnit::kMs), DurationProblem::kNotWholeNs);
  EXPECT_EQ(problem("1.0005", TimeUnit::kUs), DurationProblem::kNotWholeNs);
  EXPECT_EQ(problem("1e-10", TimeUnit::kS), DurationProblem::kNotWholeNs);
  EXPECT_EQ(problem("fast", TimeUnit::kMs), DurationProblem::kMalformed);
  EXPECT_EQ(problem("inf", TimeUnit::kMs), DurationProblem::kMalformed);
}

TEST(ExactDurationTest, ReadsCommandLineDurationsWithTheSameRules) {
  EXPECT_EQ(parse_duration_text("10s").value, Duration::s(10));
  EXPECT_EQ(parse_duration_text("9007199254740993ns").value.count(), 9'007'199'254'740'993);
  EXPECT_EQ(parse_duration_text("9223372036.854775807s").value, Duration::max());
  EXPECT_EQ(parse_duration_text("1.5ns").problem, DurationProblem::kNotWholeNs);
  EXPECT_EQ(parse_duration_text("1e20s").problem, DurationProblem::kTooLarge);
  EXPECT_EQ(parse_duration_text("10min").problem, DurationProblem::kMalformed);
  EXPECT_EQ(parse_duration_text("250").problem, DurationProblem::kMalformed);
  EXPECT_FALSE(parse_duration("1.5ns").has_value());
}

}  // namespace
}  // namespace aegisrt
