// The hypothesis tests of evt.hpp that measurement-based probabilistic timing analysis needs before
// an extreme-value fit means anything: independence (Ljung-Box, runs) and identical distribution
// (two-sample Kolmogorov-Smirnov). The GPD goodness of fit is with the fit, in evt_tail.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/kolmogorov_smirnov.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aegisrt/profile/evt.hpp"
#include "evt_math.hpp"

namespace aegisrt::profile {
namespace {

using detail::all_finite;
using detail::MathPolicy;

const char* verdict(const TestResult& r) { return r.passed ? "not rejected" : "rejected"; }

void decide(TestResult& r) { r.passed = r.p_value >= r.alpha; }

TestResult untested(std::string name, double alpha, std::string detail) {
  TestResult r;
  r.name = std::move(name);
  r.alpha = alpha;
  r.detail = std::move(detail);
  return r;
}

TestResult non_finite(std::string name, double alpha) {
  TestResult r = untested(std::move(name), alpha, "a value is not finite (NaN or infinity)");
  r.p_value = 0;
  r.passed = false;
  return r;
}

}  // namespace

// Ljung G. M., Box G. E. P. (1978), "On a measure of lack of fit in time series models",
// Biometrika 65(2): Q = n (n + 2) sum_{k=1..h} r_k^2 / (n - k) with the sample autocorrelation
// r_k = sum_{t=k+1..n} (x_t - m)(x_{t-k} - m) / sum_{t=1..n} (x_t - m)^2, chi-squared(h) under
// independence.
TestResult ljung_box(std::span<const double> x, int lags, double alpha) {
  const std::size_t n = x.size();
  if (n < 10) {
    return untested("ljung_box", alpha,
                    fmt::format("too few samples ({} < 10): independence not tested", n));
  }
  if (!all_finite(x)) return non_finite("ljung_box", alpha);
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  if (*lo == *hi) {
    return untested("ljung_box", alpha,
                    fmt::format("constant series of {} values: no autocorrelation to test", n));
  }
  std::size_t h = lags <= 0 ? std::min<std::size_t>(20, n / 5) : static_cast<std::size_t>(lags);
  h = std::min(h, n - 1);

  double mean = 0;
  for (const double v : x) mean += v;
  mean /= static_cast<double>(n);
  std::vector<double> d(n);
  double c0 = 0;
  for (std::size_t t = 0; t < n; ++t) {
    d[t] = x[t] - mean;
    c0 += d[t] * d[t];
  }
  const double nd = static_cast<double>(n);
  double sum = 0;
  for (std::size_t k = 1; k <= h; ++k) {
    double ck = 0;
    for (std::size_t t = k; t < n; ++t) ck += d[t] * d[t - k];
    const double r = ck / c0;
    sum += r * r / static_cast<double>(n - k);
  }
  TestResult r;
  r.name = "ljung_box";
  r.alpha = alpha;
  r.statistic = nd * (nd + 2) * sum;
  const boost::math::chi_squared_distribution<double, MathPolicy> chi2(static_cast<double>(h));
  r.p_value = boost::math::cdf(boost::math::complement(chi2, r.statistic));
  decide(r);
  r.detail =
      fmt::format("Q = {:.4g} on {} lags of {} values, p = {:.3g} (alpha {}): independence {}",
                  r.statistic, h, n, r.p_value, alpha, verdict(r));
  return r;
}

// Wald A., Wolfowitz J. (1940), "On a test whether two samples are from the same population",
// Ann. Math. Statist. 11(2), applied to the signs about the median: with n1 values above and n2
// below it and R runs of one sign,
// E[R] = 2 n1 n2 / (n1 + n2) + 1, Var[R] = 2 n1 n2 (2 n1 n2 - n1 - n2) / ((n1 + n2)^2 (n1 + n2 -
// 1)), Z = (R - E[R]) / sqrt(Var[R]) standard normal under randomness.
TestResult runs_test(std::span<const double> x, double alpha) {
  if (!all_finite(x)) return non_finite("runs", alpha);
  std::vector<double> sorted(x.begin(), x.end());
  std::sort(sorted.begin(), sorted.end());
  const std::size_t n = sorted.size();
  double median = 0;
  if (n > 0) median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  std::uint64_t above = 0, below = 0, runs = 0;
  int previous = 0;  // +1 above, -1 below, 0 none yet
  for (const double v : x) {
    if (v == median) continue;
    const int side = v > median ? 1 : -1;
    (side > 0 ? above : below) += 1;
    if (side != previous) ++runs;
    previous = side;
  }
  if (above < 10 || below < 10) {
    return untested("runs", alpha,
                    fmt::format("too few samples ({} above and {} below the median, 10 each "
                                "needed): randomness not tested",
                                above, below));
  }
  const double n1 = static_cast<double>(above);
  const double n2 = static_cast<double>(below);
  const double m = n1 + n2;
  const double mean = 2 * n1 * n2 / m + 1;
  const double var = 2 * n1 * n2 * (2 * n1 * n2 - m) / (m * m * (m - 1));
  TestResult r;
  r.name = "runs";
  r.alpha = alpha;
  r.statistic = std::abs((static_cast<double>(runs) - mean) / std::sqrt(var));
  const boost::math::normal_distribution<double, MathPolicy> normal;
  r.p_value = 2 * boost::math::cdf(boost::math::complement(normal, r.statistic));
  decide(r);
  r.detail = fmt::format(
      "{} runs about the median ({} above, {} below; {:.1f} expected), |Z| = {:.3g}, p = {:.3g} "
      "(alpha {}): randomness {}",
      runs, above, below, mean, r.statistic, r.p_value, alpha, verdict(r));
  return r;
}

// Smirnov N. (1948), "Table for estimating the goodness of fit of empirical distributions", Ann.
// Math. Statist. 19(2): D = sup |F_a - F_b|, and sqrt(m n / (m + n)) D tends to the Kolmogorov
// distribution, P(K > x) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 x^2) (Boost.Math's limiting form).
TestResult ks_two_sample(std::span<const double> a, std::span<const double> b, double alpha,
                         std::string name) {
  if (a.empty() || b.empty()) {
    return untested(std::move(name), alpha,
                    fmt::format("too few samples ({} and {}): same distribution not tested",
                                a.size(), b.size()));
  }
  if (!all_finite(a) || !all_finite(b)) return non_finite(std::move(name), alpha);
  std::vector<double> sa(a.begin(), a.end());
  std::vector<double> sb(b.begin(), b.end());
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  const double m = static_cast<double>(sa.size());
  const double n = static_cast<double>(sb.size());
  // Walk both in ascending order; after all values equal to v are taken from each, the two
  // empirical distribution functions are i/m and j/n.
  std::size_t i = 0, j = 0;
  double d = 0;
  while (i < sa.size() && j < sb.size()) {
    const double v = std::min(sa[i], sb[j]);
    while (i < sa.size() && sa[i] == v) ++i;
    while (j < sb.size() && sb[j] == v) ++j;
    d = std::max(d, std::abs(static_cast<double>(i) / m - static_cast<double>(j) / n));
  }
  TestResult r;
  r.name = std::move(name);
  r.alpha = alpha;
  r.statistic = d;
  const double scaled = std::sqrt(m * n / (m + n)) * d;
  const boost::math::kolmogorov_smirnov_distribution<double, MathPolicy> kolmogorov(1.0);
  r.p_value = boost::math::cdf(boost::math::complement(kolmogorov, scaled));
  decide(r);
  r.detail = fmt::format(
      "D = {:.4g} between {} and {} values, p = {:.3g} (alpha {}, asymptotic): same "
      "distribution {}",
      d, sa.size(), sb.size(), r.p_value, alpha, verdict(r));
  return r;
}

}  // namespace aegisrt::profile
