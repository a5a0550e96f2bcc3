// `aegisrt simulate` as a user runs it: statistics, JSON shape, traces and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"

namespace aegisrt::testing {
namespace {

const std::string kExamples = std::string(AEGISRT_SOURCE_DIR) + "/examples/";

TEST(SimulateCliTest, JsonReportsEveryTaskWithCountsThatAddUp) {
  const CliRun sut =
      run_cli("simulate --json --force --duration 5s '" + kExamples + "overload.yaml'");
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
    const std::uint64_t completed = t["completed"].get<std::uint64_t>();
    if (completed > 0) {
      EXPECT_LE(r["min"].get<std::int64_t>(), r["max"].get<std::int64_t>());
    }
    if (completed >= 2) {
      EXPECT_LE(r["min"].get<std::int64_t>(), r["p50"].get<std::int64_t>());
      EXPECT_LE(r["p50"].get<std::int64_t>(), r["max"].get<std::int64_t>());
    }
    // A percentile is given only when the sample can tell it from the max (p99: 100 jobs).
    if (completed >= 100) {
      EXPECT_LE(r["p50"].get<std::int64_t>(), r["p99"].get<std::int64_t>());
      EXPECT_LE(r["p99"].get<std::int64_t>(), r["max"].get<std::int64_t>());
    } else {
      EXPECT_TRUE(r["p99"].is_null()) << t["name"] << " completed " << completed;
    }
    EXPECT_EQ(t["cv"].is_number(), completed >= 2) << t["name"];
  }
  EXPECT_GT(total_dropped, 0u);  // the overload example does overload
  const auto& device = j["device"];
  const double u = device["utilisation"].get<double>();
  EXPECT_GT(u, 0.0);
  EXPECT_LE(u, 1.0);
  EXPECT_DOUBLE_EQ(u, device["busy_ns"].get<double>() / device["end_ns"].get<double>());
}

TEST(SimulateCliTest, PolicyOptionOverridesTheFile) {
  const CliRun sut = run_cli("simulate --json --force --duration 1s --policy fifo '" + kExamples +
                             "example-mix.yaml'");
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

namespace aegisrt::testing {
namespace {

// A set that admission accepts (one task, utilisation 1 ms / 10 ms) whose simulated execution
// breaks its own model: the empirical samples (20 ms each) are replayed as measured, above the
// declared WCET of 1 ms and beyond the 10 ms deadline, so every job it runs misses.
std::string write_wrong_model(const TempDir& dir) {
  dir.write("samples.txt", "20ms\n20ms\n");
  return dir.write("wrong-model.yaml",
                   "name: wrong-model\n"
                   "scheduler: {policy: np-edf}\n"
                   "tasks:\n"
                   "  - name: det\n"
                   "    period_ms: 10\n"
                   "    sim: {wcet_ms: 1, distribution: empirical, samples_file: samples.txt}\n");
}

std::uint64_t total_missed(const nlohmann::json& report) {
  std::uint64_t n = 0;
  for (const auto& t : report["tasks"]) n += t["missed"].get<std::uint64_t>();
  return n;
}

TEST(SimulateGateTest, AnAdmittedSetThatMissesExitsFiveAndSaysTheModelIsWrong) {
  const TempDir dir;
  const std::string file = write_wrong_model(dir);
  const CliRun sut = run_cli("simulate --duration 200ms '" + file + "'");
  EXPECT_EQ(sut.exit_code, 5) << sut.err;
  EXPECT_NE(sut.out.find("(schedulable)"), std::string::npos) << sut.out;
  const CliRun json = run_cli("simulate --json --duration 200ms '" + file + "'");
  EXPECT_EQ(json.exit_code, 5) << json.err;
  const auto report = nlohmann::json::parse(json.out);
  const std::uint64_t missed = total_missed(report);
  ASSERT_GT(missed, 1u);
  // Every job that runs takes 20 ms against a 10 ms deadline: each completed job missed.
  EXPECT_EQ(missed, report["tasks"][0]["completed"].get<std::uint64_t>());
  EXPECT_EQ(report["admitted"], true);
  EXPECT_EQ(report["missed"].get<std::uint64_t>(), missed);
  EXPECT_EQ(report["unexpected_misses"].get<std::uint64_t>(), missed);
  const std::string sentence =
      "admitted, but " + std::to_string(missed) + " misses: the analysis or the model is wrong";
  EXPECT_EQ(report["outcome"], sentence);
  EXPECT_NE(sut.out.find("\n" + sentence + "\n"), std::string::npos) << sut.out;
  EXPECT_NE(sut.err.find("aegisrt: error: " + file + ": " + sentence), std::string::npos)
      << sut.err;
  EXPECT_NE(json.err.find(sentence), std::string::npos) << json.err;
}

TEST(SimulateGateTest, AnAdmittedSetWithoutMissesExitsZero) {
  const CliRun sut = run_cli("simulate --json --duration 1s '" + kExamples + "example-mix.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto report = nlohmann::json::parse(sut.out);
  EXPECT_EQ(report["admitted"], true);
  EXPECT_EQ(total_missed(report), 0u);
  EXPECT_EQ(report["unexpected_misses"], 0);
  EXPECT_FALSE(report.contains("outcome"));
}

TEST(SimulateGateTest, AForcedRejectedSetThatMissesKeepsExitZero) {
  const CliRun sut =
      run_cli("simulate --json --force --duration 5s '" + kExamples + "overload.yaml'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto report = nlohmann::json::parse(sut.out);
  EXPECT_EQ(report["admitted"], false);
  EXPECT_GT(total_missed(report), 0u);  // the overload example does miss
  EXPECT_EQ(report["unexpected_misses"], 0);
  EXPECT_EQ(sut.err.find("the analysis or the model is wrong"), std::string::npos) << sut.err;
}

TEST(SimulateDurationTest, ReadsTheDurationExactlyAndNamesTheOptionWhenItCannot) {
  const std::string file = "'" + kExamples + "example-mix.yaml'";
  const CliRun exact = run_cli("simulate --json --duration 1.000000001s " + file);
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(nlohmann::json::parse(exact.out)["duration_ns"], 1'000'000'001);

  const CliRun fraction = run_cli("simulate --duration 1.5ns " + file);
  EXPECT_EQ(fraction.exit_code, 2);
  EXPECT_NE(fraction.err.find("--duration `1.5ns` is not a whole number of nanoseconds; durations "
                              "are integer nanoseconds: write a whole number of ns"),
            std::string::npos)
      << fraction.err;
  const CliRun ms = run_cli("simulate --duration 0.0000001ms " + file);
  EXPECT_EQ(ms.exit_code, 2);
  EXPECT_NE(ms.err.find("write at most 6 decimals with ms"), std::string::npos) << ms.err;
  const CliRun large = run_cli("simulate --duration 9223372036.854775808s " + file);
  EXPECT_EQ(large.exit_code, 2);
  EXPECT_NE(large.err.find("--duration `9223372036.854775808s` is too large; durations must fit "
                           "in 64-bit nanoseconds (about 292 years)"),
            std::string::npos)
      << large.err;
  const CliRun zero = run_cli("simulate --duration 0s " + file);
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("--duration `0s` is not a positive duration"), std::string::npos)
      << zero.err;
}

}  // namespace
}  // namespace aegisrt::testing
