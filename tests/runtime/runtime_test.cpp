// The embedding API (app/runtime.hpp) on the `sim` backend spun for real: submitting frames,
// the sporadic model submit() enforces, the completion queue, refusals and errors. No test asserts
// a time; waits are liveness waits, and every count below is fixed by the calls the test makes.
#include "aegisrt/app/runtime.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "runtime/sim_tasks.hpp"

namespace aegisrt {
namespace {

using app::Completion;
using app::RealtimeOptions;
using app::Runtime;
using app::SubmitStatus;
using runtime::JobOutcome;

using testing::sim_task;

// A periodic camera-independent task and an event-driven one (frames at least 20 ms apart).
Workload camera_workload() {
  Workload w;
  w.name = "camera";
  w.scheduler.policy = Policy::kNpEdf;
  w.tasks = {sim_task("tick", 0, Duration::ms(10), Duration::ms(1)),
             sim_task("frame", 1, Duration::ms(20), Duration::ms(2))};
  w.tasks[1].arrival = ArrivalKind::kSporadic;
  w.tasks[1].max_interarrival = Duration::ms(200);
  return w;
}

RealtimeOptions submitting(Duration duration) {
  RealtimeOptions o;
  o.duration = duration;
  o.submitted = {"frame"};
  o.completion_capacity = 256;
  return o;
}

// Takes results until `n` of task `task` came (a liveness wait: 20 s at most).
std::vector<JobOutcome> collect(Runtime& rt, TaskId task, std::size_t n) {
  std::vector<JobOutcome> got;
  Completion c;
  for (int i = 0; i < 2000 && got.size() < n; ++i) {
    if (rt.wait_completion(c, Duration::ms(10)) && c.outcome.task == task) {
      got.push_back(c.outcome);
    }
  }
  return got;
}

TEST(RuntimeTest, SubmittedFramesBecomeJobsWhoseResultsComeBackInOrder) {
  auto made = Runtime::create(camera_workload(), submitting(Duration::s(30)));
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  ASSERT_TRUE(rt.admitted()) << rt.verdict().test;
  const TaskId frame = *rt.find_task("frame");
  ASSERT_TRUE(rt.start().ok());

  for (std::uint64_t i = 0; i < 4; ++i) {
    const app::SubmitResult r = rt.submit(frame, {});
    EXPECT_EQ(r.status, SubmitStatus::kAccepted);
    EXPECT_EQ(r.job, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));  // past the minimum gap
  }
  const std::vector<JobOutcome> got = collect(rt, frame, 4);
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok()) << report.error().to_string();

  ASSERT_EQ(got.size(), 4u);
  for (std::uint64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(got[i].job, i);
    EXPECT_EQ(got[i].status, JobOutcome::Status::kCompleted);
    EXPECT_GE(got[i].at, got[i].arrival);
  }
  EXPECT_EQ(report->stats.tasks[frame].released, 4u);
  EXPECT_EQ(report->stats.tasks[frame].completed, 4u);
  EXPECT_EQ(report->telemetry.tasks[frame].start_latency.size(), 4u);
  EXPECT_EQ(report->telemetry.tasks[frame].submit_refused, 0u);
  // The periodic task ran on its own meanwhile, every job of it accounted for.
  const sched::TaskStats& tick = report->stats.tasks[0];
  EXPECT_GT(tick.released, 0u);
  EXPECT_EQ(tick.completed + tick.dropped_total(), tick.released);
}

