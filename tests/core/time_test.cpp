#include "aegisrt/core/time.hpp"

#include <gtest/gtest.h>

#include "aegisrt/core/random.hpp"

namespace aegisrt {
namespace {

TEST(TimeTest, ParsesCommandLineDurationsWithTheirUnit) {
  EXPECT_EQ(parse_duration("250ms"), Duration::ms(250));
  EXPECT_EQ(parse_duration("10s"), Duration::s(10));
  EXPECT_EQ(parse_duration("400000us"), Duration::ms(400));
  EXPECT_EQ(parse_duration("17ns"), Duration::ns(17));
  EXPECT_EQ(parse_duration("1.5ms"), Duration::us(1500));
  EXPECT_EQ(parse_duration("33.333ms"), Duration::ns(33'333'000));
}

TEST(TimeTest, RejectsDurationsWithoutAKnownUnitOrNumber) {
  EXPECT_FALSE(parse_duration("250"));
  EXPECT_FALSE(parse_duration("ms"));
  EXPECT_FALSE(parse_duration("10min"));
  EXPECT_FALSE(parse_duration("1.2.3ms"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("99999999999s"));  // 1e20 ns does not fit in int64
}

TEST(TimeTest, ConvertsUnitsRoundingToTheNearestNanosecond) {
  EXPECT_EQ(duration_from(0.0004, TimeUnit::kUs), Duration::ns(0));
  EXPECT_EQ(duration_from(0.0006, TimeUnit::kUs), Duration::ns(1));
  EXPECT_EQ(duration_from(2.5, TimeUnit::kS), Duration::ms(2500));
  EXPECT_FALSE(duration_from(1.0 / 0.0, TimeUnit::kMs));
}

TEST(TimeTest, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Duration::ms(33)), "33ms");
  EXPECT_EQ(format_duration(Duration::us(1500)), "1.5ms");
  EXPECT_EQ(format_duration(Duration::ns(33'333'333)), "33.333333ms");
  EXPECT_EQ(format_duration(Duration::ns(1'000'000'001)), "1.000000001s");
  EXPECT_EQ(format_duration(Duration::ns(999)), "999ns");
  EXPECT_EQ(format_duration(Duration::zero()), "0ns");
  EXPECT_EQ(format_duration(Duration::ns(INT64_MIN)), "-9223372036.854775808s");
  EXPECT_EQ(format_duration(Duration::s(10)), "10s");
  EXPECT_EQ(format_duration(Duration::ns(17)), "17ns");
  EXPECT_EQ(format_duration(Duration::ns(-2'000)), "-2us");
}

TEST(TimeTest, FormatsExactlyInAGivenUnit) {
  constexpr DurationFormat kInMs{.unit = TimeUnit::kMs};
  EXPECT_EQ(format_duration(Duration::us(500), kInMs), "0.5ms");
  EXPECT_EQ(format_duration(Duration::ns(33'333'333), kInMs), "33.333333ms");
  EXPECT_EQ(format_duration(Duration::s(2), kInMs), "2000ms");
  EXPECT_EQ(format_duration(Duration::zero(), kInMs), "0ms");
  EXPECT_EQ(format_duration(Duration::ns(-1), kInMs), "-0.000001ms");
}

TEST(TimeTest, FormatsFixedDecimalsRoundingHalvesAwayFromZero) {
  constexpr DurationFormat kMs3{.unit = TimeUnit::kMs, .decimals = 3};
  EXPECT_EQ(format_duration(Duration::ns(33'333'500), kMs3), "33.334ms");  // 33.3335
  EXPECT_EQ(format_duration(Duration::ns(33'333'499), kMs3), "33.333ms");
  EXPECT_EQ(format_duration(Duration::ns(-33'333'500), kMs3), "-33.334ms");
  EXPECT_EQ(format_duration(Duration::ns(999'999'500), kMs3), "1000.000ms");  // carries
  EXPECT_EQ(format_duration(Duration::ms(3), kMs3), "3.000ms");
  EXPECT_EQ(format_duration(Duration::zero(), kMs3), "0.000ms");
  EXPECT_EQ(format_duration(Duration::ns(-1), kMs3), "0.000ms");  // rounds to zero: no sign
  constexpr DurationFormat kMs0{.unit = TimeUnit::kMs, .decimals = 0};
  EXPECT_EQ(format_duration(Duration::us(1500), kMs0), "2ms");
  EXPECT_EQ(format_duration(Duration::ns(1'499'999), kMs0), "1ms");
  // The unit is chosen from the magnitude, then the value is rounded in it.
  EXPECT_EQ(format_duration(Duration::ns(1'505), DurationFormat{.decimals = 2}), "1.51us");
}

TEST(TimeTest, PadsDecimalsPastTheNanosecondAndCanLeaveTheUnitOut) {
  constexpr DurationFormat kUs3Bare{.unit = TimeUnit::kUs, .decimals = 3, .suffix = false};
  EXPECT_EQ(format_duration(Duration::ns(17), DurationFormat{.unit = TimeUnit::kNs, .decimals = 3}),
            "17.000ns");
  EXPECT_EQ(format_duration(Duration::ns(1), kUs3Bare), "0.001");
  EXPECT_EQ(format_duration(Duration::ns(-1'500), kUs3Bare), "-1.500");
  EXPECT_EQ(format_duration(Duration::ns(INT64_MIN), kUs3Bare), "-9223372036854775.808");
  EXPECT_EQ(format_duration(Duration::ns(INT64_MAX),
                            DurationFormat{.unit = TimeUnit::kS, .decimals = 0, .suffix = false}),
            "9223372037");  // 9223372036.854775807 s rounds up
}

TEST(TimeTest, FormatsAnAbsentValueAsADash) {
  EXPECT_EQ(format_duration(std::optional<Duration>()), "-");
  EXPECT_EQ(format_duration(std::optional<Duration>(Duration::ms(2)),
                            DurationFormat{.unit = TimeUnit::kMs, .decimals = 3}),
            "2.000ms");
}

TEST(TimeTest, AppendsToWhatIsAlreadyWritten) {
  std::string out = "at ";
  append_duration(out, Duration::us(1500));
  append_duration(out, Duration::us(2), DurationFormat{.unit = TimeUnit::kNs});
  EXPECT_EQ(out, "at 1.5ms2000ns");
}

TEST(RandomTest, DrawsArePureFunctionsOfTheirInputs) {
  EXPECT_EQ(random_bits(1, RandomStream::kJitter, 2, 3),
            random_bits(1, RandomStream::kJitter, 2, 3));
  EXPECT_NE(random_bits(1, RandomStream::kJitter, 2, 3),
            random_bits(2, RandomStream::kJitter, 2, 3));
  EXPECT_NE(random_bits(1, RandomStream::kJitter, 2, 3),
            random_bits(1, RandomStream::kSporadicGap, 2, 3));
}

TEST(RandomTest, BoundedDrawsCoverTheirRangeAndStayInIt) {
  std::vector<int> seen(7, 0);
  for (std::uint64_t i = 0; i < 7000; ++i) {
    const std::int64_t v = random_between(3, 9, 42, RandomStream::kGenerator, i);
    ASSERT_GE(v, 3);
    ASSERT_LE(v, 9);
    ++seen[static_cast<std::size_t>(v - 3)];
  }
  for (int count : seen) EXPECT_GT(count, 800);  // 1000 expected per value
}

}  // namespace
}  // namespace aegisrt
