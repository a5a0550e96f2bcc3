// app::simulate, the simulate workflow as a library call: admission decides whether anything runs,
// the report carries the run's statistics and trace, and the overheads it charged.
#include "aegisrt/app/simulate.hpp"

#include <gtest/gtest.h>

#include <string>

#include "aegisrt/workload/workload.hpp"

namespace aegisrt::app {
namespace {

Workload parse(const std::string& yaml) {
  auto loaded = workload::load_text(yaml, "test.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().to_string());
  return loaded.ok() ? loaded->workload : Workload{};
}

// One task, 2 ms of work every 10 ms: schedulable under every policy.
constexpr const char* kLight = R"(
name: light
scheduler: {policy: np-edf}
tasks:
  - {name: cam, period_ms: 10, sim: {segments_ms: [1, 1]}}
)";

// 12 ms of work every 10 ms: never schedulable, and every job but the first is late or dropped.
constexpr const char* kOverloaded = R"(
name: heavy
scheduler: {policy: np-edf, load_shedding: false}
tasks:
  - {name: cam, period_ms: 10, queue: {capacity: 4}, sim: {segments_ms: [6, 6]}}
)";

SimulateOptions for_ms(std::int64_t ms) {
  SimulateOptions o;
  o.horizon = Duration::ms(ms);
  return o;
}

TEST(SimulateTest, AnAdmittedSetRunsAndKeepsItsTrace) {
  SimulateOptions opts = for_ms(100);
  opts.keep_trace = true;
  const auto sut = simulate(parse(kLight), opts);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->admission, AdmissionOutcome::kAdmitted);
  EXPECT_TRUE(sut->ran());
  EXPECT_EQ(sut->stats.tasks.at(0).released, 10u);  // arrivals at 0, 10, ..., 90 ms
  EXPECT_EQ(sut->stats.tasks.at(0).completed, 10u);
  EXPECT_EQ(sut->misses(), 0u);
  ASSERT_NE(sut->trace, nullptr);
  EXPECT_GT(sut->trace->records().size(), 40u);  // per job: release, decision, 2 x (start, end)
  EXPECT_EQ(sut->trace_meta.admission, "schedulable");
  ASSERT_EQ(sut->trace_meta.task_names.size(), 1u);
  EXPECT_EQ(sut->trace_meta.task_names[0], "cam");
  EXPECT_TRUE(sut->notes.empty());
}

TEST(SimulateTest, ARejectedSetIsRefusedAndNothingRuns) {
  const auto sut = simulate(parse(kOverloaded), for_ms(100));
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->admission, AdmissionOutcome::kRefused);
  EXPECT_FALSE(sut->ran());
  EXPECT_FALSE(sut->verdict.schedulable);
  EXPECT_TRUE(sut->stats.tasks.empty());
  EXPECT_EQ(sut->trace, nullptr);
}

TEST(SimulateTest, AForcedRunMissesWithoutCountingThemAsUnexpected) {
  SimulateOptions opts = for_ms(100);
  opts.force = true;
  const auto sut = simulate(parse(kOverloaded), opts);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->admission, AdmissionOutcome::kForced);
  EXPECT_EQ(sut->admission_text(), "not schedulable (forced)");
  EXPECT_GT(sut->misses(), 0u);
  EXPECT_EQ(sut->unexpected_misses(), 0u);
}

// Release 1 ms and dispatch 0.5 ms per job, np-edf, one job every 10 ms for 100 ms: each job
// costs 1.5 ms of dispatcher time before its first segment, and its response is 1.5 + 2 = 3.5 ms.
TEST(SimulateTest, TheRunChargesTheWorkloadsOverheads) {
  const auto sut = simulate(parse(R"(
name: charged
scheduler: {policy: np-edf, overheads: {release_ms: 1, dispatch_us: 500}}
tasks:
  - {name: cam, period_ms: 10, sim: {segments_ms: [1, 1]}}
)"),
                            for_ms(100));
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->admission, AdmissionOutcome::kAdmitted);
  EXPECT_EQ(sut->stats.overhead, Duration::us(15'000));  // 10 jobs x 1.5 ms
  const Summary r = sut->stats.tasks.at(0).summary();
  ASSERT_TRUE(r.min && r.max);
  EXPECT_EQ(*r.max, Duration::us(3'500));
  EXPECT_EQ(*r.min, Duration::us(3'500));
  ASSERT_TRUE(sut->verdict.tasks.at(0).response_bound.has_value());
  EXPECT_EQ(*sut->verdict.tasks.at(0).response_bound, Duration::us(3'500));
}

TEST(SimulateTest, AnotherBackendIsSimulatedWithANoteThatSaysSo) {
  Workload w = parse(kLight);
  w.device.backend = "cpu";
  const auto sut = simulate(w, for_ms(50));
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->notes.size(), 1u);
  EXPECT_NE(sut->notes[0].find("names backend `cpu`"), std::string::npos) << sut->notes[0];
  EXPECT_NE(sut->notes[0].find("sim timings"), std::string::npos) << sut->notes[0];
  EXPECT_NE(sut->notes[0].find("dense time"), std::string::npos) << sut->notes[0];
  EXPECT_EQ(sut->trace_meta.backend, "sim");
}

TEST(SimulateTest, ATraceTooLargeForMemoryIsRefusedBeforeRunning) {
  SimulateOptions opts = for_ms(100);
  opts.keep_trace = true;
  opts.max_trace_bytes = 1024;
  const auto sut = simulate(parse(kLight), opts);
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(sut.error().message.find("could need"), std::string::npos) << sut.error().message;
}

}  // namespace
}  // namespace aegisrt::app
