// Load shedding never fires on an admitted set (docs/design/0002, "What is assumed"): a job is
// shed only when running it next at its WCET would make a high-criticality job miss, and in an
// admitted set that continuation cannot miss. Checked on the real scheduler with shedding on,
// over random sporadic arrivals and execution times, for sets the analysis admits.
#include <gtest/gtest.h>

#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/random.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

class Shedding : public ::testing::TestWithParam<Policy> {};

TEST_P(Shedding, NeverShedsAJobOfAnAdmittedSet) {
  const Policy policy = GetParam();
  AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  std::size_t admitted = 0;
  std::size_t runs = 0;
  for (std::uint64_t seed = 61'000; seed < 61'300; ++seed) {
    Workload w = testing::random_small_set(
        policy, 2 + seed % 3, 0.3 + 0.5 * random_unit(seed, RandomStream::kGenerator, 5), 2, 30,
        preempts_at_segment_boundaries(policy) ? 3 : 1, seed);
    w.scheduler.load_shedding = true;
    w.tasks[seed % w.tasks.size()].criticality = Criticality::kHigh;
    const Result<Verdict> v = admit(w, opts);
    ASSERT_TRUE(v.ok());
    if (!v->schedulable) continue;
    ++admitted;
    std::uint64_t draw = 0;
    auto rnd = [&](std::int64_t lo, std::int64_t hi) {
      return random_between(lo, hi, seed, RandomStream::kGenerator, 0x5ED, ++draw);
    };
    for (int r = 0; r < 20; ++r) {
      testing::Scenario s;
      s.arrivals.resize(w.tasks.size());
      s.exec.resize(w.tasks.size());
      for (std::size_t i = 0; i < w.tasks.size(); ++i) {
        const std::int64_t t = w.tasks[i].period.count();
        for (std::int64_t a = rnd(0, t); a < 400; a += t + (rnd(0, 2) == 0 ? rnd(1, t) : 0)) {
          s.arrivals[i].push_back(a);
          std::vector<std::int64_t> job;
          for (const Segment& g : w.tasks[i].segments) {
            job.push_back(rnd(0, 1) == 0 ? g.wcet.count() : rnd(1, g.wcet.count()));
          }
          s.exec[i].push_back(std::move(job));
        }
      }
      const testing::RunOutcome out = testing::simulate(w, s, 400);
      ++runs;
      ASSERT_EQ(out.dropped, 0u) << "a job of an admitted set was dropped (seed " << seed << ")\n"
                                 << to_text(*v) << testing::describe(s);
      ASSERT_FALSE(out.miss) << "seed " << seed << "\n" << to_text(*v) << testing::describe(s);
    }
  }
  std::printf("%s: %zu admitted sets, %zu runs with shedding on, no job shed\n", to_string(policy),
              admitted, runs);
  EXPECT_GT(admitted, 10u);
}

INSTANTIATE_TEST_SUITE_P(Admission, Shedding, ::testing::ValuesIn(testing::kAllPolicies),
                         testing::PolicyTestName());

}  // namespace
}  // namespace aegisrt::analysis
