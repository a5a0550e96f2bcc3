// Summary statistics of a sample of durations: the one definition of min, mean, percentiles, max
// and coefficient of variation for every report of measured or simulated latencies.
//
// Percentiles are nearest-rank (the smallest sample with at least p of the sample at or below it):
// for n sorted values x[1] <= ... <= x[n], the p-th percentile is x[k] with k = ceil(p * n), at
// least 1. It is always one of the samples, never an interpolation, so a reported p99 is a latency
// that was measured.
//
// A percentile is reported only when the sample can tell it apart from the maximum: when its rank
// k is below n. That holds exactly when n >= 1 / (1 - p), so
//
//   p50 needs 2 samples, p90 10, p95 20, p99 100, p99.9 1000 (min_samples below).
//
// With fewer, the field is empty (printed `-`): "p99 = max" from 20 runs would claim a tail the
// sample cannot show.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "aegisrt/core/time.hpp"

namespace aegisrt {

// A percentile in thousandths: 500 is p50, 999 is p99.9. Valid values are 0..1000.
using PerMille = std::uint32_t;

// The smallest sample size whose nearest-rank percentile `p` is below the maximum's rank:
// max(2, ceil(1000 / (1000 - p))). 2 for p50, 10 for p90, 20 for p95, 100 for p99, 1000 for
// p99.9. `p` must be below 1000 (p100 is the maximum and never differs from it).
std::uint64_t min_samples(PerMille p);

// The nearest-rank percentile `p` of `sorted` (ascending; checked): x[k] with
// k = max(1, ceil(p * n / 1000)), computed in integers. Empty for an empty sample. This is the raw
// order statistic with no sample-size rule; Summary applies the rule above.
std::optional<Duration> nearest_rank(std::span<const Duration> sorted, PerMille p);

// The statistics of one sample. Every field is empty for an empty sample; `count` is then 0.
struct Summary {
  std::uint64_t count = 0;
  std::optional<Duration> min;
  // The arithmetic mean rounded to the nearest nanosecond (halves away from zero), from an exact
  // 128-bit sum: no overflow or rounding at any sample size.
  std::optional<Duration> mean;
  // Nearest-rank percentiles, each present only from min_samples() on (see the top of the file).
  std::optional<Duration> p50, p90, p95, p99, p999;
  std::optional<Duration> max;
  // Coefficient of variation: the sample standard deviation (divisor n - 1) over the exact mean,
  // in long double. Empty for fewer than 2 samples and when the mean is not positive (a ratio to
  // zero or a negative mean says nothing about spread). 0 when every sample is equal.
  std::optional<double> cv;
};

// Summarises `samples` in any order; sorts a copy (one allocation of n durations). Pure: callable
// from any thread, not on a path that must not allocate.
Summary summarize(std::span<const Duration> samples);

// As summarize, for a sample already in ascending order (checked): no copy, no allocation.
Summary summarize_sorted(std::span<const Duration> sorted);

// A log-linear histogram (HDR style) of durations: every power-of-two range of nanoseconds
// [2^k, 2^(k+1)) is split into `sub_buckets` equal buckets (a power of two, 1..64), so that a
// bucket's width is at most 1/sub_buckets of its values: relative resolution, fixed size
// whatever the spread. Values below `sub_buckets` ns get one bucket per nanosecond; values
// <= 0 count in the first bucket. Only buckets that hold values are listed, in ascending order.
struct HistogramBucket {
  Duration lower;  // inclusive
  Duration upper;  // exclusive
  std::uint64_t count = 0;
};
std::vector<HistogramBucket> log_linear_histogram(std::span<const Duration> samples,
                                                  std::uint32_t sub_buckets = 8);

}  // namespace aegisrt
