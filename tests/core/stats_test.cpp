// Expected values here are worked by hand from the definitions in stats.hpp (nearest rank
// k = ceil(p n), sample standard deviation with divisor n - 1); the comments show the working.
#include "aegisrt/core/stats.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace aegisrt {
namespace {

std::vector<Duration> ns(std::initializer_list<std::int64_t> values) {
  std::vector<Duration> out;
  for (const std::int64_t v : values) out.push_back(Duration::ns(v));
  return out;
}

// 1 ns, 2 ns, ..., n ns, written from the largest down so that summarize has to sort.
std::vector<Duration> one_to(std::int64_t n) {
  std::vector<Duration> out;
  for (std::int64_t v = n; v >= 1; --v) out.push_back(Duration::ns(v));
  return out;
}

TEST(StatsTest, AnEmptySampleHasNoStatistics) {
  const Summary sut = summarize({});

  EXPECT_EQ(sut.count, 0u);
  EXPECT_FALSE(sut.min);
  EXPECT_FALSE(sut.mean);
  EXPECT_FALSE(sut.p50);
  EXPECT_FALSE(sut.p99);
  EXPECT_FALSE(sut.p999);
  EXPECT_FALSE(sut.max);
  EXPECT_FALSE(sut.cv);
}

TEST(StatsTest, OneSampleIsItsMinMeanAndMaxButNoPercentileOrSpread) {
  const Summary sut = summarize(ns({7'000'000}));

  EXPECT_EQ(sut.count, 1u);
  EXPECT_EQ(sut.min, Duration::ms(7));
  EXPECT_EQ(sut.mean, Duration::ms(7));
  EXPECT_EQ(sut.max, Duration::ms(7));
  EXPECT_FALSE(sut.p50);  // rank ceil(0.5) = 1 is the maximum's rank
  EXPECT_FALSE(sut.cv);   // no sample standard deviation from one value
}

TEST(StatsTest, TwoSamplesGiveTheLowerAsMedianAndTheirSpread) {
  const Summary sut = summarize(ns({30, 10}));

  EXPECT_EQ(sut.p50, Duration::ns(10));  // rank ceil(0.5 x 2) = 1
  EXPECT_FALSE(sut.p90);
  EXPECT_EQ(sut.mean, Duration::ns(20));
  // sd = sqrt(((10 - 20)^2 + (30 - 20)^2) / 1) = sqrt(200) = 10 sqrt(2); cv = sqrt(2) / 2.
  ASSERT_TRUE(sut.cv);
  EXPECT_NEAR(*sut.cv, 0.70710678118654752, 1e-12);
}

TEST(StatsTest, OneToAHundredGivesEachPercentileAtItsRank) {
  const Summary sut = summarize(one_to(100));

  EXPECT_EQ(sut.count, 100u);
  EXPECT_EQ(sut.min, Duration::ns(1));
  EXPECT_EQ(sut.p50, Duration::ns(50));  // ceil(0.50 x 100) = 50
  EXPECT_EQ(sut.p90, Duration::ns(90));
  EXPECT_EQ(sut.p95, Duration::ns(95));
  EXPECT_EQ(sut.p99, Duration::ns(99));
  EXPECT_FALSE(sut.p999);  // needs 1000 samples
  EXPECT_EQ(sut.max, Duration::ns(100));
  EXPECT_EQ(sut.mean, Duration::ns(51));  // 5050 / 100 = 50.5, half away from zero
  // Variance of 1..n with divisor n - 1 is n (n + 1) / 12 = 10100 / 12 = 841.666...;
  // sqrt(841.666...) = 29.011491975882; / 50.5 = 0.574484...
  ASSERT_TRUE(sut.cv);
  EXPECT_NEAR(*sut.cv, 29.011491975882016 / 50.5, 1e-12);
}

TEST(StatsTest, EachPercentileAppearsAtTheFirstSampleSizeWhereItIsBelowTheMaximum) {
  // n = 9: ceil(0.9 x 9) = 9 is the maximum; n = 10: ceil(9.0) = 9 is not.
  EXPECT_FALSE(summarize(one_to(9)).p90);
  EXPECT_EQ(summarize(one_to(10)).p90, Duration::ns(9));
  // n = 19: ceil(18.05) = 19; n = 20: ceil(19.0) = 19.
  EXPECT_FALSE(summarize(one_to(19)).p95);
  EXPECT_EQ(summarize(one_to(20)).p95, Duration::ns(19));
  // n = 99: ceil(98.01) = 99; n = 100: 99.
  EXPECT_FALSE(summarize(one_to(99)).p99);
  EXPECT_EQ(summarize(one_to(100)).p99, Duration::ns(99));
  // n = 999: ceil(998.001) = 999; n = 1000: ceil(999.0) = 999; n = 1001: ceil(999.999) = 1000.
  EXPECT_FALSE(summarize(one_to(999)).p999);
  EXPECT_EQ(summarize(one_to(1000)).p999, Duration::ns(999));
  EXPECT_EQ(summarize(one_to(1001)).p999, Duration::ns(1000));
}

TEST(StatsTest, MinSamplesIsTheDocumentedTable) {
  EXPECT_EQ(min_samples(500), 2u);
  EXPECT_EQ(min_samples(900), 10u);
  EXPECT_EQ(min_samples(950), 20u);
  EXPECT_EQ(min_samples(990), 100u);
  EXPECT_EQ(min_samples(999), 1000u);
  EXPECT_EQ(min_samples(0), 2u);    // the minimum: one sample is its own maximum
  EXPECT_EQ(min_samples(501), 3u);  // ceil(1000 / 499) = 3: with 2 samples, ceil(1.002) = 2
}

TEST(StatsTest, NearestRankRoundsTheRankUp) {
  const std::vector<Duration> sorted = ns({1, 2, 3, 4});

  EXPECT_EQ(nearest_rank(sorted, 0), Duration::ns(1));     // rank 0 counts as 1
  EXPECT_EQ(nearest_rank(sorted, 250), Duration::ns(1));   // 0.25 x 4 = 1 exactly
  EXPECT_EQ(nearest_rank(sorted, 251), Duration::ns(2));   // ceil(1.004) = 2
  EXPECT_EQ(nearest_rank(sorted, 1000), Duration::ns(4));  // the maximum
  EXPECT_FALSE(nearest_rank({}, 500));
}

TEST(StatsTest, MeanRoundsHalvesAwayFromZero) {
  EXPECT_EQ(summarize(ns({1, 2})).mean, Duration::ns(2));     // 1.5
  EXPECT_EQ(summarize(ns({-1, -2})).mean, Duration::ns(-2));  // -1.5
  EXPECT_EQ(summarize(ns({1, 2, 4})).mean, Duration::ns(2));  // 7 / 3 = 2.33
  EXPECT_EQ(summarize(ns({1, 2, 5})).mean, Duration::ns(3));  // 8 / 3 = 2.67
}

TEST(StatsTest, MeanIsExactWhereTheSumOverflowsInt64) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const Summary sut = summarize(ns({kMax, kMax - 2, kMax - 1}));

