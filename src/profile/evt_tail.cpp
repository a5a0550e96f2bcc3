// The peaks-over-threshold tail of evt.hpp: the generalised Pareto fit of the excesses (maximum
// likelihood by Grimshaw's reduction, probability-weighted moments as the fallback), its quantile,
// its goodness of fit, and the pWCET estimate built from them (preconditions, stability, bootstrap
// bound, convergence).
//
// The GPD of the excesses y = x - u > 0 over the threshold u:
//
//   F(y) = 1 - (1 + xi y / sigma)^(-1 / xi)   (xi != 0; y < -sigma / xi when xi < 0)
//   F(y) = 1 - exp(-y / sigma)                (xi = 0)
#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/kolmogorov_smirnov.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aegisrt/core/random.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/profile/evt.hpp"
#include "evt_math.hpp"

namespace aegisrt::profile {
namespace {

using detail::all_finite;
using detail::MathPolicy;

// Fewest excesses for any fit (evt.hpp).
constexpr std::size_t kMinExcesses = 10;
// |xi| below this uses the exponential forms (the xi -> 0 limits), which avoid 0 / 0.
constexpr double kExponentialShape = 1e-9;

// The rank r = ceil(q n) of the threshold u = x_(r) (nearest rank, as core/stats.hpp), in [1, n].
// q n is lowered by a hair first, so that 0.9 x 1000 is rank 900 and not 901 from rounding.
std::size_t threshold_rank(std::size_t n, double q) {
  const double raw = std::ceil(q * static_cast<double>(n) * (1 - 1e-12));
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::max(raw, 1.0)), 1, n);
}

// --- Maximum likelihood: Grimshaw S. D. (1993), "Computing maximum likelihood estimates for the
// generalized Pareto distribution", Technometrics 35(2), 185-191. With theta = xi / sigma the two
// likelihood equations reduce to one,
//
//   h(theta) = (1 + mean log(1 + theta y)) mean(1 / (1 + theta y)) - 1 = 0,
//
// and at a root xi = mean log(1 + theta y), sigma = xi / theta. theta = 0 is always a root: the
// exponential fit sigma = mean(y), xi = 0. Other roots lie in (-1 / max y, 0) (xi < 0) and
// (0, +inf) (xi > 0); they are bracketed on a log-spaced grid of each side and refined with
// Boost.Math's TOMS 748 solver.

struct GrimshawMeans {
  double log;            // mean log(1 + theta y)
  double inv_minus_one;  // mean(1 / (1 + theta y)) - 1 = mean(-theta y / (1 + theta y))
};

GrimshawMeans grimshaw_means(std::span<const double> y, double theta) {
  double sum_log = 0;
  double sum_inv = 0;
  for (const double v : y) {
    const double t = theta * v;
    sum_log += std::log1p(t);
    sum_inv -= t / (1 + t);
  }
  const double k = static_cast<double>(y.size());
  return {sum_log / k, sum_inv / k};
}

// h(theta) as (I - 1) + L I: both terms are O(theta) and h is O(theta^2) near 0, so the
// difference is formed from sums that carry no constant 1.
double grimshaw_h(std::span<const double> y, double theta) {
  const GrimshawMeans m = grimshaw_means(y, theta);
  return m.inv_minus_one + m.log * (1 + m.inv_minus_one);
}

struct Candidate {
  double scale;
  double shape;
  double loglik;
};

// The log-likelihood l = -k log sigma - (1 + 1/xi) sum log(1 + xi y / sigma); at a root of h the
// sum is k xi, so l = -k (log sigma + xi + 1), and the exponential's is -k (log mean(y) + 1). A
// root with xi <= -1 is no candidate: there the likelihood is unbounded near theta = -1 / max y and
// a stationary point is no estimate (Grimshaw 1993, section 2).
std::optional<Candidate> root_candidate(std::span<const double> y, double theta) {
  const double xi = grimshaw_means(y, theta).log;
  const double sigma = xi / theta;
  if (!(sigma > 0) || !std::isfinite(sigma) || !(xi > -1)) return std::nullopt;
  const double k = static_cast<double>(y.size());
  return Candidate{sigma, xi, -k * (std::log(sigma) + xi + 1)};
}

