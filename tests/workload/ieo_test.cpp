// InferEdgeOrchestrator task configs (keys and values as in its config.py) mapped onto AegisRT.
// Expected periods are 1e9 / target_fps ns rounded to nearest, worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>

#include "aegisrt/workload/workload.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

bool has_note(const Loaded& l, const std::string& text) {
  return std::any_of(l.mapping.notes.begin(), l.mapping.notes.end(),
                     [&](const std::string& n) { return n.find(text) != std::string::npos; });
}

std::string all_notes(const Loaded& l) {
  std::string s;
  for (const auto& n : l.mapping.notes) s += n + "\n";
  return s;
}

// IEO's own overload demo (configs/phase3_overload.json), verbatim in structure.
constexpr const char* kPhase3 = R"({
  "run": {
    "name": "phase3_overload",
    "input_source": "dummy",
    "overload_backlog_threshold": 8
  },
  "tasks": [
    {
      "name": "detector",
      "model_path": "models/detector.onnx",
      "priority": 100,
      "target_fps": 15.0,
      "latency_budget_ms": 80.0,
      "queue_size": 24,
      "drop_policy": "drop_oldest",
      "worker": "dummy",
      "simulated_latency_ms": 8.0
    },
    {
      "name": "classifier",
      "model_path": "models/classifier.onnx",
      "priority": 20,
      "target_fps": 5.0,
      "latency_budget_ms": 250.0,
      "queue_size": 24,
      "drop_policy": "drop_oldest",
      "worker": "dummy",
      "simulated_latency_ms": 45.0
    }
  ]
})";

TEST(IeoConfigTest, MapsTheOverloadDemoOntoTasks) {
  testing::TempDir dir;  // no model files there: fine for dummy workers
  auto sut = load_text(kPhase3, "phase3.json", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->mapping.format, "inferedge-orchestrator");
  const Workload& w = sut->workload;
  EXPECT_EQ(w.name, "phase3_overload");
  EXPECT_EQ(w.device.backend, "sim");
  EXPECT_EQ(w.scheduler.policy, Policy::kNpFp);
  EXPECT_TRUE(w.scheduler.load_shedding);
  ASSERT_EQ(w.tasks.size(), 2u);

  const Task& det = w.tasks[0];
  EXPECT_EQ(det.name, "detector");
  EXPECT_EQ(det.arrival, ArrivalKind::kPeriodic);
  EXPECT_EQ(det.period, Duration::ns(66'666'667));    // 1e9 / 15 = 66666666.67
  EXPECT_EQ(det.deadline, Duration::ns(66'666'667));  // 80 ms capped at the period
  EXPECT_EQ(det.priority, 100);
  EXPECT_EQ(det.queue.capacity, 24u);
  EXPECT_EQ(det.queue.on_full, OnFull::kDropOldest);
  EXPECT_EQ(det.criticality, Criticality::kHigh);  // the highest priority
  ASSERT_EQ(det.segments.size(), 1u);
  EXPECT_EQ(det.segments[0].wcet, Duration::ms(8));
  ASSERT_TRUE(det.sim.has_value());
  EXPECT_EQ(det.sim->distribution, Distribution::kConstant);
  EXPECT_FALSE(det.model.has_value());  // models/detector.onnx does not exist

  const Task& cls = w.tasks[1];
  EXPECT_EQ(cls.period, Duration::ms(200));    // 1e9 / 5
  EXPECT_EQ(cls.deadline, Duration::ms(200));  // 250 ms capped
  EXPECT_EQ(cls.priority, 20);
  EXPECT_EQ(cls.criticality, Criticality::kNormal);
  EXPECT_EQ(cls.segments.at(0).wcet, Duration::ms(45));

  EXPECT_TRUE(
      has_note(*sut, "tasks[0] detector: target_fps 15.0 -> period 66.666667ms (66666667ns)"))
      << all_notes(*sut);
  EXPECT_TRUE(has_note(*sut,
                       "tasks[0] detector: latency_budget_ms 80.0 exceeds the period "
                       "66.666667ms -> deadline capped at the period"))
      << all_notes(*sut);
  EXPECT_TRUE(has_note(*sut, "tasks[1] classifier: target_fps 5.0 -> period 200ms"));
  EXPECT_TRUE(has_note(*sut, "simulated_latency_ms 8.0 -> sim: one constant segment of 8ms"));
  EXPECT_TRUE(has_note(*sut, "model_path models/detector.onnx not found"));
  EXPECT_TRUE(has_note(*sut, "run.overload_backlog_threshold 8"));
  EXPECT_TRUE(has_note(*sut, "policy np-fp"));
  EXPECT_TRUE(has_note(*sut, "criticality: detector (priority 100) -> high, the others normal"));
}

