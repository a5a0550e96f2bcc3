// Scheduler core in virtual time. Every expected timeline below is derived by hand from the policy
// definitions in docs/design/0001-scheduler-core.md; times are ticks (ns).
#include "aegisrt/sched/scheduler.hpp"

#include <gtest/gtest.h>

#include "aegisrt/sim/driver.hpp"
#include "sched/scenario.hpp"

namespace aegisrt::testing {
namespace {

using sched::DropReason;
using sched::EventKind;

std::uint64_t dropped(const sched::TaskStats& st, DropReason why) {
  return st.dropped[static_cast<std::size_t>(why)];
}

// Three tasks released together at 0, one job each, 10 ticks each:
//   a: D=100, priority 1;  b: D=30, priority 2;  c: D=50, priority 3.
Workload three_way(Policy policy) {
  return make_workload(policy, {
                                   {.name = "a", .deadline = 100, .segments = {10}, .priority = 1},
                                   {.name = "b", .deadline = 30, .segments = {10}, .priority = 2},
                                   {.name = "c", .deadline = 50, .segments = {10}, .priority = 3},
                               });
}

TEST(SchedulerTest, NpEdfRunsEarliestAbsoluteDeadlineFirst) {
  SimRun run(three_way(Policy::kNpEdf), 100);
  ASSERT_TRUE(run.status_ok);
  // Deadlines 30 (b) < 50 (c) < 100 (a): b 0-10, c 10-20, a 20-30.
  EXPECT_EQ(run.start_of(1, 0), 0);
  EXPECT_EQ(run.start_of(2, 0), 10);
  EXPECT_EQ(run.start_of(0, 0), 20);
  EXPECT_EQ(run.task(0).responses.at(0), ticks(30));
  EXPECT_EQ(run.task(1).responses.at(0), ticks(10));
  EXPECT_EQ(run.task(2).responses.at(0), ticks(20));
}

TEST(SchedulerTest, NpFpRunsHighestPriorityFirst) {
  SimRun run(three_way(Policy::kNpFp), 100);
  // Priorities 3 (c) > 2 (b) > 1 (a): c 0-10, b 10-20, a 20-30.
  EXPECT_EQ(run.start_of(2, 0), 0);
  EXPECT_EQ(run.start_of(1, 0), 10);
  EXPECT_EQ(run.start_of(0, 0), 20);
}

TEST(SchedulerTest, FifoBreaksEqualReleasesByTaskPosition) {
  SimRun run(three_way(Policy::kFifo), 100);
  EXPECT_EQ(run.start_of(0, 0), 0);
  EXPECT_EQ(run.start_of(1, 0), 10);
  EXPECT_EQ(run.start_of(2, 0), 20);
}

TEST(SchedulerTest, FifoRunsEarlierReleaseFirstWhateverThePriority) {
  // blocker 0-10; late (prio 9) released at 3, early (prio 1) released at 2: early runs first.
  const Workload w = make_workload(
      Policy::kFifo,
      {
          {.name = "blocker", .period = 100, .segments = {10}},
          {.name = "late", .period = 100, .segments = {5}, .priority = 9, .phase = 3},
          {.name = "early", .period = 100, .segments = {5}, .priority = 1, .phase = 2},
      });
  SimRun run(w, 100);
  EXPECT_EQ(run.start_of(2, 0), 10);
  EXPECT_EQ(run.start_of(1, 0), 15);
}

TEST(SchedulerTest, EdfTieOnDeadlineGoesToEarlierReleaseThenLowerTaskId) {
  // blocker 0-10. x: phase 2, D 20 (abs 22). y: phase 1, D 21 (abs 22): same deadline, y released
  // earlier, so y runs first at 10, x at 15. z (task 3): phase 2, D 20 (abs 22) ties x on deadline
  // and release; x has the lower task id and runs before z.
  const Workload w = make_workload(
      Policy::kNpEdf, {
                          {.name = "blocker", .period = 100, .segments = {10}},
                          {.name = "x", .period = 100, .deadline = 20, .segments = {5}, .phase = 2},
                          {.name = "y", .period = 100, .deadline = 21, .segments = {5}, .phase = 1},
                          {.name = "z", .period = 100, .deadline = 20, .segments = {5}, .phase = 2},
                      });
  SimRun run(w, 100);
  EXPECT_EQ(run.start_of(2, 0), 10);
  EXPECT_EQ(run.start_of(1, 0), 15);
  EXPECT_EQ(run.start_of(3, 0), 20);
  const auto decisions = run.sink.of_kind(EventKind::kDecision);
  ASSERT_GE(decisions.size(), 2u);
  EXPECT_EQ(decisions[1]->record.decision.reason, sched::DecisionReason::kEarliestRelease);
  EXPECT_EQ(decisions[2]->record.decision.reason, sched::DecisionReason::kLowestTaskId);
}

// long: 50 ticks from 0 (as 5 segments of 10 under lp); urgent: released at 1, 5 ticks, D=20.
Workload long_and_urgent(Policy policy, bool split) {
  std::vector<std::int64_t> segs =
      split ? std::vector<std::int64_t>{10, 10, 10, 10, 10} : std::vector<std::int64_t>{50};
  Workload w =
      make_workload(policy, {
                                {.name = "long", .period = 200, .segments = {1}, .priority = 1},
                                {.name = "urgent",
                                 .period = 200,
                                 .deadline = 20,
                                 .segments = {5},
                                 .priority = 2,
                                 .phase = 1},
                            });
  w.tasks[0].segments.clear();
  for (std::size_t k = 0; k < segs.size(); ++k) {
    w.tasks[0].segments.push_back({"seg" + std::to_string(k), ticks(segs[k])});
  }
  return w;
}

TEST(SchedulerTest, NonPreemptiveJobRunsToCompletionAndUrgentJobMisses) {
  SimRun run(long_and_urgent(Policy::kNpEdf, /*split=*/true), 200);
  // np-edf never switches inside a job: urgent waits until 50, finishes 55 > deadline 21.
  EXPECT_EQ(run.start_of(1, 0), 50);
  EXPECT_EQ(run.task(1).responses.at(0), ticks(54));
  EXPECT_EQ(run.task(1).missed, 1u);
  const auto misses = run.sink.of_kind(EventKind::kMiss);
  ASSERT_EQ(misses.size(), 1u);
  EXPECT_EQ(misses[0]->record.time, at(21));  // the miss instant is the deadline
  EXPECT_EQ(misses[0]->record.value, 34);     // lateness 55 - 21
}

TEST(SchedulerTest, LimitedPreemptionSwitchesAtTheNextSegmentBoundary) {
  for (Policy p : {Policy::kLpEdf, Policy::kLpFp}) {
    SimRun run(long_and_urgent(p, /*split=*/true), 200);
    // long's first segment ends at 10; urgent (released 1) runs 10-15 and meets its deadline 21;
    // long resumes at 15 with segment 1 and finishes at 55.
    EXPECT_EQ(run.start_of(1, 0), 10) << to_string(p);
    EXPECT_EQ(run.task(1).missed, 0u) << to_string(p);
    EXPECT_EQ(run.start_of(0, 0, 1), 15) << to_string(p);
    EXPECT_EQ(run.task(0).responses.at(0), ticks(55)) << to_string(p);
  }
}

// blocker runs 0-100; q (1 tick, D 10) releases at 5, 15, ..., 95 into a 2-slot queue.
Workload queue_scenario(OnFull on_full, OnMiss on_miss = OnMiss::kComplete) {
  return make_workload(Policy::kNpEdf, {
                                           {.name = "blocker", .period = 1000, .segments = {100}},
                                           {.name = "q",
                                            .period = 10,
                                            .segments = {1},
                                            .phase = 5,
                                            .capacity = 2,
                                            .on_full = on_full,
                                            .on_miss = on_miss},
                                       });
}

TEST(SchedulerTest, DropOldestKeepsTheNewestJobs) {
  SimRun run(queue_scenario(OnFull::kDropOldest), 100);
  const auto& q = run.task(1);
  EXPECT_EQ(q.released, 10u);
  EXPECT_EQ(dropped(q, DropReason::kQueueFullOldest), 8u);  // jobs 0..7 evicted
  EXPECT_EQ(q.completed, 2u);
  // Jobs 8 (arrival 85, deadline 95) and 9 (arrival 95, deadline 105) run at 100 and 101.
  EXPECT_EQ(run.start_of(1, 8), 100);
  EXPECT_EQ(run.start_of(1, 9), 101);
  EXPECT_EQ(q.responses, (std::vector<Duration>{ticks(16), ticks(7)}));
  EXPECT_EQ(q.missed, 1u);
}

TEST(SchedulerTest, DropNewestKeepsTheOldestJobs) {
  SimRun run(queue_scenario(OnFull::kDropNewest), 100);
  const auto& q = run.task(1);
  EXPECT_EQ(dropped(q, DropReason::kQueueFullNewest), 8u);  // jobs 2..9 never queued
  EXPECT_EQ(run.start_of(1, 0), 100);
  EXPECT_EQ(run.start_of(1, 1), 101);
  EXPECT_EQ(q.responses, (std::vector<Duration>{ticks(96), ticks(87)}));
  EXPECT_EQ(q.missed, 2u);
}

TEST(SchedulerTest, RejectRefusesArrivalsAtAFullQueueWithItsOwnReason) {
  SimRun run(queue_scenario(OnFull::kReject), 100);
  const auto& q = run.task(1);
  EXPECT_EQ(dropped(q, DropReason::kRejected), 8u);
  EXPECT_EQ(dropped(q, DropReason::kQueueFullNewest), 0u);
  EXPECT_EQ(q.released, q.completed + q.dropped_total());
}

TEST(SchedulerTest, AbortOnMissDropsExpiredWaitingJobs) {
  SimRun run(queue_scenario(OnFull::kDropOldest, OnMiss::kAbort), 100);
  const auto& q = run.task(1);
  // At 100, job 8 (deadline 95) is aborted; job 9 (deadline 105) runs 100-101.
  EXPECT_EQ(dropped(q, DropReason::kDeadlineAbort), 1u);
  EXPECT_EQ(q.completed, 1u);
  EXPECT_EQ(q.missed, 1u);
  EXPECT_EQ(run.start_of(1, 9), 100);
  EXPECT_EQ(q.released, q.completed + q.dropped_total());
}

TEST(SchedulerTest, AbortOnMissStopsARunningJobAtASegmentBoundary) {
  // Three segments of 10, deadline 15: the boundary at 20 is past the deadline, segment 2 never
  // runs, and the device is busy for 20 ticks only.
  const Workload w = make_workload(Policy::kNpEdf, {{.name = "t",
                                                     .period = 100,
                                                     .deadline = 15,
                                                     .segments = {10, 10, 10},
                                                     .on_miss = OnMiss::kAbort}});
  SimRun run(w, 100);
  EXPECT_EQ(run.start_of(0, 0, 1), 10);
  EXPECT_EQ(run.start_of(0, 0, 2), -1);
  EXPECT_EQ(run.sut.stats().busy, ticks(20));
  EXPECT_EQ(dropped(run.task(0), DropReason::kDeadlineAbort), 1u);
  EXPECT_EQ(run.task(0).missed, 1u);
}

TEST(SchedulerTest, LateJobCompletesAndIsCountedAsMissed) {
  const Workload w = make_workload(
      Policy::kNpEdf, {{.name = "t", .period = 100, .deadline = 15, .segments = {10, 10}}});
  SimRun run(w, 100);
  EXPECT_EQ(run.task(0).completed, 1u);
  EXPECT_EQ(run.task(0).missed, 1u);
  EXPECT_EQ(run.task(0).responses.at(0), ticks(20));
}

// blocker (normal) 0-10; high: released 1, 5 ticks, deadline 15; low: released 2, 6 ticks,
// deadline 12. At 10 EDF prefers low (12 < 15), but low would push high to 21 > 15.
Workload shedding_scenario(bool load_shedding) {
  return make_workload(
      Policy::kNpEdf,
      {
          {.name = "blocker", .period = 100, .segments = {10}},
          {.name = "high",
           .period = 100,
           .deadline = 14,
           .segments = {5},
           .phase = 1,
           .criticality = Criticality::kHigh},
          {.name = "low", .period = 100, .deadline = 10, .segments = {6}, .phase = 2},
      },
      load_shedding);
}

TEST(SchedulerTest, LoadSheddingDropsTheJobThatWouldMakeHighWorkMiss) {
  SimRun run(shedding_scenario(true), 100);
  EXPECT_EQ(dropped(run.task(2), DropReason::kShed), 1u);
  EXPECT_EQ(run.start_of(1, 0), 10);
  EXPECT_EQ(run.task(1).missed, 0u);  // finishes at 15, exactly its deadline
  const auto decisions = run.sink.of_kind(EventKind::kDecision);
  ASSERT_EQ(decisions.size(), 2u);
  EXPECT_EQ(decisions[1]->record.decision.shed_count, 1u);
}

TEST(SchedulerTest, WithoutLoadSheddingBothJobsMiss) {
  SimRun run(shedding_scenario(false), 100);
  EXPECT_EQ(run.start_of(2, 0), 10);  // low 10-16, high 16-21
  EXPECT_EQ(run.task(1).missed, 1u);
  EXPECT_EQ(run.task(2).missed, 1u);
}

TEST(SchedulerTest, PeriodicReleasesFollowPhaseAndPeriodUpToTheHorizon) {
  const Workload w =
      make_workload(Policy::kNpEdf, {{.name = "t", .period = 10, .segments = {1}, .phase = 3}});
  SimRun run(w, 100);
  const auto releases = run.sink.of_kind(EventKind::kRelease);
  ASSERT_EQ(releases.size(), 10u);  // 3, 13, ..., 93
  for (std::size_t k = 0; k < releases.size(); ++k) {
    EXPECT_EQ(releases[k]->record.time, at(3 + 10 * static_cast<std::int64_t>(k)));
  }
  EXPECT_EQ(sched::max_releases(w.tasks[0], ticks(100)), 10u);
}

TEST(SchedulerTest, JitterAndSporadicGapsStayWithinTheirBoundsAndDependOnTheSeed) {
  Workload w = make_workload(Policy::kNpEdf, {{.name = "j", .period = 100, .segments = {1}},
                                              {.name = "s", .period = 50, .segments = {1}}});
  w.tasks[0].jitter = ticks(30);
  w.tasks[1].arrival = ArrivalKind::kSporadic;
  w.tasks[1].max_interarrival = ticks(80);
  SimRun a(w, 10'000, 7);
  SimRun b(w, 10'000, 7);
  SimRun c(w, 10'000, 8);
  std::vector<std::int64_t> times_a, times_b, times_c;
  TimePoint last_sporadic = at(-1000);
  for (const auto& e : a.sink.entries) {
    const auto& r = e.record;
    if (r.kind != EventKind::kRelease) continue;
    times_a.push_back(r.time.ns());
    if (r.task == 0) {
      EXPECT_GE(r.time - r.arrival, ticks(0));
      EXPECT_LE(r.time - r.arrival, ticks(30));
      EXPECT_EQ(r.arrival, at(100 * static_cast<std::int64_t>(r.job)));
    } else {
      if (r.job > 0) {
        EXPECT_GE(r.arrival - last_sporadic, ticks(50));
        EXPECT_LE(r.arrival - last_sporadic, ticks(80));
      }
      last_sporadic = r.arrival;
    }
  }
  for (const auto& e : b.sink.entries) {
    if (e.record.kind == EventKind::kRelease) times_b.push_back(e.record.time.ns());
  }
  for (const auto& e : c.sink.entries) {
    if (e.record.kind == EventKind::kRelease) times_c.push_back(e.record.time.ns());
  }
  EXPECT_EQ(times_a, times_b);
  EXPECT_NE(times_a, times_c);
}

TEST(SchedulerTest, ExplicitArrivalsReplaceThePeriodicCalendar) {
  const Workload w = make_workload(Policy::kNpEdf, {{.name = "t", .period = 10, .segments = {2}}});
  VirtualClock clock;
  sim::SimBackend backend(clock, 1);
  RecordingSink sink;
  sched::Scheduler sut(w, &sink);
  sched::RunOptions opts;
  opts.horizon = ticks(100);
  opts.arrivals = {{at(4), at(17), at(40)}};
  ASSERT_TRUE(sut.prepare(opts).ok());
  sim::drive(sut, clock, backend);
  std::vector<std::int64_t> releases;
  for (const auto& e : sink.entries) {
    if (e.record.kind == sched::EventKind::kRelease) releases.push_back(e.record.time.ns());
  }
  EXPECT_EQ(releases, (std::vector<std::int64_t>{4, 17, 40}));
}

TEST(SchedulerTest, EveryReleasedJobIsCompletedOrDroppedWithAReason) {
  // An overloaded mix (utilisation 1.5) with every drop path enabled.
  const Workload w = make_workload(Policy::kNpEdf,
                                   {
                                       {.name = "a",
                                        .period = 10,
                                        .segments = {3, 3},
                                        .capacity = 1,
                                        .on_full = OnFull::kDropOldest,
                                        .criticality = Criticality::kHigh},
                                       {.name = "b",
                                        .period = 7,
                                        .segments = {4},
                                        .capacity = 2,
                                        .on_full = OnFull::kReject,
                                        .on_miss = OnMiss::kAbort},
                                       {.name = "c",
                                        .period = 13,
                                        .segments = {2, 2},
                                        .capacity = 1,
                                        .on_full = OnFull::kDropNewest},
                                   },
                                   /*load_shedding=*/true);
  SimRun run(w, 5'000);
  for (TaskId i = 0; i < 3; ++i) {
    const auto& st = run.task(i);
    EXPECT_GT(st.released, 0u);
    EXPECT_EQ(st.released, st.completed + st.dropped_total()) << w.tasks[i].name;
  }
  EXPECT_EQ(dropped(run.task(0), DropReason::kShed), 0u);  // high work is never shed
  EXPECT_GT(run.task(1).dropped_total() + run.task(2).dropped_total(), 0u);
}

TEST(SchedulerTest, PrepareRefusesTasksWithoutSegments) {
  Workload w = make_workload(Policy::kNpEdf, {{.name = "t"}});
  w.tasks[0].segments.clear();
  VirtualClock clock;
  sim::SimBackend backend(clock, 1);
  sched::Scheduler sut(w, nullptr);
  const Status st = sut.prepare({});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("has no segments"), std::string::npos);
}

TEST(SchedulerTest, ResponseSummaryUsesNearestRankPercentiles) {
  sched::TaskStats st;
  for (int v = 1; v <= 200; ++v) st.responses.push_back(ticks(v));
  const Summary sut = st.summary();
  ASSERT_TRUE(sut.min && sut.p50 && sut.p99 && sut.max && sut.cv);
  EXPECT_EQ(*sut.min, ticks(1));
  EXPECT_EQ(*sut.p50, ticks(100));  // ceil(0.50 * 200) = 100th value
  EXPECT_EQ(*sut.p99, ticks(198));  // ceil(0.99 * 200) = 198th value
  EXPECT_EQ(*sut.max, ticks(200));
  EXPECT_FALSE(sut.p999.has_value());  // 200 samples cannot tell p99.9 from the max
  // mean 100.5; sample variance of 1..n is n(n+1)/12 = 3350, standard deviation 57.8791845...
  EXPECT_NEAR(*sut.cv, 57.879184513951124 / 100.5, 1e-9);
}

}  // namespace
}  // namespace aegisrt::testing