// `points` values from `from` to `to`, geometrically spaced, both included.
void log_spaced(std::vector<double>& out, double from, double to, int points) {
  const double step = std::log(to / from) / (points - 1);
  for (int i = 0; i < points; ++i) out.push_back(from * std::exp(step * i));
}

// The roots of h other than 0 that are candidates, on each side of 0. The grid starts at
// |theta| max y = 1e-5: nearer 0, |xi| < 1e-5 and the fit is the exponential one, which is always
// a candidate. On the negative side theta = -s / max y with s up to 1 - 1e-12, since a bounded tail
// (xi near -1) puts the root close to -1 / max y.
std::vector<Candidate> grimshaw_roots(std::span<const double> y) {
  const double ymax = y.back();
  std::vector<double> s;
  log_spaced(s, 1e-5, 0.5, 16);
  std::vector<double> one_minus_s;
  log_spaced(one_minus_s, 0.5, 1e-12, 24);
  std::vector<double> negative;  // ascending theta
  for (auto it = one_minus_s.rbegin(); it != one_minus_s.rend(); ++it) {
    negative.push_back(-(1 - *it) / ymax);
  }
  negative.pop_back();  // s = 0.5 again
  for (auto it = s.rbegin(); it != s.rend(); ++it) negative.push_back(-*it / ymax);
  std::vector<double> positive;
  log_spaced(positive, 1e-5, 1e8, 40);
  for (double& t : positive) t /= ymax;

  std::vector<Candidate> out;
  const auto f = [y](double theta) { return grimshaw_h(y, theta); };
  const boost::math::tools::eps_tolerance<double> tolerance(48);
  for (const std::vector<double>* side : {&negative, &positive}) {
    const std::vector<double>& g = *side;
    std::vector<double> hv(g.size());
    for (std::size_t i = 0; i < g.size(); ++i) hv[i] = f(g[i]);
    for (std::size_t i = 0; i < g.size(); ++i) {
      std::optional<double> root;
      if (hv[i] == 0) {
        root = g[i];
      } else if (i + 1 < g.size() && hv[i + 1] != 0 && (hv[i] < 0) != (hv[i + 1] < 0) &&
                 std::isfinite(hv[i]) && std::isfinite(hv[i + 1])) {
        std::uintmax_t iterations = 100;
        const auto [a, b] = boost::math::tools::toms748_solve(f, g[i], g[i + 1], hv[i], hv[i + 1],
                                                              tolerance, iterations, MathPolicy());
        root = a + (b - a) / 2;
      }
      if (!root) continue;
      if (const auto c = root_candidate(y, *root)) out.push_back(*c);
    }
  }
  return out;
}

// --- Probability-weighted moments: Hosking J. R. M., Wallis J. R. (1987), "Parameter and quantile
// estimation for the generalized Pareto distribution", Technometrics 29(3), 339-349. Their
// F(y) = 1 - (1 - kappa y / sigma)^(1 / kappa) has kappa = -xi. With a_s = E[Y (1 - F(Y))^s],
// estimated from the ascending excesses y_(1) <= ... <= y_(k) at the plotting position
// p_i = (i - 0.35) / k (the one they use) as a_s = (1/k) sum_i (1 - p_i)^s y_(i):
//
//   kappa = a0 / (a0 - 2 a1) - 2,   sigma = 2 a0 a1 / (a0 - 2 a1),   so xi = 2 - a0 / (a0 - 2 a1).
//
// Valid (finite moments) for xi < 1/2, used where the likelihood has no candidate root.
std::optional<Candidate> pwm(std::span<const double> y) {
  const double k = static_cast<double>(y.size());
  double a0 = 0;
  double a1 = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double p = (static_cast<double>(i + 1) - 0.35) / k;
    a0 += y[i];
    a1 += (1 - p) * y[i];
  }
  a0 /= k;
  a1 /= k;
  const double denominator = a0 - 2 * a1;
  if (!(denominator > 0)) return std::nullopt;
  const double xi = 2 - a0 / denominator;
  const double sigma = 2 * a0 * a1 / denominator;
  if (!(sigma > 0) || !std::isfinite(sigma) || !std::isfinite(xi)) return std::nullopt;
  return Candidate{sigma, xi, 0};
}

// The excesses over fit.threshold in `sample` (any order), ascending.
std::vector<double> excesses_over(std::span<const double> sample, double u) {
  std::vector<double> y;
  for (const double v : sample) {
    if (v > u) y.push_back(v - u);
  }
  std::sort(y.begin(), y.end());
  return y;
}

