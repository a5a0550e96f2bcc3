// Reading AegisRT workload files: units, exact decimals, defaults, JSON input.
#include <gtest/gtest.h>

#include "aegisrt/workload/workload.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

Loaded load_ok(const std::string& text, const std::string& base = ".") {
  auto r = load_text(text, "test.yaml", base);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? r.value() : Loaded{};
}

TEST(WorkloadParseTest, ReadsTheIssueExampleWithEveryField) {
  const Loaded sut = load_ok(R"(name: example-mix
device: {backend: sim, memory_budget_mib: 512}
scheduler: {policy: np-edf, load_shedding: true, overheads: {dispatch_us: 20, release_us: 5, preemption_us: 50}}
tasks:
  - name: detector
    period_ms: 33.333
    deadline_ms: 33.333
    priority: 10
    queue: {capacity: 2, on_full: drop_oldest}
    sim: {segments_ms: [1.5, 2.0, 0.5], distribution: uniform, bcet_fraction: 0.6}
)");
  const Workload& w = sut.workload;
  EXPECT_EQ(w.name, "example-mix");
  EXPECT_EQ(w.source_file, "test.yaml");
  EXPECT_EQ(w.device.backend, "sim");
  EXPECT_EQ(w.device.memory_budget_bytes, 512ull * 1024 * 1024);
  EXPECT_EQ(w.scheduler.policy, Policy::kNpEdf);
  EXPECT_TRUE(w.scheduler.load_shedding);
  EXPECT_EQ(w.scheduler.overheads.dispatch, Duration::us(20));
  EXPECT_EQ(w.scheduler.overheads.release, Duration::us(5));
  EXPECT_EQ(w.scheduler.overheads.preemption, Duration::us(50));
  ASSERT_EQ(w.tasks.size(), 1u);
  const Task& t = w.tasks[0];
  EXPECT_EQ(t.name, "detector");
  EXPECT_EQ(t.id, 0u);
  EXPECT_EQ(t.arrival, ArrivalKind::kPeriodic);
  EXPECT_EQ(t.period, Duration::ns(33'333'000));
  EXPECT_EQ(t.deadline, Duration::ns(33'333'000));
  EXPECT_EQ(t.priority, 10);
  EXPECT_EQ(t.queue.capacity, 2u);
  EXPECT_EQ(t.queue.on_full, OnFull::kDropOldest);
  ASSERT_EQ(t.segments.size(), 3u);
  EXPECT_EQ(t.segments[0].name, "seg0");
  EXPECT_EQ(t.segments[0].wcet, Duration::us(1500));
  EXPECT_EQ(t.segments[1].name, "seg1");
  EXPECT_EQ(t.segments[1].wcet, Duration::ms(2));
  EXPECT_EQ(t.segments[2].name, "seg2");
  EXPECT_EQ(t.segments[2].wcet, Duration::us(500));
  ASSERT_TRUE(t.sim.has_value());
  EXPECT_EQ(t.sim->distribution, Distribution::kUniform);
  EXPECT_EQ(t.sim->bcet_fraction, 0.6);
  EXPECT_FALSE(t.model.has_value());
  EXPECT_EQ(sut.mapping.format, "aegisrt");
  EXPECT_TRUE(sut.mapping.notes.empty());
  EXPECT_TRUE(sut.warnings.empty());
}

