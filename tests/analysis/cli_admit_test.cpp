// `aegisrt admit` end to end on the example workload: exit codes and the JSON fields.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun run_cli(const std::string& args) {
  const std::string cmd = std::string(AEGISRT_CLI_PATH) + " " + args + " 2>/dev/null";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) r.out += buf;
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const std::string kExample = std::string(AEGISRT_SOURCE_DIR) + "/examples/example-mix.yaml";

TEST(CliAdmitTest, ExitsZeroForTheSchedulableExample) {
  const CliRun sut = run_cli("admit " + kExample);

  EXPECT_EQ(sut.exit_code, 0);
  EXPECT_NE(sut.out.find("SCHEDULABLE under lp-edf"), std::string::npos) << sut.out;
}

TEST(CliAdmitTest, ExitsThreeWithAWitnessWhenNotSchedulable) {
  // np-edf: ocr_det's 96 ms job blocks face_front (D = 33.333 ms) at t = 33.333 ms.
  const CliRun sut = run_cli("admit " + kExample + " --policy np-edf --json --no-sensitivity");

  ASSERT_EQ(sut.exit_code, 3);
  const nlohmann::json j = nlohmann::json::parse(sut.out);
  EXPECT_EQ(j["schedulable"], false);
  EXPECT_EQ(j["policy"], "np-edf");
  EXPECT_EQ(j["witness"]["kind"], "demand");
  EXPECT_EQ(j["witness"]["interval_ns"], 33'333'000);
  EXPECT_TRUE(j["critical_scaling_factor"].is_null());
  for (const char* field :
       {"name", "wcet_ns", "blocking_ns", "response_bound_ns", "deadline_ns", "slack_ns"}) {
    EXPECT_TRUE(j["tasks"][0].contains(field)) << field;
  }
}

TEST(CliAdmitTest, ExitsTwoForAMissingFile) {
  const CliRun sut = run_cli("admit /nonexistent/workload.yaml");

  EXPECT_EQ(sut.exit_code, 2);
}

TEST(CliAdmitTest, ExitsTwoForAnUnknownPolicy) {
  const CliRun sut = run_cli("admit " + kExample + " --policy rate-monotonic");

  EXPECT_EQ(sut.exit_code, 2);
}

}  // namespace
