// np-fp: response-time analysis over the level-i active period. Every expected number below is
// derived by hand in the comments (discrete time: blocking = q - 1).
#include <gtest/gtest.h>

#include "aegisrt/analysis/admission.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

// Davis, Burns, Bril & Lukkien (2007), section 3: three CAN messages with transmission time 1 and
// periods 2.5, 3.5, 3.5 (deadlines = periods), priorities A > B > C. Scaled by 2 into ticks:
// C = 2, T = 5, 7, 7.
Workload davis_example(std::int64_t deadline_c) {
  return make_workload(Policy::kNpFp, {make_task("A", {2}, 5, 5, 3), make_task("B", {2}, 7, 7, 2),
                                       make_task("C", {2}, 7, deadline_c, 1)});
}

TEST(NpFpTest, DavisExampleBoundsCoverEveryJobOfTheActivePeriod) {
  // A: B = 2 - 1 = 1, s = 1, f = 3 -> R = 3.
  // B: B = 1, L = 5, K = 1, s = 1 + (floor(s/5)+1) 2 = 3, f = 5 -> R = 5.
  // C: B = 0, L = 14 (2 -> 6 -> 8 -> 12 -> 14), K = 2;
  //    job 1: s = 4, f = 6, R = 6; job 2: s = 2 + 2*3 + 2*2 = 12 (6 -> 8 -> 10 -> 12), f = 14,
  //    R = 14 - 7 = 7. The second job gives the bound.
  const Workload w = davis_example(7);

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_TRUE(sut->schedulable);
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(3));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(5));
  EXPECT_EQ(sut->tasks[2].response_bound, Duration::ns(7));
  EXPECT_EQ(sut->tasks[0].blocking, Duration::ns(1));
  EXPECT_EQ(sut->tasks[2].blocking, Duration::ns(0));
  EXPECT_EQ(sut->tasks[2].slack, Duration::ns(0));
}

TEST(NpFpTest, RejectsSelfPushingMissInTheSecondJob) {
  // Buttazzo 3rd ed. Fig. 8.6 phenomenon: with D_C = 6 the first job of C (R = 6) is fine, the
  // second (R = 7) misses. A first-job-only analysis would admit this set.
  const Workload w = davis_example(6);

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  ASSERT_TRUE(sut->witness.has_value());
  const Witness& wit = *sut->witness;
  EXPECT_EQ(wit.kind, Witness::Kind::kResponseTime);
  EXPECT_EQ(wit.task, 2u);
  EXPECT_EQ(wit.job, 2u);
  EXPECT_EQ(wit.start, Duration::ns(12));
  EXPECT_EQ(wit.finish, Duration::ns(14));
  EXPECT_EQ(wit.response, Duration::ns(7));
  EXPECT_EQ(wit.deadline, Duration::ns(6));
  // Terms: B = 0, one earlier own job (2), A: floor(12/5)+1 = 3 jobs, B: floor(12/7)+1 = 2 jobs.
  ASSERT_EQ(wit.terms.size(), 4u);
  EXPECT_EQ(wit.terms[1].total, Duration::ns(2));
  EXPECT_EQ(wit.terms[2].count, 3);
  EXPECT_EQ(wit.terms[3].count, 2);
}

TEST(NpFpTest, RejectsWhenBlockingByALowerPriorityJobExceedsSlack) {
  // hi: C = 2, D = 4; lo: C = 4. B_hi = 3, R_hi = 3 + 2 = 5 > 4.
  const Workload w = make_workload(
      Policy::kNpFp, {make_task("hi", {2}, 10, 4, 2), make_task("lo", {4}, 20, 20, 1)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  EXPECT_EQ(sut->tasks[0].blocking, Duration::ns(3));
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(5));
  EXPECT_EQ(sut->witness->task, 0u);
}

TEST(NpFpTest, DenseTimeOptionChargesTheWholeRegionAsBlocking) {
  // Same set as the Davis example: with blocking = q, R_A = 2 + 2 = 4, R_B = 2 + 2 + 2 = 6.
  AdmitOptions opts;
  opts.time_model = TimeModel::kDense;

  const Result<Verdict> sut = admit(davis_example(7), opts);

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(4));
  EXPECT_EQ(sut->tasks[1].blocking, Duration::ns(2));
}

