// Regression tests for the admission defects found by an exhaustive search (issue "Admission that
// never lies"): jitter at or beyond the deadline, EDF response bounds with jitter, overflow near
// int64, the release overhead as interference, and the time model a backend is analysed with.
// Every expected number is worked by hand in the comment beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

AdmitOptions quick(Policy p) {
  AdmitOptions o;
  o.policy = p;
  o.scaling_precision = 0;
  o.advise = false;
  o.preemption_advice = false;
  return o;
}

bool mentions(const Verdict& v, const std::string& text) {
  return std::any_of(v.rationale.begin(), v.rationale.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

class EdfSoundness : public ::testing::TestWithParam<Policy> {};

// Witness 1: T = 10, D = 2, J = 5, C = 1. A job arriving at 0 may be released at 5, three ticks
// after its deadline 2, and finishes at 6: response 6, a miss whatever else runs. dbf(0) counts it
// (floor((0 + 5 - 2) / 10) + 1 = 1 job > 0).
TEST_P(EdfSoundness, JitterBeyondTheDeadlineIsRejectedAtTheWindowStart) {
  const Workload w = make_workload(GetParam(), {make_task("late", {1}, 10, 2, 0, 5)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_FALSE(v->schedulable);
  ASSERT_TRUE(v->witness.has_value());
  EXPECT_EQ(v->witness->kind, Witness::Kind::kDemand);
  EXPECT_EQ(v->witness->interval, Duration::ns(0));
  EXPECT_NE(v->witness->explanation.find("jitter"), std::string::npos) << v->witness->explanation;
  ASSERT_TRUE(v->tasks[0].response_bound.has_value());
  EXPECT_GE(v->tasks[0].response_bound->count(), 6);
}

// J = D exactly: released at its deadline, finishes one tick late.
TEST_P(EdfSoundness, JitterEqualToTheDeadlineIsRejected) {
  const Workload w = make_workload(GetParam(), {make_task("late", {1}, 10, 4, 0, 4)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->schedulable);
}

// J + C > D with J < D: released at 3, needs 2, deadline 4. Fails at t = D - J = 1 (dbf = 2).
TEST_P(EdfSoundness, JitterPlusWcetBeyondTheDeadlineIsRejected) {
  const Workload w = make_workload(GetParam(), {make_task("late", {2}, 10, 4, 0, 3)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->schedulable);
  ASSERT_TRUE(v->witness.has_value());
  EXPECT_EQ(v->witness->interval, Duration::ns(1));
  // One tick less of jitter fits exactly: released at 2, runs [2, 4).
  const Workload ok = make_workload(GetParam(), {make_task("late", {2}, 10, 4, 0, 2)});
  const Result<Verdict> v2 = admit(ok, quick(GetParam()));
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(v2->schedulable) << to_text(*v2);
  ASSERT_TRUE(v2->tasks[0].response_bound.has_value());
  EXPECT_EQ(v2->tasks[0].response_bound->count(), 4);
}

// Witness 2: four sporadic tasks, T = 20, C = 1: ctl (D = 4) and j1..j3 (D = 5, J = 2). j1..j3
// arrive at 0 and are released at 2 (deadline 5); ctl arrives at 2 (deadline 6) and waits for the
// three: it runs in [5, 6), response 4. The bound must be at least 4; the analysis gives exactly
// 4 (offset A = 0: each j_k arrives in [-2, 0] with deadline 5 <= 4 + 0 + ... counted once, AF =
// 1 + 3 = 4, R = AF - A + q - 1 = 4).
TEST_P(EdfSoundness, ResponseBoundCountsJobsReleasedAtTheWindowStartWithEarlierDeadlines) {
  Workload w = make_workload(
      GetParam(), {make_task("ctl", {1}, 20, 4), make_task("j1", {1}, 20, 5, 0, 2),
                   make_task("j2", {1}, 20, 5, 0, 2), make_task("j3", {1}, 20, 5, 0, 2)});
  for (Task& t : w.tasks) t.arrival = ArrivalKind::kSporadic;
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->schedulable) << to_text(*v);
  ASSERT_TRUE(v->tasks[0].response_bound.has_value());
  EXPECT_EQ(v->tasks[0].response_bound->count(), 4) << to_text(*v);
  // Each j_k's worst case is its deadline: e.g. j2 and j3 arrive at 0 and are released at 1, ctl
  // arrives at 1 (deadline 5 as well; ties go to the earlier release, then the lower task id), so
  // ctl, j2, j3 run [1, 4) and j1, arrived at 0 and released at 2, runs [4, 5): response 5 = D.
  // The bound is min(R, D) with R >= 5, so exactly 5.
  for (std::size_t i = 1; i < 4; ++i) {
    ASSERT_TRUE(v->tasks[i].response_bound.has_value());
    EXPECT_EQ(v->tasks[i].response_bound->count(), 5) << to_text(*v);
  }
}

INSTANTIATE_TEST_SUITE_P(Admission, EdfSoundness, ::testing::Values(Policy::kNpEdf, Policy::kLpEdf),
                         testing::PolicyTestName());

class AnyPolicySoundness : public ::testing::TestWithParam<Policy> {};

// Witness 3: two tasks with T = 9e18 and C = 2e18, 6e18 (D = 6e18 for the second). Whatever the
// policy, the 6e18 job can wait behind a 2e18 job started one tick before it (np) or released
// first (equal priorities, fifo), finishing at 8e18 - 1 or later > 6e18: unschedulable. A job
// count ceil(8e18 / 9e18) computed as (a + b - 1) / b wrapped to 0 and admitted it.
TEST_P(AnyPolicySoundness, HugeValuesNeverWrapIntoAnAdmission) {
  const Workload w = make_workload(
      GetParam(), {make_task("a", {2'000'000'000'000'000'000}, 9'000'000'000'000'000'000),
                   make_task("b", {6'000'000'000'000'000'000}, 9'000'000'000'000'000'000,
                             6'000'000'000'000'000'000)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_FALSE(v->schedulable) << to_text(*v);
  ASSERT_TRUE(v->witness.has_value());
}

// At the int64 edge: one task with T = D = int64 max and C = int64 max - 1 is schedulable alone
// (response C <= D); the analysis must either prove it or say "inconclusive", never error out.
TEST_P(AnyPolicySoundness, TheInt64EdgeGivesAVerdictNotAnError) {
  const Workload w = make_workload(GetParam(), {make_task("edge", {kMax - 1}, kMax)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  if (v->schedulable) {
    ASSERT_TRUE(v->tasks[0].response_bound.has_value());
    EXPECT_GE(v->tasks[0].response_bound->count(), kMax - 1);
  } else {
    ASSERT_TRUE(v->witness.has_value());
    EXPECT_EQ(v->witness->kind, Witness::Kind::kInconclusive) << to_text(*v);
  }
  // Two such tasks: U close to 2, rejected by utilisation whatever the arithmetic does.
  const Workload two = make_workload(
      GetParam(), {make_task("x", {kMax - 1}, kMax), make_task("y", {kMax - 1}, kMax)});
  const Result<Verdict> v2 = admit(two, quick(GetParam()));
  ASSERT_TRUE(v2.ok()) << v2.error().to_string();
  EXPECT_FALSE(v2->schedulable);
}

// Well inside int64: T = 4e18, C = 1e18 and 1e18 (D = T). U = 0.5; under every policy the worst
// response of either is 1e18 + (1e18 - 1) blocking or interference < 4e18: admitted.
TEST_P(AnyPolicySoundness, LargeButRepresentableSetsAreStillAdmitted) {
  const Workload w = make_workload(
      GetParam(), {make_task("x", {1'000'000'000'000'000'000}, 4'000'000'000'000'000'000, 0, 2),
                   make_task("y", {1'000'000'000'000'000'000}, 4'000'000'000'000'000'000, 0, 1)});
  const Result<Verdict> v = admit(w, quick(GetParam()));
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_TRUE(v->schedulable) << to_text(*v);
  for (const TaskVerdict& tv : v->tasks) {
    ASSERT_TRUE(tv.response_bound.has_value());
    EXPECT_GE(tv.response_bound->count(), 1'000'000'000'000'000'000);
    EXPECT_LE(tv.response_bound->count(), 4'000'000'000'000'000'000);
  }
}

INSTANTIATE_TEST_SUITE_P(Admission, AnyPolicySoundness, ::testing::ValuesIn(testing::kAllPolicies),
                         testing::PolicyTestName());

// Release overhead rho = 1, no other overhead, np-fp. hi: C = 3 (+1 release = 4), T = D = 20,
// priority 2; lo: C = 1 (+1 = 2), T = D = 4, priority 1. hi's last (only) region starts at s with
// s = B + rho * (releases of lo in [0, s]) = 1 + (floor(s/4) + 1): s = 2, so R_hi = 2 + 4 = 6.
// Charging the release only to the released job's own region gave s = 1 and R_hi = 5, although
// lo's release at 1 is processed between segments before hi can start.
TEST(ReleaseOverhead, ReleasesOfLowerPriorityJobsInterfere) {
  Workload w =
      make_workload(Policy::kNpFp, {make_task("hi", {3}, 20, 0, 2), make_task("lo", {1}, 4, 0, 1)});
  w.scheduler.overheads.release = Duration::ns(1);
  const Result<Verdict> v = admit(w, quick(Policy::kNpFp));
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->tasks[0].response_bound.has_value());
  EXPECT_EQ(v->tasks[0].response_bound->count(), 6) << to_text(*v);
  EXPECT_TRUE(mentions(*v, "interference")) << to_text(*v);
  EXPECT_FALSE(v->exact);
}

// EDF: the same idea for the demand test. x: C = 2, T = 10, D = 6; y: C = 1, T = D = 100. Each
// window may hold one release per task of a job whose deadline lies beyond it (rho n). Numbers
// below, per case.
TEST(ReleaseOverhead, EdfWindowsCountReleasesOfLaterDeadlineJobs) {
  Workload w =
      make_workload(Policy::kNpEdf, {make_task("x", {2}, 10, 6), make_task("y", {1}, 100, 100)});
  // Without overhead: at t = 6, dbf = 2, B(6) = 1 - 1 = 0: slack 4; schedulable.
  const Result<Verdict> plain = admit(w, quick(Policy::kNpEdf));
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->schedulable);
  // rho = 2: x's C = 4, y's C = 3; at t = 6: dbf 4 + B (3 - 1 = 2) + rho n (4) = 10 > 6.
  // Charged only to the own regions it would be 4 + 2 = 6 <= 6, admitted.
  w.scheduler.overheads.release = Duration::ns(2);
  const Result<Verdict> v = admit(w, quick(Policy::kNpEdf));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->schedulable) << to_text(*v);
  ASSERT_TRUE(v->witness.has_value());
  EXPECT_NE(v->witness->explanation.find("releases"), std::string::npos) << v->witness->explanation;
}

// The blocking form follows the backend: q - 1 on `sim`, q on a real clock. One task blocks the
// other by its region: lo (C = 5, D = T = 100) and hi (C = 1, D = T = 10) under np-edf: hi's
// bound is 1 + 4 = 5 in discrete time and 1 + 5 = 6 in dense time.
TEST(TimeModel, FollowsTheBackendAndIsSaidInTheRationale) {
  Workload w = make_workload(Policy::kNpEdf, {make_task("hi", {1}, 10), make_task("lo", {5}, 100)});
  const Result<Verdict> sim = admit(w, quick(Policy::kNpEdf));
  ASSERT_TRUE(sim.ok());
  EXPECT_EQ(sim->time_model, TimeModel::kDiscrete);
  EXPECT_EQ(sim->tasks[0].response_bound->count(), 5);
  EXPECT_TRUE(mentions(*sim, "q - 1")) << to_text(*sim);
  EXPECT_TRUE(sim->exact);
  w.device.backend = "cpu";
  const Result<Verdict> cpu = admit(w, quick(Policy::kNpEdf));
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->time_model, TimeModel::kDense);
  EXPECT_EQ(cpu->tasks[0].response_bound->count(), 6);
  EXPECT_TRUE(mentions(*cpu, "real clock")) << to_text(*cpu);
  EXPECT_FALSE(cpu->exact);
  // An explicit option wins over the backend.
  AdmitOptions o = quick(Policy::kNpEdf);
  o.time_model = TimeModel::kDiscrete;
  const Result<Verdict> forced = admit(w, o);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->tasks[0].response_bound->count(), 5);
}

// Periodic tasks are analysed as sporadic, and the rationale says so.
TEST(Rationale, SaysPeriodicTasksAreAnalysedAsSporadic) {
  const Workload w = make_workload(Policy::kNpFp, {make_task("p", {1}, 10)});
  const Result<Verdict> v = admit(w, quick(Policy::kNpFp));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(mentions(*v, "analysed as sporadic")) << to_text(*v);
  EXPECT_TRUE(mentions(*v, "sufficient")) << to_text(*v);
}

}  // namespace
}  // namespace aegisrt::analysis
