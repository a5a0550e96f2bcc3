// `aegisrt check`: exit codes, normalised output on stdout, errors and warnings on stderr.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

const std::string kExamples = std::string(AEGISRT_SOURCE_DIR) + "/examples/";

using testing::CliRun;
using testing::run_cli;

TEST(CliCheckTest, AcceptsEveryExample) {
  testing::TempDir dir;
  for (const char* name : {"example-mix.yaml", "overload.yaml", "ieo-tasks.json"}) {
    SCOPED_TRACE(name);
    const CliRun sut = run_cli("check '" + kExamples + name + "'");
    EXPECT_EQ(sut.exit_code, 0) << sut.err;
    EXPECT_EQ(sut.err, "");
    EXPECT_NE(sut.out.find("tasks:\n"), std::string::npos);
  }
}

// The examples that name real models load once the models are fetched (their paths resolve).
TEST(CliCheckTest, AcceptsEveryModelExampleOnceTheModelsAreFetched) {
  if (!std::filesystem::exists(std::string(AEGISRT_SOURCE_DIR) +
                               "/models/ch_PP-OCRv4_det_infer.onnx")) {
    GTEST_SKIP() << "models not in models/: run scripts/fetch-models";
  }
  for (const char* name : {"perception.yaml", "perception-cpu.yaml", "detect/faces.yaml"}) {
    SCOPED_TRACE(name);
    const CliRun sut = run_cli("check '" + kExamples + name + "'");
    EXPECT_EQ(sut.exit_code, 0) << sut.err;
    EXPECT_NE(sut.out.find("backend: cpu"), std::string::npos) << sut.out;
  }
}

TEST(CliCheckTest, PrintsTheNormalisedWorkloadAsYaml) {
  testing::TempDir dir;
  const CliRun sut = run_cli("check '" + kExamples + "example-mix.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_EQ(sut.out.rfind("name: example-mix\n", 0), 0u) << sut.out;
  EXPECT_NE(sut.out.find("  - name: face_front\n    period_ns: 33333000\n"), std::string::npos)
      << sut.out;
  EXPECT_NE(sut.out.find("memory_budget_bytes: 536870912"), std::string::npos);
}

TEST(CliCheckTest, PrintsJsonWithTheMappingOfAnIeoConfig) {
  testing::TempDir dir;
  const CliRun sut = run_cli("check --json '" + kExamples + "ieo-tasks.json'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto j = nlohmann::json::parse(sut.out);
  EXPECT_EQ(j["tasks"][0]["name"], "detector");
  EXPECT_EQ(j["tasks"][0]["period_ns"], 33'333'333);  // 30 fps
  EXPECT_EQ(j["mapping"]["format"], "inferedge-orchestrator");
  ASSERT_TRUE(j["mapping"]["notes"].is_array());
  EXPECT_EQ(j["mapping"]["notes"][3],
            "tasks[0] detector: target_fps 30 -> period 33.333333ms "
            "(33333333ns)");
}

TEST(CliCheckTest, PrintsIeoMappingNotesAsCommentsBeforeTheYaml) {
  testing::TempDir dir;
  const CliRun sut = run_cli("check '" + kExamples + "ieo-tasks.json'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_EQ(sut.out.rfind("# mapped from ", 0), 0u) << sut.out;
  EXPECT_NE(sut.out.find("\n# tasks[0] detector: target_fps 30 -> period 33.333333ms"),
            std::string::npos)
      << sut.out;
  EXPECT_NE(sut.out.find("\nname: ieo_vision_demo\n"), std::string::npos) << sut.out;
}

TEST(CliCheckTest, ExitsTwoWithTheErrorPositionForABadFile) {
  testing::TempDir dir;
  const std::string bad = dir.write("bad.yaml",
                                    "name: bad\n"
                                    "tasks:\n"
                                    "  - name: a\n"
                                    "    perod_ms: 10\n");
  const CliRun sut = run_cli("check '" + bad + "'");
  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.out, "");
  EXPECT_EQ(sut.err, "aegisrt: error: " + bad +
                         ":4:5: tasks[0].perod_ms: unknown key `perod_ms` in tasks[0] (did you "
                         "mean `period_ms`?)\n");
}

TEST(CliCheckTest, ExitsTwoForAMissingFileAndForMissingArguments) {
  testing::TempDir dir;
  EXPECT_EQ(run_cli("check '" + (dir.path() / "absent.yaml").string() + "'").exit_code, 2);
  EXPECT_EQ(run_cli("check").exit_code, 2);
}

TEST(CliCheckTest, PrintsWarningsOnStderrAndStillSucceeds) {
  testing::TempDir dir;
  const std::string file =
      dir.write("warn.yaml",
                "tasks:\n  - {name: a, period_ms: 10, sim: {wcet_ms: 1, stddev_fraction: 0.3}}\n");
  const CliRun sut = run_cli("check '" + file + "'");
  EXPECT_EQ(sut.exit_code, 0);
  EXPECT_NE(sut.err.find("aegisrt: warning: "), std::string::npos) << sut.err;
  EXPECT_NE(sut.err.find("stddev_fraction has no effect with distribution constant"),
            std::string::npos)
      << sut.err;
}

}  // namespace
}  // namespace aegisrt::workload