// fit_gpd of a sample already in ascending order.
GpdFit fit_sorted(std::span<const double> sorted, double q) {
  GpdFit fit;
  fit.threshold_quantile = q;
  fit.samples = sorted.size();
  if (sorted.empty()) {
    fit.method = "no samples";
    return fit;
  }
  const std::size_t r = threshold_rank(sorted.size(), q);
  fit.threshold = sorted[r - 1];
  // Ties with u are not excesses: k = n - r, less the values after rank r equal to u.
  const auto first_above = std::upper_bound(sorted.begin(), sorted.end(), fit.threshold);
  std::vector<double> y;
  y.reserve(static_cast<std::size_t>(sorted.end() - first_above));
  for (auto it = first_above; it != sorted.end(); ++it) y.push_back(*it - fit.threshold);
  fit.excesses = y.size();
  if (y.size() < kMinExcesses) {
    fit.method =
        fmt::format("too few excesses: {} above the threshold (the {:g} quantile), {} needed",
                    y.size(), q, kMinExcesses);
    return fit;
  }

  const double k = static_cast<double>(y.size());
  double mean = 0;
  for (const double v : y) mean += v;
  mean /= k;
  const Candidate exponential{mean, 0, -k * (std::log(mean) + 1)};
  const std::vector<Candidate> roots = grimshaw_roots(y);
  std::optional<Candidate> chosen;
  if (!roots.empty()) {
    chosen = exponential;
    for (const Candidate& c : roots) {
      if (c.loglik > chosen->loglik) chosen = c;
    }
    fit.method = "mle (Grimshaw)";
  } else if ((chosen = pwm(y))) {
    fit.method = "pwm (Hosking-Wallis)";
  } else {
    fit.method =
        "no estimate: the likelihood has no interior root and the probability-weighted moments "
        "give no valid fit";
    return fit;
  }
  fit.scale = chosen->scale;
  fit.shape = std::abs(chosen->shape) < kExponentialShape ? 0 : chosen->shape;
  fit.ok = true;
  return fit;
}

// The excesses' mean over fit.threshold (the exponential fit's scale) and their count.
std::pair<double, std::size_t> excess_mean(std::span<const double> sorted, const GpdFit& fit) {
  double sum = 0;
  std::size_t k = 0;
  for (auto it = std::upper_bound(sorted.begin(), sorted.end(), fit.threshold); it != sorted.end();
       ++it, ++k)
    sum += *it - fit.threshold;
  return {k > 0 ? sum / static_cast<double>(k) : 0, k};
}

// x_p of an exponential tail with scale `sigma` over the fit's threshold.
double exponential_quantile(const GpdFit& fit, double sigma, double exceedance) {
  const double zeta = static_cast<double>(fit.excesses) / static_cast<double>(fit.samples);
  if (exceedance >= zeta) return fit.threshold;
  return fit.threshold + sigma * std::log(zeta / exceedance);
}

// The method's point estimate at threshold quantile q of a sorted sample (0 without a fit).
double point_quantile(std::span<const double> sorted, double q, double exceedance,
                      BoundMethod method) {
  const GpdFit fit = fit_sorted(sorted, q);
  if (!fit.ok) return 0;
  if (method == BoundMethod::kGpdBootstrap) return gpd_quantile(fit, exceedance);
  return exponential_quantile(fit, excess_mean(sorted, fit).first, exceedance);
}

// The GPD log-likelihood of the excesses y at (sigma, xi).
double gpd_loglik(std::span<const double> y, double sigma, double xi) {
  const double k = static_cast<double>(y.size());
  if (std::abs(xi) < kExponentialShape) {
    double sum = 0;
    for (const double v : y) sum += v;
    return -k * std::log(sigma) - sum / sigma;
  }
  double sum = 0;
  for (const double v : y) {
    const double z = 1 + xi * v / sigma;
    if (!(z > 0)) return -std::numeric_limits<double>::infinity();
    sum += std::log(z);
  }
  return -k * std::log(sigma) - (1 + 1 / xi) * sum;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

}  // namespace

