// The embedding API on a real model (BlazeFace on the `cpu` backend): frames submitted with their
// pixels come back with that frame's outputs; a NaN output, an engine error and an overrun
// (injected around the real runner) each cost only their own job; and the run makes no heap
// allocation once it runs. Counts only; no time is asserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "aegisrt/app/runtime.hpp"
#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "model/model_cache.hpp"
#include "support/engines.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt {
namespace {

using app::Completion;
using app::RealtimeOptions;
using app::Runtime;
using app::SubmitStatus;
using runtime::JobOutcome;

constexpr const char* kFace = "face_detection_front_128x128_barracuda.onnx";

// Faults a frame asks for, by its first pixel (a marker no image in [-1, 1] holds).
constexpr float kNanMarker = 7.0f;      // segment 1 reports a NaN output
constexpr float kEngineMarker = 8.0f;   // segment 0 fails in the engine
constexpr float kOverrunMarker = 9.0f;  // segment 1 runs 40 ms past its 12 ms WCET

// The cpu runner of the real model, with faults injected where a frame asks for them; every call
// goes to the real runner, so everything else is what `cpu` does.
class FaultyRunner final : public backend::ModelRunner {
 public:
  explicit FaultyRunner(std::unique_ptr<backend::ModelRunner> real) : real_(std::move(real)) {}
  const backend::RunnerInfo& info() const override { return real_->info(); }
  std::span<const backend::TensorInfo> inputs() const override { return real_->inputs(); }
  std::span<const backend::TensorInfo> outputs() const override { return real_->outputs(); }
  Status prepare_thread() override { return real_->prepare_thread(); }
  const backend::MemoryNeeds& memory_needs() const override { return real_->memory_needs(); }
  Status bind_memory(std::span<std::byte> region) override { return real_->bind_memory(region); }
  Status set_input(std::size_t index, std::span<const float> data) override {
    if (index == 0 && !data.empty()) marker_ = data[0];
    return real_->set_input(index, data);
  }
  backend::RunFailure run_segment(std::size_t k) override {
    if (k == 0 && marker_ == kEngineMarker) return backend::RunFailure::kEngine;
    const backend::RunFailure real = real_->run_segment(k);
    if (k == 1 && marker_ == kNanMarker) return backend::RunFailure::kNonFinite;
    if (k == 1 && marker_ == kOverrunMarker) {
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
    return real;
  }
  std::span<const float> output(std::size_t index) const override { return real_->output(index); }

 private:
  std::unique_ptr<backend::ModelRunner> real_;
  float marker_ = 0.0f;
};

Result<std::unique_ptr<backend::ModelRunner>> load_faulty(const backend::LoadRequest& r) {
  auto real = backend::load_runner("cpu", r);
  if (!real.ok()) return real.error();
  return std::unique_ptr<backend::ModelRunner>(std::make_unique<FaultyRunner>(std::move(*real)));
}

// A front camera whose frames are submitted (at least 100 ms apart) and a periodic back task at
// 200 ms on the same model that feeds itself, both in three segments under limited-preemptive EDF.
// The segment WCETs are stated bounds about ten times what a segment takes here, so that a slow
// machine (AddressSanitizer, other tests beside) does not overrun them.
Workload face_workload(const std::string& model) {
  Workload w;
  w.name = "faces";
  w.device.backend = "cpu";
  w.scheduler.policy = Policy::kLpEdf;
  for (const char* name : {"front", "back"}) {
    Task t;
    t.name = name;
    t.id = static_cast<TaskId>(w.tasks.size());
    t.period = t.deadline = Duration::ms(w.tasks.empty() ? 100 : 200);
    t.model = ModelSpec{model, {}};
    t.model->max_segments = 3;
    t.segments = {{"s0", Duration::ms(12)}, {"s1", Duration::ms(12)}, {"s2", Duration::ms(12)}};
    w.tasks.push_back(t);
  }
  w.tasks[0].arrival = ArrivalKind::kSporadic;
  w.tasks[0].max_interarrival = Duration::s(10);
  return w;
}

// Smooth stripes in [-1, 1], the range BlazeFace takes.
std::vector<float> frame(std::size_t n, double phase) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<float>(std::sin(static_cast<double>(i) * 0.01 + phase));
  }
  return v;
}

