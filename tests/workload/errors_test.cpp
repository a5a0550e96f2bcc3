// Every error names the file, line, column and field path, says what is wrong with the offending
// value and what would be valid. Lines and columns below are counted by hand from each text
// (1-based; the column of a value is one past the `: ` that precedes it).
#include <gtest/gtest.h>

#include "aegisrt/workload/workload.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

struct Expected {
  int line;
  int column;
  std::string field;
  std::string message_part;
  std::string hint_part;
  ErrorCode code = ErrorCode::kInvalidArgument;
};

void expect_error(const std::string& text, const Expected& e, const std::string& base = ".") {
  auto sut = load_text(text, "bad.yaml", base);
  ASSERT_FALSE(sut.ok()) << "loaded without error";
  const Error& err = sut.error();
  EXPECT_EQ(err.code, e.code) << err.to_string();
  EXPECT_EQ(err.where.file, "bad.yaml");
  EXPECT_EQ(err.where.line, e.line) << err.to_string();
  EXPECT_EQ(err.where.column, e.column) << err.to_string();
  EXPECT_EQ(err.where.field, e.field) << err.to_string();
  EXPECT_NE(err.message.find(e.message_part), std::string::npos) << err.to_string();
  EXPECT_NE(err.hint.find(e.hint_part), std::string::npos) << err.to_string();
}

// A one-task workload whose task body is `body` (lines 4 on, each indented by 4 spaces).
std::string task(const std::string& body) {
  return "name: t\n"      // 1
         "tasks:\n"       // 2
         "  - name: a\n"  // 3
         + body;
}

TEST(WorkloadErrorTest, SuggestsTheNearestKeyForAnUnknownOne) {
  expect_error(task("    perod_ms: 10\n"
                    "    sim: {wcet_ms: 1}\n"),
               {4, 5, "tasks[0].perod_ms", "unknown key `perod_ms` in tasks[0]",
                "did you mean `period_ms`?"});
}

TEST(WorkloadErrorTest, ListsTheValidKeysWhenNoneIsClose) {
  expect_error(task("    period_ms: 10\n"
                    "    colour: red\n"),
               {5, 5, "tasks[0].colour", "unknown key `colour` in tasks[0]",
                "valid keys here: name, period_<unit>, min_interarrival_<unit>"});
}

TEST(WorkloadErrorTest, SuggestsTheNearestTopLevelKey) {
  expect_error(
      "name: t\nschedular: {policy: np-edf}\n",
      {2, 1, "schedular", "unknown key `schedular` in the top level", "did you mean `scheduler`?"});
}

TEST(WorkloadErrorTest, RejectsADurationKeyWithoutAUnit) {
  expect_error(task("    period: 10\n"),
               {4, 5, "tasks[0].period", "key `period` in tasks[0] needs a unit",
                "period_ns, period_us, period_ms or period_s"});
}

TEST(WorkloadErrorTest, RejectsAnUnknownUnit) {
  expect_error(
      task("    period_sec: 10\n"),
      {4, 5, "tasks[0].period_sec", "unknown unit `sec` in key `period_sec`", "period_ms"});
}

TEST(WorkloadErrorTest, RejectsTheSameDurationInTwoUnits) {
  expect_error(task("    period_ms: 10\n"
                    "    period_us: 10000\n"),
               {5, 5, "tasks[0].period_us", "`period_us` repeats `period_ms` (line 4)",
                "give the period once, in one unit"});
}

TEST(WorkloadErrorTest, RejectsAKeyGivenTwice) {
  expect_error(
      task("    period_ms: 10\n"
           "    name: b\n"),
      {5, 5, "tasks[0].name", "key `name` is given twice in tasks[0] (first on line 3)", "once"});
}

TEST(WorkloadErrorTest, RejectsADeadlineLongerThanThePeriod) {
  // "    deadline_ms: " is 17 characters.
  expect_error(task("    period_ms: 33.333\n"
                    "    deadline_ms: 40\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 18, "tasks[0].deadline_ms",
                "constrained deadlines only for now: deadline_ms 40 exceeds period_ms 33.333",
                "deadline_ms <= period_ms"});
}

TEST(WorkloadErrorTest, RejectsANonPositivePeriod) {
  // "    period_ms: " is 15 characters.
  expect_error(task("    period_ms: -5\n"
                    "    sim: {wcet_ms: 1}\n"),
               {4, 16, "tasks[0].period_ms", "period_ms -5 is not positive", "above zero"});
}