TEST(IeoConfigTest, KeepsALatencyBudgetWithinThePeriod) {
  auto sut = load_text(R"({"tasks": [{"name": "a", "target_fps": 30, "latency_budget_ms": 25,
                           "queue_size": 2}]})",
                       "a.json");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const Task& t = sut->workload.tasks.at(0);
  EXPECT_EQ(t.period, Duration::ns(33'333'333));  // 1e9 / 30 = 33333333.33
  EXPECT_EQ(t.deadline, Duration::ms(25));
  EXPECT_TRUE(has_note(*sut, "tasks[0] a: latency_budget_ms 25 -> deadline 25ms"));
}

TEST(IeoConfigTest, DetectsTheFormatWithoutARunObject) {
  auto sut = load_text(R"({"tasks": [{"name": "a", "target_fps": 7, "latency_budget_ms": 100,
                           "queue_size": 1}]})",
                       "norun.json");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->mapping.format, "inferedge-orchestrator");
  const Task& t = sut->workload.tasks.at(0);
  EXPECT_EQ(t.period, Duration::ns(142'857'143));  // 1e9 / 7 = 142857142.86
  EXPECT_EQ(t.deadline, Duration::ms(100));
  // IEO's defaults: priority 0, drop_oldest, dummy worker with 1 ms of simulated latency.
  EXPECT_EQ(t.priority, 0);
  EXPECT_EQ(t.queue.on_full, OnFull::kDropOldest);
  EXPECT_EQ(t.segments.at(0).wcet, Duration::ms(1));
  EXPECT_EQ(sut->workload.name, "norun");
}

TEST(IeoConfigTest, MapsDropPoliciesOntoOnFull) {
  auto sut = load_text(R"(tasks:
  - {name: a, target_fps: 10, latency_budget_ms: 50, queue_size: 3, drop_policy: drop_newest}
  - {name: b, target_fps: 10, latency_budget_ms: 50, queue_size: 3, drop_policy: drop_low_priority}
  - {name: c, target_fps: 10, latency_budget_ms: 50, queue_size: 3, drop_policy: drop_oldest}
)",
                       "drops.yaml");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const auto& tasks = sut->workload.tasks;
  EXPECT_EQ(tasks.at(0).queue.on_full, OnFull::kDropNewest);
  EXPECT_EQ(tasks.at(1).queue.on_full, OnFull::kDropNewest);
  EXPECT_EQ(tasks.at(2).queue.on_full, OnFull::kDropOldest);
  EXPECT_TRUE(has_note(*sut,
                       "drop_policy drop_low_priority -> queue capacity 3, on_full "
                       "drop_newest"));
}

TEST(IeoConfigTest, KeepsAnExistingModelForADummyWorker) {
  testing::TempDir dir;
  dir.write("models/det.onnx", "x");
  auto sut = load_text(R"({"tasks": [{"name": "a", "model_path": "models/det.onnx",
                           "target_fps": 10, "latency_budget_ms": 50, "queue_size": 1,
                           "simulated_latency_ms": 3}]})",
                       "m.json", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const Task& t = sut->workload.tasks.at(0);
  ASSERT_TRUE(t.model.has_value());
  EXPECT_EQ(t.model->path, (dir.path() / "models/det.onnx").string());
  EXPECT_EQ(t.segments.at(0).wcet, Duration::ms(3));
}

TEST(IeoConfigTest, MapsARealWorkerToAModelTaskOnItsBackend) {
  testing::TempDir dir;
  dir.write("det.onnx", "x");
  auto sut =
      load_text(R"({"tasks": [{"name": "a", "model_path": "det.onnx", "worker": "onnxruntime",
                           "target_fps": 10, "latency_budget_ms": 50, "queue_size": 1}]})",
                "ort.json", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->workload.device.backend, "cpu");
  const Task& t = sut->workload.tasks.at(0);
  EXPECT_TRUE(t.model.has_value());
  EXPECT_TRUE(t.segments.empty());
  EXPECT_FALSE(t.sim.has_value());
}

