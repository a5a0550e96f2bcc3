#include "aegisrt/sched/policy.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace aegisrt::sched {
namespace {

Candidate job(TaskId task, std::int64_t release, std::int64_t deadline, std::int32_t priority = 0,
              std::int64_t remaining = 1, Criticality crit = Criticality::kNormal) {
  Candidate c;
  c.task = task;
  c.release = TimePoint::from_ns(release);
  c.arrival = c.release;
  c.deadline = TimePoint::from_ns(deadline);
  c.priority = priority;
  c.remaining = Duration::ns(remaining);
  c.criticality = crit;
  return c;
}

TEST(PolicyTest, EveryPolicyIsAStrictTotalOrderOnDistinctJobs) {
  std::vector<Candidate> all;
  for (TaskId t = 0; t < 3; ++t) {
    for (std::int64_t r : {0, 5}) {
      for (std::int64_t d : {10, 20}) {
        for (std::int32_t p : {1, 2}) all.push_back(job(t, r, d, p));
      }
    }
  }
  for (std::size_t i = 0; i < all.size(); ++i) all[i].job = i;
  for (Policy policy :
       {Policy::kNpEdf, Policy::kNpFp, Policy::kFifo, Policy::kLpEdf, Policy::kLpFp}) {
    for (const Candidate& a : all) {
      EXPECT_FALSE(precedes(policy, a, a));
      for (const Candidate& b : all) {
        if (&a == &b) continue;
        EXPECT_NE(precedes(policy, a, b), precedes(policy, b, a)) << to_string(policy);
      }
    }
  }
}

TEST(PolicyTest, DecideReportsTheKeyThatSeparatedChoiceFromRunnerUp) {
  std::vector<Candidate> c = {job(0, 0, 30, 1), job(1, 0, 20, 2)};
  Decision sut = decide(Policy::kNpEdf, false, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 1);
  EXPECT_EQ(sut.runner_up, 0);
  EXPECT_EQ(sut.reason, DecisionReason::kEarliestDeadline);

  sut = decide(Policy::kNpFp, false, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 1);
  EXPECT_EQ(sut.reason, DecisionReason::kHighestPriority);

  sut = decide(Policy::kFifo, false, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 0);
  EXPECT_EQ(sut.reason, DecisionReason::kLowestTaskId);

  std::vector<Candidate> one = {job(4, 0, 10)};
  sut = decide(Policy::kNpEdf, false, TimePoint(), one);
  EXPECT_EQ(sut.chosen, 0);
  EXPECT_EQ(sut.runner_up, -1);
  EXPECT_EQ(sut.reason, DecisionReason::kOnlyCandidate);

  std::vector<Candidate> none;
  EXPECT_EQ(decide(Policy::kNpEdf, true, TimePoint(), none).chosen, -1);
}

TEST(PolicyTest, SheddingSparesJobsThatLeaveHighWorkOnTime) {
  // now 0; high h: 5 left, deadline 10. normal j: 4 left, deadline 8. 0 + 5 + 4 = 9 <= 10: no shed.
  std::vector<Candidate> c = {job(0, 0, 10, 0, 5, Criticality::kHigh), job(1, 0, 8, 0, 4)};
  const Decision sut = decide(Policy::kNpEdf, true, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 1);
  EXPECT_EQ(sut.shed_count, 0u);
  EXPECT_FALSE(c[1].shed);
}

TEST(PolicyTest, SheddingDropsAJobThatWouldPushHighWorkPastItsDeadline) {
  // j needs 6: 0 + 6 + 5 = 11 > 10 while 0 + 5 <= 10, so j is shed and h runs.
  std::vector<Candidate> c = {job(0, 0, 10, 0, 5, Criticality::kHigh), job(1, 0, 8, 0, 6)};
  const Decision sut = decide(Policy::kNpEdf, true, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 0);
  EXPECT_EQ(sut.shed_count, 1u);
  EXPECT_TRUE(c[1].shed);
  EXPECT_FALSE(c[0].shed);
}

TEST(PolicyTest, SheddingCountsHighWorkQueuedAheadOfTheThreatenedJob) {
  // Two high jobs: h1 (4 left, deadline 9) runs before h2 (4 left, deadline 12) under EDF.
  // j (2 left, deadline 5): without j, h2 ends at 8 <= 12; with j at 10 <= 12. h1: 4 -> 6 <= 9.
  // No threat: j runs. With j needing 5: h2 ends 13 > 12 (and 8 without): shed.
  std::vector<Candidate> c = {job(0, 0, 9, 0, 4, Criticality::kHigh),
                              job(1, 0, 12, 0, 4, Criticality::kHigh), job(2, 0, 5, 0, 2)};
  EXPECT_EQ(decide(Policy::kNpEdf, true, TimePoint(), c).chosen, 2);
  c[2].remaining = Duration::ns(5);
  EXPECT_EQ(decide(Policy::kNpEdf, true, TimePoint(), c).chosen, 0);
  EXPECT_TRUE(c[2].shed);
}

TEST(PolicyTest, SheddingLeavesAlreadyDoomedHighWorkAlone) {
  // h cannot make its deadline even if it runs now (0 + 5 > 4): shedding j would not save it.
  std::vector<Candidate> c = {job(0, 0, 4, 0, 5, Criticality::kHigh), job(1, 0, 3, 0, 6)};
  const Decision sut = decide(Policy::kNpEdf, true, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 1);
  EXPECT_EQ(sut.shed_count, 0u);
}

TEST(PolicyTest, SheddingOffNeverSheds) {
  std::vector<Candidate> c = {job(0, 0, 10, 0, 5, Criticality::kHigh), job(1, 0, 8, 0, 6)};
  const Decision sut = decide(Policy::kNpEdf, false, TimePoint(), c);
  EXPECT_EQ(sut.chosen, 1);
  EXPECT_EQ(sut.shed_count, 0u);
}

}  // namespace
}  // namespace aegisrt::sched
