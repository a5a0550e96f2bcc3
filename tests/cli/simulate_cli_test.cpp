// `aegisrt simulate` as a user runs it: statistics, JSON shape, traces and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"

namespace aegisrt::testing {
namespace {

const std::string kExamples = std::string(AEGISRT_SOURCE_DIR) + "/examples/";

TEST(SimulateCliTest, JsonReportsEveryTaskWithCountsThatAddUp) {
  const CliRun sut = run_cli("simulate --json --force --duration 5s '" + kExamples + "overload.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto j = nlohmann::json::parse(sut.out);
  ASSERT_TRUE(j["tasks"].is_array());
  ASSERT_FALSE(j["tasks"].empty());
  std::uint64_t total_dropped = 0;
  for (const auto& t : j["tasks"]) {
    std::uint64_t dropped = 0;
    for (const auto& [reason, n] : t["dropped"].items()) dropped += n.get<std::uint64_t>();
    total_dropped += dropped;
    EXPECT_EQ(t["released"].get<std::uint64_t>(), t["completed"].get<std::uint64_t>() + dropped)
        << t["name"];
    const auto& r = t["response_ns"];
    if (t["completed"].get<std::uint64_t>() > 0) {
      EXPECT_LE(r["min"].get<std::int64_t>(), r["p50"].get<std::int64_t>());
      EXPECT_LE(r["p50"].get<std::int64_t>(), r["p99"].get<std::int64_t>());
      EXPECT_LE(r["p99"].get<std::int64_t>(), r["max"].get<std::int64_t>());
    }
    EXPECT_TRUE(t["cv"].is_number());
  }
  EXPECT_GT(total_dropped, 0u);  // the overload example does overload
  const auto& device = j["device"];
  const double u = device["utilisation"].get<double>();
  EXPECT_GT(u, 0.0);
  EXPECT_LE(u, 1.0);
  EXPECT_DOUBLE_EQ(u, device["busy_ns"].get<double>() / device["end_ns"].get<double>());
}

TEST(SimulateCliTest, PolicyOptionOverridesTheFile) {
  const CliRun sut =
      run_cli("simulate --json --force --duration 1s --policy fifo '" + kExamples + "example-mix.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_EQ(nlohmann::json::parse(sut.out)["policy"], "fifo");
}

TEST(SimulateCliTest, SameSeedGivesTheSameTraceBytesAndExplainReproducesIt) {
  const TempDir dir;
  const std::string a = (dir.path() / "a.json").string();
  const std::string b = (dir.path() / "b.json").string();
  const std::string c = (dir.path() / "c.json").string();
  const std::string file = "'" + kExamples + "example-mix.yaml'";
  ASSERT_EQ(run_cli("simulate --duration 3s --seed 9 --trace " + a + " " + file).exit_code, 0);
  ASSERT_EQ(run_cli("simulate --duration 3s --seed 9 --trace " + b + " " + file).exit_code, 0);
  ASSERT_EQ(run_cli("simulate --duration 3s --seed 10 --trace " + c + " " + file).exit_code, 0);
  EXPECT_EQ(read_file(a), read_file(b));
  EXPECT_NE(read_file(a), read_file(c));
  const CliRun explained = run_cli("explain " + a);
  EXPECT_EQ(explained.exit_code, 0) << explained.out;
  EXPECT_NE(explained.out.find("reproduced"), std::string::npos);
}

TEST(SimulateCliTest, BadInputExitsTwoWithAMessage) {
  const std::string file = "'" + kExamples + "example-mix.yaml'";
  const CliRun no_unit = run_cli("simulate --duration 10 " + file);
  EXPECT_EQ(no_unit.exit_code, 2);
  EXPECT_NE(no_unit.err.find("--duration `10`"), std::string::npos) << no_unit.err;
  const CliRun bad_policy = run_cli("simulate --policy edf " + file);
  EXPECT_EQ(bad_policy.exit_code, 2);
  EXPECT_NE(bad_policy.err.find("np-edf, np-fp, fifo, lp-edf, lp-fp"), std::string::npos);
  const CliRun missing = run_cli("simulate /nonexistent/w.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/w.yaml"), std::string::npos) << missing.err;
  EXPECT_EQ(run_cli("simulate").exit_code, 2);
}

TEST(SimulateCliTest, VersionAndHelpWork) {
  const CliRun version = run_cli("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("aegisrt "), std::string::npos);
  for (const char* cmd : {"simulate", "check", "explain"}) {
    const CliRun help = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << cmd;
  }
}

}  // namespace
}  // namespace aegisrt::testing

namespace aegisrt::testing {
namespace {

TEST(SimulateAdmissionTest, RefusesAnUnschedulableSetWithExitThreeAndTheReason) {
  const CliRun sut = run_cli("simulate '" + kExamples + "overload.yaml'");
  EXPECT_EQ(sut.exit_code, 3);
  EXPECT_NE(sut.err.find("not schedulable under np-edf"), std::string::npos) << sut.err;
  EXPECT_NE(sut.err.find("--force"), std::string::npos) << sut.err;
  EXPECT_EQ(sut.out, "");
}

TEST(SimulateAdmissionTest, ForcedRunsSaySoInTheReportAndTheTrace) {
  const TempDir dir;
  const std::string trace = (dir.path() / "t.json").string();
  const CliRun sut = run_cli("simulate --force --duration 1s --trace " + trace + " '" + kExamples +
                             "overload.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_NE(sut.out.find("not schedulable (forced)"), std::string::npos) << sut.out;
  const auto j = nlohmann::json::parse(read_file(trace));
  EXPECT_EQ(j["metadata"]["admission"], "not schedulable (forced)");

  const CliRun admitted =
      run_cli("simulate --duration 1s --trace " + trace + " '" + kExamples + "example-mix.yaml'");
  ASSERT_EQ(admitted.exit_code, 0) << admitted.err;
  EXPECT_EQ(nlohmann::json::parse(read_file(trace))["metadata"]["admission"], "schedulable");
}

}  // namespace
}  // namespace aegisrt::testing