TEST(WorkloadErrorTest, RejectsAPeriodThatIsAFractionOfANanosecond) {
  // Durations are read exactly: 0.4 ns is refused, not rounded to 0.
  expect_error(task("    period_ns: 0.4\n"
                    "    sim: {wcet_ms: 1}\n"),
               {4, 16, "tasks[0].period_ns", "period_ns 0.4 is not a whole number of nanoseconds",
                "write a whole number in a _ns field"});
}

TEST(WorkloadErrorTest, RejectsJitterAbovePeriod) {
  expect_error(task("    period_ms: 10\n"
                    "    jitter_ms: 11\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 16, "tasks[0].jitter_ms", "jitter_ms 11 exceeds period_ms 10",
                "0 <= jitter_ms <= period_ms"});
}

TEST(WorkloadErrorTest, RejectsANegativePhase) {
  expect_error(task("    period_ms: 10\n"
                    "    phase_us: -1\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 15, "tasks[0].phase_us", "phase_us -1 is negative", "0 or more"});
}

TEST(WorkloadErrorTest, RejectsAWrongType) {
  expect_error(task("    period_ms: fast\n"),
               {4, 16, "tasks[0].period_ms", "expected a number, got `fast`", ""});
}

TEST(WorkloadErrorTest, RejectsAMissingValue) {
  // A key with nothing after it: the error points at the key.
  expect_error(task("    period_ms:\n"
                    "    sim: {wcet_ms: 1}\n"),
               {4, 5, "tasks[0].period_ms", "expected a number, got nothing", ""});
}

TEST(WorkloadErrorTest, RejectsAListWhereANumberBelongs) {
  expect_error(task("    period_ms: [1, 2]\n"),
               {4, 16, "tasks[0].period_ms", "expected a number, got a list", ""});
}

TEST(WorkloadErrorTest, SuggestsTheNearestEnumValue) {
  // "    queue: {capacity: 2, on_full: " is 34 characters.
  expect_error(task("    period_ms: 10\n"
                    "    queue: {capacity: 2, on_full: drop_oldst}\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 35, "tasks[0].queue.on_full", "`drop_oldst` is not an on_full policy",
                "did you mean `drop_oldest`? one of: drop_oldest, drop_newest, reject"});
}

TEST(WorkloadErrorTest, RejectsAnUnknownPolicy) {
  // "scheduler: {policy: " is 20 characters.
  expect_error("scheduler: {policy: np-edff}\n",
               {1, 21, "scheduler.policy", "`np-edff` is not a scheduling policy",
                "did you mean `np-edf`? one of: np-edf, np-fp, fifo, lp-edf, lp-fp"});
}

TEST(WorkloadErrorTest, RejectsAnUnknownBackend) {
  expect_error("device: {backend: tpu}\n",
               {1, 19, "device.backend", "`tpu` is not a backend", "sim, cpu, opencv, cuda"});
}

TEST(WorkloadErrorTest, RejectsANonBooleanLoadShedding) {
  expect_error("scheduler: {load_shedding: maybe}\n",
               {1, 28, "scheduler.load_shedding", "expected true or false, got `maybe`", ""});
}

TEST(WorkloadErrorTest, RejectsANegativeOverhead) {
  // "scheduler: {overheads: {dispatch_us: " is 37 characters.
  expect_error(
      "scheduler: {overheads: {dispatch_us: -1}}\n",
      {1, 38, "scheduler.overheads.dispatch_us", "dispatch_us -1 is negative", "0 or more"});
}

TEST(WorkloadErrorTest, RejectsAZeroQueueCapacity) {
  // "    queue: {capacity: " is 22 characters.
  expect_error(task("    period_ms: 10\n"
                    "    queue: {capacity: 0}\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 23, "tasks[0].queue.capacity", "capacity 0 is out of range",
                "an integer from 1 to 1000000"});
}

TEST(WorkloadErrorTest, RejectsAFractionalQueueCapacity) {
  expect_error(task("    period_ms: 10\n"
                    "    queue: {capacity: 2.5}\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 23, "tasks[0].queue.capacity", "expected an integer, got `2.5`", ""});
}

TEST(WorkloadErrorTest, RejectsAZeroSegment) {
  // "    sim: {segments_ms: [1, " is 27 characters.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {segments_ms: [1, 0]}\n"),
               {5, 28, "tasks[0].sim.segments_ms[1]", "segment 1 is not positive: segments_ms[1] 0",
                "above zero"});
}

TEST(WorkloadErrorTest, RejectsAnEmptySegmentList) {
  // "    sim: {segments_ms: " is 23 characters.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {segments_ms: []}\n"),
               {5, 24, "tasks[0].sim.segments_ms",
                "expected a non-empty list of durations, got an empty list", ""});
}

TEST(WorkloadErrorTest, RejectsSimWithoutSegments) {
  // "    sim: " is 9 characters.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {distribution: uniform}\n"),
               {5, 10, "tasks[0].sim", "`sim` has no segments", "wcet_<unit>"});
}

TEST(WorkloadErrorTest, RejectsABcetFractionOutOfRange) {
  // "    sim: {wcet_ms: 1, distribution: uniform, bcet_fraction: " is 60 characters.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {wcet_ms: 1, distribution: uniform, bcet_fraction: 1.5}\n"),
               {5, 61, "tasks[0].sim.bcet_fraction", "bcet_fraction 1.5 is out of range",
                "0 < bcet_fraction <= 1"});
}

