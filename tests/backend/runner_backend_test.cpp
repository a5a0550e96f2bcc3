// backend::RunnerBackend, the one adapter between the scheduler and any ModelRunner, on a toy
// engine whose outputs are known exactly: seeded inputs, the carving of one planned arena
// (memory::plan_shared) for non-preemptive and limited-preemptive policies, a preempted job's kept
// bytes saved and restored, engine-owned memory left alone, and no allocation on the run path.
#include "aegisrt/backend/runner_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "aegisrt/backend/npy.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "aegisrt/memory/planner.hpp"
#include "aegisrt/memory/workload_memory.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"
#include "support/cli.hpp"

namespace aegisrt::backend {
namespace {

// A toy engine. Its "model" `toy:S:N` has one input x and one output y of N floats and S segments:
// segment 0 writes A = x + 1, segment k > 0 writes (k even ? A : B) = (the other) + 1, so y =
// x + S. Its region holds x, A and B, each rounded up to 64 bytes; across boundary k the input
// and the buffer segment k wrote are live. `toy-own:S:N` owns its memory (like OpenCV).
class ToyRunner final : public ModelRunner {
 public:
  ToyRunner(std::size_t segments, std::size_t n, bool owns, const MemoryBinding& binding)
      : n_(n), owns_(owns) {
    info_.backend = "toy";
    info_.engine = "toy 1.0";
    for (std::size_t k = 0; k < segments; ++k)
      info_.segment_names.push_back("s" + std::to_string(k));
    inputs_.push_back({"x", {1, static_cast<std::int64_t>(n)}});
    outputs_.push_back({"y", {1, static_cast<std::int64_t>(n)}});
    block_ = memory::align_up(n * sizeof(float), 64);
    if (!owns_) {
      needs_.arena_bytes = 3 * block_;
      for (std::size_t k = 0; k + 1 < segments; ++k) {
        needs_.live.push_back({{0, n * sizeof(float)}, {dst(k), n * sizeof(float)}});
      }
    }
    if (owns_ || binding.mode == MemoryBinding::Mode::kOwn) {
      own_.resize(3 * block_ / sizeof(float));
      base_ = reinterpret_cast<std::byte*>(own_.data());
    } else if (binding.mode == MemoryBinding::Mode::kRegion) {
      base_ = binding.region.data();
    }
  }

  const RunnerInfo& info() const override { return info_; }
  std::span<const TensorInfo> inputs() const override { return inputs_; }
  std::span<const TensorInfo> outputs() const override { return outputs_; }
  const MemoryNeeds& memory_needs() const override {
    return owns_ ? ModelRunner::memory_needs() : needs_;
  }
  Status bind_memory(std::span<std::byte> region) override {
    if (owns_) return ModelRunner::bind_memory(region);
    if (region.size() < needs_.arena_bytes) {
      return make_error(ErrorCode::kInvalidArgument, "toy: region too small");
    }
    base_ = region.data();
    return Ok{};
  }
  Status set_input(std::size_t index, std::span<const float> data) override {
    if (Status st = check_input(index, data); !st.ok()) return st;
    std::memcpy(at(0), data.data(), data.size_bytes());
    return Ok{};
  }
  RunFailure run_segment(std::size_t k) override {
    if (base_ == nullptr || k >= segment_count() || (k != 0 && k != next_)) {
      return RunFailure::kEngine;
    }
    const float* src = at(k == 0 ? 0 : dst(k - 1));
    float* out = at(dst(k));
    bool finite = true;
    for (std::size_t i = 0; i < n_; ++i) {
      out[i] = src[i] + 1.0f;
      finite = finite && std::isfinite(out[i]);
    }
    next_ = k + 1;
    return finite ? RunFailure::kNone : RunFailure::kNonFinite;  // as the cpu runner checks
  }
  std::span<const float> output(std::size_t) const override {
    return {const_cast<ToyRunner*>(this)->at(dst(segment_count() - 1)), n_};
  }
  const std::byte* base() const { return base_; }

