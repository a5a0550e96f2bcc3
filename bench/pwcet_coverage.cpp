// Coverage of the pWCET bound (profile/evt.hpp) on execution-time distributions whose quantiles are
// known in closed form: for each distribution and exceedance probability p, `trials` independent
// profiles of `samples` samples each go through estimate_pwcet, and the table says how often a
// bound was given, how often it was at or above the true (1 - p) quantile (coverage), how tight it
// was, and which precondition test turned the profile down.
//
//   aegisrt_pwcet_coverage [--trials N] [--samples N] [--exceedance P] [--seed S] [--bootstrap B]
//
// Defaults: 200 trials of 1000 samples, exceedances 1e-3, 1e-6 and 1e-9 (one --exceedance gives
// that one only), seed 1, 200 bootstrap resamples (TailOptions' default). Deterministic: every
// sample is a counter-based draw (core/random.hpp) of (seed, distribution, trial, index).
#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "aegisrt/core/random.hpp"
#include "aegisrt/profile/evt.hpp"

namespace {

using aegisrt::RandomStream;
using aegisrt::profile::BoundMethod;
using aegisrt::profile::estimate_pwcet;
using aegisrt::profile::PwcetEstimate;
using aegisrt::profile::TailOptions;
using aegisrt::profile::to_string;

constexpr double kMs = 1e6;  // ns

// Uniform in (0, 1): never 0 or 1, so that every inversion below is finite.
double open_unit(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t bits = aegisrt::random_bits(seed, RandomStream::kGenerator, a, b, c) >> 11;
  return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
}

struct Distribution {
  std::string name;
  std::string description;
  // One execution time in ns from two independent uniforms in (0, 1).
  std::function<double(double, double)> draw;
  // The true value exceeded with probability p (closed form).
  std::function<double(double)> quantile;
};

std::vector<Distribution> distributions() {
  std::vector<Distribution> out;
  // Gumbel(mu, beta): F(x) = exp(-exp(-(x - mu) / beta)); the (1 - p) quantile is
  // mu - beta ln(-ln(1 - p)).
  out.push_back({"gumbel", "Gumbel(mu 10 ms, beta 0.2 ms)",
                 [](double u, double) { return 10 * kMs - 0.2 * kMs * std::log(-std::log(u)); },
                 [](double p) { return 10 * kMs - 0.2 * kMs * std::log(-std::log1p(-p)); }});
  // Weibull(k, lambda) above a location: P(X > x) = exp(-((x - loc) / lambda)^k).
  out.push_back({"weibull2", "10 ms + Weibull(shape 2, scale 0.5 ms)",
                 [](double u, double) { return 10 * kMs + 0.5 * kMs * std::sqrt(-std::log(u)); },
                 [](double p) { return 10 * kMs + 0.5 * kMs * std::sqrt(-std::log(p)); }});
  out.push_back({"weibull8",
                 "9 ms + Weibull(shape 8, scale 1 ms): a very light, nearly bounded tail",
                 [](double u, double) { return 9 * kMs + kMs * std::pow(-std::log(u), 1.0 / 8); },
                 [](double p) { return 9 * kMs + kMs * std::pow(-std::log(p), 1.0 / 8); }});
  out.push_back({"uniform", "Uniform(9.5 ms, 10.5 ms): bounded, GPD shape -1",
                 [](double u, double) { return 9.5 * kMs + kMs * u; },
                 [](double p) { return 10.5 * kMs - kMs * p; }});
  out.push_back({"exponential", "10 ms + Exponential(mean 0.2 ms): GPD shape 0 exactly",
                 [](double u, double) { return 10 * kMs - 0.2 * kMs * std::log(u); },
                 [](double p) { return 10 * kMs - 0.2 * kMs * std::log(p); }});
  // 99.5%: N(10 ms, 0.2 ms) truncated to [9 ms, 11 ms] (5 sigma); 0.5%: Uniform(14 ms, 14.1 ms).
  // For p < 0.005 the (1 - p) quantile is in the rare mode: P(X > x) = 0.005 (14.1 ms - x) / 0.1
  // ms.
  const boost::math::normal_distribution<double> normal;
  const double lo = boost::math::cdf(normal, -5.0);
  const double hi = boost::math::cdf(normal, 5.0);
  out.push_back({"mixture",
                 "99.5% N(10 ms, 0.2 ms) truncated at 5 sigma, 0.5% Uniform(14 ms, 14.1 ms)",
                 [normal, lo, hi](double mode, double u) {
                   if (mode < 0.005) return 14 * kMs + 0.1 * kMs * u;
                   return 10 * kMs + 0.2 * kMs * boost::math::quantile(normal, lo + u * (hi - lo));
                 },
                 [](double p) { return 14.1 * kMs - 0.1 * kMs * p / 0.005; }});
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Options {
  std::uint64_t trials = 200;
  std::uint64_t samples = 1000;
  std::vector<double> exceedances = {1e-3, 1e-6, 1e-9};
  std::uint64_t seed = 1;
  std::uint32_t bootstrap = 200;
  BoundMethod method = BoundMethod::kExponentialTail;
};

[[noreturn]] void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [--trials N] [--samples N] [--exceedance P] [--seed S] [--bootstrap B] "
               "[--method exponential-tail|gpd-bootstrap]\n",
               program);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  bool exceedance_given = false;
  for (int i = 1; i < argc; ++i) {
    const char* flag = argv[i];
    if (i + 1 >= argc) usage(argv[0]);
    const char* value = argv[++i];
    char* end = nullptr;
    if (std::strcmp(flag, "--trials") == 0) {
      o.trials = std::strtoull(value, &end, 10);
    } else if (std::strcmp(flag, "--samples") == 0) {
      o.samples = std::strtoull(value, &end, 10);
    } else if (std::strcmp(flag, "--seed") == 0) {
      o.seed = std::strtoull(value, &end, 10);
    } else if (std::strcmp(flag, "--bootstrap") == 0) {
      o.bootstrap = static_cast<std::uint32_t>(std::strtoul(value, &end, 10));
    } else if (std::strcmp(flag, "--method") == 0) {
      if (std::strcmp(value, "gpd-bootstrap") == 0) {
        o.method = BoundMethod::kGpdBootstrap;
      } else if (std::strcmp(value, "exponential-tail") != 0) {
        usage(argv[0]);
      }
      end = const_cast<char*>(value + std::strlen(value));
    } else if (std::strcmp(flag, "--exceedance") == 0) {
      if (!exceedance_given) o.exceedances.clear();
      exceedance_given = true;
      const double p = std::strtod(value, &end);
      if (!(p > 0 && p < 1)) usage(argv[0]);
      o.exceedances.push_back(p);
    } else {
      usage(argv[0]);
    }
    if (end == nullptr || *end != '\0') usage(argv[0]);
  }
  if (o.trials == 0 || o.samples == 0) usage(argv[0]);
  return o;
}