TEST(RuntimeTest, AFrameInsideTheMinimumGapIsDroppedTooEarlyAndCounted) {
  auto made = Runtime::create(camera_workload(), submitting(Duration::s(30)));
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  const TaskId frame = *rt.find_task("frame");
  ASSERT_TRUE(rt.start().ok());

  // Back to back: the second comes well inside the 20 ms minimum inter-arrival time (a machine
  // that stalls this thread for 20 ms between two calls would make it legal; then the counts
  // below differ and the test says so).
  EXPECT_EQ(rt.submit(frame, {}).status, SubmitStatus::kAccepted);
  EXPECT_EQ(rt.submit(frame, {}).status, SubmitStatus::kAccepted);
  const std::vector<JobOutcome> got = collect(rt, frame, 2);
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());

  ASSERT_EQ(got.size(), 2u);
  const JobOutcome& late = got[0].job == 1 ? got[0] : got[1];
  EXPECT_EQ(late.job, 1u);
  EXPECT_EQ(late.status, JobOutcome::Status::kDropped);
  EXPECT_EQ(late.reason, sched::DropReason::kTooEarly);
  const sched::TaskStats& s = report->stats.tasks[frame];
  EXPECT_EQ(s.released, 2u);
  EXPECT_EQ(s.dropped[static_cast<std::size_t>(sched::DropReason::kTooEarly)], 1u);
  EXPECT_EQ(s.completed, 1u);
}

TEST(RuntimeTest, SubmitRefusesWhatItCannotRelease) {
  auto made = Runtime::create(camera_workload(), submitting(Duration::s(30)));
  ASSERT_TRUE(made.ok());
  Runtime& rt = **made;
  const TaskId tick = *rt.find_task("tick");
  const TaskId frame = *rt.find_task("frame");
  EXPECT_EQ(rt.submit(frame, {}).status, SubmitStatus::kStopped);  // not started
  ASSERT_TRUE(rt.start().ok());
  EXPECT_FALSE(rt.start().ok());                                       // twice
  EXPECT_EQ(rt.submit(tick, {}).status, SubmitStatus::kNotSubmitted);  // it releases itself
  EXPECT_EQ(rt.submit(TaskId(7), {}).status, SubmitStatus::kNotSubmitted);
  const std::vector<float> pixels(4, 0.0f);
  // A `sim` task takes no input: one span is one too many.
  EXPECT_EQ(rt.submit(frame, {std::span<const float>(pixels)}).status, SubmitStatus::kBadInput);
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(rt.submit(frame, {}).status, SubmitStatus::kStopped);  // over
  EXPECT_FALSE(rt.running());
  EXPECT_FALSE(rt.finish().ok());  // once
  // Refusals of a submitted task are counted: not started, bad input (over is after finish).
  EXPECT_EQ(report->telemetry.tasks[frame].submit_refused, 2u);
  EXPECT_EQ(report->stats.tasks[frame].released, 0u);
}

TEST(RuntimeTest, AFullCompletionQueueCountsWhatItLosesAndNeverBlocksTheRun) {
  RealtimeOptions o;
  o.duration = Duration::ms(100);
  o.completion_capacity = 3;
  auto made = Runtime::create(camera_workload(), o);
  ASSERT_TRUE(made.ok());
  Runtime& rt = **made;
  ASSERT_TRUE(rt.start().ok());
  auto report = rt.finish();  // nobody polls during the run
  ASSERT_TRUE(report.ok());

  std::uint64_t outcomes = 0;
  for (const sched::TaskStats& t : report->stats.tasks) outcomes += t.completed + t.dropped_total();
  ASSERT_GT(outcomes, 3u);
  EXPECT_EQ(report->telemetry.completions_lost, outcomes - 3);
  // The three kept are the first three outcomes, in order of time, and poll hands them over.
  Completion c;
  std::vector<TimePoint> at;
  while (rt.poll(c)) at.push_back(c.outcome.at);
  ASSERT_EQ(at.size(), 3u);
  EXPECT_LE(at[0], at[1]);
  EXPECT_LE(at[1], at[2]);
}

TEST(RuntimeTest, OnOutcomeSeesEveryJobOfTheRunOnce) {
  RealtimeOptions o;
  o.duration = Duration::ms(100);
  std::vector<std::set<std::uint64_t>> seen(2);  // the dispatcher thread writes, read after finish
  o.on_outcome = [&seen](const JobOutcome& j) { seen[j.task].insert(j.job); };
  auto made = Runtime::create(camera_workload(), o);
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE((*made)->start().ok());
  auto report = (*made)->finish();
  ASSERT_TRUE(report.ok());
  for (TaskId t = 0; t < 2; ++t) {
    const sched::TaskStats& s = report->stats.tasks[t];
    EXPECT_EQ(seen[t].size(), s.completed + s.dropped_total());
    EXPECT_EQ(seen[t].size(), s.released);
  }
}

