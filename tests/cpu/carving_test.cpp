// Carving on the cpu backend: two real models (MODELS.md) of one workload run inside the one arena
// the adapter planned for them with memory::plan_shared (non-preemptive: one region both reuse;
// limited-preemptive: that region plus the preempted task's slot), instead of each runner mapping
// its own. Checks the carved offsets against the plan, and every output against ONNX Runtime after
// the other model has overwritten the region, also for a job preempted between two segments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aegisrt/backend/npy.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"
#include "aegisrt/memory/planner.hpp"
#include "aegisrt/memory/workload_memory.hpp"
#include "model/model_cache.hpp"
#include "support/allocation_counter.hpp"
#include "support/cli.hpp"
#include "support/ort_numerics.hpp"

namespace aegisrt {
namespace {

// The small models of MODELS.md: BlazeFace front (1x128x128x3) and the PP-OCR direction
// classifier (1x3x48x192), each cut into at most 8 segments.
constexpr const char* kFace = "face_detection_front_128x128_barracuda.onnx";
constexpr const char* kClassifier = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

struct Models {
  std::string face, classifier;
  std::string skip;  // why the test cannot run here
};

Models find_models() {
  Models m{testing::cached_model(kFace), testing::cached_model(kClassifier), ""};
  if (m.face.empty() || m.classifier.empty()) {
    m.skip = testing::kFetchHint;
  } else {
    m.skip = testing::oracle_unavailable_reason();
  }
  return m;
}

// Task 0 the face detector at priority 2, task 1 the classifier at priority 1: under lp-fp the
// classifier is the one preempted. (The other way round, the face detector's bytes live at its
// worst boundary exceed the classifier's whole arena, and the planner gives each its own arena.)
Workload two_model_workload(const Models& m, Policy policy) {
  Workload w;
  w.scheduler.policy = policy;
  Task face;
  face.id = 0;
  face.name = "face";
  face.priority = 2;
  face.deadline = Duration::ms(33);
  face.model = ModelSpec{m.face, {}};
  Task cls;
  cls.id = 1;
  cls.name = "cls";
  cls.priority = 1;
  cls.deadline = Duration::ms(66);
  cls.model = ModelSpec{m.classifier, {1, 3, 48, 192}};
  w.tasks = {face, cls};
  return w;
}

backend::RunnerBackend cpu_backend() {
  backend::RunnerBackendOptions o;
  o.load.pin = false;
  o.load.segments = {.min_flops = 0, .max_segments = 8};
  return backend::RunnerBackend("cpu", &cpu::load_request, o);
}

// The plan the adapter must carve: memory::plan_shared over the runners' own figures (the arena
// of the compiled program, in oneDNN's layouts, and its bytes live across a boundary), with the
// tasks' preemption levels under the workload's policy.
memory::SharedPlan expected_plan(const backend::RunnerBackend& sut, const Workload& w) {
  std::vector<memory::SharedTask> tasks;
  for (const Task& t : w.tasks) {
    const backend::MemoryNeeds& needs = sut.runner(t.id)->memory_needs();
    tasks.push_back({t.name, needs.arena_bytes, needs.preserved_bytes(),
                     memory::preemption_level(t, w.scheduler.policy)});
  }
  return memory::plan_shared(tasks, memory::preemption_of(w.scheduler.policy));
}

void expect_carved_as_planned(const backend::RunnerBackend& sut, const Workload& w) {
  const backend::Carving& c = sut.carving();
  const memory::SharedPlan want = expected_plan(sut, w);
  ASSERT_EQ(c.tasks.size(), 2u);
  EXPECT_EQ(c.plan.shared_region_bytes, want.shared_region_bytes);
  EXPECT_EQ(c.plan.preserved_bytes, want.preserved_bytes);
  EXPECT_EQ(c.plan.shared_bytes, want.shared_bytes);
  EXPECT_EQ(c.plan.slot_offsets, want.slot_offsets);
  EXPECT_EQ(c.plan.isolated_layout, want.isolated_layout);
  EXPECT_EQ(c.arena_bytes, want.shared_bytes);
  // One arena for both, smaller than two: the shared region is the larger model's arena.
  EXPECT_LT(want.shared_bytes, want.isolated_bytes);
  const std::span<const std::byte> arena = sut.arena();
  ASSERT_GE(arena.size(), want.shared_bytes);
  for (const Task& t : w.tasks) {
    const backend::TaskCarving& tc = c.by_task[t.id];
    const backend::ModelRunner& runner = *sut.runner(t.id);
    EXPECT_TRUE(tc.carved) << t.name;
    EXPECT_EQ(tc.region_offset, 0u) << t.name;  // the shared region starts the arena
    EXPECT_EQ(tc.region_bytes, runner.memory_needs().arena_bytes) << t.name;
    EXPECT_EQ(tc.slot_offset, want.slot_offsets[t.id]) << t.name;
    EXPECT_TRUE(tc.shares_region) << t.name;
    // The runner's tensors are inside its region of the arena, not in a mapping of its own.
    for (std::size_t o = 0; o < runner.outputs().size(); ++o) {
      const auto* p = reinterpret_cast<const std::byte*>(runner.output(o).data());
      EXPECT_GE(p, arena.data() + tc.region_offset) << t.name;
      EXPECT_LE(p + runner.output(o).size_bytes(),
                arena.data() + tc.region_offset + tc.region_bytes)
          << t.name;
    }
  }
}

// Task `t`'s outputs now against ONNX Runtime on the task's seeded input (what the adapter feeds
// it: SeededUniform(task_input_seed(1, id)), the oracle's own generator).
void expect_outputs_match_ort(const backend::RunnerBackend& sut, const Task& t) {
  SCOPED_TRACE(t.name);
  const backend::ModelRunner& runner = *sut.runner(t.id);
  const backend::TensorInfo& in = runner.inputs()[0];
  std::vector<float> input(in.elements());
  backend::SeededUniform random(backend::task_input_seed(1, t.id));
  random.fill(input);
  const testing::TempDir dir;
  const std::string input_npy = (dir.path() / "input.npy").string();
  ASSERT_TRUE(backend::write_npy(input_npy, in.shape, input).ok());
  std::string error;
  const std::vector<testing::Tensor> want =
      testing::run_oracle(t.model->path, in.name, input_npy, (dir.path() / "ort").string(), error);
  ASSERT_FALSE(want.empty()) << "the ORT oracle failed on " << t.model->path << ": " << error;
  std::vector<testing::Tensor> got;
  for (std::size_t o = 0; o < runner.outputs().size(); ++o) {
    const auto data = runner.output(o);
    got.push_back(
        {runner.outputs()[o].name, runner.outputs()[o].shape, {data.begin(), data.end()}});
  }
  for (const testing::Comparison& c : testing::compare(got, want, {.rtol = 1e-3, .atol = 1e-6})) {
    EXPECT_TRUE(c.within) << c.describe();
  }
}

backend::SegmentStatus run(backend::RunnerBackend& sut, const Workload& w, TaskId id,
                           std::uint32_t k) {
  return sut.run_segment(backend::JobRef{&w.tasks[id], 0}, k);
}

void run_segments(backend::RunnerBackend& sut, const Workload& w, TaskId id, std::uint32_t first,
                  std::uint32_t end) {
  for (std::uint32_t k = first; k < end; ++k) {
    ASSERT_EQ(run(sut, w, id, k), backend::SegmentStatus::kOk) << w.tasks[id].name << " " << k;
  }
}

std::uint32_t segments_of(const backend::RunnerBackend& sut, TaskId id) {
  return static_cast<std::uint32_t>(sut.runner(id)->segment_count());
}

TEST(CpuCarvingTest, NonPreemptiveTasksRunInOneSharedRegionAndMatchOnnxRuntime) {
  const Models m = find_models();
  if (!m.skip.empty()) GTEST_SKIP() << m.skip;
  const Workload w = two_model_workload(m, Policy::kNpFp);
  backend::RunnerBackend sut = cpu_backend();

  const Status prepared = sut.prepare(w);

  ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
  EXPECT_EQ(sut.carving().preemption, memory::Preemption::kNone);
  expect_carved_as_planned(sut, w);
  EXPECT_EQ(sut.carving().plan.preserved_bytes, 0u);
  // Each job runs start to finish; the next one, of the other model, overwrites the region.
  run_segments(sut, w, 0, 0, segments_of(sut, 0));
  expect_outputs_match_ort(sut, w.tasks[0]);
  run_segments(sut, w, 1, 0, segments_of(sut, 1));
  expect_outputs_match_ort(sut, w.tasks[1]);
  run_segments(sut, w, 0, 0, segments_of(sut, 0));
  expect_outputs_match_ort(sut, w.tasks[0]);
}

TEST(CpuCarvingTest, APreemptedJobKeepsItsBytesInItsSlotAndMatchesOnnxRuntime) {
  const Models m = find_models();
  if (!m.skip.empty()) GTEST_SKIP() << m.skip;
  const Workload w = two_model_workload(m, Policy::kLpFp);
  backend::RunnerBackend sut = cpu_backend();

  const Status prepared = sut.prepare(w);

  ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
  EXPECT_EQ(sut.carving().preemption, memory::Preemption::kLimited);
  expect_carved_as_planned(sut, w);
  // The classifier (the lower level) has a slot for its bytes live at a boundary, above the
  // shared region; the face detector, the top level, is never preempted and has none.
  const backend::TaskCarving& cls = sut.carving().by_task[1];
  ASSERT_NE(cls.slot_offset, memory::kNoOffset);
  EXPECT_EQ(cls.slot_bytes, sut.runner(1)->memory_needs().preserved_bytes());
  EXPECT_GE(cls.slot_offset, sut.carving().plan.shared_region_bytes);
  EXPECT_EQ(sut.carving().by_task[0].slot_offset, memory::kNoOffset);

  // The classifier's job is preempted after its segment 1 and after its segment 4 by whole face
  // jobs, and nothing allocates on the way (the copies are memcpy within the planned arena).
  const std::uint32_t n = segments_of(sut, 1);
  const std::uint32_t n_face = segments_of(sut, 0);
  ASSERT_GE(n, 6u);
  std::uint64_t allocations = 0;
  const auto counted = [&](const auto& runs) {
    const testing::AllocationCounter counter;
    runs();
    allocations += counter.count();
  };
  counted([&] {
    run_segments(sut, w, 1, 0, 2);
    run_segments(sut, w, 0, 0, n_face);
  });
  expect_outputs_match_ort(sut, w.tasks[0]);  // the preemptor, in the region the classifier used
  counted([&] {
    run_segments(sut, w, 1, 2, 5);
    run_segments(sut, w, 0, 0, n_face);
    run_segments(sut, w, 1, 5, n);
  });
  expect_outputs_match_ort(sut, w.tasks[1]);
  EXPECT_EQ(allocations, 0u);
}

}  // namespace
}  // namespace aegisrt