  EXPECT_EQ(sut.mean, Duration::ns(kMax - 1));  // (3 kMax - 3) / 3
  EXPECT_EQ(sut.p50, Duration::ns(kMax - 1));   // ceil(1.5) = 2nd of 3
}

TEST(StatsTest, SpreadIsZeroForEqualSamplesAndAbsentForANonPositiveMean) {
  EXPECT_EQ(summarize(ns({3, 3, 3})).cv, 0.0);
  EXPECT_FALSE(summarize(ns({-5, 5})).cv);  // mean 0
  EXPECT_FALSE(summarize(ns({-5, -3})).cv);
}

TEST(StatsTest, SortedInputGivesTheSameSummaryWithoutACopy) {
  const std::vector<Duration> sorted = ns({2, 4, 4, 4, 5, 5, 7, 9, 11, 13});
  const Summary sut = summarize_sorted(sorted);

  EXPECT_EQ(sut.p50, Duration::ns(5));   // 5th of 10
  EXPECT_EQ(sut.p90, Duration::ns(11));  // 9th of 10
  EXPECT_EQ(sut.mean, Duration::ns(6));  // 64 / 10 = 6.4
  // Squared deviations from 6.4: 19.36 + 3 x 5.76 + 2 x 1.96 + 0.36 + 6.76 + 21.16 + 43.56
  // = 112.4; / 9 = 12.4888...; sqrt = 3.533962208186; / 6.4.
  ASSERT_TRUE(sut.cv);
  EXPECT_NEAR(*sut.cv, 3.533962208186286 / 6.4, 1e-12);
}

}  // namespace
}  // namespace aegisrt

namespace aegisrt {
namespace {

TEST(LogLinearHistogramTest, SmallValuesGetOneBucketPerNanosecond) {
  const std::vector<Duration> x = {Duration::ns(0), Duration::ns(3), Duration::ns(3),
                                   Duration::ns(7), Duration::ns(-5)};
  const auto sut = log_linear_histogram(x, 8);
  ASSERT_EQ(sut.size(), 3u);
  EXPECT_EQ(sut[0].lower, Duration::ns(0));
  EXPECT_EQ(sut[0].count, 2u);  // 0 and the negative value
  EXPECT_EQ(sut[1].lower, Duration::ns(3));
  EXPECT_EQ(sut[1].upper, Duration::ns(4));
  EXPECT_EQ(sut[1].count, 2u);
  EXPECT_EQ(sut[2].lower, Duration::ns(7));
}

TEST(LogLinearHistogramTest, LargeValuesFallInBucketsAnEighthOfTheirRangeWide) {
  // 1000 ns is in [512, 1024), split into 8 buckets of 64: [960, 1024).
  const auto one = log_linear_histogram(std::vector<Duration>{Duration::ns(1000)}, 8);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].lower, Duration::ns(960));
  EXPECT_EQ(one[0].upper, Duration::ns(1024));

  std::vector<Duration> x;
  for (std::int64_t v = 1; v < 5'000'000; v = v * 3 + 1) x.push_back(Duration::ns(v));
  const auto sut = log_linear_histogram(x, 8);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < sut.size(); ++i) {
    total += sut[i].count;
    EXPECT_LT(sut[i].lower, sut[i].upper);
    if (sut[i].lower >= Duration::ns(8)) {
      EXPECT_LE((sut[i].upper - sut[i].lower).count() * 8, sut[i].lower.count());
    }
    if (i > 0) {
      EXPECT_LE(sut[i - 1].upper, sut[i].lower);
    }
  }
  EXPECT_EQ(total, x.size());
  for (const Duration v : x) {
    const bool inside = std::any_of(sut.begin(), sut.end(), [&](const HistogramBucket& b) {
      return b.lower <= v && v < b.upper;
    });
    EXPECT_TRUE(inside) << v.count();
  }
}

}  // namespace
}  // namespace aegisrt
