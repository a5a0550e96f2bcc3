#include "aegisrt/core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "aegisrt/core/result.hpp"

namespace aegisrt {

namespace {

// GCC and Clang's 128-bit integer; `__extension__` keeps -Wpedantic quiet about it.
__extension__ using Int128 = __int128;

// ceil(p * n / 1000) without forming p * n, which could overflow for huge n:
// n = 1000 q + r gives p q + ceil(p r / 1000).
std::uint64_t rank_of(std::uint64_t n, PerMille p) {
  const std::uint64_t q = n / 1000;
  const std::uint64_t r = n % 1000;
  return p * q + (p * r + 999) / 1000;
}

// x[max(1, rank)] of a non-empty ascending sample.
Duration at_rank(std::span<const Duration> sorted, PerMille p) {
  const std::uint64_t k = std::max<std::uint64_t>(rank_of(sorted.size(), p), 1);
  return sorted[k - 1];
}

std::optional<Duration> reported(std::span<const Duration> sorted, PerMille p) {
  if (sorted.size() < min_samples(p)) return std::nullopt;
  return at_rank(sorted, p);
}

// sum / n rounded to the nearest integer, halves away from zero (n > 0).
std::int64_t rounded_mean(Int128 sum, std::uint64_t n) {
  const auto d = static_cast<Int128>(n);
  Int128 q = sum / d;
  const Int128 r = sum % d;  // same sign as sum
  if (2 * (r < 0 ? -r : r) >= d) q += sum < 0 ? -1 : 1;
  // The mean lies between the smallest and the largest sample, so it fits.
  return static_cast<std::int64_t>(q);
}

}  // namespace

std::uint64_t min_samples(PerMille p) {
  AEGISRT_ASSERT(p < 1000);
  // n (1000 - p) >= 1000 is ceil(p n / 1000) <= n - 1; one sample is always its own maximum.
  return std::max<std::uint64_t>(2, (1000 + (1000 - p) - 1) / (1000 - p));
}

std::optional<Duration> nearest_rank(std::span<const Duration> sorted, PerMille p) {
  AEGISRT_ASSERT(p <= 1000);
  AEGISRT_ASSERT(std::is_sorted(sorted.begin(), sorted.end()));
  if (sorted.empty()) return std::nullopt;
  return at_rank(sorted, p);
}

Summary summarize(std::span<const Duration> samples) {
  std::vector<Duration> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  return summarize_sorted(sorted);
}

Summary summarize_sorted(std::span<const Duration> sorted) {
  AEGISRT_ASSERT(std::is_sorted(sorted.begin(), sorted.end()));
  Summary s;
  s.count = sorted.size();
  if (sorted.empty()) return s;
  s.min = sorted.front();
  s.max = sorted.back();
  s.p50 = reported(sorted, 500);
  s.p90 = reported(sorted, 900);
  s.p95 = reported(sorted, 950);
  s.p99 = reported(sorted, 990);
  s.p999 = reported(sorted, 999);

  Int128 sum = 0;
  for (const Duration d : sorted) sum += d.count();
  s.mean = Duration::ns(rounded_mean(sum, s.count));

  const long double mean = static_cast<long double>(sum) / static_cast<long double>(s.count);
  if (s.count >= 2 && mean > 0) {
    long double squares = 0;
    for (const Duration d : sorted) {
      const long double dev = static_cast<long double>(d.count()) - mean;
      squares += dev * dev;
    }
    const long double sd = std::sqrt(squares / static_cast<long double>(s.count - 1));
    s.cv = static_cast<double>(sd / mean);
  }
  return s;
}

std::vector<HistogramBucket> log_linear_histogram(std::span<const Duration> samples,
                                                  std::uint32_t sub_buckets) {
  AEGISRT_ASSERT(sub_buckets >= 1 && sub_buckets <= 64 && (sub_buckets & (sub_buckets - 1)) == 0);
  // The bucket of value v: below sub_buckets, v itself; above, the top log2(sub_buckets) bits
  // after the leading one pick the sub-bucket of v's power-of-two range.
  int sub_bits = 0;
  while ((1u << sub_bits) < sub_buckets) ++sub_bits;
  const auto bounds = [&](std::uint64_t v) -> std::pair<std::uint64_t, std::uint64_t> {
    if (v < sub_buckets) return {v, v + 1};
    int top = 63;
    while (((v >> top) & 1u) == 0) --top;
    const int shift = top - sub_bits;
    const std::uint64_t lower = (v >> shift) << shift;
    return {lower, lower + (std::uint64_t{1} << shift)};
  };
  std::vector<std::uint64_t> values;
  values.reserve(samples.size());
  for (const Duration d : samples)
    values.push_back(d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0);
  std::sort(values.begin(), values.end());
  std::vector<HistogramBucket> out;
  for (const std::uint64_t v : values) {
    const auto [lo, hi] = bounds(v);
    if (out.empty() || static_cast<std::uint64_t>(out.back().lower.count()) != lo) {
      out.push_back(
          {Duration::ns(static_cast<std::int64_t>(lo)),
           Duration::ns(static_cast<std::int64_t>(std::min<std::uint64_t>(hi, INT64_MAX))), 0});
    }
    ++out.back().count;
  }
  return out;
}

}  // namespace aegisrt
