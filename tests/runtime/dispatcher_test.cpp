// The real-time dispatcher on the steady clock, with the sim timing model spun for real
// (TimedSimBackend) and on a real model: the accounting of a run, outside releases, a stop. No
// test asserts a time: only counts, which the calendar fixes whatever the machine's speed.
#include "aegisrt/runtime/dispatcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "aegisrt/app/run.hpp"
#include "aegisrt/runtime/timed_sim_backend.hpp"
#include "model/model_cache.hpp"
#include "runtime/sim_tasks.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt {
namespace {

using testing::sim_task;

Workload two_tasks() {
  Workload w;
  w.name = "rt";
  w.scheduler.policy = Policy::kNpEdf;
  w.tasks = {sim_task("a", 0, Duration::ms(10), Duration::ms(1)),
             sim_task("b", 1, Duration::ms(20), Duration::us(1500))};
  return w;
}

// Waits (a liveness wait, no timing is asserted) until the dispatcher has run `n` segments.
void wait_for_segments(const runtime::Dispatcher& d, std::uint64_t n) {
  for (int i = 0; i < 20'000 && d.segments_run() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GE(d.segments_run(), n) << "the dispatcher made no progress in 20 s";
}

TEST(DispatcherTest, EveryCalendarJobIsReleasedAndAccountedFor) {
  const Workload w = two_tasks();
  sched::Scheduler scheduler(w, nullptr);
  sched::RunOptions run;
  run.horizon = Duration::ms(200);
  ASSERT_TRUE(scheduler.prepare(run).ok());
  SteadyClock clock;
  runtime::TimedSimBackend backend(clock, 1);
  ASSERT_TRUE(backend.prepare(w).ok());
  runtime::Dispatcher sut(scheduler, backend, {});

  ASSERT_TRUE(sut.start().ok());
  sut.join();

  // The calendar releases every job whose nominal arrival is before the horizon: 200/10 and
  // 200/20, however late the machine runs; then the queues drain.
  const sched::RunStats& stats = scheduler.stats();
  EXPECT_EQ(stats.tasks[0].released, 20u);
  EXPECT_EQ(stats.tasks[1].released, 10u);
  for (const sched::TaskStats& t : stats.tasks) {
    EXPECT_EQ(t.completed + t.dropped_total(), t.released);
  }
  EXPECT_FALSE(sut.stats().stopped_early);
  EXPECT_GT(sut.stats().wakeups, 0u);
  EXPECT_EQ(sut.stats().wake_late.size(), sut.stats().wakeups);
  EXPECT_EQ(sut.segments_run(), stats.tasks[0].completed + stats.tasks[1].completed);
}

TEST(DispatcherTest, SubmittedFramesAreReleasedAndRunAndOtherTasksRefuseThem) {
  Workload w = two_tasks();
  w.tasks[1].arrival = ArrivalKind::kSporadic;
  w.tasks[1].max_interarrival = w.tasks[1].period * 2;
  sched::Scheduler scheduler(w, nullptr);
  sched::RunOptions run;
  run.horizon = Duration::ms(100);
  run.external = {1};
  ASSERT_TRUE(scheduler.prepare(run).ok());
  SteadyClock clock;
  runtime::TimedSimBackend backend(clock, 1);
  ASSERT_TRUE(backend.prepare(w).ok());
  runtime::Dispatcher sut(scheduler, backend, {1});
  EXPECT_FALSE(sut.submit(1));  // not started yet
  ASSERT_TRUE(sut.start().ok());

  EXPECT_FALSE(sut.submit(0));  // a calendar task
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(sut.submit(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(25));  // the minimum inter-arrival
  }
  // The calendar task's 10 jobs and the 4 frames, one segment each.
  wait_for_segments(sut, 14);
  sut.request_stop();
  sut.join();

  const sched::RunStats& stats = scheduler.stats();
  EXPECT_EQ(stats.tasks[1].released, 4u);
  EXPECT_EQ(stats.tasks[1].completed + stats.tasks[1].dropped_total(), 4u);
  EXPECT_EQ(stats.tasks[0].released, 10u);
  EXPECT_EQ(sut.stats().submitted, 4u);
  EXPECT_EQ(sut.stats().submit_refused, 2u);
}

TEST(DispatcherTest, StopEndsTheRunAfterTheRunningSegment) {
  const Workload w = two_tasks();
  sched::Scheduler scheduler(w, nullptr);
  sched::RunOptions run;
  run.horizon = Duration::s(600);
  ASSERT_TRUE(scheduler.prepare(run).ok());
  SteadyClock clock;
  runtime::TimedSimBackend backend(clock, 1);
  ASSERT_TRUE(backend.prepare(w).ok());
  runtime::Dispatcher sut(scheduler, backend, {});
  ASSERT_TRUE(sut.start().ok());
  wait_for_segments(sut, 3);

  sut.request_stop();
  sut.join();

  EXPECT_TRUE(sut.stats().stopped_early);
  // No job is left unaccounted for: what was still queued is dropped as run_stopped, at most the
  // jobs released at the last step.
  const sched::RunStats& stats = scheduler.stats();
  for (const sched::TaskStats& t : stats.tasks) {
    EXPECT_EQ(t.completed + t.dropped_total(), t.released);
    EXPECT_LE(t.dropped[static_cast<std::size_t>(sched::DropReason::kStopped)],
              w.tasks[0].queue.capacity);
  }
  EXPECT_GE(stats.tasks[0].completed + stats.tasks[1].completed, 3u);
}

// A device on which task 0's job 3 fails (an engine error) and its job 5's first segment runs
// 4 ms past its WCET; every other segment takes a quarter of its WCET (a margin for the machine's
// noise, which the counts below tolerate anyway).
class FaultyBackend final : public backend::Backend {
 public:
  explicit FaultyBackend(const SteadyClock& clock) : clock_(clock) {}
  const char* name() const override { return "faulty"; }
  Status prepare(const Workload&) override { return Ok{}; }
  backend::SegmentStatus run_segment(const backend::JobRef& job, std::uint32_t segment) override {
    if (job.task->id == 0 && job.job == 3) return backend::SegmentStatus::kFailed;
    const Duration wcet = job.task->segments[segment].wcet;
    const bool overrun = job.task->id == 0 && job.job == 5 && segment == 0;
    const TimePoint until =
        clock_.now() + (overrun ? wcet + Duration::ms(4) : Duration::ns(wcet.count() / 4));
    while (clock_.now() < until) {
    }
    return backend::SegmentStatus::kOk;
  }

 private:
  const SteadyClock& clock_;
};

TEST(DispatcherTest, AFailedAndAnOverrunningJobCostOnlyTheirOwnTask) {
  Workload w = two_tasks();
  w.tasks[0].segments = {{"s0", Duration::ms(2)}, {"s1", Duration::ms(2)}};
  w.tasks[0].on_overrun = OnOverrun::kAbort;
  sched::Scheduler scheduler(w, nullptr);
  sched::RunOptions run;
  run.horizon = Duration::ms(200);
  ASSERT_TRUE(scheduler.prepare(run).ok());
  SteadyClock clock;
  FaultyBackend backend(clock);
  ASSERT_TRUE(backend.prepare(w).ok());
  runtime::Dispatcher sut(scheduler, backend, {});
  ASSERT_TRUE(sut.start().ok());
  sut.join();

  const sched::TaskStats& faulty = scheduler.stats().tasks[0];
  EXPECT_EQ(faulty.released, 20u);
  EXPECT_EQ(faulty.dropped[static_cast<std::size_t>(sched::DropReason::kBackendFailure)], 1u);
  // The injected overrun aborts job 5 at its first boundary (a preemption of the test process
  // longer than 1.5 ms could add one, hence at least).
  EXPECT_GE(faulty.dropped[static_cast<std::size_t>(sched::DropReason::kOverrun)], 1u);
  EXPECT_GE(faulty.overruns, 1u);
  EXPECT_EQ(faulty.completed + faulty.dropped_total(), 20u);
  // The other task loses nothing to them.
  const sched::TaskStats& other = scheduler.stats().tasks[1];
  EXPECT_EQ(other.released, 10u);
  EXPECT_EQ(other.dropped[static_cast<std::size_t>(sched::DropReason::kBackendFailure)], 0u);
  EXPECT_EQ(other.dropped[static_cast<std::size_t>(sched::DropReason::kOverrun)], 0u);
  EXPECT_EQ(other.completed + other.dropped_total(), 10u);
}

TEST(RunRealtimeTest, RefusesAnUnschedulableSetUnlessForced) {
  Workload w = two_tasks();
  w.tasks[0].segments[0].wcet = Duration::ms(11);  // U > 1
  app::RealtimeOptions o;
  o.duration = Duration::ms(50);
  auto refused = app::run_realtime(w, o);
  ASSERT_TRUE(refused.ok()) << refused.error().to_string();
  EXPECT_EQ(refused->admission, app::AdmissionOutcome::kRefused);
  EXPECT_FALSE(refused->ran());
  o.force = true;
  auto forced = app::run_realtime(w, o);
  ASSERT_TRUE(forced.ok()) << forced.error().to_string();
  EXPECT_EQ(forced->admission, app::AdmissionOutcome::kForced);
  EXPECT_EQ(forced->unexpected_misses(), 0u);  // a forced set's misses are expected
  EXPECT_EQ(forced->stats.tasks[0].released, 5u);
}

TEST(RunRealtimeTest, EveryJobsOutcomeReachesTheCallbackAsItHappens) {
  Workload w = two_tasks();
  w.tasks[1].queue.capacity = 1;
  w.tasks[1].queue.on_full = OnFull::kDropNewest;
  app::RealtimeOptions o;
  o.duration = Duration::ms(150);
  std::vector<std::uint64_t> completed(2), dropped(2);
  std::set<std::pair<TaskId, std::uint64_t>> seen;
  bool once = true;
  o.on_outcome = [&](const runtime::JobOutcome& out) {
    // One thread, the dispatcher's: no lock needed here. Each job ends exactly once.
    once = seen.insert({out.task, out.job}).second && once;
    if (out.status == runtime::JobOutcome::Status::kCompleted) {
      ++completed[out.task];
      EXPECT_EQ(out.response, out.at - out.arrival);
    } else {
      ++dropped[out.task];
      EXPECT_NE(out.reason, sched::DropReason::kNone);
    }
  };

  auto sut = app::run_realtime(w, o);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_TRUE(once);
  for (TaskId id : {0u, 1u}) {
    EXPECT_EQ(completed[id], sut->stats.tasks[id].completed);
    EXPECT_EQ(dropped[id], sut->stats.tasks[id].dropped_total());
    EXPECT_EQ(completed[id] + dropped[id], sut->stats.tasks[id].released);
  }
}

TEST(RunRealtimeTest, RealModelsOnCpuAccountForEveryJob) {
  const std::string face = testing::cached_model("face_detection_front_128x128_barracuda.onnx");
  if (face.empty()) GTEST_SKIP() << testing::kFetchHint;
  if (const std::string why = testing::engine_unavailable_reason("cpu"); !why.empty()) {
    GTEST_SKIP() << why;
  }
  Workload w;
  w.name = "face";
  w.device.backend = "cpu";
  w.scheduler.policy = Policy::kLpEdf;
  Task t;
  t.name = "face";
  t.period = t.deadline = Duration::ms(50);
  t.model = ModelSpec{face, {}};
  t.model->max_segments = 3;
  t.segments = {{"s0", Duration::ms(5)}, {"s1", Duration::ms(5)}, {"s2", Duration::ms(5)}};
  w.tasks = {t};
  app::RealtimeOptions o;
  o.duration = Duration::ms(300);
  o.keep_trace = true;

  auto sut = app::run_realtime(w, o);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_TRUE(sut->ran());
  const sched::TaskStats& st = sut->stats.tasks[0];
  EXPECT_EQ(st.released, 6u);
  EXPECT_EQ(st.completed + st.dropped_total(), 6u);
  ASSERT_TRUE(sut->trace);
  std::uint64_t segment_ends = 0;
  for (const sched::TraceRecord& r : sut->trace->records()) {
    segment_ends += r.kind == sched::EventKind::kSegmentEnd ? 1 : 0;
  }
  EXPECT_EQ(segment_ends, 3 * st.completed);  // every job ran its three segments
}

TEST(RunCliTest, RunsASimWorkloadAndRefusesAnOverload) {
  const std::string mix = std::string(AEGISRT_SOURCE_DIR) + "/examples/example-mix.yaml";
  const testing::TempDir dir;
  const auto run =
      testing::run_cli("run '" + mix + "' --duration 400ms --telemetry '" + dir.str() + "/t.json'");
  EXPECT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_NE(run.out.find("face_front"), std::string::npos);
  EXPECT_NE(run.out.find("bound ms"), std::string::npos);
  const std::string telemetry = testing::read_file(dir.path() / "t.json");
  EXPECT_NE(telemetry.find("\"response_bound_ns\""), std::string::npos);
  EXPECT_NE(telemetry.find("\"overruns\""), std::string::npos);
  EXPECT_NE(telemetry.find("\"histogram\""), std::string::npos);
  EXPECT_NE(telemetry.find("\"max_rss_bytes\""), std::string::npos);
  // The runtime's per-task figures: a start latency for every job that started, the longest queue.
  const nlohmann::json t = nlohmann::json::parse(telemetry);
  ASSERT_FALSE(t["tasks"].empty());
  for (const nlohmann::json& task : t["tasks"]) {
    SCOPED_TRACE(task["name"].get<std::string>());
    const nlohmann::json& rt = task["runtime"];
    ASSERT_TRUE(rt.is_object());
    std::uint64_t started = 0;
    for (const nlohmann::json& bucket : rt["start_latency_histogram"]) {
      started += bucket[2].get<std::uint64_t>();
    }
    EXPECT_GE(started, task["completed"].get<std::uint64_t>());
    EXPECT_LE(started, task["released"].get<std::uint64_t>());
    if (task["released"].get<std::uint64_t>() > 0) {
      EXPECT_GE(rt["max_queue"].get<int>(), 1);
    }
    EXPECT_EQ(rt["faults"]["engine"].get<int>(), 0);
  }
  EXPECT_EQ(t["completions_lost"].get<int>(), 0);
  EXPECT_NE(run.out.find("overruns"), std::string::npos);
  const std::string overload = std::string(AEGISRT_SOURCE_DIR) + "/examples/overload.yaml";
  const auto refused = testing::run_cli("run '" + overload + "' --duration 100ms");
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos);
}

}  // namespace
}  // namespace aegisrt