 private:
  std::uint64_t dst(std::size_t k) const { return (k % 2 == 0 ? 1 : 2) * block_; }
  float* at(std::uint64_t offset) { return reinterpret_cast<float*>(base_ + offset); }

  std::size_t n_;
  bool owns_;
  std::uint64_t block_ = 0;
  RunnerInfo info_;
  std::vector<TensorInfo> inputs_, outputs_;
  MemoryNeeds needs_;
  std::vector<float> own_;
  std::byte* base_ = nullptr;
  std::size_t next_ = 0;
};

Result<std::unique_ptr<ModelRunner>> load_toy(const LoadRequest& request) {
  const bool owns = request.path.rfind("toy-own:", 0) == 0;
  const std::string spec = request.path.substr(request.path.find(':') + 1);
  const std::size_t segments = std::stoul(spec.substr(0, spec.find(':')));
  const std::size_t n = std::stoul(spec.substr(spec.find(':') + 1));
  return std::unique_ptr<ModelRunner>(
      std::make_unique<ToyRunner>(segments, n, owns, request.memory));
}

Task toy_task(TaskId id, const std::string& model, std::int32_t priority) {
  Task t;
  t.id = id;
  t.name = "t" + std::to_string(id);
  t.priority = priority;
  t.deadline = Duration::ms(10 * (id + 1));
  t.model = ModelSpec{model, {}};
  return t;
}

Workload toy_workload(Policy policy, const std::vector<std::string>& models) {
  Workload w;
  w.scheduler.policy = policy;
  for (std::size_t i = 0; i < models.size(); ++i) {
    w.tasks.push_back(
        toy_task(static_cast<TaskId>(i), models[i], static_cast<std::int32_t>(i + 1)));
  }
  return w;
}

RunnerBackend toy_backend() { return RunnerBackend("toy", &load_toy); }

// What the adapter feeds task `id`: SeededUniform(task_input_seed(1, id)), plus `segments`.
std::vector<float> expected_output(TaskId id, std::size_t n, std::size_t segments) {
  std::vector<float> v(n);
  SeededUniform random(task_input_seed(1, id));
  random.fill(v);
  for (float& x : v) {
    for (std::size_t k = 0; k < segments; ++k) x += 1.0f;  // as the toy adds, one per segment
  }
  return v;
}

std::vector<float> output_of(const RunnerBackend& sut, TaskId id) {
  const auto out = sut.runner(id)->output(0);
  return {out.begin(), out.end()};
}

SegmentStatus run(RunnerBackend& sut, const Workload& w, TaskId id, std::uint32_t k) {
  return sut.run_segment(JobRef{&w.tasks[id], 0}, k);
}

void run_job(RunnerBackend& sut, const Workload& w, TaskId id) {
  for (std::uint32_t k = 0; k < sut.runner(id)->segment_count(); ++k) {
    ASSERT_EQ(run(sut, w, id, k), SegmentStatus::kOk) << "task " << id << " segment " << k;
  }
}

// The plan the adapter must have carved: memory::plan_shared over the runners' own needs.
memory::SharedPlan expected_plan(const RunnerBackend& sut, const Workload& w) {
  std::vector<memory::SharedTask> tasks;
  for (const Task& t : w.tasks) {
    const MemoryNeeds& needs = sut.runner(t.id)->memory_needs();
    tasks.push_back({t.name, needs.arena_bytes, needs.preserved_bytes(),
                     memory::preemption_level(t, w.scheduler.policy)});
  }
  return memory::plan_shared(tasks, memory::preemption_of(w.scheduler.policy));
}

bool inside(std::span<const std::byte> arena, const std::byte* p) {
  return p >= arena.data() && p < arena.data() + arena.size();
}

TEST(RunnerBackendTest, NonPreemptiveTasksShareOneRegionAtTheStartOfOnePlannedArena) {
  const Workload w = toy_workload(Policy::kNpEdf, {"toy:3:16", "toy:2:40"});
  RunnerBackend sut = toy_backend();

  ASSERT_TRUE(sut.prepare(w).ok());

  const Carving& c = sut.carving();
  const memory::SharedPlan want = expected_plan(sut, w);
  EXPECT_EQ(c.preemption, memory::Preemption::kNone);
  EXPECT_EQ(c.plan.shared_bytes, want.shared_bytes);
  EXPECT_EQ(c.plan.shared_region_bytes, want.shared_region_bytes);
  EXPECT_EQ(c.plan.slot_offsets, want.slot_offsets);
  EXPECT_EQ(c.arena_bytes, want.shared_bytes);
  EXPECT_GE(sut.arena().size(), want.shared_bytes);
  for (TaskId id : {0u, 1u}) {
    EXPECT_TRUE(c.by_task[id].carved);
    EXPECT_EQ(c.by_task[id].region_offset, 0u);
    EXPECT_EQ(c.by_task[id].region_bytes, sut.runner(id)->memory_needs().arena_bytes);
    EXPECT_EQ(c.by_task[id].slot_offset, memory::kNoOffset);
    EXPECT_TRUE(c.by_task[id].shares_region);
    EXPECT_EQ(static_cast<const ToyRunner*>(sut.runner(id))->base(), sut.arena().data());
  }
}

TEST(RunnerBackendTest, EachJobInASharedRegionGetsItsSeededInputAgain) {
  const Workload w = toy_workload(Policy::kNpFp, {"toy:3:16", "toy:2:40"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());

  run_job(sut, w, 0);
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
  run_job(sut, w, 1);  // overwrites task 0's input and activations
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 40, 2));
  run_job(sut, w, 0);

  EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
}

// Per-job inputs (the embedding API's submitted frames), by job number; no entry: standing input.
class FrameInputs final : public JobInputs {
 public:
  std::span<const std::span<const float>> inputs_for(const JobRef& job) override {
    for (auto& [task, seq, views] : frames) {
      if (task == job.task->id && seq == job.job) return views;
    }
    return {};
  }
  void add(TaskId task, std::uint64_t job, const std::vector<float>& data) {
    store.push_back(data);
    frames.push_back({task, job, {}});
    for (std::size_t i = 0; i < frames.size(); ++i) {  // re-point: store may have moved
      std::get<2>(frames[i]) = {std::span<const float>(store[i])};
    }
  }
  std::vector<std::vector<float>> store;
  std::vector<std::tuple<TaskId, std::uint64_t, std::vector<std::span<const float>>>> frames;
};

void run_job_numbered(RunnerBackend& sut, const Workload& w, TaskId id, std::uint64_t job,
                      SegmentStatus want = SegmentStatus::kOk) {
  for (std::uint32_t k = 0; k < sut.runner(id)->segment_count(); ++k) {
    const SegmentStatus st = sut.run_segment(JobRef{&w.tasks[id], job}, k);
    if (st != SegmentStatus::kOk) {
      EXPECT_EQ(st, want) << "task " << id << " job " << job << " segment " << k;
      return;
    }
  }
  EXPECT_EQ(want, SegmentStatus::kOk) << "task " << id << " job " << job << " ran through";
}

std::vector<float> plus(std::vector<float> v, float d) {
  for (float& x : v) x += d;
  return v;
}

TEST(RunnerBackendTest, AJobWithItsOwnInputsRunsOnThemAndTheNextJobOnTheStandingInputAgain) {
  for (const bool carve : {true, false}) {
    SCOPED_TRACE(carve ? "shared region" : "own memory");
    const Workload w = toy_workload(Policy::kNpEdf, {"toy:3:16", "toy:2:8"});
    RunnerBackendOptions o;
    o.carve = carve;
    RunnerBackend sut("toy", &load_toy, o);
    FrameInputs frames;
    frames.add(0, 1, std::vector<float>(16, 5.0f));
    sut.set_job_inputs(&frames);
    ASSERT_TRUE(sut.prepare(w).ok());

    run_job_numbered(sut, w, 0, 0);
    EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
    run_job_numbered(sut, w, 0, 1);  // the frame
    EXPECT_EQ(output_of(sut, 0), std::vector<float>(16, 8.0f));
    run_job_numbered(sut, w, 1, 0);
    run_job_numbered(sut, w, 0, 2);  // back to the standing input
    EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
    EXPECT_EQ(sut.faults(0).total(), 0u);
  }
}

TEST(RunnerBackendTest, ABadFrameOrANanOutputFailsOnlyItsJobAndIsCountedInItsContext) {
  const Workload w = toy_workload(Policy::kNpEdf, {"toy:3:16", "toy:2:8"});
  RunnerBackend sut = toy_backend();
  FrameInputs frames;
  frames.add(0, 1, std::vector<float>(15, 1.0f));  // one value short
  std::vector<float> nan(16, 0.0f);
  nan[3] = std::numeric_limits<float>::quiet_NaN();
  frames.add(0, 2, nan);
  sut.set_job_inputs(&frames);
  ASSERT_TRUE(sut.prepare(w).ok());

  run_job_numbered(sut, w, 0, 0);
  run_job_numbered(sut, w, 0, 1, SegmentStatus::kFailed);
  run_job_numbered(sut, w, 1, 0);  // the other task is untouched
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 8, 2));
  run_job_numbered(sut, w, 0, 2, SegmentStatus::kFailed);
  run_job_numbered(sut, w, 1, 1);
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 8, 2));
  run_job_numbered(sut, w, 0, 3);  // the next job starts clean
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));

  EXPECT_EQ(sut.faults(0).bad_input, 1u);
  EXPECT_EQ(sut.faults(0).non_finite, 1u);
  EXPECT_EQ(sut.faults(0).total(), 2u);
  EXPECT_EQ(sut.faults(0).last, RunFailure::kNonFinite);
  EXPECT_EQ(sut.faults(1).total(), 0u);
}

