#include "aegisrt/trace/buffer.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "aegisrt/sched/scheduler.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt::trace {
namespace {

TraceRecord release_at(std::int64_t ns, std::uint64_t job) {
  TraceRecord r;
  r.time = TimePoint::from_ns(ns);
  r.kind = EventKind::kRelease;
  r.job = job;
  return r;
}

TraceRecord decision_at(std::int64_t ns) {
  TraceRecord r;
  r.time = TimePoint::from_ns(ns);
  r.kind = EventKind::kDecision;
  return r;
}

std::vector<sched::Candidate> candidates(std::size_t n, TaskId first_task) {
  std::vector<sched::Candidate> v(n);
  for (std::size_t k = 0; k < n; ++k) {
    v[k].task = first_task + static_cast<TaskId>(k);
    v[k].job = 100 + k;
  }
  return v;
}

TEST(TraceBufferTest, StoresRecordsWithTheirCandidatesInOrder) {
  TraceBuffer sut(8, 8);
  const auto two = candidates(2, 0);
  const auto three = candidates(3, 5);

  sut.record(release_at(1, 0), {});
  sut.record(decision_at(2), two);
  sut.record(decision_at(3), three);

  ASSERT_EQ(sut.records().size(), 3u);
  EXPECT_EQ(sut.lost(), 0u);
  EXPECT_EQ(sut.records()[0].time.ns(), 1);
  EXPECT_TRUE(sut.candidates_of(sut.records()[0]).empty());
  const auto first = sut.candidates_of(sut.records()[1]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[1].task, 1u);
  const auto second = sut.candidates_of(sut.records()[2]);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].task, 5u);
  EXPECT_EQ(second[2].job, 102u);
}

TEST(TraceBufferTest, CountsRecordsBeyondCapacityAsLost) {
  TraceBuffer sut(2, 8);

  for (std::uint64_t j = 0; j < 5; ++j) sut.record(release_at(static_cast<std::int64_t>(j), j), {});

  EXPECT_EQ(sut.records().size(), 2u);
  EXPECT_EQ(sut.lost(), 3u);
  EXPECT_EQ(sut.records()[1].job, 1u);
}

TEST(TraceBufferTest, CountsADecisionWhoseCandidatesDoNotFitAsLost) {
  TraceBuffer sut(10, 3);
  const auto two = candidates(2, 0);

  sut.record(decision_at(1), two);
  sut.record(decision_at(2), two);  // 2 + 2 > 3 candidates

  ASSERT_EQ(sut.records().size(), 1u);
  EXPECT_EQ(sut.lost(), 1u);
}

TEST(TraceBufferTest, StoresNothingAfterTheFirstLossSoTheTraceStaysAPrefix) {
  TraceBuffer sut(10, 3);
  const auto two = candidates(2, 0);

  sut.record(decision_at(1), two);
  sut.record(decision_at(2), two);   // lost: candidates full
  sut.record(release_at(3, 7), {});  // would fit, but follows a loss

  EXPECT_EQ(sut.records().size(), 1u);
  EXPECT_EQ(sut.lost(), 2u);
}

TEST(TraceBufferTest, RecordNeverAllocatesWithinOrBeyondCapacity) {
  TraceBuffer sut(4, 4);
  const auto two = candidates(2, 0);
  const TraceRecord release = release_at(1, 0);
  const TraceRecord decision = decision_at(2);

  std::uint64_t allocations = 0;
  {
    const testing::AllocationCounter counter;
    sut.record(release, {});
    sut.record(decision, two);
    sut.record(decision, two);
    sut.record(release, {});
    sut.record(release, {});    // lost: records full
    sut.record(decision, two);  // lost
    allocations = counter.count();
  }

  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(sut.records().size(), 4u);
  EXPECT_EQ(sut.lost(), 2u);
}

TEST(TraceBufferTest, ClearForgetsRecordsAndLossesButKeepsCapacity) {
  TraceBuffer sut(1, 1);
  sut.record(release_at(1, 0), {});
  sut.record(release_at(2, 1), {});

  sut.clear();
  std::uint64_t allocations = 0;
  {
    const testing::AllocationCounter counter;
    sut.record(release_at(3, 2), {});
    allocations = counter.count();
  }

  EXPECT_EQ(allocations, 0u);
  ASSERT_EQ(sut.records().size(), 1u);
  EXPECT_EQ(sut.records()[0].job, 2u);
  EXPECT_EQ(sut.lost(), 0u);
}

TEST(TraceBufferTest, CandidatesOfARecordFromElsewhereAreEmptyWhenOutOfRange) {
  TraceBuffer sut(2, 2);
  TraceRecord foreign = decision_at(1);
  foreign.candidate_offset = 1;
  foreign.candidate_count = 5;

  EXPECT_TRUE(sut.candidates_of(foreign).empty());
}

TEST(TraceCapacityTest, BoundsRecordsAndCandidatesFromJobsAndSegments) {
  Workload w;
  Task a;
  a.id = 0;
  a.period = Duration::ms(10);
  a.segments = {{"s0", Duration::ms(1)}, {"s1", Duration::ms(1)}};
  Task b;
  b.id = 1;
  b.period = Duration::ms(25);
  b.phase = Duration::ms(5);
  b.segments = {{"s0", Duration::ms(2)}};
  w.tasks = {a, b};
  sched::RunOptions opts;
  opts.horizon = Duration::ms(100);

  const TraceCapacity sut = trace_capacity(w, opts);

  // a: 10 jobs (0, 10, ..., 90ms), 2 segments: 10 * (5 + 6) = 110 records, 10 * 3 decisions.
  // b: 4 jobs (5, 30, 55, 80ms), 1 segment: 4 * (5 + 3) = 32 records, 4 * 2 decisions.
  // Each decision has at most 2 candidates: (30 + 8) * 2 = 76.
  EXPECT_EQ(sut.records, 142u);
  EXPECT_EQ(sut.candidates, 76u);
}

TEST(TraceCapacityTest, CountsExplicitArrivals) {
  Workload w;
  Task a;
  a.id = 0;
  a.period = Duration::ms(10);
  a.segments = {{"s0", Duration::ms(1)}};
  w.tasks = {a};
  sched::RunOptions opts;
  opts.arrivals = {{TimePoint::from_ns(0), TimePoint::from_ns(50), TimePoint::from_ns(99)}};

  const TraceCapacity sut = trace_capacity(w, opts);

  EXPECT_EQ(sut.records, 3u * 8u);
  EXPECT_EQ(sut.candidates, 3u * 2u);
}

TEST(TraceRecordTest, KindsAndDropReasonsHaveStableNames) {
  EXPECT_STREQ(to_string(EventKind::kSegmentStart), "segment_start");
  EXPECT_STREQ(to_string(EventKind::kMiss), "miss");
  EXPECT_STREQ(to_string(DropReason::kQueueFullOldest), "queue_full_oldest");
  EXPECT_STREQ(to_string(DropReason::kDeadlineAbort), "deadline_abort");
  EXPECT_STREQ(to_string(DropReason::kShed), "shed");
}

}  // namespace
}  // namespace aegisrt::trace