TEST(RuntimeTest, AStoppedRunAccountsForEveryJobItReleased) {
  RealtimeOptions o = submitting(Duration::s(600));
  std::vector<std::set<std::uint64_t>> seen(2);
  std::uint64_t stopped = 0;
  o.on_outcome = [&](const JobOutcome& j) {
    seen[j.task].insert(j.job);
    stopped += j.reason == sched::DropReason::kStopped ? 1 : 0;
  };
  auto made = Runtime::create(camera_workload(), o);
  ASSERT_TRUE(made.ok());
  Runtime& rt = **made;
  ASSERT_TRUE(rt.start().ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rt.submit(1, {}).status, SubmitStatus::kAccepted);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(rt.submit(1, {}).status, SubmitStatus::kAccepted);  // and stop right away
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());
  std::uint64_t unfinished = 0;
  for (TaskId t = 0; t < 2; ++t) {
    const sched::TaskStats& s = report->stats.tasks[t];
    EXPECT_EQ(seen[t].size(), s.released) << "task " << t;
    EXPECT_EQ(s.completed + s.dropped_total(), s.released) << "task " << t;
    unfinished += s.dropped[static_cast<std::size_t>(sched::DropReason::kStopped)];
  }
  EXPECT_EQ(report->stats.tasks[1].released, 4u);
  EXPECT_EQ(stopped, unfinished);
}

TEST(RuntimeTest, ARunWithASubmittedTaskEndsAtItsDurationAndRefusesLaterFrames) {
  auto made = Runtime::create(camera_workload(), submitting(Duration::ms(100)));
  ASSERT_TRUE(made.ok());
  Runtime& rt = **made;
  ASSERT_TRUE(rt.start().ok());
  EXPECT_EQ(rt.submit(1, {}).status, SubmitStatus::kAccepted);
  auto report = rt.finish();  // no stop(): the duration ends it
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->dispatcher.stopped_early);
  EXPECT_EQ(report->stats.tasks[1].released, 1u);
  EXPECT_EQ(report->stats.tasks[1].completed, 1u);
  EXPECT_EQ(rt.submit(1, {}).status, SubmitStatus::kStopped);
}

TEST(RuntimeTest, ARefusedSetIsARuntimeThatExplainsAndDoesNotStart) {
  Workload w = camera_workload();
  w.tasks[0].segments[0].wcet = Duration::ms(9);  // 0.9 + 0.1 utilisation and blocking by 2 ms
  w.tasks[1].segments[0].wcet = Duration::ms(12);
  auto made = Runtime::create(w, submitting(Duration::s(1)));
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  EXPECT_FALSE(rt.admitted());
  EXPECT_FALSE(rt.verdict().schedulable);
  const Status st = rt.start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().to_string().find("not admitted"), std::string::npos);
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ran());
}

TEST(RuntimeTest, CreateNamesTheTaskItCannotSubmitTo) {
  RealtimeOptions unknown = submitting(Duration::s(1));
  unknown.submitted = {"lidar"};
  auto a = Runtime::create(camera_workload(), unknown);
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().to_string().find("lidar"), std::string::npos);

  RealtimeOptions periodic = submitting(Duration::s(1));
  periodic.submitted = {"tick"};
  auto b = Runtime::create(camera_workload(), periodic);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().to_string().find("tick"), std::string::npos);
  EXPECT_NE(b.error().to_string().find("sporadic"), std::string::npos);

  RealtimeOptions callback = submitting(Duration::s(1));
  callback.input_callbacks = {{"tick", [](std::uint64_t, std::span<const std::span<float>>) {}}};
  auto c = Runtime::create(camera_workload(), callback);  // a sim task: no model to feed
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().to_string().find("tick"), std::string::npos);
}

}  // namespace
}  // namespace aegisrt