TEST(WorkloadParseTest, ConvertsEveryDurationUnitToNanoseconds) {
  const Loaded sut = load_ok(R"(tasks:
  - name: a
    period_s: 0.5
    deadline_ms: 250.5
    phase_us: 12.5
    jitter_ns: 7
    sim: {segments_us: [3, 0.25], distribution: constant}
)");
  const Task& t = sut.workload.tasks.at(0);
  EXPECT_EQ(t.period, Duration::ns(500'000'000));
  EXPECT_EQ(t.deadline, Duration::ns(250'500'000));
  EXPECT_EQ(t.phase, Duration::ns(12'500));
  EXPECT_EQ(t.jitter, Duration::ns(7));
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].wcet, Duration::ns(3'000));
  EXPECT_EQ(t.segments[1].wcet, Duration::ns(250));
}

TEST(WorkloadParseTest, ReadsDecimalDurationsExactly) {
  // 33.333 ms = 33333000 ns; 0.001 us = 1 ns; 0.002 us = 2 ns (exact, nothing rounded; sub-ns
  // values are errors: exact_values_test.cpp).
  const Loaded sut = load_ok(R"(tasks:
  - name: a
    period_ms: 33.333
    sim: {segments_us: [0.001, 0.002]}
)");
  const Task& t = sut.workload.tasks.at(0);
  EXPECT_EQ(t.period.count(), 33'333'000);
  EXPECT_EQ(t.segments.at(0).wcet.count(), 1);
  EXPECT_EQ(t.segments.at(1).wcet.count(), 2);
}

TEST(WorkloadParseTest, ConvertsEverySizeUnitToBytes) {
  const Loaded sut = load_ok(R"(device: {memory_budget_gib: 2}
tasks:
  - {name: a, period_ms: 10, memory_bytes: 100, sim: {wcet_ms: 1}}
  - {name: b, period_ms: 10, memory_kib: 1.5, sim: {wcet_ms: 1}}
  - {name: c, period_ms: 10, memory_mib: 3, sim: {wcet_ms: 1}}
  - {name: d, period_ms: 10, memory_gib: 0.5, sim: {wcet_ms: 1}}
)");
  const Workload& w = sut.workload;
  EXPECT_EQ(w.device.memory_budget_bytes, 2ull << 30);
  EXPECT_EQ(w.tasks.at(0).memory_bytes, 100u);
  EXPECT_EQ(w.tasks.at(1).memory_bytes, 1536u);
  EXPECT_EQ(w.tasks.at(2).memory_bytes, 3u << 20);
  EXPECT_EQ(w.tasks.at(3).memory_bytes, 1u << 29);
}

TEST(WorkloadParseTest, FillsInEveryDefault) {
  const Loaded sut = load_ok(R"(tasks:
  - name: a
    period_ms: 20
    sim: {wcet_ms: 2}
)");
  const Workload& w = sut.workload;
  EXPECT_EQ(w.name, "test");  // the file's stem
  EXPECT_EQ(w.device.backend, "sim");
  EXPECT_EQ(w.device.memory_budget_bytes, 0u);
  EXPECT_EQ(w.scheduler.policy, Policy::kNpEdf);
  EXPECT_TRUE(w.scheduler.load_shedding);
  EXPECT_EQ(w.scheduler.overheads.dispatch, Duration::zero());
  EXPECT_EQ(w.scheduler.overheads.release, Duration::zero());
  EXPECT_EQ(w.scheduler.overheads.preemption, Duration::zero());
  const Task& t = w.tasks.at(0);
  EXPECT_EQ(t.deadline, Duration::ms(20));  // the period
  EXPECT_EQ(t.phase, Duration::zero());
  EXPECT_EQ(t.jitter, Duration::zero());
  EXPECT_EQ(t.priority, 0);
  EXPECT_EQ(t.criticality, Criticality::kNormal);
  EXPECT_EQ(t.queue.capacity, 1u);
  EXPECT_EQ(t.queue.on_full, OnFull::kDropOldest);
  EXPECT_EQ(t.on_miss, OnMiss::kComplete);
  EXPECT_EQ(t.memory_bytes, 0u);
  ASSERT_EQ(t.segments.size(), 1u);
  EXPECT_EQ(t.segments[0].name, "seg0");
  EXPECT_EQ(t.segments[0].wcet, Duration::ms(2));
  ASSERT_TRUE(t.sim.has_value());
  EXPECT_EQ(t.sim->distribution, Distribution::kConstant);
  EXPECT_EQ(t.sim->bcet_fraction, 1.0);
}

TEST(WorkloadParseTest, DefaultsBcetFractionToOneHalfForUniformAndNormal) {
  const Loaded sut = load_ok(R"(tasks:
  - {name: u, period_ms: 20, sim: {wcet_ms: 2, distribution: uniform}}
  - {name: n, period_ms: 20, sim: {wcet_ms: 2, distribution: normal}}
)");
  const auto& tasks = sut.workload.tasks;
  EXPECT_EQ(tasks.at(0).sim->bcet_fraction, 0.5);
  EXPECT_EQ(tasks.at(1).sim->bcet_fraction, 0.5);
  EXPECT_EQ(tasks.at(1).sim->mean_fraction, 0.8);
  EXPECT_EQ(tasks.at(1).sim->stddev_fraction, 0.1);
}

TEST(WorkloadParseTest, ReadsSporadicTasksWithDefaultMaximumInterArrival) {
  const Loaded sut = load_ok(R"(tasks:
  - {name: s, min_interarrival_ms: 100, sim: {wcet_ms: 2}}
  - {name: t, min_interarrival_ms: 100, max_interarrival_ms: 150, deadline_ms: 90, sim: {wcet_ms: 2}}
)");
  const auto& tasks = sut.workload.tasks;
  EXPECT_EQ(tasks.at(0).arrival, ArrivalKind::kSporadic);
  EXPECT_EQ(tasks.at(0).period, Duration::ms(100));
  EXPECT_EQ(tasks.at(0).max_interarrival, Duration::ms(200));
  EXPECT_EQ(tasks.at(0).deadline, Duration::ms(100));
  EXPECT_EQ(tasks.at(1).max_interarrival, Duration::ms(150));
  EXPECT_EQ(tasks.at(1).deadline, Duration::ms(90));
}

TEST(WorkloadParseTest, ReadsEnumsOfEveryKind) {
  const Loaded sut = load_ok(R"(device: {backend: opencv}
scheduler: {policy: lp-fp, load_shedding: false}
tasks:
  - name: a
    period_ms: 10
    criticality: high
    on_miss: abort
    queue: {capacity: 1000000, on_full: reject}
    sim: {wcet_ms: 1, distribution: normal, bcet_fraction: 0.4, mean_fraction: 0.7, stddev_fraction: 0.2}
  - {name: b, period_ms: 10, criticality: low, queue: {on_full: drop_newest}, sim: {wcet_ms: 1}}
)");
  const Workload& w = sut.workload;
  EXPECT_EQ(w.device.backend, "opencv");
  EXPECT_EQ(w.scheduler.policy, Policy::kLpFp);
  EXPECT_FALSE(w.scheduler.load_shedding);
  const Task& a = w.tasks.at(0);
  EXPECT_EQ(a.criticality, Criticality::kHigh);
  EXPECT_EQ(a.on_miss, OnMiss::kAbort);
  EXPECT_EQ(a.queue.capacity, 1'000'000u);
  EXPECT_EQ(a.queue.on_full, OnFull::kReject);
  EXPECT_EQ(a.sim->distribution, Distribution::kNormal);
  EXPECT_EQ(a.sim->bcet_fraction, 0.4);
  EXPECT_EQ(a.sim->mean_fraction, 0.7);
  EXPECT_EQ(a.sim->stddev_fraction, 0.2);
  const Task& b = w.tasks.at(1);
  EXPECT_EQ(b.criticality, Criticality::kLow);
  EXPECT_EQ(b.queue.on_full, OnFull::kDropNewest);
  EXPECT_EQ(b.queue.capacity, 1u);
}

TEST(WorkloadParseTest, AcceptsNegativePriorities) {
  const Loaded sut =
      load_ok("tasks:\n  - {name: a, period_ms: 10, priority: -3, sim: {wcet_ms: 1}}\n");
  EXPECT_EQ(sut.workload.tasks.at(0).priority, -3);
}

TEST(WorkloadParseTest, ReadsTheSameWorkloadFromJson) {
  const Loaded sut = load_ok(R"({
  "name": "j",
  "scheduler": {"policy": "np-fp"},
  "tasks": [
    {"name": "a", "period_ms": 33.333, "priority": 3,
     "sim": {"segments_ms": [1.5, 0.5], "distribution": "uniform", "bcet_fraction": 0.6}}
  ]
})");
  const Workload& w = sut.workload;
  EXPECT_EQ(w.name, "j");
  EXPECT_EQ(w.scheduler.policy, Policy::kNpFp);
  const Task& t = w.tasks.at(0);
  EXPECT_EQ(t.period, Duration::ns(33'333'000));
  EXPECT_EQ(t.priority, 3);
  ASSERT_EQ(t.segments.size(), 2u);
  EXPECT_EQ(t.segments[0].wcet, Duration::us(1500));
  EXPECT_EQ(t.sim->bcet_fraction, 0.6);
}

TEST(WorkloadParseTest, ReadsAModelTasksInputFilesResolvedAgainstTheWorkloadsFolder) {
  testing::TempDir dir;
  dir.write("nets/ocr.onnx", "x");
  dir.write("frames/a.npy", "x");
  dir.write("frames/b.npy", "x");
  const Loaded sut = load_ok(R"(tasks:
  - name: one
    period_ms: 100
    model: {path: nets/ocr.onnx, inputs: frames/a.npy}
  - name: two
    period_ms: 100
    model: {path: nets/ocr.onnx, inputs: [frames/b.npy, frames/a.npy]}
)",
                             dir.str());
  EXPECT_EQ(sut.workload.tasks.at(0).model->inputs,
            (std::vector<std::string>{(dir.path() / "frames/a.npy").string()}));
  EXPECT_EQ(sut.workload.tasks.at(1).model->inputs,
            (std::vector<std::string>{(dir.path() / "frames/b.npy").string(),
                                      (dir.path() / "frames/a.npy").string()}));
}

