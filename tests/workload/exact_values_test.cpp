// Durations and integers in workload files are read exactly from their text: no double on the
// path, no rounding. Every expected value is worked out by hand from the text (2^53 =
// 9007199254740992, INT64_MAX = 9223372036854775807); columns are counted by hand, 1-based.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "aegisrt/workload/workload.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

constexpr std::int64_t kTwoTo53Plus1 = 9'007'199'254'740'993;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

Loaded load_ok(const std::string& text) {
  auto r = load_text(text, "exact.yaml", ".");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? r.value() : Loaded{};
}

Error load_error(const std::string& text, const std::string& name = "exact.yaml") {
  auto r = load_text(text, name, ".");
  EXPECT_FALSE(r.ok()) << "loaded without error";
  return r.ok() ? Error{} : r.error();
}

// One task: `period` (a whole `period_<unit>: value`) on line 4, then the lines `more`, then
// `sim: {...}` around `sim` (line 5 when `more` is empty).
std::string one_task(const std::string& period, const std::string& sim,
                     const std::string& more = "") {
  const std::string head = "name: t\ntasks:\n  - name: a\n";
  return head + "    " + period + "\n" + more + "    sim: {" + sim + "}\n";
}

TEST(ExactValuesTest, KeepsASegmentOfTwoToThe53PlusOneNanoseconds) {
  const Loaded sut =
      load_ok(one_task("period_ns: 9223372036854775807", "segments_ns: [9007199254740993]"));
  const Task& t = sut.workload.tasks.at(0);
  EXPECT_EQ(t.segments.at(0).wcet.count(), kTwoTo53Plus1);
  EXPECT_EQ(t.period.count(), kInt64Max);
}

TEST(ExactValuesTest, ReadsInt64MaxNanosecondsInEveryUnit) {
  for (const char* period : {"period_ns: 9223372036854775807", "period_us: 9223372036854775.807",
                             "period_ms: 9223372036854.775807", "period_s: 9223372036.854775807",
                             "period_ns: 9.223372036854775807e18"}) {
    SCOPED_TRACE(period);
    const Loaded sut = load_ok(one_task(period, "wcet_ms: 1"));
    EXPECT_EQ(sut.workload.tasks.at(0).period.count(), kInt64Max);
  }
}