TEST(RunnerBackendTest, InputFilesAreTheStandingInputAndAWrongSizeNamesTheFile) {
  testing::TempDir dir;
  const std::vector<std::int64_t> shape{1, 16};
  std::vector<float> frame(16);
  for (std::size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<float>(i);
  const std::string good = (dir.path() / "frame.npy").string();
  ASSERT_TRUE(write_npy(good, shape, frame).ok());
  Workload w = toy_workload(Policy::kNpEdf, {"toy:3:16"});
  w.tasks[0].model->inputs = {good};
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  run_job_numbered(sut, w, 0, 0);
  EXPECT_EQ(output_of(sut, 0), plus(frame, 3.0f));

  const std::string small = (dir.path() / "small.npy").string();
  ASSERT_TRUE(write_npy(small, std::vector<std::int64_t>{1, 4}, std::vector<float>(4)).ok());
  w.tasks[0].model->inputs = {small};
  RunnerBackend bad = toy_backend();
  const Status st = bad.prepare(w);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("small.npy"), std::string::npos) << st.error().to_string();
  EXPECT_NE(st.error().message.find("`t0`"), std::string::npos) << st.error().to_string();

  w.tasks[0].model->inputs = {good, good};  // the toy has one input
  RunnerBackend two = toy_backend();
  const Status st2 = two.prepare(w);
  ASSERT_FALSE(st2.ok());
  EXPECT_NE(st2.error().message.find("2 input files"), std::string::npos);
}

