// The dispatch loop allocates nothing after prepare(): counted by the program's counting malloc
// (support/allocation_counter.hpp), which this file defines.
#include <gtest/gtest.h>

#include "aegisrt/sched/record.hpp"
#include "aegisrt/sim/driver.hpp"
#include "sched/scenario.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt::testing {
namespace {

// Counts records without storing anything: a sink that cannot allocate.
class CountingSink final : public sched::TraceSink {
 public:
  void record(const sched::TraceRecord&, std::span<const sched::Candidate> c) override {
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
    sched::Scheduler sut(w, &sink);
    sched::RunOptions opts;
    opts.horizon = ticks(100'000);
    ASSERT_TRUE(sut.prepare(opts).ok());

    std::uint64_t allocations = 0;
    {
      const AllocationCounter counter;
      sim::drive(sut, clock, backend);
      allocations = counter.count();
    }

    EXPECT_EQ(allocations, 0u) << to_string(policy);
    EXPECT_GT(sink.records, 10'000u);  // the loop did run: thousands of jobs went through it
    EXPECT_GT(sut.stats().decisions, 1'000u);
  }
}

}  // namespace
}  // namespace aegisrt::testing
