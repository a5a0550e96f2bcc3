// `aegisrt inspect` and `aegisrt plan-memory` end to end, on the real models when cached.
#include "support/cli.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "model/model_cache.hpp"
#include "model/onnx_builder.hpp"

namespace aegisrt::model {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

CliRun run_cli(const std::string& args) {
  const aegisrt::testing::CliRun r = aegisrt::testing::run_cli(args);
  return {r.exit_code, r.out + r.err};
}

nlohmann::json ort_expected(const std::string& stem) {
  std::ifstream in(std::string(AEGISRT_SOURCE_DIR) + "/tests/model/data/ort_shapes/" + stem +
                   ".json");
  return nlohmann::json::parse(in);
}

TEST(InspectCliTest, PrintsTheFoldedGraphAsJsonWithOrtOutputShapes) {
  const std::string stem = "face_detection_front_128x128_barracuda";
  const std::string path = aegisrt::testing::cached_model(stem + ".onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  const auto expected = ort_expected(stem);

  const CliRun sut = run_cli("inspect " + path + " --json");

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto j = nlohmann::json::parse(sut.out);
  ASSERT_EQ(j["outputs"].size(), expected["outputs"].size());
  for (const auto& out : j["outputs"]) {
    const std::string name = out["name"];
    EXPECT_EQ(out["shape"], expected["values"][name]["shape"]) << name;
  }
  EXPECT_EQ(j["segments"].size(), j["nodes"].size());  // default: one segment per node
  EXPECT_GT(j["flops"].get<std::uint64_t>(), 0u);
}

TEST(InspectCliTest, MergesSegmentsOnRequest) {
  const std::string path = aegisrt::testing::cached_model("ch_ppocr_mobile_v2.0_cls_infer.onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;

  const CliRun sut = run_cli("inspect " + path + " --input-shape 1,3,48,192 --segments 4 --json");

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto j = nlohmann::json::parse(sut.out);
  EXPECT_LE(j["segments"].size(), 4u);
  std::uint64_t flops = 0;
  for (const auto& s : j["segments"]) flops += s["flops"].get<std::uint64_t>();
  EXPECT_EQ(flops, j["flops"].get<std::uint64_t>());
}

TEST(InspectCliTest, MissingModelIsBadInputWithAMessage) {
  const CliRun sut = run_cli("inspect /nonexistent/x.onnx");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.out.find("/nonexistent/x.onnx"), std::string::npos) << sut.out;
}

TEST(InspectCliTest, UnsupportedOperatorIsBadInputNamingIt) {
  aegisrt::testing::OnnxBuilder b(12);
  b.input("x", {1, 4}).node("LSTM", {"x"}, {"y"}, "rnn").output("y");
  const auto path = std::filesystem::temp_directory_path() / "aegisrt_cli_unsupported.onnx";
  std::ofstream(path, std::ios::binary) << b.bytes();

  const CliRun sut = run_cli("inspect " + path.string());

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.out.find("LSTM"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("rnn"), std::string::npos) << sut.out;
  std::filesystem::remove(path);
}

TEST(PlanMemoryCliTest, ReportsTheMixSavingAndPlansWithinFivePercentOfTheLowerBound) {
  const std::vector<std::string> files = {"face_detection_front_128x128_barracuda.onnx",
                                          "face_detection_back_256x256_barracuda.onnx",
                                          "mlsd_320x320_tiny.onnx", "ch_PP-OCRv4_det_infer.onnx"};
  std::string args = "plan-memory --json";
  for (const auto& f : files) {
    const std::string path = aegisrt::testing::cached_model(f);
    if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
    args += " " + path + (f.find("OCRv4_det") != std::string::npos ? ":1,3,640,640" : "");
  }

  const CliRun sut = run_cli(args);

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto j = nlohmann::json::parse(sut.out);
  ASSERT_EQ(j["models"].size(), 4u);
  std::uint64_t sum = 0;
  std::uint64_t largest = 0;
  for (const auto& m : j["models"]) {
    const auto arena = m["arena_bytes"].get<std::uint64_t>();
    const auto lower = m["lower_bound_bytes"].get<std::uint64_t>();
    EXPECT_LE(lower, arena);
    EXPECT_LE(static_cast<double>(arena), 1.05 * static_cast<double>(lower)) << m["name"];
    EXPECT_LE(arena, m["naive_bytes"].get<std::uint64_t>());
    EXPECT_GT(m["weights_bytes"].get<std::uint64_t>(), 0u);
    sum += arena;
    largest = std::max(largest, arena);
  }
  EXPECT_EQ(j["shared"]["isolated_bytes"].get<std::uint64_t>(), sum);
  EXPECT_GE(j["shared"]["shared_bytes"].get<std::uint64_t>(), largest);
  const double saving = j["shared"]["saving_fraction"].get<double>();
  // MODELS.md: sharing saves "about 40%" for this mix.
  EXPECT_GT(saving, 0.35);
  EXPECT_LT(saving, 0.45);
}

TEST(PlanMemoryCliTest, LimitedPreemptionAddsPreservedSlotsToTheSharedRegion) {
  std::string models;
  for (const char* f :
       {"face_detection_front_128x128_barracuda.onnx", "face_detection_back_256x256_barracuda.onnx",
        "mlsd_320x320_tiny.onnx", "ch_PP-OCRv4_det_infer.onnx"}) {
    const std::string path = aegisrt::testing::cached_model(f);
    if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
    models +=
        " " + path + (std::string(f).find("OCRv4_det") != std::string::npos ? ":1,3,640,640" : "");
  }

  const CliRun none = run_cli("plan-memory --json --segments 8" + models);
  const CliRun sut = run_cli("plan-memory --json --segments 8 --preemption limited" + models);

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto jn = nlohmann::json::parse(none.out);
  const auto j = nlohmann::json::parse(sut.out);
  const auto& s = j["shared"];
  EXPECT_FALSE(s["isolated_layout"].get<bool>());
  EXPECT_GT(s["shared_bytes"].get<std::uint64_t>(),
            jn["shared"]["shared_bytes"].get<std::uint64_t>());
  EXPECT_EQ(s["shared_bytes"].get<std::uint64_t>(), s["shared_region_bytes"].get<std::uint64_t>() +
                                                        s["preserved_bytes"].get<std::uint64_t>());
  // Levels unknown (bare models): every model keeps a slot of its preserved bytes.
  std::uint64_t slots = 0;
  for (const auto& m : j["models"])
    slots += (m["preserved_bytes"].get<std::uint64_t>() + 63) / 64 * 64;
  EXPECT_EQ(s["preserved_bytes"].get<std::uint64_t>(), slots);
}

TEST(PlanMemoryCliTest, LimitedPreemptionFallsBackToIsolatedArenasWhenCheaper) {
  const std::string a =
      aegisrt::testing::cached_model("face_detection_front_128x128_barracuda.onnx");
  const std::string b =
      aegisrt::testing::cached_model("face_detection_back_256x256_barracuda.onnx");
  if (a.empty() || b.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;

  const CliRun sut = run_cli("plan-memory --json --preemption limited " + a + " " + b);

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto j = nlohmann::json::parse(sut.out);
  // One node per segment: each BlazeFace keeps most of its arena live at some boundary, so two
  // slots plus the region exceed the two arenas.
  EXPECT_TRUE(j["shared"]["isolated_layout"].get<bool>());
  EXPECT_EQ(j["shared"]["shared_bytes"], j["shared"]["isolated_bytes"]);
}

TEST(PlanMemoryCliTest, PlansAWorkloadFileWithItsPolicyShapesAndBudget) {
  const std::string front =
      aegisrt::testing::cached_model("face_detection_front_128x128_barracuda.onnx");
  const std::string det = aegisrt::testing::cached_model("ch_PP-OCRv4_det_infer.onnx");
  if (front.empty() || det.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  const auto path = std::filesystem::temp_directory_path() / "aegisrt_plan_memory_workload.yaml";
  std::ofstream(path) << "name: two-models\n"
                         "device: {backend: cpu, memory_budget_mib: 1}\n"
                         "scheduler: {policy: lp-fp}\n"
                         "tasks:\n"
                         "  - {name: face, period_ms: 33, priority: 2, model: "
                      << front
                      << "}\n"
                         "  - {name: text, period_ms: 333, priority: 1,\n"
                         "     model: {path: "
                      << det << ", input_shape: [1, 3, 320, 320]}}\n";

  const CliRun sut = run_cli("plan-memory --json " + path.string());

  ASSERT_EQ(sut.exit_code, 3) << sut.out;  // the plan does not fit the 1 MiB budget
  const auto j = nlohmann::json::parse(sut.out);
  EXPECT_EQ(j["preemption"], "limited");  // lp-fp preempts at segment boundaries
  ASSERT_EQ(j["models"].size(), 2u);
  EXPECT_EQ(j["models"][0]["name"], "face");
  EXPECT_EQ(j["models"][1]["name"], "text");
  // Priority levels: only `text` (the lower) can be preempted, and only by `face`: the worst
  // nesting is text's preserved bytes plus face's arena, or text running alone.
  const auto face = j["models"][0]["arena_bytes"].get<std::uint64_t>();
  const auto text = j["models"][1]["arena_bytes"].get<std::uint64_t>();
  const auto kept = (j["models"][1]["preserved_bytes"].get<std::uint64_t>() + 63) / 64 * 64;
  EXPECT_EQ(j["shared"]["nesting_bound_bytes"].get<std::uint64_t>(), std::max(text, kept + face));
  EXPECT_EQ(j["budget_bytes"].get<std::uint64_t>(), 1u << 20);
  EXPECT_FALSE(j["fits_budget"].get<bool>());
  // On cpu (when this build has it) the run's own figure is printed too, and it is the one
  // `admit` counts: the two commands agree on the bytes.
  if (j.contains("reserved")) {
    EXPECT_EQ(j["reserved"]["backend"], "cpu");
    EXPECT_FALSE(j["reserved"]["fits_budget"].get<bool>());
    // admit needs WCETs: the same tasks with a declared segment each.
    std::ofstream(path)
        << "name: two-models\n"
           "device: {backend: cpu, memory_budget_mib: 1}\n"
           "scheduler: {policy: lp-fp}\n"
           "tasks:\n"
           "  - {name: face, period_ms: 33, priority: 2, sim: {segments_ms: [1]}, "
           "model: "
        << front
        << "}\n"
           "  - {name: text, period_ms: 333, priority: 1, sim: {segments_ms: [5]},\n"
           "     model: {path: "
        << det << ", input_shape: [1, 3, 320, 320]}}\n";
    const CliRun admit = run_cli("admit --json " + path.string());
    ASSERT_EQ(admit.exit_code, 3) << admit.out;
    const auto v = nlohmann::json::parse(admit.out);
    EXPECT_EQ(v["memory"]["total_bytes"].get<std::uint64_t>(),
              j["reserved"]["bytes"].get<std::uint64_t>())
        << admit.out;
  }
  std::filesystem::remove(path);
}

// Admission counts the planner's figure for model tasks, not their (absent) declared memory: two
// models planned at several MiB against a 1 MiB budget are refused by `admit` and `simulate`,
// with the figure named; with a 1 GiB budget both admit.
TEST(PlanMemoryCliTest, AdmissionCountsThePlannedMemoryOfModelTasks) {
  const std::string front =
      aegisrt::testing::cached_model("face_detection_front_128x128_barracuda.onnx");
  const std::string lines = aegisrt::testing::cached_model("mlsd_320x320_tiny.onnx");
  if (front.empty() || lines.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  const auto path = std::filesystem::temp_directory_path() / "aegisrt_admit_memory.yaml";
  auto write = [&](const std::string& budget) {
    std::ofstream(path) << "name: two-models\n"
                           "device: {backend: sim, memory_budget_mib: "
                        << budget
                        << "}\n"
                           "scheduler: {policy: np-edf}\n"
                           "tasks:\n"
                           "  - {name: face, period_ms: 100, model: "
                        << front
                        << ", sim: {segments_ms: [2]}}\n"
                           "  - {name: lines, period_ms: 200, model: "
                        << lines << ", sim: {segments_ms: [5]}}\n";
  };
  write("1");
  const CliRun plan = run_cli("plan-memory --json " + path.string());
  ASSERT_EQ(plan.exit_code, 3) << plan.out;
  const auto planned = nlohmann::json::parse(plan.out)["total_bytes"].get<std::uint64_t>();
  ASSERT_GT(planned, 1u << 20);

  const CliRun admit = run_cli("admit --json " + path.string());
  EXPECT_EQ(admit.exit_code, 3) << admit.out;
  const auto v = nlohmann::json::parse(admit.out);
  EXPECT_EQ(v["memory"]["total_bytes"].get<std::uint64_t>(), planned);
  EXPECT_FALSE(v["memory"]["fits"].get<bool>());
  EXPECT_NE(admit.out.find("planned for the model tasks"), std::string::npos) << admit.out;

  const CliRun sim = run_cli("simulate --duration 1s " + path.string());
  EXPECT_EQ(sim.exit_code, 3) << sim.out;
  EXPECT_NE(sim.out.find("planned for the model tasks"), std::string::npos) << sim.out;

  write("1024");
  EXPECT_EQ(run_cli("admit " + path.string()).exit_code, 0);
  EXPECT_EQ(run_cli("simulate --duration 1s " + path.string()).exit_code, 0);
  std::filesystem::remove(path);
}

TEST(PlanMemoryCliTest, DynamicModelWithoutAShapeIsBadInput) {
  const std::string path = aegisrt::testing::cached_model("ch_PP-OCRv4_det_infer.onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;

  const CliRun sut = run_cli("plan-memory " + path);

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.out.find("dynamic"), std::string::npos) << sut.out;
}

}  // namespace
}  // namespace aegisrt::model