TEST(NpFpTest, JitterIsAddedToTheArrivalsCountedAndToTheResponse) {
  // hi: C = 1, T = 4, J = 2, priority 2; lo: C = 2, T = 10, priority 1.
  // hi: B = 1, L = 1 + ceil((L+2)/4) 1: 2 -> 1+1 = 2, K = ceil((2+2)/4) = 1; s = 1, f = 2,
  //     R = 2 + J = 4.
  // lo: L = ceil((L+2)/4) + ceil(L/10) 2: 3 -> 2 + 2 = 4 -> 2 + 2 = 4; K = 1;
  //     s = (floor((s+2)/4)+1) 1: s = 1 -> 1, f = 3, R = 3.
  const Workload w = make_workload(
      Policy::kNpFp, {make_task("hi", {1}, 4, 4, 2, 2), make_task("lo", {2}, 10, 10, 1)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_TRUE(sut->schedulable);
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(4));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(3));
}

TEST(NpFpTest, EqualPrioritiesInterfereWithEachOther) {
  // Both priority 1: each counts the other as interference, B = 0.
  // a: s = (floor(s/10)+1) 3 = 3, f = 5: R = 5. b: s = (floor(s/10)+1) 2 = 2, f = 5: R = 5.
  const Workload w = make_workload(
      Policy::kNpFp, {make_task("a", {2}, 10, 10, 1), make_task("b", {3}, 10, 10, 1)});

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(5));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(5));
}

TEST(NpFpTest, DeadlineMonotonicAssignmentOrdersByDeadline) {
  const Workload w = make_workload(
      Policy::kNpFp, {make_task("long", {1}, 20, 20, 7), make_task("short", {1}, 20, 5, 1),
                      make_task("mid", {1}, 20, 10, 3)});
  AdmitOptions opts;
  opts.priorities = PriorityAssignment::kDeadlineMonotonic;

  const Result<std::vector<std::int32_t>> sut = assign_priorities(w, Policy::kNpFp, opts);

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(*sut, (std::vector<std::int32_t>{1, 3, 2}));
}

TEST(NpFpTest, AudsleyFindsAnOrderThatDeadlineMonotonicMisses) {
  // Deadline-monotonic is not optimal without preemption (George, Rivierre & Spuri 1996, s. 4).
  // a: C = 1, T = D = 2; b: C = 2, T = D = 5; c: C = 1, T = 10, D = 8.
  // DM (a > b > c): c has B = 0, L = 10, K = 1, s = (floor(s/2)+1) + (floor(s/5)+1) 2:
  //   3 -> 4 -> 5 -> 7 -> 8 -> 9 -> 9, f = 10, R_c = 10 > 8.
  // a > c > b: a: B = 1, R = 2. c: B = 1, s = 1 + (floor(s/2)+1) = 3, f = 4, R = 4.
  //   b: B = 0, L = 10, K = 2; job 1: s = (floor(s/2)+1) + (floor(s/10)+1) = 3, f = 5, R = 5;
  //   job 2: s = 2 + ... = 7, f = 9, R = 9 - 5 = 4. All meet their deadlines.
  const Workload w = make_workload(
      Policy::kNpFp, {make_task("a", {1}, 2), make_task("b", {2}, 5), make_task("c", {1}, 10, 8)});
  AdmitOptions dm;
  dm.priorities = PriorityAssignment::kDeadlineMonotonic;
  AdmitOptions opa;
  opa.priorities = PriorityAssignment::kAudsley;

  const Result<Verdict> with_dm = admit(w, dm);
  const Result<Verdict> sut = admit(w, opa);

  ASSERT_TRUE(with_dm.ok() && sut.ok());
  EXPECT_FALSE(with_dm->schedulable);
  EXPECT_EQ(with_dm->tasks[2].response_bound, Duration::ns(10));
  EXPECT_TRUE(sut->schedulable);
  EXPECT_GT(sut->tasks[0].priority, sut->tasks[2].priority);
  EXPECT_GT(sut->tasks[2].priority, sut->tasks[1].priority);
  EXPECT_EQ(sut->tasks[2].response_bound, Duration::ns(4));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(5));
}

TEST(NpFpTest, AudsleyFailureStillReportsAWitness) {
  // Two tasks that cannot share the device in any order: each has D = C = 2 and T = 3, U = 4/3.
  const Workload w =
      make_workload(Policy::kNpFp, {make_task("a", {2}, 3, 2), make_task("b", {2}, 3, 2)});
  AdmitOptions opa;
  opa.priorities = PriorityAssignment::kAudsley;

  const Result<Verdict> sut = admit(w, opa);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  ASSERT_TRUE(sut->witness.has_value());
}

}  // namespace
}  // namespace aegisrt::analysis
