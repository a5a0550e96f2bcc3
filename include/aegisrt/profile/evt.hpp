// The statistics of a WCET profile: the precondition tests of measurement-based probabilistic
// timing analysis and the extreme-value tail fit that gives a pWCET bound (docs/design/0011).
//
// Samples are execution times in nanoseconds, as doubles, in the order they were measured (the
// independence tests read the order). Every function here is pure and deterministic (the bootstrap
// draws from core/random.hpp with a given seed), callable from any thread, and allocates.
//
// The tail model is peaks over a threshold: the excesses over a high threshold u (an order
// statistic of the sample) are fitted to a generalised Pareto distribution GPD(sigma, xi) by
// maximum likelihood (Grimshaw's reduction to a one-dimensional root, Boost.Math's root finder),
// with the probability-weighted-moments estimate (Hosking and Wallis 1987) as the fallback when the
// likelihood has no interior root. The per-job exceedance quantile is
//
//   x_p = u + sigma / xi * ((p / zeta)^(-xi) - 1)   (xi != 0)
//   x_p = u + sigma * ln(zeta / p)                   (xi = 0; used for |xi| < 1e-9)
//
// with zeta = k / n the fraction of samples above u. The fitted shape xi says what kind of tail the
// data has and is checked for stability across thresholds; the bound itself is, by default, the
// exponential tail's exact upper confidence limit (BoundMethod::kExponentialTail below: exact for
// xi = 0, conservative for lighter tails, refused for a significantly heavier one), never below
// the observed maximum.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace aegisrt::profile {

// The outcome of one hypothesis test, as a profile reports it.
struct TestResult {
  std::string name;      // "ljung_box", "runs", "ks_halves", "ks_runs", "gpd_fit"
  double statistic = 0;  // the test statistic (Q, |Z|, D, ...)
  double p_value = 1;    // under the null hypothesis (independence, same distribution, fit)
  double alpha = 0.01;   // significance level used
  bool passed = true;    // p_value >= alpha: the null hypothesis is not rejected
  std::string detail;    // one line: what was tested, on how many values, and the verdict
};

// Ljung-Box portmanteau test of independence on the first `lags` autocorrelations (lags <= 0:
// min(20, n / 5)): Q = n (n + 2) sum_k r_k^2 / (n - k), chi-squared with `lags` degrees of freedom.
// A constant series (no variance) passes with a detail saying so. Needs n >= 10 (else: passed with
// "too few samples" in the detail, p_value 1).
TestResult ljung_box(std::span<const double> x, int lags, double alpha);

// Wald-Wolfowitz runs test of randomness above and below the median (values equal to the median
// are dropped); normal approximation of the run count, two-sided. Needs at least 10 values on
// each side, else passed with "too few samples".
TestResult runs_test(std::span<const double> x, double alpha);

// Two-sample Kolmogorov-Smirnov test that `a` and `b` come from one distribution: D = sup |F_a -
// F_b|, p-value from the Kolmogorov distribution at sqrt(m n / (m + n)) D (Boost.Math). `name`
// goes into the result ("ks_halves", "ks_runs").
TestResult ks_two_sample(std::span<const double> a, std::span<const double> b, double alpha,
                         std::string name);

// A generalised Pareto fit of the excesses over a threshold.
struct GpdFit {
  bool ok = false;                // false: too few excesses or no estimate (`method` says why)
  double threshold = 0;           // u, the (n - k)-th order statistic
  double threshold_quantile = 0;  // the requested quantile of the sample that gave u
  std::uint64_t excesses = 0;     // k, samples strictly above u
  std::uint64_t samples = 0;      // n
  double scale = 0;               // sigma > 0
  double shape = 0;               // xi; < 0: bounded tail, 0: exponential, > 0: heavy
  std::string method;             // "mle (Grimshaw)", "pwm (Hosking-Wallis)", or why it failed
};

// Fits the excesses over the `threshold_quantile` order statistic of `sample` (any order; 0 <
// threshold_quantile < 1, asserted): u = x_(r) with the nearest rank r = ceil(q n) (as
// core/stats.hpp), k the values strictly above it (fewer than n - r where values tie with u).
// Needs at least 10 excesses, and finite values (else !ok, `method` says why). The maximum
// likelihood fit is the best of the exponential one (xi = 0) and those at the roots of Grimshaw's
// equation with xi > -1 (below, the likelihood is unbounded); with no such root, the PWM estimate.
GpdFit fit_gpd(std::span<const double> sample, double threshold_quantile);

// x_p above: the value one job exceeds with probability `exceedance` (0 < p < zeta), or, for a
// bounded tail (xi < 0) and a p beyond it, at most the fitted endpoint u - sigma / xi. Requires
// fit.ok and 0 < p <= 1 (asserted). For p >= zeta the quantile lies below the threshold, where the
// tail model says nothing: the result is u itself (the formula's value at p = zeta), which is at or
// above the sample's own (1 - p) quantile.
double gpd_quantile(const GpdFit& fit, double exceedance);

// Goodness of fit of the excesses to the fitted GPD: a one-sample Kolmogorov-Smirnov statistic,
// p-value from the Kolmogorov distribution (approximate: the parameters were estimated from the
// same excesses, which makes the test accept more readily; the detail says so).
TestResult gpd_goodness_of_fit(std::span<const double> sample, const GpdFit& fit, double alpha);