// What one (distribution, exceedance) row counts over the trials.
struct Row {
  std::uint64_t bounds = 0, covered = 0;
  std::vector<double> tightness, max_ratio;
  std::uint64_t ljung_box = 0, runs = 0, ks_halves = 0, gpd_fit = 0, shape = 0, unstable = 0,
                other = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::vector<Distribution> dists = distributions();
  std::printf(
      "pWCET coverage: method %s, %llu trials x %llu samples, seed %llu, %u bootstrap "
      "resamples (gpd-bootstrap only), confidence 0.95, threshold quantile 0.90, stability "
      "thresholds 0.80-0.95 within 10%%, alpha 0.01\n\n",
      to_string(o.method), static_cast<unsigned long long>(o.trials),
      static_cast<unsigned long long>(o.samples), static_cast<unsigned long long>(o.seed),
      o.bootstrap);
  std::printf("%-12s %7s %12s %7s %8s %10s %9s | %5s %5s %5s %5s %5s %5s %5s\n", "distribution",
              "p", "true (ms)", "bound", "covered", "bound/true", "max/true", "LB", "runs", "KS",
              "gof", "shape", "unst", "other");
  std::vector<std::string> notes;
  for (std::size_t d = 0; d < dists.size(); ++d) {
    const Distribution& dist = dists[d];
    // The tests that do not depend on p, summarised once per distribution.
    std::vector<double> p_lb, p_runs, p_ks, p_gof, shapes;
    std::uint64_t pwm_fits = 0, fits = 0;
    for (std::size_t e = 0; e < o.exceedances.size(); ++e) {
      const double p = o.exceedances[e];
      const double truth = dist.quantile(p);
      Row row;
      std::vector<double> x(o.samples);
      for (std::uint64_t t = 0; t < o.trials; ++t) {
        for (std::uint64_t i = 0; i < o.samples; ++i) {
          x[i] = dist.draw(open_unit(o.seed, d, t, 2 * i), open_unit(o.seed, d, t, 2 * i + 1));
        }
        TailOptions options;
        options.exceedance = p;
        options.bootstrap = o.bootstrap;
        options.method = o.method;
        options.seed = o.seed * 1'000'003 + t;
        const PwcetEstimate est = estimate_pwcet(x, options);
        if (est.bound) {
          ++row.bounds;
          if (*est.bound >= truth) ++row.covered;
          row.tightness.push_back(*est.bound / truth);
        }
        row.max_ratio.push_back(est.observed_max / truth);
        bool any = false;
        for (const auto& test : est.tests) {
          if (test.passed) continue;
          any = true;
          if (test.name == "ljung_box") ++row.ljung_box;
          if (test.name == "runs") ++row.runs;
          if (test.name == "ks_halves") ++row.ks_halves;
          if (test.name == "gpd_fit") ++row.gpd_fit;
          if (test.name == "tail_shape") ++row.shape;
        }
        if (est.fit.ok && !est.stable) {
          ++row.unstable;
          any = true;
        }
        if (!est.bound && !any) ++row.other;
        if (e == 0) {
          p_lb.push_back(est.tests[0].p_value);
          p_runs.push_back(est.tests[1].p_value);
          p_ks.push_back(est.tests[2].p_value);
          p_gof.push_back(est.tests[3].p_value);
          if (est.fit.ok) {
            ++fits;
            shapes.push_back(est.fit.shape);
            if (est.fit.method.rfind("pwm", 0) == 0) ++pwm_fits;
          }
        }
      }
      const double n = static_cast<double>(o.trials);
      std::printf(
          "%-12s %7.0e %12.4f %6.1f%% %7.1f%% %10.4f %9.4f | %5llu %5llu %5llu %5llu %5llu %5llu "
          "%5llu\n",
          e == 0 ? dist.name.c_str() : "", p, truth / kMs,
          100 * static_cast<double>(row.bounds) / n,
          row.bounds ? 100 * static_cast<double>(row.covered) / static_cast<double>(row.bounds)
                     : std::nan(""),
          median(row.tightness), median(row.max_ratio),
          static_cast<unsigned long long>(row.ljung_box), static_cast<unsigned long long>(row.runs),
          static_cast<unsigned long long>(row.ks_halves),
          static_cast<unsigned long long>(row.gpd_fit), static_cast<unsigned long long>(row.shape),
          static_cast<unsigned long long>(row.unstable),
          static_cast<unsigned long long>(row.other));
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "%-12s %s. median p: Ljung-Box %.3g, runs %.3g, KS halves %.3g, GPD fit %.3g; "
                  "median shape %.3f over %llu fits (%llu by PWM)",
                  dist.name.c_str(), dist.description.c_str(), median(p_lb), median(p_runs),
                  median(p_ks), median(p_gof), median(shapes),
                  static_cast<unsigned long long>(fits), static_cast<unsigned long long>(pwm_fits));
    notes.push_back(line);
  }
  std::printf(
      "\nbound: trials with a bound; covered: of those, bound >= true quantile; bound/true "
      "and max/true: medians (observed maximum over the true quantile); LB, runs, KS, gof: "
      "trials whose Ljung-Box, runs, KS-halves or GPD goodness-of-fit test rejected; shape: "
      "the tail is significantly heavier than exponential (exponential-tail only); unst: "
      "fit unstable over thresholds; other: no bound for another reason (tail fit or "
      "bootstrap)\n\n");
  for (const std::string& note : notes) std::printf("%s\n", note.c_str());
  return 0;
}
