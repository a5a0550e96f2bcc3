// The simulator charges the dispatch, release and preemption overheads exactly as the analysis
// assumes them (src/analysis/overheads.cpp, docs/design/0010): at a critical instant the simulated
// worst response equals the analytical bound to the nanosecond, and on random small sets with
// random overheads no simulated response ever exceeds a bound.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/random.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

AdmitOptions bounds_only(Policy p) {
  AdmitOptions o;
  o.policy = p;
  o.scaling_precision = 0;
  o.advise = false;
  o.preemption_advice = false;
  return o;
}

Overheads overheads(std::int64_t release, std::int64_t dispatch, std::int64_t preemption) {
  Overheads oh;
  oh.release = Duration::ns(release);
  oh.dispatch = Duration::ns(dispatch);
  oh.preemption = Duration::ns(preemption);
  return oh;
}

// np-fp, both tasks released at 0, release 3, dispatch 2. Worked by hand: the dispatcher handles
// both releases (6), decides for `hi` and dispatches it (2): hi runs [8, 18]; then `lo` is
// dispatched (2) and runs its two segments [20, 32] and [32, 40] with no decision between them
// (non-preemptive): response 40. The analysis: C_hi = 3 + 2 + 10 = 15, C_lo = 3 + 2 + 20 = 25,
// lo's level-2 busy period 15 + 25 = 40, no lower-priority task, no later own job.
TEST(OverheadChargingTest, NonPreemptiveCriticalInstantReachesTheBoundExactly) {
  Workload w = make_workload(
      Policy::kNpFp, {make_task("hi", {10}, 100, 100, 2), make_task("lo", {12, 8}, 100, 100, 1)});
  w.scheduler.overheads = overheads(3, 2, 5);
  const Result<Verdict> v = admit(w, bounds_only(Policy::kNpFp));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ASSERT_TRUE(v->schedulable);
  ASSERT_TRUE(v->tasks[1].response_bound.has_value());

  const testing::RunOutcome run =
      testing::simulate(w, {.arrivals = {{0}, {0}}, .exec = {}, .jitter = {}}, 1'000);

  EXPECT_EQ(run.max_response[1], 40);
  EXPECT_EQ(v->tasks[1].response_bound->count(), run.max_response[1]);
  EXPECT_EQ(run.max_response[0], 18);  // 6 + 2 + 10
  EXPECT_LE(run.max_response[0], v->tasks[0].response_bound->count());
}

// lp-fp: `lo` (segments 12 and 8) arrives at 0, `hi` (10) at 1. Worked by hand: lo's release (3)
// and dispatch (2), then its first segment [5, 17]; hi's release arrived during it and is handled
// at the boundary (3), hi is dispatched (2) and runs [22, 32]; lo resumes: dispatch 2 plus
// preemption 5, its last segment [39, 47]: response 47. The analysis for lo: regions 3 + 2 + 12 =
// 17 and 2 + 5 + 8 = 15; the last region starts at most at 17 + one job of hi (3 + 2 + 10 = 15) =
// 32, and ends at 32 + 15 = 47.
TEST(OverheadChargingTest, LimitedPreemptiveCriticalInstantReachesTheBoundExactly) {
  Workload w = make_workload(
      Policy::kLpFp, {make_task("hi", {10}, 100, 100, 2), make_task("lo", {12, 8}, 200, 200, 1)});
  w.scheduler.overheads = overheads(3, 2, 5);
  const Result<Verdict> v = admit(w, bounds_only(Policy::kLpFp));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ASSERT_TRUE(v->schedulable);
  ASSERT_TRUE(v->tasks[1].response_bound.has_value());

  const testing::RunOutcome run =
      testing::simulate(w, {.arrivals = {{1}, {0}}, .exec = {}, .jitter = {}}, 1'000);

  EXPECT_EQ(run.max_response[1], 47);
  EXPECT_EQ(v->tasks[1].response_bound->count(), run.max_response[1]);
  EXPECT_EQ(run.max_response[0], 31);  // arrived at 1, finished at 32
  EXPECT_LE(run.max_response[0], v->tasks[0].response_bound->count());
}

// Without overheads the same run is the plain schedule: the charge is the only difference.
TEST(OverheadChargingTest, ZeroOverheadsChargeNothing) {
  const Workload w = make_workload(
      Policy::kLpFp, {make_task("hi", {10}, 100, 100, 2), make_task("lo", {12, 8}, 200, 200, 1)});
  const testing::RunOutcome run =
      testing::simulate(w, {.arrivals = {{1}, {0}}, .exec = {}, .jitter = {}}, 1'000);
  EXPECT_EQ(run.max_response[1], 30);  // [0, 12], hi [12, 22], [22, 30]
  EXPECT_EQ(run.max_response[0], 21);  // arrived at 1, finished at 22
}

class OverheadSoundness : public ::testing::TestWithParam<Policy> {};

// Random small sets with random overheads (each 0 to 2 ticks), explored over release
// patterns and execution times: an admitted set never misses, and no task's witnessed response
// exceeds its bound.
TEST_P(OverheadSoundness, NoSimulatedResponseExceedsTheBound) {
  const Policy policy = GetParam();
  std::size_t admitted = 0;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    Workload w = testing::random_small_set(policy, 2 + k % 2, 0.35, 8, 24, 3, 1000 + k);
    const auto draw = [&](std::uint64_t which) {
      return random_between(0, 2, 77, RandomStream::kExecutionTime, k, which, 0);
    };
    w.scheduler.overheads = overheads(draw(0), draw(1), draw(2));
    const Result<Verdict> v = admit(w, bounds_only(policy));
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    if (!v->schedulable) continue;
    ++admitted;
    testing::OracleConfig cfg;
    cfg.seed = k;
    cfg.random_scenarios = 20;
    cfg.exec_variants = 1;
    const testing::OracleResult seen = testing::explore(w, cfg);
    ASSERT_FALSE(seen.miss) << "set " << k << " admitted but missed: " << seen.miss_scenario;
    for (std::size_t i = 0; i < w.tasks.size(); ++i) {
      if (!v->tasks[i].response_bound) continue;
      ASSERT_LE(seen.max_response[i], v->tasks[i].response_bound->count())
          << "set " << k << " task " << i
          << " overheads r=" << w.scheduler.overheads.release.count()
          << " d=" << w.scheduler.overheads.dispatch.count()
          << " p=" << w.scheduler.overheads.preemption.count();
    }
  }
  EXPECT_GT(admitted, 100u);  // the test did check sets, not only rejections
}

INSTANTIATE_TEST_SUITE_P(Policies, OverheadSoundness, ::testing::ValuesIn(testing::kAllPolicies),
                         testing::PolicyTestName());

}  // namespace
}  // namespace aegisrt::analysis
