// The statistics of a WCET profile (profile/evt.hpp). Expected values come from outside the code
// under test: statistics and p-values worked by hand from the textbook definitions (the working is
// in the comments; chi-squared and Kolmogorov tail areas from their closed forms and series), and
// quantiles of distributions sampled by inversion, whose true quantiles are known in closed form.
// Every sample is a counter-based draw (core/random.hpp) with a fixed seed, so each test is
// deterministic; the tolerances are stated with the sampling error they allow for.
#include "aegisrt/profile/evt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

#include "aegisrt/core/random.hpp"

namespace aegisrt::profile {
namespace {

constexpr double kMs = 1e6;  // ns

// Uniform in (0, 1), never 0 or 1, so that every inversion below is finite.
double open_unit(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t bits = random_bits(seed, RandomStream::kGenerator, i) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}

// n draws of `inverse` (a quantile function) at independent uniforms.
std::vector<double> draw(std::size_t n, std::uint64_t seed,
                         const std::function<double(double)>& inverse) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = inverse(open_unit(seed, i));
  return x;
}

// Standard normal by Box-Muller from two uniforms.
double standard_normal(std::uint64_t seed, std::uint64_t i) {
  const double u1 = open_unit(seed, 2 * i);
  const double u2 = open_unit(seed, 2 * i + 1);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

std::vector<double> normal_sample(std::size_t n, std::uint64_t seed, double mean, double sd) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = mean + sd * standard_normal(seed, i);
  return x;
}

// x_t = phi x_{t-1} + e_t, e_t standard normal, started at e_0.
std::vector<double> ar1(std::size_t n, std::uint64_t seed, double phi) {
  std::vector<double> x(n);
  x[0] = standard_normal(seed, 0);
  for (std::size_t t = 1; t < n; ++t) x[t] = phi * x[t - 1] + standard_normal(seed, t);
  return x;
}

// P(K > x) for the Kolmogorov distribution: 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 x^2).
double kolmogorov_tail(double x) {
  double sum = 0;
  for (int j = 1; j <= 100; ++j) {
    sum += (j % 2 == 1 ? 1 : -1) * std::exp(-2.0 * j * j * x * x);
  }
  return 2 * sum;
}

// The GPD(sigma, xi) quantile function (inversion of F(y) = 1 - (1 + xi y / sigma)^(-1 / xi)).
std::function<double(double)> gpd_inverse(double sigma, double xi) {
  return [sigma, xi](double u) { return sigma / xi * (std::pow(1 - u, -xi) - 1); };
}

// A Gumbel-distributed execution time around 10 ms (beta 0.2 ms), the look of a measured profile.
std::vector<double> gumbel_times(std::size_t n, std::uint64_t seed) {
  return draw(n, seed, [](double u) { return 10 * kMs - 0.2 * kMs * std::log(-std::log(u)); });
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- Ljung-Box

TEST(LjungBoxTest, MatchesTheHandWorkedStatisticOfAnAlternatingSeries) {
  // x = 1, -1, 1, ... (10 values): mean 0, c0 = 10, c1 = 9 x (-1), c2 = 8 x 1, so r1 = -0.9 and
  // r2 = 0.8. Q(1 lag) = 10 x 12 x 0.81 / 9 = 10.8, and P(chi2_1 > q) = erfc(sqrt(q / 2)).
  // Q(2 lags) = 120 (0.81 / 9 + 0.64 / 8) = 20.4, and P(chi2_2 > q) = exp(-q / 2).
  std::vector<double> x;
  for (int i = 0; i < 10; ++i) x.push_back(i % 2 == 0 ? 1 : -1);

  const TestResult one = ljung_box(x, 1, 0.01);
  const TestResult two = ljung_box(x, 2, 0.01);

  EXPECT_EQ(one.name, "ljung_box");
  EXPECT_NEAR(one.statistic, 10.8, 1e-9);
  EXPECT_NEAR(one.p_value, std::erfc(std::sqrt(5.4)), 1e-12);
  EXPECT_FALSE(one.passed);  // p = 0.0010
  EXPECT_NEAR(two.statistic, 20.4, 1e-9);
  EXPECT_NEAR(two.p_value, std::exp(-10.2), 1e-12);
  EXPECT_FALSE(two.passed);
}

TEST(LjungBoxTest, DefaultLagsAreAFifthOfTheSampleUpToTwenty) {
  const std::vector<double> x = normal_sample(50, 11, 0, 1);

  // n = 50: min(20, 50 / 5) = 10 lags.
  EXPECT_DOUBLE_EQ(ljung_box(x, 0, 0.01).statistic, ljung_box(x, 10, 0.01).statistic);
  EXPECT_NE(ljung_box(x, 0, 0.01).statistic, ljung_box(x, 20, 0.01).statistic);
}

TEST(LjungBoxTest, RejectsAnAutoregressiveSeries) {
  // AR(1) with phi = 0.5: r1 is about 0.5, so Q is about 1000 x 0.25 on the first lag alone.
  const TestResult sut = ljung_box(ar1(1000, 3, 0.5), 0, 0.01);

  EXPECT_FALSE(sut.passed);
  EXPECT_LT(sut.p_value, 1e-10);
}

TEST(LjungBoxTest, AcceptsIndependentValues) {
  const TestResult sut = ljung_box(normal_sample(1000, 4, 10 * kMs, 0.2 * kMs), 0, 0.01);

  EXPECT_TRUE(sut.passed) << sut.detail;
  EXPECT_GE(sut.p_value, 0.01);
}

TEST(LjungBoxTest, PassesAConstantSeriesAndSaysSo) {
  const TestResult sut = ljung_box(std::vector<double>(100, 5 * kMs), 0, 0.01);

  EXPECT_TRUE(sut.passed);
  EXPECT_TRUE(contains(sut.detail, "constant")) << sut.detail;
}

TEST(LjungBoxTest, PassesTooFewSamplesAndSaysSo) {
  const TestResult sut = ljung_box(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}, 0, 0.01);

  EXPECT_TRUE(sut.passed);
  EXPECT_EQ(sut.p_value, 1);
  EXPECT_TRUE(contains(sut.detail, "too few samples")) << sut.detail;
}

// --- Runs test

TEST(RunsTest, MatchesTheHandWorkedStatisticOfAnAlternatingSeries) {
  // 1, 2, 1, 2, ... (20 values): median 1.5, n1 = n2 = 10, R = 20 runs. E[R] = 2 x 100 / 20 + 1 =
  // 11, Var[R] = 2 x 100 x (200 - 20) / (20^2 x 19) = 36000 / 7600, |Z| = 9 / sqrt(Var), and the
  // two-sided normal p-value is erfc(|Z| / sqrt(2)).
  std::vector<double> x;
  for (int i = 0; i < 20; ++i) x.push_back(i % 2 == 0 ? 1 : 2);
  const double z = 9 / std::sqrt(36000.0 / 7600.0);

  const TestResult sut = runs_test(x, 0.01);

  EXPECT_EQ(sut.name, "runs");
  EXPECT_NEAR(sut.statistic, z, 1e-12);
  EXPECT_NEAR(sut.p_value, std::erfc(z / std::sqrt(2.0)), 1e-12);
  EXPECT_FALSE(sut.passed);
}

TEST(RunsTest, RejectsASortedSeries) {
  std::vector<double> x;
  for (int i = 0; i < 100; ++i) x.push_back(i);  // 2 runs where about 51 are expected

  EXPECT_FALSE(runs_test(x, 0.01).passed);
}

TEST(RunsTest, AcceptsIndependentValues) {
  const TestResult sut = runs_test(gumbel_times(1000, 5), 0.01);

  EXPECT_TRUE(sut.passed) << sut.detail;
}

TEST(RunsTest, DropsValuesAtTheMedianAndPassesTooFewSamples) {
  // 15 values, 7 above and 7 below the median (the middle one is dropped): fewer than 10 a side.
  std::vector<double> x;
  for (int i = 0; i < 15; ++i) x.push_back(i);

  const TestResult sut = runs_test(x, 0.01);

  EXPECT_TRUE(sut.passed);
  EXPECT_TRUE(contains(sut.detail, "too few samples")) << sut.detail;
  EXPECT_TRUE(runs_test(std::vector<double>(50, 3.0), 0.01).passed);  // all at the median
}

// --- Two-sample Kolmogorov-Smirnov

TEST(KsTwoSampleTest, MatchesTheHandWorkedStatisticOfDisjointSamples) {
  // F_a reaches 1 before F_b leaves 0: D = 1, and the p-value is P(K > sqrt(5 x 5 / 10) x 1).
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> b = {6, 7, 8, 9, 10};

  const TestResult sut = ks_two_sample(a, b, 0.01, "ks_halves");

  EXPECT_EQ(sut.name, "ks_halves");
  EXPECT_DOUBLE_EQ(sut.statistic, 1.0);
  EXPECT_NEAR(sut.p_value, kolmogorov_tail(std::sqrt(2.5)), 1e-9);
}

TEST(KsTwoSampleTest, TakesTiedValuesTogether) {
  // At 1: F_a = 2/3, F_b = 1/3; at 2 both are 1. D = 1/3 (not 2/3, which a walk that split the tie
  // would see).
  const TestResult sut =
      ks_two_sample(std::vector<double>{1, 2, 1}, std::vector<double>{2, 1, 2}, 0.01, "ks_runs");

  EXPECT_NEAR(sut.statistic, 1.0 / 3, 1e-15);
  EXPECT_NEAR(sut.p_value, kolmogorov_tail(std::sqrt(1.5) / 3), 1e-9);
}

TEST(KsTwoSampleTest, RejectsAShiftedSample) {
  // Half a standard deviation apart: D is about 0.2, sqrt(250) x 0.2 is about 3.2.
  const TestResult sut =
      ks_two_sample(normal_sample(500, 6, 0, 1), normal_sample(500, 7, 0.5, 1), 0.01, "ks_halves");

  EXPECT_FALSE(sut.passed);
  EXPECT_LT(sut.p_value, 1e-4);
}

TEST(KsTwoSampleTest, AcceptsTwoSamplesOfOneDistribution) {
  const TestResult sut =
      ks_two_sample(gumbel_times(500, 8), gumbel_times(700, 9), 0.01, "ks_halves");

  EXPECT_TRUE(sut.passed) << sut.detail;
}

TEST(KsTwoSampleTest, PassesAnEmptySampleAndSaysSo) {
  const TestResult sut = ks_two_sample({}, std::vector<double>{1, 2}, 0.01, "ks_halves");

  EXPECT_TRUE(sut.passed);
  EXPECT_TRUE(contains(sut.detail, "too few samples")) << sut.detail;
}

// --- The GPD fit

// A fit made by hand: threshold u, k of n above it, GPD(sigma, xi).
GpdFit hand_fit(double u, std::uint64_t k, std::uint64_t n, double sigma, double xi) {
  GpdFit fit;
  fit.ok = true;
  fit.threshold = u;
  fit.excesses = k;
  fit.samples = n;
  fit.scale = sigma;
  fit.shape = xi;
  fit.method = "by hand";
  return fit;
}

TEST(GpdQuantileTest, MatchesTheClosedFormAtHandWorkedPoints) {
  // u = 10, zeta = 100 / 1000, p = 1e-3, so zeta / p = 100:
  //   xi = 0.5:  10 + 2 / 0.5 (100^0.5 - 1) = 46
  //   xi = -0.5: 10 - 4 (100^-0.5 - 1) = 13.6, and never past the endpoint 10 + 4 = 14
  //   xi = 0:    10 + 2 ln 100, also for |xi| too small to divide by
  EXPECT_NEAR(gpd_quantile(hand_fit(10, 100, 1000, 2, 0.5), 1e-3), 46, 1e-9);
  EXPECT_NEAR(gpd_quantile(hand_fit(10, 100, 1000, 2, -0.5), 1e-3), 13.6, 1e-9);
  EXPECT_LE(gpd_quantile(hand_fit(10, 100, 1000, 2, -0.5), 1e-300), 14);
  EXPECT_NEAR(gpd_quantile(hand_fit(10, 100, 1000, 2, -0.5), 1e-300), 14, 1e-9);
  EXPECT_NEAR(gpd_quantile(hand_fit(10, 100, 1000, 2, 0), 1e-3), 10 + 2 * std::log(100.0), 1e-9);
  EXPECT_NEAR(gpd_quantile(hand_fit(10, 100, 1000, 2, 1e-13), 1e-3), 10 + 2 * std::log(100.0),
              1e-9);
}

TEST(GpdQuantileTest, GivesTheThresholdForAnExceedanceInsideTheSample) {
  const GpdFit fit = hand_fit(10, 100, 1000, 2, 0.3);  // zeta = 0.1

  EXPECT_EQ(gpd_quantile(fit, 0.1), 10);
  EXPECT_EQ(gpd_quantile(fit, 0.5), 10);
  EXPECT_NEAR(gpd_quantile(fit, 0.1 * (1 - 1e-9)), 10, 1e-6);  // continuous at zeta
}

TEST(GpdFitTest, RecoversTheScaleAndShapeOfAGpdSample) {
  // Above any threshold u the excesses of GPD(sigma, xi) are GPD(sigma + xi u, xi). At the median
  // of 20000 draws k = 10000, and the MLE's standard errors are about (1 + xi) / sqrt(k) for xi
  // and sqrt(2 (1 + xi) / k) for sigma relative: 0.012 and 0.016 for xi = 0.2, 0.007 and 0.012 for
  // xi = -0.3. The tolerances are about three of them.
  struct Case {
    double sigma, xi, xi_tolerance, sigma_tolerance;
  };
  for (const Case c : {Case{2.0, 0.2, 0.04, 0.05}, Case{1.0, -0.3, 0.025, 0.04}}) {
    SCOPED_TRACE(testing::Message() << "sigma " << c.sigma << ", xi " << c.xi);
    const std::vector<double> x = draw(20000, 21, gpd_inverse(c.sigma, c.xi));

    const GpdFit sut = fit_gpd(x, 0.5);

    ASSERT_TRUE(sut.ok) << sut.method;
    EXPECT_EQ(sut.method, "mle (Grimshaw)");
    EXPECT_EQ(sut.samples, 20000u);
    EXPECT_EQ(sut.excesses, 10000u);  // no ties among continuous draws
    EXPECT_NEAR(sut.shape, c.xi, c.xi_tolerance);
    const double sigma_u = c.sigma + c.xi * sut.threshold;
    EXPECT_NEAR(sut.scale / sigma_u, 1, c.sigma_tolerance);
  }
}

TEST(GpdFitTest, FindsAShapeNearZeroForExponentialExcesses) {
  // k = 2000: the standard error of xi is about 1 / sqrt(2000) = 0.022.
  const GpdFit sut = fit_gpd(draw(20000, 22, [](double u) { return -std::log(u); }), 0.9);

  ASSERT_TRUE(sut.ok);
  EXPECT_NEAR(sut.shape, 0, 0.07);
  EXPECT_NEAR(sut.scale, 1, 0.1);
}

// The true (1 - p) quantiles of a distribution against the fitted ones at the 0.9 threshold of
// 20000 draws (k = 2000), for p = 1e-3, 1e-4, 1e-5, 1e-6, within a relative tolerance each.
void expect_quantiles_recovered(const std::function<double(double)>& inverse,
                                const std::function<double(double)>& truth,
                                const std::vector<double>& tolerances) {
  const GpdFit fit = fit_gpd(draw(20000, 23, inverse), 0.9);
  ASSERT_TRUE(fit.ok) << fit.method;
  const std::vector<double> ps = {1e-3, 1e-4, 1e-5, 1e-6};
  for (std::size_t i = 0; i < ps.size(); ++i) {
    SCOPED_TRACE(testing::Message() << "p " << ps[i] << ", fit " << fit.method << " sigma "
                                    << fit.scale << " xi " << fit.shape);
    const double expected = truth(ps[i]);
    EXPECT_NEAR(gpd_quantile(fit, ps[i]) / expected, 1, tolerances[i]);
  }
}

// The tolerances grow with the extrapolation: the quantile at p is u + sigma (r^xi - 1) / xi with
// r = zeta / p, so an error d in xi moves it by about sigma d ln(r)^2 / 2 when xi is near 0; with
// d about 0.022 (k = 2000) that is some 7% of the true quantile at 1e-6 for the light tails, twice
// that for the heavy GPD. The tolerances are about 2.5 standard errors, and for Gumbel and Weibull
// they also hold the bias of a GPD fitted at a finite threshold (their tails reach the exponential
// limit slowly).
TEST(GpdFitTest, RecoversTheQuantilesOfAGpdTail) {
  const double sigma = 1, xi = 0.2;
  expect_quantiles_recovered(gpd_inverse(sigma, xi),
                             [&](double p) { return sigma / xi * (std::pow(p, -xi) - 1); },
                             {0.10, 0.18, 0.28, 0.38});
}

TEST(GpdFitTest, RecoversTheQuantilesOfAnExponentialTail) {
  expect_quantiles_recovered([](double u) { return 10 - std::log(u); },
                             [](double p) { return 10 - std::log(p); }, {0.03, 0.05, 0.08, 0.10});
}

TEST(GpdFitTest, RecoversTheQuantilesOfAGumbelTail) {
  // P(X > x) = 1 - exp(-exp(-x)): the (1 - p) quantile is -ln(-ln(1 - p)).
  expect_quantiles_recovered([](double u) { return -std::log(-std::log(u)); },
                             [](double p) { return -std::log(-std::log1p(-p)); },
                             {0.06, 0.10, 0.15, 0.20});
}

TEST(GpdFitTest, RecoversTheQuantilesOfAWeibullTail) {
  // Shape 2: P(X > x) = exp(-x^2), the (1 - p) quantile is sqrt(-ln p).
  expect_quantiles_recovered([](double u) { return std::sqrt(-std::log(u)); },
                             [](double p) { return std::sqrt(-std::log(p)); },
                             {0.05, 0.08, 0.12, 0.16});
}

TEST(GpdFitTest, RecoversTheQuantilesOfAUniformTail) {
  // Uniform(0, 1): excesses are uniform, GPD with xi = -1; the (1 - p) quantile is 1 - p, and the
  // fitted endpoint lies within a few times 1 / k of the sample's 0.9 quantile's distance to 1.
  expect_quantiles_recovered([](double u) { return u; }, [](double p) { return 1 - p; },
                             {0.01, 0.01, 0.01, 0.01});
}

TEST(GpdFitTest, FallsBackToProbabilityWeightedMomentsForEqualExcesses) {
  // 90 values 0 and 10 values 5: u = x_(90) = 0 and ten excesses of c = 5. Grimshaw's h(theta) is
  // (1 + ln(1 + t)) / (1 + t) - 1 < 0 for t = theta c != 0 (ln(1 + t) < t), so there is no root,
  // and the fit is Hosking and Wallis's: a0 = c, a1 = (c / k) sum_i (1 - (i - 0.35) / k) =
  // c (k - 0.3) / (2 k), a0 - 2 a1 = 0.3 c / k, so xi = 2 - k / 0.3 and sigma = c (k - 0.3) / 0.3.
  // Its endpoint u - sigma / xi = 5 x 9.7 / 9.4 lies just above the excesses.
  std::vector<double> x(90, 0.0);
  x.insert(x.end(), 10, 5.0);

  const GpdFit sut = fit_gpd(x, 0.9);

  ASSERT_TRUE(sut.ok) << sut.method;
  EXPECT_EQ(sut.method, "pwm (Hosking-Wallis)");
  EXPECT_EQ(sut.threshold, 0);
  EXPECT_EQ(sut.excesses, 10u);
  EXPECT_NEAR(sut.shape, 2 - 10 / 0.3, 1e-9);
  EXPECT_NEAR(sut.scale, 5 * 9.7 / 0.3, 1e-9);
  EXPECT_NEAR(gpd_quantile(sut, 1e-9), 5 * 9.7 / 9.4, 1e-9);
}

TEST(GpdFitTest, CountsOnlyValuesStrictlyAboveATiedThreshold) {
  // 85 values 1 and 15 values 2..16: the 0.8 quantile (rank 80) is 1, and 15 values exceed it.
  std::vector<double> x(85, 1.0);
  for (int v = 2; v <= 16; ++v) x.push_back(v);

  const GpdFit sut = fit_gpd(x, 0.8);

  EXPECT_EQ(sut.threshold, 1);
  EXPECT_EQ(sut.excesses, 15u);
  EXPECT_TRUE(sut.ok) << sut.method;
}

TEST(GpdFitTest, NeedsTenExcesses) {
  const GpdFit sut = fit_gpd(gumbel_times(50, 24), 0.9);  // 5 above the 0.9 quantile

  EXPECT_FALSE(sut.ok);
  EXPECT_EQ(sut.excesses, 5u);
  EXPECT_TRUE(contains(sut.method, "too few excesses")) << sut.method;
  EXPECT_FALSE(fit_gpd({}, 0.9).ok);
  EXPECT_FALSE(fit_gpd(std::vector<double>(500, 1.0), 0.9).ok);  // constant: nothing above u
}

// --- Goodness of fit

TEST(GpdGoodnessOfFitTest, MatchesTheHandWorkedStatistic) {
  // u = 0, GPD(1, 0): excesses at F = 0.1, 0.2, 0.3, 0.4 (y = -ln(1 - F)). The largest gap is at
  // the last one, 4/4 - 0.4 = 0.6, so D = 0.6 and p = P(K > sqrt(4) x 0.6).
  std::vector<double> x;
  for (const double f : {0.3, 0.1, 0.4, 0.2}) x.push_back(-std::log1p(-f));

  const TestResult sut = gpd_goodness_of_fit(x, hand_fit(0, 4, 4, 1, 0), 0.01);

  EXPECT_EQ(sut.name, "gpd_fit");
  EXPECT_NEAR(sut.statistic, 0.6, 1e-12);
  EXPECT_NEAR(sut.p_value, kolmogorov_tail(1.2), 1e-9);
}

TEST(GpdGoodnessOfFitTest, AcceptsTheFitOfAGpdSampleAndRejectsAClearlyWrongOne) {
  const std::vector<double> x = draw(5000, 25, gpd_inverse(1, 0.1));
  const GpdFit fit = fit_gpd(x, 0.9);
  ASSERT_TRUE(fit.ok);
  GpdFit twice_the_scale = fit;
  twice_the_scale.scale *= 2;
  GpdFit heavy = fit;
  heavy.shape = 0.8;

  const TestResult right = gpd_goodness_of_fit(x, fit, 0.01);

  EXPECT_TRUE(right.passed) << right.detail;
  EXPECT_FALSE(gpd_goodness_of_fit(x, twice_the_scale, 0.01).passed);
  EXPECT_FALSE(gpd_goodness_of_fit(x, heavy, 0.01).passed);
}

TEST(GpdGoodnessOfFitTest, FailsWithoutAFit) {
  const TestResult sut = gpd_goodness_of_fit(std::vector<double>{1, 2, 3}, GpdFit{}, 0.01);

  EXPECT_FALSE(sut.passed);
  EXPECT_TRUE(contains(sut.detail, "no fit")) << sut.detail;
}

// --- The pWCET estimate

TEST(EstimatePwcetTest, GivesABoundAtOrAboveTheObservedMaximumForIndependentData) {
  const std::vector<double> x = gumbel_times(2000, 31);
  TailOptions options;
  options.exceedance = 1e-6;

  const PwcetEstimate sut = estimate_pwcet(x, options);

  ASSERT_TRUE(sut.bound) << sut.reason;
  EXPECT_TRUE(sut.reason.empty()) << sut.reason;
  EXPECT_TRUE(sut.preconditions_hold);
  EXPECT_TRUE(sut.stable);
  EXPECT_EQ(sut.observed_max, *std::max_element(x.begin(), x.end()));
  EXPECT_GE(*sut.bound, sut.observed_max);
  EXPECT_GE(*sut.bound, sut.point);
  // The true quantile is 10 ms - 0.2 ms ln(-ln(1 - 1e-6)) = 12.763 ms; a bound from 2000 samples
  // is near it, not orders of magnitude off.
  EXPECT_GT(*sut.bound, 12.0 * kMs);
  EXPECT_LT(*sut.bound, 16.0 * kMs);
  ASSERT_EQ(sut.tests.size(), 5u);
  EXPECT_EQ(sut.tests[0].name, "ljung_box");
  EXPECT_EQ(sut.tests[1].name, "runs");
  EXPECT_EQ(sut.tests[2].name, "ks_halves");
  EXPECT_EQ(sut.tests[3].name, "gpd_fit");
  EXPECT_EQ(sut.tests[4].name, "tail_shape");
  EXPECT_EQ(sut.stability.size(), options.stability_thresholds.size());
  EXPECT_EQ(sut.stability_quantiles.size(), options.stability_thresholds.size());
}

TEST(EstimatePwcetTest, BootstrapBoundIsAtLeastThePointEstimateAndGrowsWithConfidence) {
  const std::vector<double> x = gumbel_times(1000, 32);
  TailOptions options;
  options.method = BoundMethod::kGpdBootstrap;
  options.exceedance = 1e-3;
  options.bootstrap = 0;
  const PwcetEstimate point_only = estimate_pwcet(x, options);
  options.bootstrap = 200;
  std::vector<double> bounds;
  for (const double confidence : {0.6, 0.9, 0.95, 0.999}) {
    options.confidence = confidence;
    const PwcetEstimate e = estimate_pwcet(x, options);
    ASSERT_TRUE(e.bound) << e.reason;
    bounds.push_back(*e.bound);
  }

  ASSERT_TRUE(point_only.bound) << point_only.reason;
  // No interval: the bound is the point estimate, or the observed maximum above it.
  EXPECT_EQ(*point_only.bound, std::max(point_only.point, point_only.observed_max));
  EXPECT_GE(bounds[0], point_only.point);
  // One seed, one set of resamples: a higher confidence takes a higher rank of the same estimates.
  EXPECT_TRUE(std::is_sorted(bounds.begin(), bounds.end()));
  EXPECT_GT(bounds[3], bounds[0]);
}

TEST(EstimatePwcetTest, IsDeterministicForOneSeed) {
  const std::vector<double> x = gumbel_times(2000, 31);
  TailOptions options;
  options.method = BoundMethod::kGpdBootstrap;
  options.exceedance = 1e-6;

  const PwcetEstimate a = estimate_pwcet(x, options);
  const PwcetEstimate b = estimate_pwcet(x, options);
  options.seed = 2;
  const PwcetEstimate c = estimate_pwcet(x, options);

  ASSERT_TRUE(a.bound && b.bound && c.bound);
  ASSERT_GT(*a.bound, std::max(a.point, a.observed_max));  // the bootstrap's upper limit
  EXPECT_EQ(*a.bound, *b.bound);
  EXPECT_NE(*a.bound, *c.bound);  // other resamples, another upper limit
}

TEST(EstimatePwcetTest, GivesNoBoundForAnAutocorrelatedSeries) {
  std::vector<double> x = ar1(1000, 34, 0.5);
  for (double& v : x) v = 10 * kMs + 0.2 * kMs * v;

  const PwcetEstimate sut = estimate_pwcet(x, TailOptions{});

  EXPECT_FALSE(sut.bound);
  EXPECT_FALSE(sut.preconditions_hold);
  ASSERT_EQ(sut.tests.size(), 5u);
  EXPECT_FALSE(sut.tests[0].passed);
  EXPECT_TRUE(contains(sut.reason, "ljung_box")) << sut.reason;
}

TEST(EstimatePwcetTest, GivesNoBoundForALevelShift) {
  // The second half runs 0.6 ms (three standard deviations) slower.
  std::vector<double> x = normal_sample(500, 35, 10 * kMs, 0.2 * kMs);
  const std::vector<double> slower = normal_sample(500, 36, 10.6 * kMs, 0.2 * kMs);
  x.insert(x.end(), slower.begin(), slower.end());

  const PwcetEstimate sut = estimate_pwcet(x, TailOptions{});

  EXPECT_FALSE(sut.bound);
  ASSERT_EQ(sut.tests.size(), 5u);
  EXPECT_FALSE(sut.tests[2].passed);
  EXPECT_TRUE(contains(sut.reason, "ks_halves")) << sut.reason;
}

TEST(EstimatePwcetTest, GivesNoBoundForAFitThatMovesWithTheThreshold) {
  // 99.5% around 10 ms, 0.5% near 14 ms: the rare mode is a handful of the excesses, and the
  // quantile at 1e-6 depends on how many of the excesses above each threshold it makes up.
  std::vector<double> x(1000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = open_unit(37, 3 * i) < 0.005 ? 14 * kMs + 0.1 * kMs * open_unit(37, 3 * i + 1)
                                        : 10 * kMs + 0.2 * kMs * standard_normal(38, i);
  }
  TailOptions options;
  options.exceedance = 1e-6;

  options.method = BoundMethod::kGpdBootstrap;
  const PwcetEstimate sut = estimate_pwcet(x, options);
  options.method = BoundMethod::kExponentialTail;
  const PwcetEstimate exponential = estimate_pwcet(x, options);

  EXPECT_FALSE(sut.bound);
  EXPECT_FALSE(sut.stable);
  EXPECT_TRUE(contains(sut.reason, "unstable")) << sut.reason;
  // The exponential-tail method refuses it too: the rare mode makes the tail heavier than
  // exponential, which the shape test sees.
  EXPECT_FALSE(exponential.bound);
  ASSERT_EQ(exponential.tests.size(), 5u);
  EXPECT_FALSE(exponential.tests[4].passed) << exponential.tests[4].detail;
  EXPECT_TRUE(contains(exponential.reason, "tail_shape")) << exponential.reason;
}

// --- The exponential-tail bound

TEST(ExponentialTailBoundTest, IsTheChiSquaredUpperLimitOfTheScale) {
  const std::vector<double> x = gumbel_times(1000, 41);
  const GpdFit fit = fit_gpd(x, 0.9);
  ASSERT_TRUE(fit.ok);
  double sum = 0;
  std::uint64_t k = 0;
  for (const double v : x) {
    if (v > fit.threshold) {
      sum += v - fit.threshold;
      ++k;
    }
  }
  const double mean = sum / static_cast<double>(k);
  const double zeta = static_cast<double>(k) / 1000.0;
  double point = 0;
  const double sut = exponential_tail_bound(x, fit, 1e-9, 0.95, &point);

  EXPECT_NEAR(point, fit.threshold + mean * std::log(zeta / 1e-9), 1e-6 * point);
  // sut = u + sigma_U ln(zeta / p): recover sigma_U and check that 2 k mean / sigma_U is the 5%
  // point of chi-squared(2k), i.e. P(sigma <= sigma_U) = 0.95 for exponential excesses.
  const double sigma_upper = (sut - fit.threshold) / std::log(zeta / 1e-9);
  const boost::math::chi_squared_distribution<double> chi(2.0 * static_cast<double>(k));
  EXPECT_NEAR(boost::math::cdf(chi, 2.0 * static_cast<double>(k) * mean / sigma_upper), 0.05, 1e-9);
  EXPECT_GT(sigma_upper, mean);
  EXPECT_GT(exponential_tail_bound(x, fit, 1e-9, 0.99), sut);
}

TEST(ExponentialTailBoundTest, RecoversAnExponentialTailAndBoundsALighterOne) {
  // Exponential excesses: the bound at 1e-6 is close above the truth (n large, so the interval is
  // narrow). A uniform sample's true 1e-6 quantile is its endpoint: the bound is above it.
  const std::vector<double> e =
      draw(20000, 42, [](double u) { return 10 * kMs - 0.2 * kMs * std::log(1 - u); });
  const double e_truth = 10 * kMs - 0.2 * kMs * std::log(1e-6);
  const GpdFit ef = fit_gpd(e, 0.9);
  ASSERT_TRUE(ef.ok);
  const double eb = exponential_tail_bound(e, ef, 1e-6, 0.95);
  EXPECT_GE(eb, e_truth * 0.99);
  EXPECT_LE(eb, e_truth * 1.05);
  const std::vector<double> u = draw(20000, 43, [](double v) { return 9.5 * kMs + 1.0 * kMs * v; });
  const GpdFit uf = fit_gpd(u, 0.9);
  ASSERT_TRUE(uf.ok);
  EXPECT_GE(exponential_tail_bound(u, uf, 1e-6, 0.95), 10.5 * kMs);
}

TEST(TailShapeTest, RejectsAHeavyTailAndAcceptsLightOnes) {
  // Pareto with xi = 0.5 above 10 ms: much heavier than exponential.
  const std::vector<double> heavy = draw(
      2000, 44, [](double u) { return 10 * kMs + 0.2 * kMs * (std::pow(1 - u, -0.5) - 1) / 0.5; });
  const std::vector<double> light = gumbel_times(2000, 45);
  const GpdFit hf = fit_gpd(heavy, 0.9);
  const GpdFit lf = fit_gpd(light, 0.9);
  ASSERT_TRUE(hf.ok && lf.ok);

  const TestResult h = tail_shape_test(heavy, hf, 0.01);
  const TestResult l = tail_shape_test(light, lf, 0.01);

  EXPECT_FALSE(h.passed) << h.detail;
  EXPECT_LT(h.p_value, 1e-3);
  EXPECT_TRUE(l.passed) << l.detail;
  // The statistic is twice the log-likelihood gain of the free shape, so never negative; a fitted
  // xi <= 0 is no evidence for a heavier tail (p = 1).
  EXPECT_GE(l.statistic, 0);
  if (lf.shape <= 0) {
    EXPECT_EQ(l.p_value, 1);
  }
}

TEST(EstimatePwcetTest, GivesNoBoundAndAReasonForDegenerateSamples) {
  TailOptions options;
  const PwcetEstimate empty = estimate_pwcet({}, options);
  const PwcetEstimate few = estimate_pwcet(gumbel_times(50, 39), options);
  const PwcetEstimate constant = estimate_pwcet(std::vector<double>(500, 10 * kMs), options);
  std::vector<double> with_nan = gumbel_times(500, 40);
  with_nan[7] = std::numeric_limits<double>::quiet_NaN();
  const PwcetEstimate nan = estimate_pwcet(with_nan, options);

  EXPECT_FALSE(empty.bound);
  EXPECT_TRUE(contains(empty.reason, "too few samples: 0 < 100")) << empty.reason;
  EXPECT_FALSE(few.bound);
  EXPECT_TRUE(contains(few.reason, "too few samples: 50 < 100")) << few.reason;
  EXPECT_FALSE(constant.bound);
  EXPECT_TRUE(contains(constant.reason, "tail fit")) << constant.reason;
  EXPECT_EQ(constant.observed_max, 10 * kMs);
  EXPECT_FALSE(nan.bound);
  EXPECT_TRUE(contains(nan.reason, "not finite")) << nan.reason;
}

// --- Convergence

TEST(TrackConvergenceTest, ConvergesOnIndependentDataAndSaysWhere) {
  const std::vector<double> x = gumbel_times(3000, 41);
  TailOptions options;
  options.exceedance = 1e-6;

  const Convergence sut = track_convergence(x, options, 100, 0.01, 3);

  ASSERT_TRUE(sut.converged_at);
  EXPECT_EQ(sut.block, 100u);
  ASSERT_EQ(sut.counts.size(), 30u);  // 100, 200, ..., 3000
  EXPECT_EQ(sut.counts.front(), 100u);
  EXPECT_EQ(sut.counts.back(), 3000u);
  EXPECT_EQ(sut.estimates.size(), sut.counts.size());
  // The estimate at converged_at and the three after it differ by less than 1% step by step.
  const auto at = std::find(sut.counts.begin(), sut.counts.end(), *sut.converged_at);
  ASSERT_NE(at, sut.counts.end());
  const auto i = static_cast<std::size_t>(at - sut.counts.begin());
  ASSERT_LT(i + 3, sut.counts.size());
  for (std::size_t j = i + 1; j <= i + 3; ++j) {
    EXPECT_LT(std::abs(sut.estimates[j] - sut.estimates[j - 1]), 0.01 * sut.estimates[j - 1]);
  }
}

TEST(TrackConvergenceTest, NeverConvergesOnAGrowingSeriesOrWithZeroEpsilon) {
  // x_i = 1 ms + i us: each prefix's tail ends at its newest value, which moves by 100 us per
  // block of 100, more than 1% of the at most 4 ms estimate.
  std::vector<double> ramp;
  for (int i = 0; i < 3000; ++i) ramp.push_back(1 * kMs + 1e3 * i);
  TailOptions options;
  options.exceedance = 1e-6;

  EXPECT_FALSE(track_convergence(ramp, options, 100, 0.01, 3).converged_at);
  EXPECT_FALSE(track_convergence(gumbel_times(3000, 41), options, 100, 0, 3).converged_at);
}

TEST(TrackConvergenceTest, StartsAtTheFirstBlockWithEnoughSamples) {
  TailOptions options;
  options.min_samples = 250;

  const Convergence sut = track_convergence(gumbel_times(1000, 42), options, 100, 0.01, 3);

  ASSERT_FALSE(sut.counts.empty());
  EXPECT_EQ(sut.counts.front(), 300u);
  EXPECT_EQ(sut.counts.back(), 1000u);
}

}  // namespace
}  // namespace aegisrt::profile