TEST(WorkloadParseTest, ReadsAModelTaskWithoutSimAsEmptySegments) {
  testing::TempDir dir;
  dir.write("nets/face.onnx", "not really onnx");
  const Loaded sut = load_ok(R"(tasks:
  - name: face
    period_ms: 33.333
    model: {path: nets/face.onnx, input_shape: [1, 128, 128, 3]}
  - name: face2
    period_ms: 33.333
    model: nets/face.onnx
    sim: {wcet_ms: 2}
)",
                             dir.str());
  const Task& a = sut.workload.tasks.at(0);
  ASSERT_TRUE(a.model.has_value());
  EXPECT_EQ(a.model->path, (dir.path() / "nets/face.onnx").string());
  EXPECT_EQ(a.model->input_shape, (std::vector<std::int64_t>{1, 128, 128, 3}));
  EXPECT_TRUE(a.segments.empty());
  EXPECT_FALSE(a.sim.has_value());
  const Task& b = sut.workload.tasks.at(1);
  ASSERT_TRUE(b.model.has_value());
  EXPECT_TRUE(b.model->input_shape.empty());
  EXPECT_EQ(b.segments.size(), 1u);
}

TEST(WorkloadParseTest, LoadsAFileAndResolvesPathsAgainstItsFolder) {
  testing::TempDir dir;
  dir.write("w/m.onnx", "x");
  const std::string path =
      dir.write("w/mix.yaml", "tasks:\n  - {name: a, period_ms: 10, model: m.onnx}\n");
  auto sut = load_file(path);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->workload.name, "mix");
  EXPECT_EQ(sut->workload.source_file, path);
  EXPECT_EQ(sut->workload.tasks.at(0).model->path, (dir.path() / "w/m.onnx").string());
}

TEST(WorkloadParseTest, WarnsAboutParametersTheDistributionDoesNotUse) {
  const Loaded sut =
      load_ok("tasks:\n  - {name: a, period_ms: 10, sim: {wcet_ms: 1, bcet_fraction: 0.3}}\n");
  ASSERT_EQ(sut.warnings.size(), 1u);
  EXPECT_NE(sut.warnings[0].find("bcet_fraction has no effect with distribution constant"),
            std::string::npos)
      << sut.warnings[0];
  EXPECT_EQ(sut.workload.tasks.at(0).sim->bcet_fraction, 1.0);
}

TEST(WorkloadParseTest, WarnsWhenDeclaredMemoryExceedsTheBudget) {
  const Loaded sut = load_ok(R"(device: {memory_budget_mib: 1}
tasks:
  - {name: a, period_ms: 10, memory_kib: 600, sim: {wcet_ms: 1}}
  - {name: b, period_ms: 10, memory_kib: 600, sim: {wcet_ms: 1}}
)");
  ASSERT_EQ(sut.warnings.size(), 1u);
  EXPECT_NE(sut.warnings[0].find("1228800 bytes"), std::string::npos) << sut.warnings[0];
}

}  // namespace
}  // namespace aegisrt::workload
