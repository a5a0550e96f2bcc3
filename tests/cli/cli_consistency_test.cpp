// The `aegisrt` command line tried as a new user would: typos in commands and options, one spelling
// per concept (deprecated aliases still work), wrong input names, directories where files go, exit
// codes in every --help, negative seeds, runaway experiments and the re-run hint of a refusal.
// Every expected text is written by hand.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "model/onnx_builder.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt::testing {
namespace {

const std::string kExamples = std::string(AEGISRT_SOURCE_DIR) + "/examples/";
const std::string kMix = kExamples + "example-mix.yaml";
const std::string kOverload = kExamples + "overload.yaml";

// y = Relu(x + b) with a static 1x4 input `x`: two nodes, so two segments unless merged.
std::string add_relu_model() {
  return OnnxBuilder(13)
      .input("x", {1, 4})
      .initializer_f("b", {4}, {1.0f, -2.0f, 3.0f, -4.0f})
      .node("Add", {"x", "b"}, {"s"}, "add")
      .node("Relu", {"s"}, {"y"}, "relu")
      .output("y", {1, 4})
      .bytes();
}

// y = Relu(x) with a dynamic batch: `x` is [-1, 4].
std::string dynamic_relu_model() {
  return OnnxBuilder(13)
      .input("x", {-1, 4})
      .node("Relu", {"x"}, {"y"}, "relu")
      .output("y", {-1, 4})
      .bytes();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// --- Commands and options that do not exist ---------------------------------------------------

TEST(CliConsistencyTest, AnUnknownCommandIsNamedWithTheNearestOne) {
  const CliRun sut = run_cli("simlate x.yaml");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err.rfind("aegisrt: error: unknown command `simlate` (did you mean `simulate`?); "
                          "commands: check, simulate,",
                          0),
            0u)
      << sut.err;
  EXPECT_TRUE(sut.out.empty()) << sut.out;
}

TEST(CliConsistencyTest, AnUnknownSubcommandOfExperimentIsNamedWithTheNearestOne) {
  const CliRun sut = run_cli("experiment acceptence");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err,
            "aegisrt: error: unknown command `acceptence` of `aegisrt experiment` (did you mean "
            "`acceptance`?); commands: acceptance\n");
}

TEST(CliConsistencyTest, AWordFarFromEveryCommandGetsNoSuggestion) {
  const CliRun sut = run_cli("frobnicate");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_TRUE(contains(sut.err, "aegisrt: error: unknown command `frobnicate`; commands: check"))
      << sut.err;
  EXPECT_FALSE(contains(sut.err, "did you mean")) << sut.err;
}

TEST(CliConsistencyTest, NoCommandListsTheCommands) {
  const CliRun sut = run_cli("");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_TRUE(
      contains(sut.err,
               "aegisrt: error: aegisrt: a command is required: one of check, "
               "simulate, run, explain, profile, admit, infer, inspect, plan-memory, experiment"))
      << sut.err;
}

TEST(CliConsistencyTest, AnUnknownOptionNamesTheCommandAndTheNearestOption) {
  const CliRun sut = run_cli("admit '" + kMix + "' --jsn");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err,
            "aegisrt: error: aegisrt admit: unknown option `--jsn` (did you mean `--json`?); see "
            "`aegisrt admit --help`\n");
}

TEST(CliConsistencyTest, AnUnknownOptionOfANestedCommandNamesTheWholeCommand) {
  const CliRun sut = run_cli("experiment acceptance --set 5");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_TRUE(contains(sut.err,
                       "aegisrt: error: aegisrt experiment acceptance: unknown option `--set` (did "
                       "you mean `--sets`?)"))
      << sut.err;
}

TEST(CliConsistencyTest, AMissingValueHasThePrefixAndNamesTheOption) {
  const CliRun sut = run_cli("simulate '" + kMix + "' --seed");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err,
            "aegisrt: error: aegisrt simulate: --seed needs a value; see `aegisrt simulate "
            "--help`\n");
}

