// lp-edf and lp-fp: limited preemption at segment boundaries, the largest admissible
// non-preemptive regions and the preemption-point plan. Hand-derived values in the comments.
#include <gtest/gtest.h>

#include "aegisrt/analysis/admission.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

// a: C = 2, T = D = 5 (priority 2); b: three 2-tick segments, T = D = 15 (priority 1).
Workload short_and_segmented(Policy p) {
  return make_workload(p, {make_task("a", {2}, 5, 5, 2), make_task("b", {2, 2, 2}, 15, 15, 1)});
}

TEST(LpFpTest, SegmentBoundariesAdmitWhatNonPreemptiveRejects) {
  // np-fp: B_a = 6 - 1 = 5, R_a = 7 > 5. lp-fp: B_a = q_b^max - 1 = 1, R_a = 3;
  // b: L = 10, K = 1, s = (6 - 2) + (floor(s/5)+1) 2: 6 -> 8 -> 8, f = 10, R_b = 10.
  const Result<Verdict> np = admit(short_and_segmented(Policy::kNpFp));
  const Result<Verdict> sut = admit(short_and_segmented(Policy::kLpFp));

  ASSERT_TRUE(np.ok() && sut.ok());
  EXPECT_FALSE(np->schedulable);
  EXPECT_EQ(np->tasks[0].response_bound, Duration::ns(7));
  EXPECT_TRUE(sut->schedulable);
  EXPECT_EQ(sut->tasks[0].blocking, Duration::ns(1));
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(3));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(10));
}

TEST(LpFpTest, ReportsLargestNonPreemptiveRegionsAndMergesSegments) {
  // beta_a = 3 (R_a = B + 2 <= 5), so Q_b = 3 + 1 = 4; a is the top task: Q_a = C_a = 2.
  // Packing b's segments backwards under 4: [1..2] = 4, [0..0] = 2. With q_b^last = 4:
  // s = 2 + (floor(s/5)+1) 2 = 4, f = 8 <= 15; B_a = 3, R_a = 5 <= 5: the plan is schedulable.
  const Result<Verdict> sut = admit(short_and_segmented(Policy::kLpFp));

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].max_np_region, Duration::ns(2));
  EXPECT_EQ(sut->tasks[1].max_np_region, Duration::ns(4));
  ASSERT_EQ(sut->preemption_points.size(), 2u);
  const RegionPlan& b = sut->preemption_points[1];
  ASSERT_EQ(b.regions.size(), 2u);
  EXPECT_EQ(b.regions[0], (std::pair<std::uint32_t, std::uint32_t>{0, 0}));
  EXPECT_EQ(b.regions[1], (std::pair<std::uint32_t, std::uint32_t>{1, 2}));
  EXPECT_EQ(b.lengths[1], Duration::ns(4));
  EXPECT_TRUE(sut->preemption_points_schedulable);
}

TEST(LpEdfTest, SegmentBoundariesAdmitWhatNonPreemptiveRejects) {
  // np-edf: t = 5: dbf 2 + B 5 = 7 > 5. lp-edf: B(5) = 1: 3 <= 5; t = 10: 4 + 1; t = 15: 12.
  // R_a: offsets {0, 5, 10}; A = 0: AF = 1 + 2 - 1 = 2, R = 3.
  // R_b: A = 0: AF = 6 - 1 + rbf_a(min(AF, 11)): 5 -> 7 -> 9 -> 9, R = 9 + 1 = 10.
  const Result<Verdict> np = admit(short_and_segmented(Policy::kNpEdf));
  const Result<Verdict> sut = admit(short_and_segmented(Policy::kLpEdf));

  ASSERT_TRUE(np.ok() && sut.ok());
  EXPECT_FALSE(np->schedulable);
  EXPECT_EQ(np->witness->interval, Duration::ns(5));
  EXPECT_TRUE(sut->schedulable);
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(3));
  EXPECT_EQ(sut->tasks[1].response_bound, Duration::ns(10));
}

TEST(LpEdfTest, LargestRegionComesFromTheDemandSlackBelowTheDeadline) {
  // Deadlines below D_b = 15: t = 5 (slack 5 - 2 = 3), t = 10 (10 - 4 = 6): Q_b = 3 + 1 = 4.
  // No deadline below D_a = 5: Q_a = C_a = 2.
  const Result<Verdict> sut = admit(short_and_segmented(Policy::kLpEdf));

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].max_np_region, Duration::ns(2));
  EXPECT_EQ(sut->tasks[1].max_np_region, Duration::ns(4));
  EXPECT_TRUE(sut->preemption_points_schedulable);
}

TEST(LpFpTest, PreemptionOverheadIsChargedToEveryLaterRegion) {
  // Segments [2, 2], release 1, dispatch 1, preemption 1: regions [2+1+1, 2+1+1] = [4, 4].
  Workload w = make_workload(Policy::kLpFp, {make_task("a", {2, 2}, 100)});
  w.scheduler.overheads.release = Duration::ns(1);
  w.scheduler.overheads.dispatch = Duration::ns(1);
  w.scheduler.overheads.preemption = Duration::ns(1);

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].declared_wcet, Duration::ns(4));
  EXPECT_EQ(sut->tasks[0].wcet, Duration::ns(8));
  EXPECT_EQ(sut->tasks[0].last_region, Duration::ns(4));
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(8));
}

TEST(NpFpTest, ReleaseAndDispatchOverheadsJoinTheJob) {
  // One segment of 3, release 1, dispatch 1: C = 5 and, alone on the device, R = 5.
  Workload w = make_workload(Policy::kNpFp, {make_task("a", {3}, 100)});
  w.scheduler.overheads.release = Duration::ns(1);
  w.scheduler.overheads.dispatch = Duration::ns(1);

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(sut->tasks[0].wcet, Duration::ns(5));
  EXPECT_EQ(sut->tasks[0].response_bound, Duration::ns(5));
}

}  // namespace
}  // namespace aegisrt::analysis