// The same model loaded on its own, run through on `input`: what the runtime must hand back.
std::vector<std::vector<float>> reference(const std::string& model, std::span<const float> input) {
  backend::LoadRequest base;
  base.pin = false;
  const Workload w = face_workload(model);
  auto runner = backend::load_runner("cpu", backend::task_load_request(w.tasks[0], base));
  EXPECT_TRUE(runner.ok()) << runner.error().to_string();
  if (!runner.ok()) return {};
  EXPECT_TRUE((*runner)->set_input(0, input).ok());
  for (std::size_t k = 0; k < (*runner)->segment_count(); ++k) {
    EXPECT_EQ((*runner)->run_segment(k), backend::RunFailure::kNone);
  }
  std::vector<std::vector<float>> out;
  for (std::size_t i = 0; i < (*runner)->outputs().size(); ++i) {
    const auto o = (*runner)->output(i);
    out.emplace_back(o.begin(), o.end());
  }
  return out;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return d;
}

std::string face_or_skip_reason(std::string& model) {
  model = testing::cached_model(kFace);
  if (model.empty()) return testing::kFetchHint;
  return testing::engine_unavailable_reason("cpu");
}

TEST(RuntimeCpuTest, SubmittedFramesComeBackWithTheirOutputsAndEachFaultCostsOnlyItsJob) {
  std::string model;
  if (const std::string why = face_or_skip_reason(model); !why.empty()) GTEST_SKIP() << why;
  backend::register_backend("cpu-faults", &load_faulty, "the cpu backend with injected faults");
  Workload w = face_workload(model);
  w.device.backend = "cpu-faults";
  w.tasks[0].on_overrun = OnOverrun::kAbort;
  RealtimeOptions o;
  o.duration = Duration::s(30);
  o.submitted = {"front"};
  o.completion_capacity = 64;
  auto made = Runtime::create(w, o);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  ASSERT_TRUE(rt.admitted()) << rt.verdict().test;
  const TaskId front = *rt.find_task("front");
  ASSERT_EQ(rt.inputs(front).size(), 1u);
  const std::size_t n = rt.inputs(front)[0].elements();
  ASSERT_FALSE(rt.outputs(front).empty());

  const std::vector<float> a = frame(n, 0.0);
  const std::vector<float> b = frame(n, 1.5);
  const auto marked = [&a](float marker) {
    std::vector<float> f = a;
    f[0] = marker;
    return f;
  };
  const std::vector<std::vector<float>> frames = {
      a, marked(kNanMarker), b, marked(kEngineMarker), marked(kOverrunMarker), a};

  ASSERT_TRUE(rt.start().ok());
  for (const std::vector<float>& f : frames) {
    const app::SubmitResult r = rt.submit(front, {std::span<const float>(f)});
    EXPECT_EQ(r.status, SubmitStatus::kAccepted);
    std::this_thread::sleep_for(std::chrono::milliseconds(110));  // past the 100 ms minimum gap
  }
  std::vector<Completion> got(frames.size());
  std::size_t have = 0;
  Completion c;
  for (int i = 0; i < 2000 && have < frames.size(); ++i) {
    if (rt.wait_completion(c, Duration::ms(10)) && c.outcome.task == front) {
      ASSERT_LT(c.outcome.job, frames.size());
      got[c.outcome.job] = c;
      ++have;
    }
  }
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_EQ(have, frames.size());

  // Jobs 0, 2, 5: the outputs of their own frame, as the model run on its own gives them.
  const auto ref_a = reference(model, a);
  const auto ref_b = reference(model, b);
  for (const std::uint64_t job : {0u, 2u, 5u}) {
    SCOPED_TRACE("job " + std::to_string(job));
    ASSERT_EQ(got[job].outcome.status, JobOutcome::Status::kCompleted);
    const auto& want = job == 2 ? ref_b : ref_a;
    ASSERT_EQ(got[job].outputs.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_LE(max_abs_difference(got[job].outputs[i], want[i]), 1e-4) << "output " << i;
    }
  }
  double apart = 0.0;  // the two frames are told apart
  for (std::size_t i = 0; i < ref_a.size(); ++i) {
    apart = std::max(apart, max_abs_difference(ref_a[i], ref_b[i]));
  }
  EXPECT_GT(apart, 1e-3);
  // Jobs 1 and 3: a NaN output and an engine error drop that job alone, with its reason; job 4's
  // overrun stops it at the next segment boundary (on_overrun: abort).
  for (const std::uint64_t job : {1u, 3u}) {
    EXPECT_EQ(got[job].outcome.status, JobOutcome::Status::kDropped) << "job " << job;
    EXPECT_EQ(got[job].outcome.reason, sched::DropReason::kBackendFailure) << "job " << job;
    EXPECT_TRUE(got[job].outputs.empty());
  }
  EXPECT_EQ(got[4].outcome.status, JobOutcome::Status::kDropped);
  EXPECT_EQ(got[4].outcome.reason, sched::DropReason::kOverrun);
  const backend::TaskFaults& faults = report->telemetry.tasks[front].faults;
  EXPECT_EQ(faults.non_finite, 1u);
  EXPECT_EQ(faults.engine, 1u);
  EXPECT_EQ(faults.total(), 2u);
  EXPECT_GE(report->stats.tasks[front].overruns, 1u);
  // The back task fed itself all along and no fault of the front reached it.
  const sched::TaskStats& back = report->stats.tasks[1];
  EXPECT_GT(back.released, 0u);
  EXPECT_EQ(back.dropped[static_cast<std::size_t>(sched::DropReason::kBackendFailure)], 0u);
  EXPECT_EQ(report->telemetry.tasks[1].faults.total(), 0u);
  EXPECT_EQ(back.completed + back.dropped_total(), back.released);
}

