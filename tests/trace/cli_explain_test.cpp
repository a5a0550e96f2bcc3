// `aegisrt explain` as a user runs it: output and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli.hpp"
#include "trace/sample_trace.hpp"

namespace aegisrt::trace {
namespace {

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

Outcome run_cli(const std::string& args) {
  const aegisrt::testing::CliRun r = aegisrt::testing::run_cli(args);
  return {r.exit_code, r.out + r.err};
}

class ExplainCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("aegisrt_explain_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ExplainCliTest, ExitsZeroAndSaysSoWhenEveryDecisionIsReproduced) {
  const std::string path = write("ok.json", testing::sample_trace_text());

  const Outcome sut = run_cli("explain " + path);

  EXPECT_EQ(sut.exit_code, 0) << sut.out;
  EXPECT_NE(sut.out.find("reproduced 4 of 4 decisions (policy np-edf)"), std::string::npos)
      << sut.out;
}

TEST_F(ExplainCliTest, VerbosePrintsEveryDecisionsReason) {
  const std::string path = write("ok.json", testing::sample_trace_text());

  const Outcome sut = run_cli("explain --verbose " + path);

  EXPECT_EQ(sut.exit_code, 0) << sut.out;
  EXPECT_NE(
      sut.out.find("decision 2 at 12ms: det#1: earliest deadline 20ms; runner-up ocr#1 at 51ms"),
      std::string::npos)
      << sut.out;
}

TEST_F(ExplainCliTest, ExitsFourAndListsTheMismatchWhenADecisionWasEdited) {
  std::string text = testing::sample_trace_text();
  const std::string from = "\"chosen\":0,\"runner_up\":1,\"reason\":\"earliest_deadline\"";
  const auto at = text.find(from);  // decision 0
  ASSERT_NE(at, std::string::npos);
  text.replace(at, from.size(), "\"chosen\":1,\"runner_up\":0,\"reason\":\"earliest_deadline\"");
  const std::string path = write("edited.json", text);

  const Outcome sut = run_cli("explain " + path);

  EXPECT_EQ(sut.exit_code, 4) << sut.out;
  EXPECT_NE(sut.out.find("reproduced 3 of 4 decisions"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("decision 0 at 0ns [choice]: recorded ocr#0"), std::string::npos)
      << sut.out;
}

TEST_F(ExplainCliTest, ExitsFourForATruncatedTrace) {
  TraceBuffer buf(10, 64);
  testing::fill_sample(buf);
  const std::string path = write("cut.json", testing::export_text(testing::sample_meta(), buf));

  const Outcome sut = run_cli("explain " + path);

  EXPECT_EQ(sut.exit_code, 4) << sut.out;
  EXPECT_NE(sut.out.find("trace truncated: 17 records"), std::string::npos) << sut.out;
}

TEST_F(ExplainCliTest, JsonReportCarriesTheCounts) {
  const std::string path = write("ok.json", testing::sample_trace_text());

  const Outcome sut = run_cli("explain --json " + path);

  ASSERT_EQ(sut.exit_code, 0) << sut.out;
  const auto report = nlohmann::json::parse(sut.out);
  EXPECT_EQ(report["decisions"], 4);
  EXPECT_EQ(report["reproduced"], 4);
  EXPECT_EQ(report["all_reproduced"], true);
  EXPECT_TRUE(report["mismatches"].empty());
}

TEST_F(ExplainCliTest, ExitsTwoForAFileThatIsNotAnAegisTrace) {
  const std::string not_json = write("x.json", "not json");
  const std::string foreign = write("y.json", R"({"traceEvents": []})");

  const Outcome a = run_cli("explain " + not_json);
  const Outcome b = run_cli("explain " + foreign);
  const Outcome c = run_cli("explain " + (dir_ / "missing.json").string());

  EXPECT_EQ(a.exit_code, 2) << a.out;
  EXPECT_NE(a.out.find("not a JSON file"), std::string::npos) << a.out;
  EXPECT_EQ(b.exit_code, 2) << b.out;
  EXPECT_NE(b.out.find("not an AegisRT trace"), std::string::npos) << b.out;
  EXPECT_EQ(c.exit_code, 2) << c.out;
}

}  // namespace
}  // namespace aegisrt::trace