TEST(WorkloadErrorTest, RejectsADefaultedMeanBelowTheBcetAtTheSimSection) {
  // mean_fraction takes its default 0.8, below bcet_fraction 0.9: reported at `sim`'s value.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {wcet_ms: 1, distribution: normal, bcet_fraction: 0.9}\n"),
               {5, 10, "tasks[0].sim.mean_fraction",
                "mean_fraction 0.8 (default) is outside [bcet_fraction, 1] = [0.9, 1]", ""});
}

TEST(WorkloadErrorTest, RejectsSegmentsAndWcetTogether) {
  // "    sim: {segments_ms: [1], " is 28 characters: the second key starts in column 29.
  expect_error(task("    period_ms: 10\n"
                    "    sim: {segments_ms: [1], wcet_ms: 1}\n"),
               {5, 29, "tasks[0].sim.wcet_ms", "`segments_ms` and `wcet_ms` both given",
                "either a list of segments or one wcet"});
}

TEST(WorkloadErrorTest, ReadsAnAegisrtFileWithAStrayIeoKeyAsAegisrt) {
  // `name` at the top level makes it AegisRT's format, so `model_path` is an unknown task key.
  expect_error(
      "name: t\n"
      "tasks:\n"
      "  - {name: a, period_ms: 10, model_path: m.onnx}\n",
      {3, 30, "tasks[0].model_path", "unknown key `model_path` in tasks[0]", ""});
}

TEST(WorkloadErrorTest, RejectsATaskWithNeitherPeriodNorMinimumInterArrival) {
  // The task's mapping starts at `name` on line 3, column 5.
  expect_error(task("    sim: {wcet_ms: 1}\n"),
               {3, 5, "tasks[0]", "task `a` has no period", "min_interarrival_<unit>"});
}

TEST(WorkloadErrorTest, RejectsBothPeriodAndMinimumInterArrival) {
  expect_error(task("    period_ms: 10\n"
                    "    min_interarrival_ms: 10\n"),
               {5, 5, "tasks[0].min_interarrival_ms",
                "`period_ms` and `min_interarrival_ms` both given", "not both"});
}

TEST(WorkloadErrorTest, RejectsAMaximumInterArrivalBelowTheMinimum) {
  // "    max_interarrival_ms: " is 25 characters.
  expect_error(task("    min_interarrival_ms: 10\n"
                    "    max_interarrival_ms: 5\n"
                    "    sim: {wcet_ms: 1}\n"),
               {5, 26, "tasks[0].max_interarrival_ms",
                "max_interarrival_ms 5 is below min_interarrival_ms 10", ""});
}

TEST(WorkloadErrorTest, RejectsATaskWithNeitherSimNorModel) {
  expect_error(task("    period_ms: 10\n"),
               {3, 5, "tasks[0]", "task `a` has neither `sim` nor `model`", "model: file.onnx"});
}

TEST(WorkloadErrorTest, RejectsATaskWithoutAName) {
  // The second task's mapping starts at `period_ms` on line 3, column 5.
  expect_error(
      "tasks:\n"
      "  - {name: a, period_ms: 10, sim: {wcet_ms: 1}}\n"
      "  - period_ms: 10\n"
      "    sim: {wcet_ms: 1}\n",
      {3, 5, "tasks[1]", "tasks[1] has no `name`", "unique name"});
}

TEST(WorkloadErrorTest, RejectsATaskNameWithASpace) {
  // "  - name: " is 10 characters.
  expect_error(
      "tasks:\n"
      "  - name: face front\n"
      "    period_ms: 10\n"
      "    sim: {wcet_ms: 1}\n",
      {2, 11, "tasks[0].name", "task name `face front` has characters other than",
       "[A-Za-z0-9_.-]+"});
}

