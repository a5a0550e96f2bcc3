// The cpu runner allocates nothing once loaded: runs with hand kernels only, with oneDNN primitives
// on the run heap (one and two compute threads), without the run heap, and on a dispatcher thread
// that prepare_thread() readied.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "aegisrt/memory/run_heap.hpp"
#include "cpu/cpu_support.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt {
namespace {

using testing::load_graph;
using testing::mixed_layout_concat_graph;
using testing::OnnxBuilder;
using testing::ramp;
using testing::residual_blocks_graph;
using testing::run_all;
using testing::test_options;
using testing::two_step_graph;
using Attr = testing::OnnxBuilder::Attr;

// Hand kernels (Resize with align_corners, Gather) only: a run allocates nothing at all.
TEST(CpuRunnerTest, HandKernelRunAllocatesNothing) {
  OnnxBuilder b(13);
  b.input("x", {1, 2, 3, 4})
      .initializer_f("roi", {0}, {})
      .initializer_f("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f})
      .initializer_i("idx", {2}, {1, 0})
      .node("Resize", {"x", "roi", "scales"}, {"r"}, "resize",
            {Attr::s("mode", "linear"), Attr::s("coordinate_transformation_mode", "align_corners")})
      .node("Gather", {"r", "idx"}, {"y"}, "gather", {Attr::i("axis", 1)})
      .output("y");
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  std::uint64_t allocations = 0;
  {
    const testing::AllocationCounter counter;
    for (int i = 0; i < 5; ++i) (void)run_all(**sut);
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
}

// Heap allocations (any thread) over `runs` full inferences of `r` on the calling thread.
std::uint64_t heap_allocations_over(backend::ModelRunner& r, int runs) {
  const testing::AllocationCounter counter;
  for (int i = 0; i < runs; ++i) {
    if (run_all(r) != backend::RunFailure::kNone) ADD_FAILURE() << "run " << i << " failed";
  }
  return counter.count();
}
// oneDNN 2.6's dnnl_primitive_execute builds a small std::unordered_map of its arguments on every
// call (docs/design/0009): with the run heap those blocks come from the thread's pool, and a run
// makes no heap allocation at all.
TEST(CpuRunnerTest, ARunMakesNoHeapAllocation) {
  for (const OnnxBuilder& b :
       {two_step_graph(), residual_blocks_graph(), mixed_layout_concat_graph()}) {
    auto sut = load_graph(b);
    ASSERT_TRUE(sut.ok()) << sut.error().to_string();
    EXPECT_TRUE((*sut)->info().run_heap);
    ASSERT_TRUE((*sut)->set_input(0, ramp((*sut)->inputs()[0].elements(), 0.2f, 1.0f)).ok());
    const memory::RunHeapStats before = memory::run_heap_stats();
    EXPECT_EQ(heap_allocations_over(**sut, 5), 0u);
    const memory::RunHeapStats after = memory::run_heap_stats();
    EXPECT_GT(after.pool_allocations, before.pool_allocations);  // oneDNN's blocks: from the pool
    EXPECT_EQ(after.fallbacks, before.fallbacks);
  }
}

// The same run on a thread that holds no pool: oneDNN's blocks come from the heap, every call.
TEST(CpuRunnerTest, WithoutTheRunHeapOneDnnAllocatesOnEveryRun) {
  auto sut = load_graph(two_step_graph());
  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{5, 2, 1, 10}).ok());
  memory::detach_run_heap();
  const std::uint64_t one = heap_allocations_over(**sut, 1);
  const std::uint64_t four = heap_allocations_over(**sut, 4);
  ASSERT_TRUE(memory::attach_run_heap().ok());
  EXPECT_GT(one, 0u);
  EXPECT_EQ(four, 4 * one);
  EXPECT_EQ(heap_allocations_over(**sut, 4), 0u);
}

// With two compute threads, OpenMP's workers allocate too; they got pools at load.
TEST(CpuRunnerTest, ARunWithTwoComputeThreadsMakesNoHeapAllocation) {
  cpu::Options options = test_options();
  options.threads = 2;
  auto sut = load_graph(residual_blocks_graph(), {}, options);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ((*sut)->info().threads, 2);
  EXPECT_TRUE((*sut)->info().run_heap);
  ASSERT_TRUE((*sut)->set_input(0, ramp(300, 0.2f)).ok());
  EXPECT_EQ(heap_allocations_over(**sut, 5), 0u);
}

// A dispatcher thread other than the loading one: prepare_thread() readies it (its pool, OpenMP's
// per-thread state, a warm-up), after which its runs allocate nothing and compute what the loading
// thread computes.
TEST(CpuRunnerTest, PrepareThreadReadiesADispatcherThread) {
  auto sut = load_graph(residual_blocks_graph());
  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE((*sut)->set_input(0, ramp(300, 0.2f)).ok());
  ASSERT_EQ(run_all(**sut), backend::RunFailure::kNone);
  const auto out = (*sut)->output(0);
  const std::vector<float> expected(out.begin(), out.end());
  std::uint64_t allocations = 1;
  bool prepared = false;
  std::thread dispatcher([&] {
    prepared = (*sut)->prepare_thread().ok();
    allocations = heap_allocations_over(**sut, 3);
  });
  dispatcher.join();
  EXPECT_TRUE(prepared);
  EXPECT_EQ(allocations, 0u);
  const auto got = (*sut)->output(0);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << i;
}

}  // namespace
}  // namespace aegisrt