TEST(RunnerBackendTest, APreemptedJobKeepsItsLiveBytesInItsSlotAndResumesCorrectly) {
  // lp-fp: task 0 (priority 1) can be preempted by task 1 (priority 2) at its boundaries.
  const Workload w = toy_workload(Policy::kLpFp, {"toy:3:16", "toy:2:40"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  const Carving& c = sut.carving();
  const memory::SharedPlan want = expected_plan(sut, w);
  ASSERT_FALSE(c.plan.isolated_layout);
  EXPECT_EQ(c.preemption, memory::Preemption::kLimited);
  EXPECT_EQ(c.plan.slot_offsets, want.slot_offsets);
  EXPECT_EQ(c.plan.shared_bytes, want.shared_bytes);
  EXPECT_EQ(c.by_task[0].slot_offset, want.slot_offsets[0]);
  EXPECT_NE(c.by_task[0].slot_offset, memory::kNoOffset);
  EXPECT_EQ(c.by_task[0].slot_bytes, sut.runner(0)->memory_needs().preserved_bytes());
  EXPECT_EQ(c.by_task[1].slot_offset, memory::kNoOffset);  // the top level is never preempted

  EXPECT_EQ(run(sut, w, 0, 0), SegmentStatus::kOk);
  run_job(sut, w, 1);  // preempts task 0 at its boundary 0
  EXPECT_EQ(run(sut, w, 0, 1), SegmentStatus::kOk);
  run_job(sut, w, 1);  // and again at boundary 1
  EXPECT_EQ(run(sut, w, 0, 2), SegmentStatus::kOk);

  EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 40, 2)) << "the preemptor's last job";
}

TEST(RunnerBackendTest, AJobPreemptedWhereThePlanGaveItNoSlotFailsAndTheNextJobRuns) {
  const Workload w = toy_workload(Policy::kLpFp, {"toy:3:16", "toy:2:40"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());

  EXPECT_EQ(run(sut, w, 1, 0), SegmentStatus::kOk);
  run_job(sut, w, 0);  // a lower level ran inside task 1's job: the plan said it cannot
  EXPECT_EQ(run(sut, w, 1, 1), SegmentStatus::kFailed);

  run_job(sut, w, 1);
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 40, 2));
}

TEST(RunnerBackendTest, UsesIsolatedRegionsWhenPreservingWouldCostMore) {
  // Task 0 (low level) keeps 2/3 of a large region across its boundaries; a slot for it plus the
  // shared region exceed the two arenas side by side.
  const Workload w = toy_workload(Policy::kLpFp, {"toy:3:96", "toy:2:16"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  const Carving& c = sut.carving();

  ASSERT_TRUE(c.plan.isolated_layout);
  EXPECT_EQ(c.by_task[0].region_offset, 0u);
  EXPECT_EQ(c.by_task[1].region_offset, sut.runner(0)->memory_needs().arena_bytes);
  EXPECT_FALSE(c.by_task[0].shares_region);
  EXPECT_EQ(c.arena_bytes, expected_plan(sut, w).shared_bytes);

  EXPECT_EQ(run(sut, w, 0, 0), SegmentStatus::kOk);
  run_job(sut, w, 1);
  EXPECT_EQ(run(sut, w, 0, 1), SegmentStatus::kOk);
  EXPECT_EQ(run(sut, w, 0, 2), SegmentStatus::kOk);
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 96, 3));
  EXPECT_TRUE(inside(sut.arena(), static_cast<const ToyRunner*>(sut.runner(1))->base()));
}

TEST(RunnerBackendTest, LeavesAnEngineThatOwnsItsMemoryAlone) {
  const Workload w = toy_workload(Policy::kNpEdf, {"toy-own:2:8", "toy-own:1:8"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());

  EXPECT_TRUE(sut.carving().tasks.empty());
  EXPECT_FALSE(sut.carving().by_task[0].carved);
  EXPECT_TRUE(sut.arena().empty());
  run_job(sut, w, 0);
  run_job(sut, w, 1);
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 8, 2));
  EXPECT_EQ(output_of(sut, 1), expected_output(1, 8, 1));
}