GpdFit fit_gpd(std::span<const double> sample, double threshold_quantile) {
  AEGISRT_ASSERT(threshold_quantile > 0 && threshold_quantile < 1);
  if (!all_finite(sample)) {
    GpdFit fit;
    fit.threshold_quantile = threshold_quantile;
    fit.samples = sample.size();
    fit.method = "a sample is not finite (NaN or infinity)";
    return fit;
  }
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  return fit_sorted(sorted, threshold_quantile);
}

double gpd_quantile(const GpdFit& fit, double exceedance) {
  AEGISRT_ASSERT(fit.ok);
  AEGISRT_ASSERT(exceedance > 0 && exceedance <= 1);
  const double zeta = static_cast<double>(fit.excesses) / static_cast<double>(fit.samples);
  // At p = zeta the formula gives u; below the threshold the tail model says nothing, and u is at
  // or above the sample's own quantile there.
  if (exceedance >= zeta) return fit.threshold;
  const double log_ratio = std::log(zeta / exceedance);  // > 0
  if (std::abs(fit.shape) < kExponentialShape) return fit.threshold + fit.scale * log_ratio;
  // sigma / xi ((p / zeta)^(-xi) - 1) = sigma / xi expm1(xi ln(zeta / p)); for xi < 0 it tends to
  // the endpoint -sigma / xi and never passes it.
  return fit.threshold + fit.scale / fit.shape * std::expm1(fit.shape * log_ratio);
}

TestResult gpd_goodness_of_fit(std::span<const double> sample, const GpdFit& fit, double alpha) {
  TestResult r;
  r.name = "gpd_fit";
  r.alpha = alpha;
  if (!fit.ok) {
    r.p_value = 0;
    r.passed = false;
    r.detail = "no fit to test (" + fit.method + ")";
    return r;
  }
  if (!all_finite(sample)) {
    r.p_value = 0;
    r.passed = false;
    r.detail = "a value is not finite (NaN or infinity)";
    return r;
  }
  const std::vector<double> y = excesses_over(sample, fit.threshold);
  if (y.empty()) {
    r.detail = "no excesses over the threshold: goodness of fit not tested";
    return r;
  }
  const double k = static_cast<double>(y.size());
  double d = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    double cdf = 0;
    if (fit.shape == 0) {
      cdf = -std::expm1(-y[i] / fit.scale);
    } else {
      const double z = fit.shape * y[i] / fit.scale;  // 1 + z <= 0: beyond a bounded tail's end
      cdf = z <= -1 ? 1 : -std::expm1(-std::log1p(z) / fit.shape);
    }
    const double below = static_cast<double>(i) / k;
    const double at = static_cast<double>(i + 1) / k;
    d = std::max({d, at - cdf, cdf - below});
  }
  r.statistic = d;
  const boost::math::kolmogorov_smirnov_distribution<double, MathPolicy> kolmogorov(1.0);
  r.p_value = boost::math::cdf(boost::math::complement(kolmogorov, std::sqrt(k) * d));
  r.passed = r.p_value >= alpha;
  r.detail = fmt::format(
      "D = {:.4g} of {} excesses against GPD(sigma {:.4g}, xi {:.4g}), p = {:.3g} (alpha {}; "
      "approximate: the parameters come from the same excesses, so it accepts more readily): fit "
      "{}",
      d, y.size(), fit.scale, fit.shape, r.p_value, alpha, r.passed ? "not rejected" : "rejected");
  return r;
}

const char* to_string(BoundMethod m) {
  return m == BoundMethod::kGpdBootstrap ? "gpd-bootstrap" : "exponential-tail";
}

TestResult tail_shape_test(std::span<const double> sample, const GpdFit& fit, double alpha) {
  AEGISRT_ASSERT(fit.ok);
  TestResult r;
  r.name = "tail_shape";
  r.alpha = alpha;
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  const std::vector<double> y = excesses_over(sorted, fit.threshold);
  const auto [mean, k] = excess_mean(sorted, fit);
  const double exp_loglik = gpd_loglik(y, mean, 0);
  const double gpd = gpd_loglik(y, fit.scale, fit.shape);
  r.statistic = std::max(0.0, 2 * (gpd - exp_loglik));
  if (fit.shape > 0 && std::isfinite(r.statistic)) {
    const boost::math::chi_squared_distribution<double, MathPolicy> chi1(1);
    r.p_value = 0.5 * boost::math::cdf(boost::math::complement(chi1, r.statistic));
  } else {
    r.p_value = 1;
  }
  r.passed = r.p_value >= alpha;
  r.detail = fmt::format(
      "likelihood ratio of GPD(xi {:.3g}) against the exponential tail on {} excesses: {:.4g}, "
      "p = {:.3g} (one-sided, xi > 0; alpha {:g}): {}",
      fit.shape, k, r.statistic, r.p_value, alpha,
      r.passed ? "not heavier than exponential, so the exponential tail bounds it"
               : "heavier than exponential: an exponential bound would be optimistic");
  return r;
}

