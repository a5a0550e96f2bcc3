// The scheduler as a state machine, driven by hand the way a real-time or GPU driver will drive it:
// outside releases, the action sequence, the overhead each step stands for, and a failed segment.
#include <gtest/gtest.h>

#include "aegisrt/sched/scheduler.hpp"
#include "sched/scenario.hpp"

namespace aegisrt::sched {
namespace {

using testing::at;
using testing::make_workload;
using testing::RecordingSink;
using testing::ticks;

// Runs the action `a` as a device that takes exactly the segment's WCET, starting at `now`.
TimePoint finish_at_wcet(Scheduler& sut, const Action& a, TimePoint now) {
  const TimePoint end = now + a.job.task->segments[a.segment].wcet;
  sut.finished(a.job, a.segment, backend::SegmentStatus::kOk, now, end);
  return end;
}

TEST(StateMachineTest, AnExternalTaskRunsOnlyWhatIsReleasedFromOutside) {
  const Workload w =
      make_workload(Policy::kNpEdf, {{.name = "camera", .period = 10, .segments = {3}}});
  RecordingSink sink;
  Scheduler sut(w, &sink);
  RunOptions opts;
  opts.horizon = ticks(100);
  opts.external = {0};
  ASSERT_TRUE(sut.prepare(opts).ok());

  // Nothing in the calendar: idle until an outside event, at most until the horizon.
  const Action idle = sut.next(at(0));
  EXPECT_EQ(idle.kind, Action::Kind::kIdle);
  EXPECT_EQ(idle.until, at(100));

  ASSERT_TRUE(sut.release(0, at(7)));  // a frame arrives at 7
  const Action run = sut.next(at(7));
  ASSERT_EQ(run.kind, Action::Kind::kRun);
  EXPECT_EQ(run.job.task, &w.tasks[0]);
  EXPECT_EQ(run.job.job, 0u);
  EXPECT_EQ(run.segment, 0u);
  EXPECT_EQ(finish_at_wcet(sut, run, at(7)), at(10));

  EXPECT_EQ(sut.next(at(10)).kind, Action::Kind::kIdle);
  EXPECT_EQ(sut.next(at(100)).kind, Action::Kind::kDone);  // no outside release after the horizon
  sut.stop(at(100));
  const TaskStats& st = sut.stats().tasks[0];
  EXPECT_EQ(st.released, 1u);
  EXPECT_EQ(st.completed, 1u);
  ASSERT_EQ(st.responses.size(), 1u);
  EXPECT_EQ(st.responses[0], ticks(3));
  EXPECT_EQ(sut.stats().end, at(100));  // the horizon, later than the last finish
}

// Outside releases of a sporadic task with period 10 and jitter 2: a release at `at` is legal when
// some nominal arrival a >= previous nominal + 10 has at in [a, a + 2]; the earliest such a is
// max(previous + 10, at - 2), and the deadline counts from it. Earlier releases are dropped at once
// as too early, counted and traced, and do not move the nominal arrivals.
TEST(StateMachineTest, AnOutsideReleaseFollowsTheSporadicModelOrIsDroppedTooEarly) {
  Workload w = make_workload(Policy::kNpEdf, {{.name = "camera", .period = 10, .segments = {1}}});
  w.tasks[0].arrival = ArrivalKind::kSporadic;
  w.tasks[0].max_interarrival = ticks(100);
  w.tasks[0].jitter = ticks(2);
  RecordingSink sink;
  Scheduler sut(w, &sink);
  RunOptions opts;
  opts.horizon = ticks(100);
  opts.external = {0};
  ASSERT_TRUE(sut.prepare(opts).ok());

  // (release time, expected nominal arrival or -1 for too early)
  const std::vector<std::pair<std::int64_t, std::int64_t>> frames = {
      {0, 0}, {8, -1}, {9, -1}, {11, 10}, {19, -1}, {20, 20}, {33, 31}, {42, 41}};
  std::uint64_t too_early = 0;
  for (const auto& [t, nominal] : frames) {
    ASSERT_TRUE(sut.release(0, at(t)));
    const Action a = sut.next(at(t));
    if (nominal < 0) {
      ++too_early;
      EXPECT_EQ(a.kind, Action::Kind::kIdle) << "release at " << t;
      continue;
    }
    ASSERT_EQ(a.kind, Action::Kind::kRun) << "release at " << t;
    const sched::TraceRecord& r = sink.of_kind(EventKind::kRelease).back()->record;
    EXPECT_EQ(r.job, a.job.job);
    EXPECT_EQ(r.time, at(t));
    EXPECT_EQ(r.arrival, at(nominal)) << "release at " << t;
    EXPECT_EQ(r.deadline, at(nominal + 10)) << "release at " << t;
    finish_at_wcet(sut, a, at(t));
  }
  sut.stop(at(50));
  const TaskStats& st = sut.stats().tasks[0];
  EXPECT_EQ(st.released, frames.size());
  EXPECT_EQ(st.dropped[static_cast<std::size_t>(DropReason::kTooEarly)], too_early);
  EXPECT_EQ(st.completed, frames.size() - too_early);
  std::uint64_t traced = 0;
  for (const RecordingSink::Entry* e : sink.of_kind(EventKind::kDrop)) {
    EXPECT_EQ(e->record.drop, DropReason::kTooEarly);
    ++traced;
  }
  EXPECT_EQ(traced, too_early);
}

TEST(StateMachineTest, ACalendarTaskRefusesAnOutsideRelease) {
  const Workload w = make_workload(Policy::kNpEdf, {{.name = "periodic", .period = 10}});
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.horizon = ticks(100);
  const Status st = sut.prepare(opts);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_FALSE(sut.release(0, at(0)));
  EXPECT_FALSE(sut.release(5, at(0)));  // no such task
}

TEST(StateMachineTest, PrepareRefusesAnUnknownExternalTask) {
  const Workload w = make_workload(Policy::kNpEdf, {{.name = "t"}});
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.external = {3};
  const Status st = sut.prepare(opts);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

// lp-fp with release 1, dispatch 2, preemption 4: `lo` (segments 5, 5) arrives at 0, `hi` (3) at
// 1. Step by step: lo's release and dispatch (1 + 2) before its first segment; at the boundary
// hi's release and a dispatch (1 + 2); lo's resumption costs a dispatch and a preemption (2 + 4).
TEST(StateMachineTest, EachStepCarriesTheOverheadItStandsFor) {
  Workload w = make_workload(Policy::kLpFp,
                             {{.name = "hi", .period = 100, .segments = {3}, .priority = 2},
                              {.name = "lo", .period = 100, .segments = {5, 5}, .priority = 1}});
  w.scheduler.overheads.release = ticks(1);
  w.scheduler.overheads.dispatch = ticks(2);
  w.scheduler.overheads.preemption = ticks(4);
  Scheduler sut(w, nullptr);
  RunOptions opts;
  opts.arrivals = {{at(1)}, {at(0)}};
  ASSERT_TRUE(sut.prepare(opts).ok());

  const Action a1 = sut.next(at(0));
  ASSERT_EQ(a1.kind, Action::Kind::kRun);
  EXPECT_EQ(a1.job.task->name, "lo");
  EXPECT_EQ(a1.overhead, ticks(3));
  const TimePoint e1 = finish_at_wcet(sut, a1, at(0) + a1.overhead);  // [3, 8]

  const Action a2 = sut.next(e1);
  ASSERT_EQ(a2.kind, Action::Kind::kRun);
  EXPECT_EQ(a2.job.task->name, "hi");
  EXPECT_EQ(a2.overhead, ticks(3));
  const TimePoint e2 = finish_at_wcet(sut, a2, e1 + a2.overhead);  // [11, 14]

  const Action a3 = sut.next(e2);
  ASSERT_EQ(a3.kind, Action::Kind::kRun);
  EXPECT_EQ(a3.job.task->name, "lo");
  EXPECT_EQ(a3.segment, 1u);
  EXPECT_EQ(a3.overhead, ticks(6));
  const TimePoint e3 = finish_at_wcet(sut, a3, e2 + a3.overhead);  // [20, 25]

  EXPECT_EQ(sut.next(e3).kind, Action::Kind::kDone);
  sut.stop(e3);
  EXPECT_EQ(sut.stats().overhead, ticks(12));
  EXPECT_EQ(sut.stats().tasks[1].responses.at(0), ticks(25));
  EXPECT_EQ(sut.stats().tasks[0].responses.at(0), ticks(13));  // arrived 1, finished 14
}

TEST(StateMachineTest, AFailedSegmentDropsTheJobWithItsReason) {
  const Workload w = make_workload(Policy::kNpEdf, {{.name = "t", .segments = {2, 2}}});
  RecordingSink sink;
  Scheduler sut(w, &sink);
  RunOptions opts;
  opts.arrivals = {{at(0)}};
  ASSERT_TRUE(sut.prepare(opts).ok());
  const Action a = sut.next(at(0));
  ASSERT_EQ(a.kind, Action::Kind::kRun);
  sut.finished(a.job, a.segment, backend::SegmentStatus::kFailed, at(0), at(2));
  EXPECT_EQ(sut.next(at(2)).kind, Action::Kind::kDone);
  const TaskStats& st = sut.stats().tasks[0];
  EXPECT_EQ(st.completed, 0u);
  EXPECT_EQ(st.dropped[static_cast<std::size_t>(DropReason::kBackendFailure)], 1u);
  const auto drops = sink.of_kind(EventKind::kDrop);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0]->record.drop, DropReason::kBackendFailure);
}

}  // namespace
}  // namespace aegisrt::sched
