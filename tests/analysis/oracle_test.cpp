// Soundness against the brute-force oracle: small integer task sets run on the real scheduler core
// in virtual time over many release patterns and execution times (analysis_support.cpp).
//   - np-edf (exact): the verdict and the oracle agree on every set;
//   - every other test: never admits a set on which the oracle finds a miss;
//   - every test: no witnessed response time exceeds the analysis bound.
// AEGISRT_ORACLE_SETS=N runs N sets per policy instead of the CI default (a longer sweep).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/random.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

std::size_t sets_per_policy(std::size_t ci_default) {
  if (const char* env = std::getenv("AEGISRT_ORACLE_SETS")) return std::stoul(env);
  return ci_default;
}

struct SweepCounts {
  std::size_t admitted = 0;
  std::size_t rejected = 0;
  std::size_t oracle_misses = 0;
  std::size_t disagreements = 0;  // rejected by the analysis, no miss found (pessimism)
};

std::string dump(const Workload& w, const Verdict& v, const testing::OracleResult& o) {
  std::string s;
  for (const Task& t : w.tasks) {
    s += t.name + ": T=" + std::to_string(t.period.count()) +
         " D=" + std::to_string(t.deadline.count()) + " prio=" + std::to_string(t.priority) +
         " segs=";
    for (const Segment& g : t.segments) s += std::to_string(g.wcet.count()) + ",";
    s += "\n";
  }
  s += to_text(v);
  s += "oracle: miss=" + std::to_string(o.miss) + " runs=" + std::to_string(o.runs) +
       " horizon=" + std::to_string(o.horizon) + "\n" + o.miss_scenario;
  return s;
}

// Fills `c`; fails the test at the first unsound set.
void sweep(Policy policy, std::size_t sets, std::size_t max_segments, bool exact,
           std::uint64_t seed_base, SweepCounts& c) {
  AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  for (std::size_t k = 0; k < sets; ++k) {
    const std::uint64_t seed = seed_base + k;
    const std::size_t n = 2 + k % 3;
    const double u = 0.2 + 0.75 * random_unit(seed, RandomStream::kGenerator, 77);
    const Workload w = testing::random_small_set(policy, n, u, 2, 30, max_segments, seed);
    const Result<Verdict> v = admit(w, opts);
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    testing::OracleConfig cfg;
    cfg.seed = seed;
    const testing::OracleResult o = testing::explore(w, cfg);
    (v->schedulable ? c.admitted : c.rejected)++;
    if (o.miss) ++c.oracle_misses;
    if (!v->schedulable && !o.miss) ++c.disagreements;
    ASSERT_FALSE(v->schedulable && o.miss) << "admitted a set with a witnessed miss\n"
                                           << dump(w, *v, o);
    if (exact) {
      ASSERT_EQ(v->schedulable, !o.miss) << "exact test disagrees with the oracle\n"
                                         << dump(w, *v, o);
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!v->tasks[i].response_bound) continue;
      ASSERT_LE(o.max_response[i], v->tasks[i].response_bound->count())
          << "witnessed response above the bound for task " << i << "\n"
          << dump(w, *v, o);
    }
  }
}

void expect_both_outcomes(const SweepCounts& c, std::size_t sets) {
  // The sweep must exercise both verdicts, or it proves little.
  EXPECT_GT(c.admitted, sets / 10);
  EXPECT_GT(c.rejected, sets / 10);
  std::printf(
      "admitted %zu, rejected %zu, oracle misses %zu, rejected without a witnessed miss %zu\n",
      c.admitted, c.rejected, c.oracle_misses, c.disagreements);
}

TEST(OracleTest, NpEdfAgreesWithTheOracleOnEverySet) {
  const std::size_t sets = sets_per_policy(150);
  SweepCounts c;
  sweep(Policy::kNpEdf, sets, 1, true, 1000, c);
  expect_both_outcomes(c, sets);
}

TEST(OracleTest, NpFpNeverAdmitsASetTheOracleMisses) {
  const std::size_t sets = sets_per_policy(150);
  SweepCounts c;
  sweep(Policy::kNpFp, sets, 1, false, 2000, c);
  expect_both_outcomes(c, sets);
}

TEST(OracleTest, LpEdfNeverAdmitsASetTheOracleMisses) {
  const std::size_t sets = sets_per_policy(150);
  SweepCounts c;
  sweep(Policy::kLpEdf, sets, 3, false, 3000, c);
  expect_both_outcomes(c, sets);
}

TEST(OracleTest, LpFpNeverAdmitsASetTheOracleMisses) {
  const std::size_t sets = sets_per_policy(150);
  SweepCounts c;
  sweep(Policy::kLpFp, sets, 3, false, 4000, c);
  expect_both_outcomes(c, sets);
}

TEST(OracleTest, FifoNeverAdmitsASetTheOracleMisses) {
  const std::size_t sets = sets_per_policy(100);
  SweepCounts c;
  sweep(Policy::kFifo, sets, 1, false, 5000, c);
  EXPECT_GT(c.admitted, 0u);
  std::printf("fifo: admitted %zu, rejected %zu\n", c.admitted, c.rejected);
}

}  // namespace
}  // namespace aegisrt::analysis