TEST(CliConsistencyTest, ABadValueHasThePrefixAndNamesTheOption) {
  const CliRun not_a_number = run_cli("simulate '" + kMix + "' --seed abc");
  const CliRun not_a_policy = run_cli("admit '" + kMix + "' --policy edf");

  EXPECT_EQ(not_a_number.exit_code, 2);
  EXPECT_EQ(not_a_number.err,
            "aegisrt: error: aegisrt simulate: --seed: `abc` is not a whole number >= 0; see "
            "`aegisrt simulate --help`\n");
  EXPECT_EQ(not_a_policy.exit_code, 2);
  EXPECT_EQ(not_a_policy.err.rfind("aegisrt: error: aegisrt admit: --policy: edf not in", 0), 0u)
      << not_a_policy.err;
}

TEST(CliConsistencyTest, AnExtraArgumentIsNamed) {
  const CliRun sut = run_cli("check '" + kMix + "' second.yaml");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err,
            "aegisrt: error: aegisrt check: unexpected argument `second.yaml`; see `aegisrt check "
            "--help`\n");
}

// --- One spelling per concept -----------------------------------------------------------------

TEST(CliConsistencyTest, InferTakesSegmentsLikeInspectAndPlanMemory) {
  if (const std::string why = engine_unavailable_reason("cpu"); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string model = dir.write("add_relu.onnx", add_relu_model());

  const CliRun sut = run_cli("infer '" + model + "' --segments 1 --json");

  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_EQ(nlohmann::json::parse(sut.out)["segments"].size(), 1u);
  EXPECT_FALSE(contains(sut.err, "deprecated")) << sut.err;
}

TEST(CliConsistencyTest, TheOldMaxSegmentsStillWorksWithAOneLineNote) {
  if (const std::string why = engine_unavailable_reason("cpu"); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string model = dir.write("add_relu.onnx", add_relu_model());

  const CliRun sut = run_cli("infer '" + model + "' --max-segments 1 --json");

  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_EQ(nlohmann::json::parse(sut.out)["segments"].size(), 1u);
  EXPECT_EQ(sut.err,
            "aegisrt: note: --max-segments is deprecated; use --segments (the same meaning)\n");
}

TEST(CliConsistencyTest, HelpShowsTheCurrentSpellingOnly) {
  const CliRun sut = run_cli("infer --help");

  EXPECT_EQ(sut.exit_code, 0);
  EXPECT_TRUE(contains(sut.out, "--segments")) << sut.out;
  EXPECT_FALSE(contains(sut.out, "--max-segments")) << sut.out;
}

TEST(CliConsistencyTest, InferTakesANamedInputShapeLikeInspect) {
  if (const std::string why = engine_unavailable_reason("cpu"); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string model = dir.write("dyn.onnx", dynamic_relu_model());

  const CliRun infer = run_cli("infer '" + model + "' --input-shape x=2,4 --json");
  const CliRun inspect = run_cli("inspect '" + model + "' --input-shape x=2,4 --json");

  ASSERT_EQ(infer.exit_code, 0) << infer.err;
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(infer.out)["inputs"][0]["shape"], nlohmann::json({2, 4}));
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["inputs"][0]["shape"], nlohmann::json({2, 4}));
}

// --- Input shapes for a name the model does not have --------------------------------------------

class WrongInputNameTest : public ::testing::TestWithParam<const char*> {};

TEST_P(WrongInputNameTest, IsBadInputNamingTheNameAndTheModelsInputs) {
  const std::string command = GetParam();
  if (const auto at = command.find("--backend "); at != std::string::npos) {
    const std::string why = engine_unavailable_reason(command.substr(at + 10));
    if (!why.empty()) GTEST_SKIP() << why;
  }
  const TempDir dir;
  for (const std::string& model :
       {dir.write("static.onnx", add_relu_model()), dir.write("dyn.onnx", dynamic_relu_model())}) {
    const CliRun sut = run_cli(std::string(GetParam()) + " '" + model + "' --input-shape y=1,4");

    EXPECT_EQ(sut.exit_code, 2) << model << "\n" << sut.out;
    EXPECT_EQ(sut.err, "aegisrt: error: " + model +
                           ": an input shape was given for 'y', which is not an input of the model "
                           "(its inputs: 'x')\n");
  }
}

INSTANTIATE_TEST_SUITE_P(Commands, WrongInputNameTest,
                         ::testing::Values("inspect", "infer --backend cpu",
                                           "infer --backend opencv"),
                         [](const auto& param) {
                           return std::string(param.index == 0   ? "Inspect"
                                              : param.index == 1 ? "InferCpu"
                                                                 : "InferOpenCv");
                         });

// --- A directory where a file goes ------------------------------------------------------------

TEST(CliConsistencyTest, ADirectoryAsAModelIsBadInputNamingThePath) {
  const TempDir dir;
  for (const std::string command : {"inspect", "infer", "infer --backend opencv"}) {
    if (command != "inspect" &&
        !engine_unavailable_reason(command == "infer" ? "cpu" : "opencv").empty()) {
      continue;  // the backend check comes first in a build without that engine
    }
    const CliRun sut = run_cli(command + " '" + dir.str() + "'");

    EXPECT_EQ(sut.exit_code, 2) << command;
    EXPECT_EQ(sut.err, "aegisrt: error: `" + dir.str() + "` is a directory, not an ONNX file\n")
        << command;
  }
}

TEST(CliConsistencyTest, ADirectoryAsAWorkloadIsBadInputNamingThePath) {
  const TempDir dir;
  for (const std::string command : {"check", "admit", "simulate", "plan-memory"}) {
    const CliRun sut = run_cli(command + " '" + dir.str() + "'");

    EXPECT_EQ(sut.exit_code, 2) << command;
    EXPECT_TRUE(contains(sut.err, "`" + dir.str() + "` is a directory, not a workload file"))
        << command << ": " << sut.err;
  }
}

TEST(CliConsistencyTest, ADirectoryAsATraceIsBadInputNamingThePath) {
  const TempDir dir;

  const CliRun sut = run_cli("explain '" + dir.str() + "'");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_EQ(sut.err, "aegisrt: error: `" + dir.str() + "` is a directory, not a trace file\n");
}

// --- Exit codes in every --help ---------------------------------------------------------------

TEST(CliConsistencyTest, EveryCommandsHelpListsItsExitCodes) {
  for (const std::string command : {"check", "simulate", "explain", "admit", "infer", "inspect",
                                    "plan-memory", "experiment", "experiment acceptance"}) {
    const CliRun sut = run_cli(command + " --help");

    EXPECT_EQ(sut.exit_code, 0) << command;
    EXPECT_TRUE(contains(sut.out, "Exit codes: 0 ")) << command << ":\n" << sut.out;
  }
}

TEST(CliConsistencyTest, AdmitAndExplainHelpListTheirOwnCodes) {
  const CliRun admit = run_cli("admit --help");
  const CliRun explain = run_cli("explain --help");

  EXPECT_TRUE(contains(admit.out, "Exit codes: 0 schedulable; 3 not schedulable")) << admit.out;
  EXPECT_TRUE(contains(admit.out, "2 bad input")) << admit.out;
  EXPECT_TRUE(contains(explain.out, "4 a decision was not reproduced")) << explain.out;
}

// --- Negative seeds ----------------------------------------------------------------------------

TEST(CliConsistencyTest, ANegativeSeedIsRefusedNamingTheOption) {
  const TempDir dir;
  const std::string model = dir.write("add_relu.onnx", add_relu_model());
  const struct {
    std::string args;
    std::string command;
  } cases[] = {{"simulate '" + kMix + "' --seed -1", "aegisrt simulate"},
               {"simulate '" + kMix + "' --seed=-1", "aegisrt simulate"},
               {"infer '" + model + "' --seed -1", "aegisrt infer"},
               {"experiment acceptance --seed -1", "aegisrt experiment acceptance"}};
  for (const auto& c : cases) {
    const CliRun sut = run_cli(c.args);

    EXPECT_EQ(sut.exit_code, 2) << c.args;
    EXPECT_EQ(sut.err, "aegisrt: error: " + c.command +
                           ": --seed: `-1` is negative; give a whole number >= 0; see `" +
                           c.command + " --help`\n")
        << c.args;
  }
}

// --- Experiments that would run for minutes ------------------------------------------------------

TEST(CliConsistencyTest, ExperimentRefusesEmptyOrRunawayRuns) {
  const TempDir dir;
  const std::string base = "experiment acceptance --out '" + dir.str() + "' ";
  const struct {
    std::string args;
    std::string message;
  } cases[] = {
      {"--sets 0", "--sets 0: give at least 1 task set per utilisation point"},
      {"--segments 0", "--segments 0: give at least 1 segment per task"},
      {"--utilisation 0.05:1.0:0",
       "--utilisation `0.05:1.0:0`: the step must be a positive number, e.g. 0.05:1.0:0.05"},
      {"--utilisation 0.05:1.0:-0.1",
       "--utilisation `0.05:1.0:-0.1`: the step must be a positive number, e.g. 0.05:1.0:0.05"},
      // (1.0 - 0.05) / 0.0001 + 1 = 9501 points; 0.95 / 999 = 0.000951 makes 1000.
      {"--utilisation 0.05:1.0:0.0001",
       "--utilisation `0.05:1.0:0.0001` makes more than 1000 utilisation points; use a step of at "
       "least 0.000951"},
  };
  for (const auto& c : cases) {
    const CliRun sut = run_cli(base + c.args);

    EXPECT_EQ(sut.exit_code, 2) << c.args;
    EXPECT_EQ(sut.err, "aegisrt: error: " + c.message + "\n") << c.args;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "acceptance.csv")) << c.args;
  }
}

