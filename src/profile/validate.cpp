// Fresh jobs against a profile's bounds (measure.hpp, "Validation"; docs/design/0011).
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

#include "aegisrt/profile/measure.hpp"

namespace aegisrt::profile {
namespace {

BoundCheck check(std::string name, Duration bound, const std::vector<Duration>& values,
                 std::optional<double> probability, double alpha) {
  BoundCheck c;
  c.name = std::move(name);
  c.bound = bound;
  c.trials = values.size();
  Duration largest;
  for (const Duration v : values) {
    if (v > bound) ++c.exceedances;
    largest = std::max(largest, v);
  }
  c.tightness = largest > Duration::zero()
                    ? static_cast<double>(bound.count()) / static_cast<double>(largest.count())
                    : 0;
  if (probability) {
    c.probability = probability;
    c.p_value = binomial_upper_tail(c.exceedances, c.trials, *probability);
    c.optimistic = *c.p_value < alpha;
  }
  return c;
}

}  // namespace

double binomial_upper_tail(std::uint64_t k, std::uint64_t n, double p) {
  if (k == 0) return 1.0;
  if (k > n) return 0.0;
  if (p <= 0) return 0.0;
  if (p >= 1) return 1.0;
  // P(X >= k) = I_p(k, n - k + 1), the regularised incomplete beta function.
  return boost::math::ibeta(static_cast<double>(k), static_cast<double>(n - k + 1), p);
}

Result<Validation> validate_profile(const Workload& w, TaskId id, const Profile& profile,
                                    std::uint64_t jobs, const MeasureOptions& options,
                                    double alpha) {
  MeasureOptions fresh = options;
  fresh.samples = static_cast<std::uint32_t>(std::min<std::uint64_t>(jobs, UINT32_MAX));
  fresh.runs = 1;
  fresh.seed = options.seed + 1;
  auto s = measure_task(w, id, fresh);
  if (!s) return s.error();
  Validation v;
  v.jobs = s->job.size();
  v.fresh = summarize(s->job);
  if (profile.job.pwcet) {
    v.checks.push_back(check("job pwcet", *profile.job.pwcet, s->job, profile.exceedance, alpha));
  }
  v.checks.push_back(check("job empirical", profile.job.empirical, s->job, std::nullopt, alpha));
  if (!profile.job.pwcet && profile.job.samples.size() >= 100) {
    // What the pWCET would have been had the failed tests been ignored: never written to the
    // profile nor used by admission, checked here to show what the refusal protects against.
    std::vector<double> x(profile.job.samples.size());
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = static_cast<double>(profile.job.samples[i].count());
    const GpdFit fit = fit_gpd(x, 0.9);
    if (fit.ok) {
      const double b =
          std::max(exponential_tail_bound(x, fit, profile.exceedance, profile.confidence),
                   static_cast<double>(profile.job.observed.max->count()));
      v.checks.push_back(check("job pwcet, tests ignored",
                               Duration::ns(static_cast<std::int64_t>(std::ceil(b))), s->job,
                               profile.exceedance, alpha));
      v.checks.back().informational = true;
    }
  }
  // The sum of the segment bounds admission uses: what per-segment admission charges a job.
  Duration sum_bound, sum_empirical;
  std::size_t with_pwcet = 0;
  for (const Series& seg : profile.segments) {
    sum_bound += seg.bound();
    sum_empirical += seg.empirical;
    with_pwcet += seg.pwcet ? 1 : 0;
  }
  const std::size_t n = profile.segments.size();
  v.checks.push_back(check("sum of segment bounds", sum_bound, s->job, std::nullopt, alpha));
  v.checks.push_back(check("sum of segment empirical", sum_empirical, s->job, std::nullopt, alpha));
  if (s->segments.size() == n && n > 0) {
    // Every segment against its own bound, pooled: trials = jobs x segments.
    BoundCheck pw;
    pw.name = "each segment's pwcet";
    BoundCheck em;
    em.name = "each segment's empirical";
    for (std::size_t k = 0; k < n; ++k) {
      const Series& seg = profile.segments[k];
      for (const Duration d : s->segments[k]) {
        if (seg.pwcet) {
          ++pw.trials;
          pw.exceedances += d > *seg.pwcet ? 1 : 0;
        }
        ++em.trials;
        em.exceedances += d > seg.empirical ? 1 : 0;
      }
    }
    if (with_pwcet > 0) {
      pw.probability = profile.exceedance;
      pw.p_value = binomial_upper_tail(pw.exceedances, pw.trials, profile.exceedance);
      pw.optimistic = *pw.p_value < alpha;
      v.checks.push_back(pw);
    }
    v.checks.push_back(em);
  }
  return v;
}

}  // namespace aegisrt::profile
