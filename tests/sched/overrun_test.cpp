// Time budgets (issue 12, "Execution contexts"): a job whose segment runs past its WCET is
// counted as an overrun at the segment boundary and then
// continues, is aborted there, or makes its task skip the next release, as its task says; the
// other tasks run as before. Driven by hand in virtual time, with the device taking whatever time
// the test gives each segment.
#include <gtest/gtest.h>

#include "aegisrt/sched/scheduler.hpp"
#include "sched/scenario.hpp"

namespace aegisrt::sched {
namespace {

using testing::at;
using testing::make_workload;
using testing::RecordingSink;
using testing::ticks;

// `victim` (segments 2, 2; period 20, deadline 15: it runs first) and `other` (one segment of 3;
// period and deadline 20).
Workload pair(OnOverrun action) {
  Workload w = make_workload(Policy::kLpEdf,
                             {{.name = "victim", .period = 20, .deadline = 15, .segments = {2, 2}},
                              {.name = "other", .period = 20, .segments = {3}}});
  w.tasks[0].on_overrun = action;
  return w;
}

// Runs actions until the scheduler is idle, each segment taking its WCET, except that the first
// segment of `victim`'s job 0 takes `first` ticks. Returns the time it stopped.
TimePoint run_until_idle(Scheduler& sut, const Workload& w, TimePoint now, Duration first) {
  for (;;) {
    const Action a = sut.next(now);
    if (a.kind != Action::Kind::kRun) return now;
    const bool victim_first = a.job.task == &w.tasks[0] && a.job.job == 0 && a.segment == 0;
    const TimePoint end = now + (victim_first ? first : a.job.task->segments[a.segment].wcet);
    sut.finished(a.job, a.segment, backend::SegmentStatus::kOk, now, end);
    now = end;
  }
}

TEST(OverrunTest, ContinueCountsTheOverrunAndTheJobCompletes) {
  const Workload w = pair(OnOverrun::kContinue);
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.horizon = ticks(20);
  ASSERT_TRUE(sut.prepare(opts).ok());

  run_until_idle(sut, w, at(0), ticks(5));  // 5 > the segment's WCET of 2
  sut.stop(at(20));

  const TaskStats& victim = sut.stats().tasks[0];
  EXPECT_EQ(victim.overruns, 1u);
  EXPECT_EQ(victim.completed, 1u);
  EXPECT_EQ(victim.dropped_total(), 0u);
  EXPECT_EQ(sut.stats().tasks[1].completed, 1u);
  EXPECT_EQ(sut.stats().tasks[1].overruns, 0u);
}

TEST(OverrunTest, AbortDropsTheJobAtTheBoundaryAndFreesTheDevice) {
  const Workload w = pair(OnOverrun::kAbort);
  RecordingSink sink;
  Scheduler sut(w, &sink);
  RunOptions opts;
  opts.horizon = ticks(20);
  ASSERT_TRUE(sut.prepare(opts).ok());

  const TimePoint end = run_until_idle(sut, w, at(0), ticks(5));
  sut.stop(at(20));

  const TaskStats& victim = sut.stats().tasks[0];
  EXPECT_EQ(victim.overruns, 1u);
  EXPECT_EQ(victim.completed, 0u);
  EXPECT_EQ(victim.dropped[static_cast<std::size_t>(DropReason::kOverrun)], 1u);
  // victim's second segment never ran: `other` ran right after the overrunning segment (5 + 3).
  EXPECT_EQ(end, at(8));
  const TaskStats& other = sut.stats().tasks[1];
  EXPECT_EQ(other.completed, 1u);
  ASSERT_EQ(other.responses.size(), 1u);
  EXPECT_EQ(other.responses[0], ticks(8));
  EXPECT_EQ(other.missed, 0u);
  std::size_t overrun_drops = 0;
  for (const auto* e : sink.of_kind(EventKind::kDrop)) {
    const TraceRecord& r = e->record;
    if (r.drop == DropReason::kOverrun) {
      ++overrun_drops;
      EXPECT_EQ(r.task, 0u);
      EXPECT_EQ(r.time, at(5));
    }
  }
  EXPECT_EQ(overrun_drops, 1u);
}

TEST(OverrunTest, ASegmentTakingExactlyItsWcetIsNoOverrun) {
  Workload w = make_workload(Policy::kLpEdf, {{.name = "t", .period = 50, .segments = {2, 2, 2}}});
  w.tasks[0].on_overrun = OnOverrun::kAbort;
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.horizon = ticks(50);
  ASSERT_TRUE(sut.prepare(opts).ok());
  run_until_idle(sut, w, at(0), ticks(2));
  sut.stop(at(50));
  EXPECT_EQ(sut.stats().tasks[0].overruns, 0u);
  EXPECT_EQ(sut.stats().tasks[0].completed, 1u);
}

TEST(OverrunTest, SkipNextDropsTheTasksNextRelease) {
  const Workload w = pair(OnOverrun::kSkipNext);
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.horizon = ticks(60);  // three releases of each task
  ASSERT_TRUE(sut.prepare(opts).ok());

  TimePoint now = run_until_idle(sut, w, at(0), ticks(5));
  for (const std::int64_t t : {20, 40}) {
    now = std::max(now, at(t));
    now = run_until_idle(sut, w, now, ticks(2));
  }
  sut.stop(at(60));

  const TaskStats& victim = sut.stats().tasks[0];
  EXPECT_EQ(victim.overruns, 1u);
  EXPECT_EQ(victim.released, 3u);
  EXPECT_EQ(victim.dropped[static_cast<std::size_t>(DropReason::kSkipped)], 1u);
  EXPECT_EQ(victim.completed, 2u);  // job 0 (it continued) and job 2
  EXPECT_EQ(sut.stats().tasks[1].completed, 3u);
}

TEST(OverrunTest, ALastSegmentOverrunCanOnlyBeCounted) {
  Workload w = make_workload(Policy::kNpEdf, {{.name = "single", .period = 20, .segments = {2}}});
  w.tasks[0].on_overrun = OnOverrun::kAbort;
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.horizon = ticks(20);
  ASSERT_TRUE(sut.prepare(opts).ok());
  run_until_idle(sut, w, at(0), ticks(7));
  sut.stop(at(20));
  EXPECT_EQ(sut.stats().tasks[0].overruns, 1u);
  EXPECT_EQ(sut.stats().tasks[0].completed, 1u);
  EXPECT_EQ(sut.stats().tasks[0].dropped_total(), 0u);
}

}  // namespace
}  // namespace aegisrt::sched