TEST(ExactValuesTest, ReadsExponentsAndDecimalsInEveryUnit) {
  const Loaded sut = load_ok(
      one_task("period_ms: 1e1", "segments_us: [2.5e2, 0.001, 1.000001e3], distribution: constant",
               "    phase_s: 1e-9\n    jitter_ns: 2.0e3\n    deadline_ms: 9.999999\n"));
  const Task& t = sut.workload.tasks.at(0);
  EXPECT_EQ(t.period.count(), 10'000'000);              // 1e1 ms
  EXPECT_EQ(t.deadline.count(), 9'999'999);             // 9.999999 ms
  EXPECT_EQ(t.phase.count(), 1);                        // 1e-9 s
  EXPECT_EQ(t.jitter.count(), 2'000);                   // 2.0e3 ns
  EXPECT_EQ(t.segments.at(0).wcet.count(), 250'000);    // 2.5e2 us
  EXPECT_EQ(t.segments.at(1).wcet.count(), 1);          // 0.001 us
  EXPECT_EQ(t.segments.at(2).wcet.count(), 1'000'001);  // 1.000001e3 us
}

TEST(ExactValuesTest, RefusesASegmentOfOneAndAHalfNanoseconds) {
  // "    sim: {segments_ns: [" is 24 characters.
  const Error sut = load_error(one_task("period_ms: 10", "segments_ns: [1.5]"));
  EXPECT_EQ(sut.where.file, "exact.yaml");
  EXPECT_EQ(sut.where.line, 5);
  EXPECT_EQ(sut.where.column, 25);
  EXPECT_EQ(sut.where.field, "tasks[0].sim.segments_ns[0]");
  EXPECT_EQ(sut.message, "segments_ns[0] 1.5 is not a whole number of nanoseconds");
  EXPECT_EQ(sut.hint, "durations are integer nanoseconds: write a whole number in a _ns field");
}

TEST(ExactValuesTest, RefusesAPeriodBelowOneNanosecondAndSaysHowManyDecimalsFit) {
  // "    period_ms: " is 15 characters.
  const Error sut = load_error(one_task("period_ms: 0.0000001", "wcet_ms: 1"));
  EXPECT_EQ(sut.where.line, 4);
  EXPECT_EQ(sut.where.column, 16);
  EXPECT_EQ(sut.where.field, "tasks[0].period_ms");
  EXPECT_EQ(sut.message, "period_ms 0.0000001 is not a whole number of nanoseconds");
  EXPECT_NE(sut.hint.find("write at most 6 decimals in a _ms field"), std::string::npos)
      << sut.hint;
  EXPECT_NE(sut.to_string().find("exact.yaml:4:16: tasks[0].period_ms: period_ms 0.0000001"),
            std::string::npos)
      << sut.to_string();
}

TEST(ExactValuesTest, NamesTheDecimalsAllowedInEachUnit) {
  const std::pair<const char*, const char*> cases[] = {
      {"period_us: 1.0001", "at most 3 decimals in a _us field"},
      {"period_ms: 1.0000001", "at most 6 decimals in a _ms field"},
      {"period_s: 1.0000000001", "at most 9 decimals in a _s field"},
      {"period_s: 1e-10", "at most 9 decimals in a _s field"},
  };
  for (const auto& [period, hint] : cases) {
    SCOPED_TRACE(period);
    const Error sut = load_error(one_task(period, "wcet_ns: 1"));
    EXPECT_NE(sut.message.find("is not a whole number of nanoseconds"), std::string::npos)
        << sut.to_string();
    EXPECT_NE(sut.hint.find(hint), std::string::npos) << sut.to_string();
  }
}

TEST(ExactValuesTest, RefusesOneNanosecondPastInt64) {
  for (const char* period : {"period_ns: 9223372036854775808", "period_s: 9223372036.854775808",
                             "period_ms: 9223372036854.775808", "period_s: 1e300"}) {
    SCOPED_TRACE(period);
    const Error sut = load_error(one_task(period, "wcet_ms: 1"));
    EXPECT_EQ(sut.where.field, std::string("tasks[0].") +
                                   std::string(period).substr(0, std::string(period).find(':')));
    EXPECT_NE(sut.message.find("is too large"), std::string::npos) << sut.to_string();
    EXPECT_EQ(sut.hint, "durations must fit in 64-bit nanoseconds (about 292 years)");
  }
}

TEST(ExactValuesTest, StillRefusesNegativeDurationsWhereTheyAreNotAllowed) {
  EXPECT_NE(load_error(one_task("period_ms: 10", "wcet_ms: 1", "    jitter_ns: -1\n"))
                .message.find("jitter_ns -1 is negative"),
            std::string::npos);
  EXPECT_NE(load_error(one_task("period_ms: 10", "wcet_ms: 1", "    phase_ns: -1\n"))
                .message.find("phase_ns -1 is negative"),
            std::string::npos);
  EXPECT_NE(load_error(one_task("period_ns: -1", "wcet_ms: 1")).message.find("is not positive"),
            std::string::npos);
  EXPECT_NE(load_error(one_task("period_ms: 10", "wcet_ns: -1")).message.find("is not positive"),
            std::string::npos);
  EXPECT_NE(load_error("scheduler: {overheads: {dispatch_ns: -1}}\n"
                       "tasks: [{name: a, period_ms: 10, sim: {wcet_ms: 1}}]\n")
                .hint.find("an overhead is 0 or more"),
            std::string::npos);
  // Zero is fine where the file allows it: phase, jitter and overheads.
  const Loaded zero = load_ok(
      "scheduler: {overheads: {dispatch_ns: 0, release_us: 0.000, preemption_s: 0e5}}\n"
      "tasks: [{name: a, period_ms: 10, phase_ns: 0, jitter_ms: -0, sim: {wcet_ms: 1}}]\n");
  EXPECT_EQ(zero.workload.tasks.at(0).phase.count(), 0);
  EXPECT_EQ(zero.workload.tasks.at(0).jitter.count(), 0);
  EXPECT_EQ(zero.workload.scheduler.overheads.preemption.count(), 0);
}

TEST(ExactValuesTest, ReadsIntegersExactlyWithoutADouble) {
  const Loaded sut = load_ok(
      "tasks:\n"
      "  - {name: a, period_ms: 10, priority: 2147483647, queue: {capacity: 2.0}, sim: {wcet_ms: "
      "1}}\n"
      "  - {name: b, period_ms: 10, priority: -2.0e0, queue: {capacity: 1e3}, sim: {wcet_ms: 1}}\n"
      "  - {name: c, period_ms: 10, priority: \"+5\", memory_bytes: 9007199254740993, sim: "
      "{wcet_ms: 1}}\n");
  const auto& tasks = sut.workload.tasks;
  EXPECT_EQ(tasks.at(0).priority, 2'147'483'647);
  EXPECT_EQ(tasks.at(0).queue.capacity, 2u);
  EXPECT_EQ(tasks.at(1).priority, -2);
  EXPECT_EQ(tasks.at(1).queue.capacity, 1'000u);
  EXPECT_EQ(tasks.at(2).priority, 5);
  EXPECT_EQ(tasks.at(2).memory_bytes, 9'007'199'254'740'993u);
}

TEST(ExactValuesTest, CallsAHugeIntegerOutOfRangeAndAFractionNotAnInteger) {
  const auto task_with = [](const std::string& priority) {
    return "tasks: [{name: a, period_ms: 10, priority: " + priority + ", sim: {wcet_ms: 1}}]\n";
  };
  const Error past_int32 = load_error(task_with("2147483648"));
  EXPECT_EQ(past_int32.where.field, "tasks[0].priority");
  EXPECT_EQ(past_int32.message, "priority 2147483648 is out of range");
  const Error past_int64 = load_error(task_with("9223372036854775808"));
  EXPECT_EQ(past_int64.message, "priority 9223372036854775808 is out of range");
  const Error fraction = load_error(task_with("2.5"));
  EXPECT_EQ(fraction.message, "expected an integer, got `2.5`");
  const Error tiny = load_error(task_with("1e-400"));
  EXPECT_EQ(tiny.message, "expected an integer, got `1e-400`");
}

TEST(ExactValuesTest, PrintsTheExactValuesInTheNormalisedWorkload) {
  const Loaded loaded = load_ok(one_task("period_ns: 9223372036854775807",
                                         "segments_ns: [9007199254740993, 9007199254740995]"));
  const std::string yaml = to_yaml(loaded.workload);
  EXPECT_NE(yaml.find("period_ns: 9223372036854775807\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("segments_ns: [9007199254740993, 9007199254740995]"), std::string::npos)
      << yaml;
  const auto json = nlohmann::json::parse(to_json(loaded.workload));
  EXPECT_EQ(json["tasks"][0]["sim"]["segments_ns"][0].get<std::int64_t>(), kTwoTo53Plus1);
  // And it reads back as the same values.
  auto again = load_text(yaml, "normalised.yaml", ".");
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  testing::expect_same_workload(loaded.workload, again->workload);
}

TEST(ExactValuesTest, CheckPrintsTheValueAsGiven) {
  testing::TempDir dir;
  const std::string file = dir.write(
      "big.yaml", one_task("period_s: 9223372036.854775807", "segments_ns: [9007199254740993]"));
  const testing::CliRun sut = testing::run_cli("check '" + file + "'");
  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_NE(sut.out.find("period_ns: 9223372036854775807\n"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("segments_ns: [9007199254740993]"), std::string::npos) << sut.out;

  const std::string bad = dir.write("bad.yaml", one_task("period_ms: 10", "segments_ns: [1.5]"));
  const testing::CliRun refused = testing::run_cli("check '" + bad + "'");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("bad.yaml:5:25: tasks[0].sim.segments_ns[0]: segments_ns[0] 1.5 is "
                             "not a whole number of nanoseconds"),
            std::string::npos)
      << refused.err;
}

TEST(ExactValuesTest, ReadsIeoDurationsExactlyAndComputesThePeriodFromTheRateExactly) {
  // 1e9 / 3 = 333333333.3 -> 333333333; 1e9 / 7 = 142857142.86 -> 142857143;
  // 1e9 / 29.97 = 33366700.03 (29.97 x 33366700 = 999999999) -> 33366700;
  // 1e9 / 4e8 = 2.5 -> 3 (halves up).
  const std::pair<const char*, std::int64_t> rates[] = {
      {"3", 333'333'333}, {"7", 142'857'143}, {"29.97", 33'366'700}, {"4e8", 3}};
  for (const auto& [fps, period] : rates) {
    SCOPED_TRACE(fps);
    auto sut = load_text(std::string(R"({"tasks": [{"name": "a", "target_fps": )") + fps +
                             R"(, "latency_budget_ms": 0.000001, "queue_size": 1,
                             "simulated_latency_ms": 0.000001}]})",
                         "ieo.json", ".");
    ASSERT_TRUE(sut.ok()) << sut.error().to_string();
    const Task& t = sut->workload.tasks.at(0);
    EXPECT_EQ(t.period.count(), period);
    EXPECT_EQ(t.deadline.count(), 1);
    EXPECT_EQ(t.segments.at(0).wcet.count(), 1);
  }
  auto sub_ns = load_text(R"({"tasks": [{"name": "a", "target_fps": 30,
      "latency_budget_ms": 10, "queue_size": 1, "simulated_latency_ms": 8.0000001}]})",
                          "ieo.json", ".");
  ASSERT_FALSE(sub_ns.ok());
  EXPECT_EQ(sub_ns.error().where.field, "tasks[0].simulated_latency_ms");
  EXPECT_EQ(sub_ns.error().message,
            "simulated_latency_ms 8.0000001 is not a whole number of nanoseconds");
  EXPECT_NE(sub_ns.error().hint.find("at most 6 decimals in a _ms field"), std::string::npos);
  auto budget = load_text(R"({"tasks": [{"name": "a", "target_fps": 30,
      "latency_budget_ms": 1e300, "queue_size": 1}]})",
                          "ieo.json", ".");
  ASSERT_FALSE(budget.ok());
  EXPECT_EQ(budget.error().where.field, "tasks[0].latency_budget_ms");
  EXPECT_NE(budget.error().hint.find("64-bit nanoseconds"), std::string::npos);
}

}  // namespace
}  // namespace aegisrt::workload
