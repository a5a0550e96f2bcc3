// np-edf: the processor-demand test with blocking and the response-time bound. Expected values are
// derived by hand in the comments (discrete time: blocking = q - 1).
#include <gtest/gtest.h>

#include "aegisrt/analysis/admission.hpp"
#include "analysis/analysis_support.hpp"
#include "analysis/model.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

TEST(NpEdfTest, AdmitsAndBoundsATwoTaskSet) {
  // a: C = 1, T = D = 4; b: C = 3, T = D = 12.
  // Demand: t = 4: dbf 1 + B 2 = 3 <= 4; t = 8: 2 + 2 <= 8; t = 12: 3 + 3 + 0 <= 12.
  // R_a: offsets {0, 4}; A = 0: blocking 2, AF = 2 + 1 - 0 = 3, R = 3.
  // R_b: offsets {0, 4}; A = 0: AF = 3 - 2 + rbf_a(min(AF, 9)) = 1 + 1 = 2, R = 2 + 2 = 4.
  const Workload w =
      make_workload(Policy::kNpEdf, {make_task("a", {1}, 4), make_task("b", {3}, 12)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_TRUE(sut->schedulable);
  EXPECT_TRUE(sut->exact);
  EXPECT_EQ(sut->tasks[0].blocking, Duration::ns(2));
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(3));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(4));
  EXPECT_EQ(sut->tasks[1].slack, Duration::ns(8));
}

TEST(NpEdfTest, RejectsWhenBlockingExceedsSlack) {
  // a: C = 1, T = D = 4; b: C = 2, T = D = 6; c: C = 5, T = D = 12.
  // t = 4: dbf(4) = 1, B(4) = max(C_b - 1, C_c - 1) = 4: 5 > 4. (c starts one tick before a's
  // release; a waits 4 ticks and finishes 1 tick late.)
  const Workload w = make_workload(
      Policy::kNpEdf, {make_task("a", {1}, 4), make_task("b", {2}, 6), make_task("c", {5}, 12)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  ASSERT_TRUE(sut->witness.has_value());
  EXPECT_EQ(sut->witness->kind, Witness::Kind::kDemand);
  EXPECT_EQ(sut->witness->interval, Duration::ns(4));
  EXPECT_EQ(sut->witness->demand, Duration::ns(1));
  EXPECT_EQ(sut->witness->blocking, Duration::ns(4));
  // a already has the smallest WCET and D = T: the sentence says neither change helps.
  EXPECT_NE(sut->advice.find("task a cannot be admitted by a smaller WCET alone"),
            std::string::npos)
      << sut->advice;
}

TEST(NpEdfTest, AdviceNamesTheWcetAndDeadlineChangeThatAdmits) {
  // One task, C = 5 ms, D = 4 ms, T = 10 ms: it needs 1 ms less WCET or 1 ms more deadline.
  Task t = make_task("a", {5'000'000}, 10'000'000, 4'000'000);
  const Workload w = make_workload(Policy::kNpEdf, {t});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  EXPECT_EQ(sut->advice,
            "task a needs 1ms less WCET (C <= 4ms) or a deadline 1ms longer (D >= 5ms)");
}

TEST(NpEdfTest, RejectsAnOverloadedSetWithTheUtilisationWitness) {
  const Workload w =
      make_workload(Policy::kNpEdf, {make_task("a", {3}, 4), make_task("b", {2}, 4)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  EXPECT_EQ(sut->witness->kind, Witness::Kind::kUtilisation);
}

TEST(NpEdfTest, DemandBoundCountsJitteredJobs) {
  // dbf(t) with jitter: floor((t + J - D)/T) + 1 jobs. T = 10, D = 8, J = 3, C = 2:
  // t = 4: floor(-1/10) -> none; t = 5: 1 job; t = 15: 2 jobs.
  const Workload w = make_workload(Policy::kNpEdf, {make_task("a", {2}, 10, 8, 0, 3)});
  const Result<TaskSetModel> m = build_model(w, Policy::kNpEdf, TimeModel::kDiscrete, {});
  ASSERT_TRUE(m.ok());
  Arith a;

  EXPECT_EQ(demand_bound(*m, 4, a), 0);
  EXPECT_EQ(demand_bound(*m, 5, a), 2);
  EXPECT_EQ(demand_bound(*m, 15, a), 4);
}

TEST(NpEdfTest, CriticalScalingFactorOfOneTaskIsDeadlineOverWcet) {
  // C = 2, D = T = 10: the WCET can grow to 10, so alpha* = 5 (found from below to 0.1 %).
  const Workload w = make_workload(Policy::kNpEdf, {make_task("a", {2}, 10)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE(sut->critical_scaling_factor.has_value());
  EXPECT_LE(*sut->critical_scaling_factor, 5.0);
  EXPECT_GE(*sut->critical_scaling_factor, 5.0 * (1 - 1e-3));
}

TEST(NpEdfTest, FailedDemandTestAlwaysHasAResponseBoundAboveADeadline) {
  // Consistency of the two analyses on the rejected example: the demand test is exact, so a
  // sound response bound must exceed the deadline of some task.
  const Workload w = make_workload(
      Policy::kNpEdf, {make_task("a", {1}, 4), make_task("b", {2}, 6), make_task("c", {5}, 12)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  bool some_bound_exceeds = false;
  for (const TaskVerdict& t : sut->tasks) {
    if (!t.response_bound || *t.response_bound > t.deadline) some_bound_exceeds = true;
  }
  EXPECT_TRUE(some_bound_exceeds);
}

}  // namespace
}  // namespace aegisrt::analysis
