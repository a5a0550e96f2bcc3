// The cpu engine at the scheduler seam (backend::RunnerBackend): every task's model run segment by segment, a dispatcher
// thread of its own, and the tasks it rejects.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <thread>

#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"
#include "cpu/cpu_support.hpp"
#include "support/allocation_counter.hpp"
#include "support/cli.hpp"

namespace aegisrt {
namespace {

using testing::residual_blocks_graph;
using testing::two_step_graph;

// backend::RunnerBackend over the cpu engine's factory.
backend::RunnerBackend cpu_backend() {
  backend::RunnerBackendOptions o;
  o.load.pin = false;  // leave the test thread's affinity alone
  return backend::RunnerBackend("cpu", &cpu::load_request, o);
}

// One task, "t0", running the model in `file`.
Workload one_task_workload(const std::string& file) {
  Workload w;
  Task t;
  t.name = "t0";
  t.model = ModelSpec{file, {}};
  w.tasks.push_back(t);
  return w;
}

TEST(CpuBackendTest, RunsEveryTasksModelSegmentBySegment) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", two_step_graph().bytes());
  const Workload w = one_task_workload(file);
  backend::RunnerBackend sut = cpu_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  ASSERT_NE(sut.runner(0), nullptr);
  // The seeded input (backend::SeededUniform, what `aegisrt infer --seed 1` feeds) lies in [0, 1)
  // here: relu(x) - 1 < 0, so sqrt gives NaN: the job fails at its last segment, and only there.
  const backend::JobRef job{&w.tasks[0], 0};
  EXPECT_EQ(sut.run_segment(job, 0), backend::SegmentStatus::kOk);
  EXPECT_EQ(sut.run_segment(job, 1), backend::SegmentStatus::kOk);
  EXPECT_EQ(sut.run_segment(job, 2), backend::SegmentStatus::kFailed);
}

// The scheduler's dispatcher may be a thread of its own: prepare_thread() readies every runner
// there, and its segments then run without calling the allocator.
TEST(CpuBackendTest, ADispatcherThreadRunsJobsWithoutAllocatingAfterPrepareThread) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", residual_blocks_graph().bytes());
  const Workload w = one_task_workload(file);
  backend::RunnerBackend sut = cpu_backend();
  ASSERT_TRUE(sut.prepare(w).ok());
  const backend::JobRef job{&w.tasks[0], 0};
  const auto segments = static_cast<std::uint32_t>(sut.runner(0)->segment_count());
  bool prepared = false;
  std::uint64_t allocations = 1;
  std::uint32_t ok_segments = 0;
  std::thread dispatcher([&] {
    prepared = sut.prepare_thread().ok();
    const testing::AllocationCounter counter;
    for (int run = 0; run < 3; ++run) {
      for (std::uint32_t k = 0; k < segments; ++k) {
        ok_segments += sut.run_segment(job, k) == backend::SegmentStatus::kOk ? 1 : 0;
      }
    }
    allocations = counter.count();
  });
  dispatcher.join();
  EXPECT_TRUE(prepared);
  EXPECT_EQ(ok_segments, 3 * segments);
  EXPECT_EQ(allocations, 0u);
}

TEST(CpuBackendTest, RejectsATaskWhoseSegmentsDisagreeWithItsModel) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", two_step_graph().bytes());
  Workload w;
  Task t;
  t.name = "t0";
  t.model = ModelSpec{file, {}};
  t.segments = {Segment{"a", Duration{}}, Segment{"b", Duration{}}};
  w.tasks.push_back(t);
  backend::RunnerBackend sut = cpu_backend();
  const Status st = sut.prepare(w);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("declares 2 segments"), std::string::npos)
      << st.error().message;
}

TEST(CpuBackendTest, RejectsATaskWithoutAModel) {
  Workload w;
  Task t;
  t.name = "sim-only";
  w.tasks.push_back(t);
  backend::RunnerBackend sut = cpu_backend();
  const Status st = sut.prepare(w);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aegisrt