TEST(RuntimeCpuTest, AnInputCallbackFeedsEachJobOfASelfReleasingTask) {
  std::string model;
  if (const std::string why = face_or_skip_reason(model); !why.empty()) GTEST_SKIP() << why;
  Workload w = face_workload(model);
  w.tasks[0].arrival = ArrivalKind::kPeriodic;
  const std::size_t n = 128 * 128 * 3;
  const std::vector<std::vector<float>> frames = {frame(n, 0.0), frame(n, 1.5)};
  std::vector<std::uint64_t> asked;  // written on the dispatcher thread, read after finish
  asked.reserve(64);
  RealtimeOptions o;
  o.duration = Duration::ms(500);  // 5 jobs of front, 3 of back
  o.completion_capacity = 64;
  o.input_callbacks = {{"front", [&](std::uint64_t job, std::span<const std::span<float>> in) {
                          if (asked.size() < asked.capacity()) asked.push_back(job);
                          const std::vector<float>& f = frames[job % 2];
                          std::copy(f.begin(), f.end(), in[0].begin());
                        }}};
  auto made = Runtime::create(w, o);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  ASSERT_TRUE(rt.start().ok());
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());

  const std::vector<std::vector<std::vector<float>>> want = {reference(model, frames[0]),
                                                             reference(model, frames[1])};
  std::size_t checked = 0;
  Completion c;
  while (rt.poll(c)) {
    if (c.outcome.task != 0 || c.outcome.status != JobOutcome::Status::kCompleted) continue;
    SCOPED_TRACE("job " + std::to_string(c.outcome.job));
    const auto& expected = want[c.outcome.job % 2];
    ASSERT_EQ(c.outputs.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_LE(max_abs_difference(c.outputs[i], expected[i]), 1e-4) << "output " << i;
    }
    ++checked;
  }
  EXPECT_EQ(checked, report->stats.tasks[0].completed);
  EXPECT_GE(checked, 2u);
  // Asked once per job that started, in job order.
  ASSERT_FALSE(asked.empty());
  for (std::size_t i = 1; i < asked.size(); ++i) EXPECT_LT(asked[i - 1], asked[i]);
  EXPECT_GE(asked.size(), checked);
}

TEST(RuntimeCpuTest, NoThreadAllocatesWhileTheRunRuns) {
  std::string model;
  if (const std::string why = face_or_skip_reason(model); !why.empty()) GTEST_SKIP() << why;
  Workload w = face_workload(model);
  w.tasks[0].arrival = ArrivalKind::kPeriodic;  // both release themselves
  RealtimeOptions o;
  o.duration = Duration::s(60);
  o.keep_trace = true;
  o.max_trace_bytes = 64ULL << 20;
  o.completion_capacity = 16;  // filled and never read: results are copied, then counted lost
  auto made = Runtime::create(w, o);
  ASSERT_TRUE(made.ok()) << made.error().to_string();
  Runtime& rt = **made;
  ASSERT_TRUE(rt.start().ok());
  runtime::Dispatcher& d = *rt.dispatcher();
  // Once the first segment ran, the dispatcher thread is prepared (pinning, warm-up) and in its
  // loop.
  for (int i = 0; i < 20'000 && d.segments_run() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_GT(d.segments_run(), 0u);
  std::uint64_t allocations = 0;
  std::uint64_t segments = 0;
  {
    const testing::AllocationCounter counter;
    const std::uint64_t from = d.segments_run();
    for (int i = 0; i < 20'000 && d.segments_run() < from + 60; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    segments = d.segments_run() - from;
    allocations = counter.count();
  }
  rt.stop();
  auto report = rt.finish();
  ASSERT_TRUE(report.ok());
  ASSERT_GE(segments, 60u) << "the run made no progress in 20 s";
  for (const std::string& note : report->notes) {
    if (note.find("call malloc") != std::string::npos) GTEST_SKIP() << note;
  }
  EXPECT_EQ(allocations, 0u) << "heap allocations over " << segments << " segments of the run";
  EXPECT_GT(report->telemetry.completions_lost, 0u);
}

}  // namespace
}  // namespace aegisrt