// How the bound is computed from the tail (docs/design/0011, "Bounds").
enum class BoundMethod : std::uint8_t {
  // The default. The excesses over u fitted with xi = 0 (exponential), the scale's exact upper
  // confidence limit sigma_U = 2 k mean(y) / chi2_{2k}(1 - confidence) (the sum of k exponential
  // excesses is Gamma(k, sigma)), and x_p = u + sigma_U ln(zeta / p). An exponential tail bounds
  // every lighter one (xi < 0: bounded or Weibull-like tails) at the probabilities of interest, so
  // it is exact for xi = 0 and conservative below; a tail significantly heavier (the `tail_shape`
  // test: likelihood ratio of the GPD against xi = 0, one-sided) gets no bound. The approach of
  // MBPTA-CV (Abella et al., ACM TODAES 22(2), 2017), with an exact interval instead of the CV
  // test.
  kExponentialTail,
  // The fitted GPD's quantile and its percentile-bootstrap upper limit. Kept for comparison: it
  // covers the true quantile less often than its stated confidence at k = 100 excesses
  // (docs/BENCHMARKS.md, "pWCET coverage").
  kGpdBootstrap,
};
const char* to_string(BoundMethod m);

struct TailOptions {
  double exceedance = 1e-9;  // per-job probability that the bound is exceeded
  double confidence = 0.95;  // of the upper confidence limit
  BoundMethod method = BoundMethod::kExponentialTail;
  std::uint32_t bootstrap = 200;  // kGpdBootstrap: resamples (0: the bound is the point estimate)
  double threshold_quantile = 0.90;  // the threshold of the reported fit
  // The thresholds of the stability check: the shape parameter and the method's point estimate
  // are refitted at each. kGpdBootstrap: stable when every estimate is within
  // `stability_tolerance` (relative) of the reported one. kExponentialTail: stable when no
  // estimate at a higher threshold exceeds the reported one by more than the tolerance, and none
  // at a lower threshold falls below it by more (a lighter tail's estimate falls as the threshold
  // rises, and each is conservative; a rise says the tail grows heavier further out).
  std::vector<double> stability_thresholds = {0.80, 0.85, 0.90, 0.95};
  double stability_tolerance = 0.10;
  double alpha = 0.01;     // significance level of every precondition test
  std::uint64_t seed = 1;  // of the bootstrap
  // Fewest samples for any pWCET (below: none, with the reason).
  std::uint64_t min_samples = 100;
};

// The pWCET of one sample: the tail fit, its stability, the bound, or the reason there is none.
struct PwcetEstimate {
  std::optional<double> bound;  // ns; empty: no pWCET (`reason`)
  std::string reason;           // why there is none (failed precondition, too few samples, ...)
  // The method's point estimate of the quantile (kExponentialTail: u + mean(y) ln(zeta / p);
  // kGpdBootstrap: the fitted GPD's), 0 when there is no fit.
  double point = 0;
  double observed_max = 0;
  GpdFit fit;                               // at options.threshold_quantile
  std::vector<GpdFit> stability;            // at each options.stability_thresholds
  std::vector<double> stability_quantiles;  // the method's point at each (0 where no fit)
  bool stable = false;
  // ljung_box, runs, ks_halves, gpd_fit, and for kExponentialTail tail_shape (in that order).
  std::vector<TestResult> tests;
  bool preconditions_hold = false;  // every test passed and the fit is stable
};

// Runs the precondition tests (Ljung-Box and runs on `ordered`, KS between its halves), fits the
// tail, checks stability and computes the bound. A bound is given only when every test passes and
// the fit is stable; otherwise `bound` is empty and `reason` names each failure. A bootstrap
// resample whose fit fails (ties can leave fewer than 10 excesses) is left out of the interval;
// fewer than half of them with a fit gives no bound, and so does a sample with a NaN or an
// infinity (then `tests` is empty). The bootstrap runs only where a bound will be given.
PwcetEstimate estimate_pwcet(std::span<const double> ordered, const TailOptions& options);

// The one-sided likelihood-ratio test that the tail is not heavier than exponential: H0 xi = 0
// against xi > 0, statistic 2 (loglik GPD - loglik exponential), p-value half the chi-squared(1)
// tail when the fitted xi > 0 (the boundary case of Self and Liang 1987), 1 otherwise. Requires
// fit.ok; `sample` is the whole sample.
TestResult tail_shape_test(std::span<const double> sample, const GpdFit& fit, double alpha);

// The exponential-tail bound of the excesses over fit.threshold (kExponentialTail above) at
// `exceedance` and `confidence`; `point` (optional) receives u + mean(y) ln(zeta / p). Requires
// fit.ok.
double exponential_tail_bound(std::span<const double> sample, const GpdFit& fit, double exceedance,
                              double confidence, double* point = nullptr);

// Convergence of the pWCET point estimate as samples arrive: the estimate is recomputed on the
// first b, 2b, 3b, ... samples (b = `block`), from options.min_samples on; it has converged at the
// first count after which `blocks` consecutive estimates each change by less than `epsilon`
// (relative) from the one before: converged_at is that first count (the estimate there and the
// `blocks` after it agree), never the count of an estimate of 0. block > 0 (asserted).
struct Convergence {
  std::uint64_t block = 0;
  double epsilon = 0;
  std::uint32_t blocks = 0;
  std::vector<std::uint64_t> counts;          // sample counts at which the estimate was computed
  std::vector<double> estimates;              // the point estimate at each (0 where no fit)
  std::optional<std::uint64_t> converged_at;  // empty: not within the sample
};
Convergence track_convergence(std::span<const double> ordered, const TailOptions& options,
                              std::uint64_t block = 50, double epsilon = 0.01,
                              std::uint32_t blocks = 3);

}  // namespace aegisrt::profile