TEST(WorkloadErrorTest, RejectsDuplicateTaskNames) {
  // "  - {name: " is 11 characters.
  expect_error(
      "tasks:\n"
      "  - {name: a, period_ms: 10, sim: {wcet_ms: 1}}\n"
      "  - {name: a, period_ms: 20, sim: {wcet_ms: 1}}\n",
      {3, 12, "tasks[1].name", "task name `a` is already used by tasks[0]", "unique"});
}

TEST(WorkloadErrorTest, RejectsAMissingModelFile) {
  // "    model: " is 11 characters.
  testing::TempDir dir;
  expect_error(task("    period_ms: 10\n"
                    "    model: missing.onnx\n"),
               {5, 12, "tasks[0].model", "model file `missing.onnx` not found",
                "relative to the workload file's folder", ErrorCode::kNotFound},
               dir.str());
}

TEST(WorkloadErrorTest, RejectsAnEmptyFile) {
  expect_error("", {0, 0, "", "the workload file is empty", "tasks"});
  expect_error("# nothing but a comment\n", {0, 0, "", "the workload file is empty", "tasks"});
}

TEST(WorkloadErrorTest, RejectsATopLevelThatIsNotAMapping) {
  expect_error("- a\n- b\n", {1, 1, "", "the top level is a list, not a mapping", "tasks"});
}

TEST(WorkloadErrorTest, RejectsAWorkloadWithoutTasks) {
  expect_error("name: t\n", {1, 1, "tasks", "the workload has no `tasks`", "tasks:"});
}

TEST(WorkloadErrorTest, RejectsAnEmptyTaskList) {
  // "tasks: " is 7 characters.
  expect_error("name: t\ntasks: []\n",
               {2, 8, "tasks", "expected a non-empty list of tasks, got an empty list", ""});
}

TEST(WorkloadErrorTest, ReportsMalformedYamlWithItsPosition) {
  // The flow list opened on line 1 is still open at the end of the text: line 2, column 1.
  expect_error("tasks: [1, 2\n", {2, 1, "", "malformed YAML/JSON: end of sequence flow not found",
                                  "brackets", ErrorCode::kParse});
}

TEST(WorkloadErrorTest, ReportsMalformedYamlIndentation) {
  // yaml-cpp reports a mapping value in the wrong place at the `:` of line 2, column 4.
  expect_error("x: 1\n  y: 2\n",
               {2, 4, "", "malformed YAML/JSON: illegal map value", "", ErrorCode::kParse});
}

TEST(WorkloadErrorTest, NamesLinesAndColumnsInJsonToo) {
  // The value "fast" starts at its quote: 4 + 14 + 13 characters precede it.
  expect_error(
      "{\n"
      "  \"name\": \"j\",\n"
      "  \"tasks\": [\n"
      "    {\"name\": \"a\", \"period_ms\": \"fast\", \"sim\": {\"wcet_ms\": 1}}\n"
      "  ]\n"
      "}\n",
      {4, 32, "tasks[0].period_ms", "expected a number, got `fast`", ""});
}

TEST(WorkloadErrorTest, FormatsErrorsAsFileLineColumnFieldMessageHint) {
  auto sut = load_text(task("    perod_ms: 10\n"), "w.yaml");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().to_string(),
            "w.yaml:4:5: tasks[0].perod_ms: unknown key `perod_ms` in tasks[0] (did you mean "
            "`period_ms`?)");
}

TEST(WorkloadErrorTest, RejectsAMissingInputFileNamingItsPlaceInTheList) {
  testing::TempDir dir;
  dir.write("m.onnx", "x");
  dir.write("a.npy", "x");
  // "    model: {path: m.onnx, inputs: [a.npy, " is 42 characters.
  expect_error(task("    period_ms: 10\n"
                    "    model: {path: m.onnx, inputs: [a.npy, gone.npy]}\n"),
               {5, 43, "tasks[0].model.inputs[1]", "input file `gone.npy` not found",
                "relative to the workload file's folder", ErrorCode::kNotFound},
               dir.str());
  expect_error(task("    period_ms: 10\n"
                    "    model: {path: m.onnx, inputs: {a: 1}}\n"),
               {5, 35, "tasks[0].model.inputs", "expected a .npy file or a list of them",
                "inputs: frame.npy"},
               dir.str());
}

TEST(WorkloadErrorTest, ReportsAMissingFileAsNotFound) {
  testing::TempDir dir;
  auto sut = load_file((dir.path() / "absent.yaml").string());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
  EXPECT_NE(sut.error().message.find("absent.yaml"), std::string::npos);
}

}  // namespace
}  // namespace aegisrt::workload