TEST(IeoConfigTest, RejectsAMissingModelForARealWorker) {
  testing::TempDir dir;
  // "  {\"name\": \"a\", \"model_path\": " is 30 characters.
  auto sut = load_text(
      "{\"tasks\": [\n"
      "  {\"name\": \"a\", \"model_path\": \"gone.onnx\", \"worker\": \"onnxruntime\",\n"
      "   \"target_fps\": 10, \"latency_budget_ms\": 50, \"queue_size\": 1}]}\n",
      "gone.json", dir.str());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(sut.error().where.line, 2);
  EXPECT_EQ(sut.error().where.column, 31);
  EXPECT_EQ(sut.error().where.field, "tasks[0].model_path");
  EXPECT_NE(sut.error().message.find("model file `gone.onnx` not found"), std::string::npos);
}

TEST(IeoConfigTest, SuggestsTheNearestIeoKey) {
  // "  - {name: a, " is 14 characters.
  auto sut = load_text(
      "tasks:\n"
      "  - {name: a, target_fsp: 10, latency_budget_ms: 50, queue_size: 1}\n",
      "typo.yaml");
  ASSERT_FALSE(sut.ok());
  // Detected as IEO through latency_budget_ms; the unknown key gets IEO's nearest key.
  EXPECT_EQ(sut.error().to_string(),
            "typo.yaml:2:15: tasks[0].target_fsp: unknown key `target_fsp` in tasks[0] (did you "
            "mean `target_fps`?)");
}

TEST(IeoConfigTest, RejectsAnUnknownDropPolicy) {
  // "  - {name: a, target_fps: 10, latency_budget_ms: 50, queue_size: 1, drop_policy: " is 81.
  auto sut = load_text(
      "tasks:\n"
      "  - {name: a, target_fps: 10, latency_budget_ms: 50, queue_size: 1, drop_policy: "
      "drop_old}\n",
      "dp.yaml");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.line, 2);
  EXPECT_EQ(sut.error().where.column, 82);
  EXPECT_EQ(sut.error().where.field, "tasks[0].drop_policy");
  EXPECT_NE(sut.error().hint.find("drop_oldest, drop_newest, drop_low_priority"),
            std::string::npos);
}

TEST(IeoConfigTest, RequiresTargetFpsAndQueueSize) {
  auto no_fps = load_text(R"({"run": {}, "tasks": [{"name": "a", "latency_budget_ms": 50,
                              "queue_size": 1}]})",
                          "nofps.json");
  ASSERT_FALSE(no_fps.ok());
  EXPECT_NE(no_fps.error().message.find("tasks[0] has no `target_fps`"), std::string::npos);
  auto no_queue = load_text(R"({"run": {}, "tasks": [{"name": "a", "target_fps": 5,
                                "latency_budget_ms": 50}]})",
                            "noq.json");
  ASSERT_FALSE(no_queue.ok());
  EXPECT_NE(no_queue.error().message.find("tasks[0] has no `queue_size`"), std::string::npos);
}

TEST(IeoConfigTest, RejectsANonPositiveTargetFps) {
  auto sut = load_text(R"({"tasks": [{"name": "a", "target_fps": 0, "latency_budget_ms": 50,
                           "queue_size": 1}]})",
                       "zero.json");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.field, "tasks[0].target_fps");
  EXPECT_NE(sut.error().message.find("target_fps 0 is not positive"), std::string::npos);
}

TEST(IeoConfigTest, NotesIgnoredAgentKeys) {
  auto sut = load_text(R"({"tasks": [{"name": "a", "target_fps": 5, "latency_budget_ms": 50,
                           "queue_size": 1, "agent_id": "vision", "emit_every_cycles": 2,
                           "worker_options": {"providers": ["CPUExecutionProvider"]}}]})",
                       "agent.json");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_TRUE(has_note(*sut, "worker_options, agent_id ignored")) << all_notes(*sut);
  EXPECT_TRUE(has_note(*sut, "emit_every_cycles 2 ignored")) << all_notes(*sut);
}

}  // namespace
}  // namespace aegisrt::workload