TEST(CliConsistencyTest, ExperimentAcceptsAThousandPoints) {
  const TempDir dir;

  // 0.001:1.0:0.001 is 1000 points; one set each, no simulation: quick.
  const CliRun sut = run_cli(
      "experiment acceptance --policies np-edf --tasks 2 --sets 1 "
      "--simulate-periods 0 --utilisation 0.001:1.0:0.001 --out '" +
      dir.str() + "'");

  EXPECT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_TRUE(contains(sut.out, "(1000 points)")) << sut.out;
}

// --- A refusal's advice repeats the options the user gave -----------------------------------

TEST(CliConsistencyTest, ARejectionsAdviceRepeatsTheOverridingOptions) {
  const CliRun text = run_cli("admit " + kMix + " --policy np-edf --no-sensitivity");
  const CliRun json =
      run_cli("admit " + kOverload + " --policy np-fp --assign-priorities dm --json");

  EXPECT_EQ(text.exit_code, 3);
  EXPECT_TRUE(contains(text.out, "; then re-run `aegisrt admit " + kMix + " --policy np-edf`\n"))
      << text.out;
  ASSERT_EQ(json.exit_code, 3) << json.err;
  const std::string advice = nlohmann::json::parse(json.out)["advice"];
  EXPECT_TRUE(advice.ends_with("then re-run `aegisrt admit " + kOverload +
                               " --policy np-fp --assign-priorities dm`"))
      << advice;
}

TEST(CliConsistencyTest, ARejectionWithoutOptionsNeedsNoReRunHint) {
  const CliRun sut = run_cli("admit " + kOverload + " --no-sensitivity");

  EXPECT_EQ(sut.exit_code, 3);
  EXPECT_TRUE(contains(sut.out, "advice: ")) << sut.out;
  EXPECT_FALSE(contains(sut.out, "re-run")) << sut.out;
}

}  // namespace
}  // namespace aegisrt::testing