double exponential_tail_bound(std::span<const double> sample, const GpdFit& fit, double exceedance,
                              double confidence, double* point) {
  AEGISRT_ASSERT(fit.ok);
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  const auto [mean, k] = excess_mean(sorted, fit);
  if (point != nullptr) *point = exponential_quantile(fit, mean, exceedance);
  // 2 k mean / sigma ~ chi-squared(2k): P(sigma <= 2 k mean / c) = confidence for c the
  // (1 - confidence) quantile.
  const boost::math::chi_squared_distribution<double, MathPolicy> chi(2.0 * static_cast<double>(k));
  const double c = boost::math::quantile(chi, 1 - confidence);
  const double sigma_upper = 2.0 * static_cast<double>(k) * mean / c;
  return exponential_quantile(fit, sigma_upper, exceedance);
}

PwcetEstimate estimate_pwcet(std::span<const double> ordered, const TailOptions& options) {
  AEGISRT_ASSERT(options.exceedance > 0 && options.exceedance < 1);
  AEGISRT_ASSERT(options.confidence > 0 && options.confidence < 1);
  AEGISRT_ASSERT(options.threshold_quantile > 0 && options.threshold_quantile < 1);
  for (const double q : options.stability_thresholds) AEGISRT_ASSERT(q > 0 && q < 1);

  PwcetEstimate e;
  if (!all_finite(ordered)) {
    e.reason = "a sample is not finite (NaN or infinity)";
    return e;
  }
  const std::size_t n = ordered.size();
  std::vector<double> sorted(ordered.begin(), ordered.end());
  std::sort(sorted.begin(), sorted.end());
  e.observed_max = n > 0 ? sorted.back() : 0;

  std::vector<std::string> failures;
  if (n < options.min_samples) {
    failures.push_back(fmt::format("too few samples: {} < {}", n, options.min_samples));
  }
  e.tests.push_back(ljung_box(ordered, 0, options.alpha));
  e.tests.push_back(runs_test(ordered, options.alpha));
  e.tests.push_back(
      ks_two_sample(ordered.first(n / 2), ordered.subspan(n / 2), options.alpha, "ks_halves"));
  e.fit = fit_sorted(sorted, options.threshold_quantile);
  e.tests.push_back(gpd_goodness_of_fit(sorted, e.fit, options.alpha));
  const bool exponential = options.method == BoundMethod::kExponentialTail;
  if (!e.fit.ok) {
    failures.push_back("tail fit: " + e.fit.method);
  } else {
    e.point =
        point_quantile(sorted, options.threshold_quantile, options.exceedance, options.method);
    if (exponential) e.tests.push_back(tail_shape_test(sorted, e.fit, options.alpha));
  }
  bool tests_pass = true;
  for (const TestResult& t : e.tests) {
    if (t.passed) continue;
    tests_pass = false;
    if (t.name != "gpd_fit" || e.fit.ok) failures.push_back(t.name + ": " + t.detail);
  }

  // Stability: the quantile refitted at each threshold, within the tolerance of the reported one.
  e.stable = e.fit.ok && std::isfinite(e.point);
  std::vector<std::string> unstable;
  for (const double q : options.stability_thresholds) {
    GpdFit f = fit_sorted(sorted, q);
    const double x = f.ok ? point_quantile(sorted, q, options.exceedance, options.method) : 0;
    if (!f.ok) {
      unstable.push_back(fmt::format("no fit at the {:g} threshold ({})", q, f.method));
    } else if (e.fit.ok) {
      // The GPD quantile should not move with the threshold either way. The exponential-tail
      // estimate of a lighter tail falls as the threshold rises (its mean excess shrinks), and
      // every threshold's bound is conservative, so only a rise counts: an estimate above the
      // reported one at a higher threshold, or below it at a lower one, says the tail grows
      // heavier further out.
      double change = (x - e.point) / std::abs(e.point);
      if (!exponential) {
        change = std::abs(change);
      } else if (q < options.threshold_quantile) {
        change = -change;
      }
      if (!(change <= options.stability_tolerance)) {
        unstable.push_back(fmt::format("{:.4g} at the {:g} threshold is {:.1f}% from {:.4g}", x, q,
                                       100 * change, e.point));
      }
    }
    e.stability.push_back(std::move(f));
    e.stability_quantiles.push_back(x);
  }
  if (!unstable.empty()) e.stable = false;
  if (e.fit.ok && !e.stable) {
    failures.push_back(fmt::format("unstable over thresholds (tolerance {:g}%): {}",
                                   100 * options.stability_tolerance, join(unstable, ", ")));
  }
  e.preconditions_hold = tests_pass && e.stable;
  if (!failures.empty()) {
    e.reason = join(failures, "; ");
    return e;
  }

  // The bootstrap: B resamples of the whole sample with replacement, each refitted at the same
  // threshold quantile (so the same rank); the upper limit is the nearest-rank `confidence`
  // quantile of the resampled quantiles. A resample without a fit (ties can leave fewer than 10
  // excesses) is left out; fewer than half with a fit gives no bound.
  double upper = e.point;
  if (exponential) {
    upper = exponential_tail_bound(sorted, e.fit, options.exceedance, options.confidence);
  } else if (options.bootstrap > 0) {
    std::vector<double> estimates;
    estimates.reserve(options.bootstrap);
    std::vector<double> resample(n);
    const auto last = static_cast<std::int64_t>(n) - 1;
    for (std::uint32_t b = 0; b < options.bootstrap; ++b) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t j =
            random_between(0, last, options.seed, RandomStream::kBootstrap, b, i);
        resample[i] = sorted[static_cast<std::size_t>(j)];
      }
      std::sort(resample.begin(), resample.end());
      const GpdFit f = fit_sorted(resample, options.threshold_quantile);
      if (f.ok) estimates.push_back(gpd_quantile(f, options.exceedance));
    }
    if (2 * estimates.size() < options.bootstrap) {
      e.reason = fmt::format("bootstrap: only {} of {} resamples gave a tail fit", estimates.size(),
                             options.bootstrap);
      return e;
    }
    std::sort(estimates.begin(), estimates.end());
    const std::size_t rank =
        threshold_rank(estimates.size(), options.confidence);  // ceil(confidence m), nearest rank
    upper = estimates[rank - 1];
  }
  const double bound = std::max({e.point, upper, e.observed_max});
  if (!std::isfinite(bound)) {
    e.reason = "the bound is not finite (a shape parameter too large for the exceedance)";
    return e;
  }
  e.bound = bound;
  return e;
}

