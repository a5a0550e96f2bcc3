// The dispatch loop allocates nothing after prepare(): counted by replacing global operator new in
// this test program.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "aegisrt/trace/record.hpp"
#include "sched/scenario.hpp"

// The replacement pair is malloc/free on purpose; g++ cannot see that both halves are replaced.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace aegisrt::testing {
namespace {

// Counts records without storing anything: a sink that cannot allocate.
class CountingSink final : public trace::TraceSink {
 public:
  void record(const trace::TraceRecord&, std::span<const sched::Candidate> c) override {
    ++records;
    candidates += c.size();
  }
  std::uint64_t records = 0;
  std::uint64_t candidates = 0;
};

TEST(AllocationTest, DispatchLoopAllocatesNothingAfterPrepare) {
  for (Policy policy :
       {Policy::kNpEdf, Policy::kNpFp, Policy::kFifo, Policy::kLpEdf, Policy::kLpFp}) {
    Workload w = make_workload(policy,
                               {
                                   {.name = "a",
                                    .period = 10,
                                    .segments = {2, 1},
                                    .capacity = 1,
                                    .criticality = Criticality::kHigh},
                                   {.name = "b",
                                    .period = 7,
                                    .segments = {3},
                                    .capacity = 2,
                                    .on_full = OnFull::kReject,
                                    .on_miss = OnMiss::kAbort},
                                   {.name = "c",
                                    .period = 13,
                                    .segments = {2, 2, 2},
                                    .capacity = 3,
                                    .on_full = OnFull::kDropNewest},
                               },
                               /*load_shedding=*/true);
    w.tasks[1].jitter = ticks(3);
    w.tasks[1].sim = SimSpec{.distribution = Distribution::kUniform, .bcet_fraction = 0.5};
    VirtualClock clock;
    sim::SimBackend backend(clock, 3);
    CountingSink sink;
    sched::Scheduler sut(w, clock, backend, &sink);
    sched::RunOptions opts;
    opts.horizon = ticks(100'000);
    ASSERT_TRUE(sut.prepare(opts).ok());

    g_allocations = 0;
    g_counting = true;
    sut.run();
    g_counting = false;

    EXPECT_EQ(g_allocations.load(), 0u) << to_string(policy);
    EXPECT_GT(sink.records, 10'000u);  // the loop did run: thousands of jobs went through it
    EXPECT_GT(sut.stats().decisions, 1'000u);
  }
}

}  // namespace
}  // namespace aegisrt::testing