TEST(RunnerBackendTest, WithoutCarvingEachRunnerKeepsItsOwnMemory) {
  const Workload w = toy_workload(Policy::kNpEdf, {"toy:2:8", "toy:2:8"});
  RunnerBackendOptions options;
  options.carve = false;
  RunnerBackend sut("toy", &load_toy, options);
  ASSERT_TRUE(sut.prepare(w).ok());

  EXPECT_TRUE(sut.arena().empty());
  run_job(sut, w, 0);
  run_job(sut, w, 1);
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 8, 2));
}

TEST(RunnerBackendTest, RunningSegmentsWithSavesAndRestoresAllocatesNothing) {
  const Workload w = toy_workload(Policy::kLpFp, {"toy:3:16", "toy:2:40"});
  RunnerBackend sut = toy_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  std::uint64_t allocations = 1;
  {
    const ::aegisrt::testing::AllocationCounter counter;
    for (int i = 0; i < 3; ++i) {
      (void)run(sut, w, 0, 0);
      (void)run(sut, w, 1, 0);
      (void)run(sut, w, 1, 1);
      (void)run(sut, w, 0, 1);
      (void)run(sut, w, 0, 2);
    }
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(output_of(sut, 0), expected_output(0, 16, 3));
}

TEST(RunnerBackendTest, RefusesATaskWithoutAModelOrWithAnotherSegmentCount) {
  Workload no_model = toy_workload(Policy::kNpEdf, {"toy:2:8"});
  no_model.tasks[0].model.reset();
  Workload wrong_segments = toy_workload(Policy::kNpEdf, {"toy:2:8"});
  wrong_segments.tasks[0].segments = {Segment{"a", Duration::ms(1)}, Segment{"b", Duration::ms(1)},
                                      Segment{"c", Duration::ms(1)}};
  RunnerBackend sut = toy_backend();

  const Status a = sut.prepare(no_model);
  const Status b = sut.prepare(wrong_segments);

  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(a.error().message, "task `t0` has no model; the toy backend runs real models");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message,
            "task `t0` declares 3 segments but its model runs as 2 on the toy backend");
}

// The default asynchronous pair is synchronous: enqueue runs the segment, wait returns its outcome.
TEST(ModelRunnerTest, TheDefaultEnqueueRunsTheSegmentAndWaitReturnsItsOutcome) {
  LoadRequest request;
  request.path = "toy:2:4";
  auto sut = load_toy(request);
  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{1, 2, 3, 4}).ok());

  (*sut)->enqueue(0);
  const RunFailure first = (*sut)->wait();
  (*sut)->enqueue(0 + 5);  // out of range
  const RunFailure wrong = (*sut)->wait();
  (*sut)->enqueue(1);
  const RunFailure second = (*sut)->wait();

  EXPECT_EQ(first, RunFailure::kNone);
  EXPECT_EQ(wrong, RunFailure::kEngine);
  EXPECT_EQ(second, RunFailure::kNone);
  const auto y = (*sut)->output(0);
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{3, 4, 5, 6}));
}

TEST(ModelRunnerTest, AnEngineThatOwnsItsMemoryRefusesARegion) {
  LoadRequest request;
  request.path = "toy-own:1:4";
  auto sut = load_toy(request);
  ASSERT_TRUE(sut.ok());
  std::vector<std::byte> region(256);

  const Status st = (*sut)->bind_memory(region);

  EXPECT_EQ((*sut)->memory_needs().arena_bytes, 0u);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnsupported);
}

TEST(MakeBackendTest, RefusesSimAndSuggestsTheNearestBackend) {
  const auto sim = make_backend("sim");
  const auto typo = make_backend("opnecv");

  ASSERT_FALSE(sim.ok());
  EXPECT_EQ(sim.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().hint.find("did you mean `opencv`?"), std::string::npos)
      << typo.error().hint;
}

}  // namespace
}  // namespace aegisrt::backend