Convergence track_convergence(std::span<const double> ordered, const TailOptions& options,
                              std::uint64_t block, double epsilon, std::uint32_t blocks) {
  AEGISRT_ASSERT(block > 0);
  AEGISRT_ASSERT(options.exceedance > 0 && options.exceedance < 1);
  AEGISRT_ASSERT(options.threshold_quantile > 0 && options.threshold_quantile < 1);
  Convergence c;
  c.block = block;
  c.epsilon = epsilon;
  c.blocks = blocks;
  if (!all_finite(ordered)) return c;
  std::vector<double> prefix;
  for (std::uint64_t count = block; count <= ordered.size(); count += block) {
    if (count < options.min_samples) continue;
    prefix.assign(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(count));
    std::sort(prefix.begin(), prefix.end());
    c.counts.push_back(count);
    c.estimates.push_back(
        point_quantile(prefix, options.threshold_quantile, options.exceedance, options.method));
  }
  const auto settled = [&](std::size_t j) {  // estimate j changed little from j - 1
    const double before = c.estimates[j - 1];
    const double now = c.estimates[j];
    return before != 0 && now != 0 && std::abs(now - before) < epsilon * std::abs(before);
  };
  for (std::size_t i = 0; i + blocks < c.counts.size(); ++i) {
    bool all = true;
    for (std::size_t j = i + 1; j <= i + blocks && all; ++j) all = settled(j);
    if (all) {
      c.converged_at = c.counts[i];
      break;
    }
  }
  return c;
}

}  // namespace aegisrt::profile
