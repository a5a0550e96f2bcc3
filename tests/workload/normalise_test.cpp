// The normalised workload (to_yaml / to_json) reads back as the same workload, and `validate`
// applies the file rules to workloads built in code.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aegisrt/workload/workload.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

const std::string kExamples = std::string(AEGISRT_SOURCE_DIR) + "/examples/";

Workload load_example(const std::string& name) {
  auto r = load_file(kExamples + name);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? r->workload : Workload{};
}

class NormaliseTest : public ::testing::TestWithParam<const char*> {};

TEST_P(NormaliseTest, YamlReadsBackAsTheSameWorkload) {
  const Workload original = load_example(GetParam());
  ASSERT_FALSE(original.tasks.empty());
  auto sut = load_text(to_yaml(original), "normalised.yaml");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string() << "\n" << to_yaml(original);
  testing::expect_same_workload(original, sut->workload);
  EXPECT_TRUE(sut->warnings.empty());
  EXPECT_EQ(sut->mapping.format, "aegisrt");
}

TEST_P(NormaliseTest, JsonReadsBackAsTheSameWorkload) {
  const Workload original = load_example(GetParam());
  ASSERT_FALSE(original.tasks.empty());
  auto sut = load_text(to_json(original), "normalised.json");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string() << "\n" << to_json(original);
  testing::expect_same_workload(original, sut->workload);
}

INSTANTIATE_TEST_SUITE_P(Examples, NormaliseTest,
                         ::testing::Values("example-mix.yaml", "overload.yaml", "ieo-tasks.json"));

TEST(NormaliseFormatTest, WritesDurationsAsIntegerNanosecondsWithDefaultsFilledIn) {
  auto loaded = load_text(R"(name: n
tasks:
  - {name: a, period_ms: 33.333, sim: {segments_us: [1500, 500], distribution: uniform}}
)",
                          "n.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const auto sut = nlohmann::json::parse(to_json(loaded->workload));
  EXPECT_EQ(sut["name"], "n");
  EXPECT_EQ(sut["device"]["backend"], "sim");
  EXPECT_EQ(sut["device"]["memory_budget_bytes"], 0);
  EXPECT_EQ(sut["scheduler"]["policy"], "np-edf");
  EXPECT_EQ(sut["scheduler"]["load_shedding"], true);
  EXPECT_EQ(sut["scheduler"]["overheads"]["dispatch_ns"], 0);
  const auto& t = sut["tasks"][0];
  EXPECT_EQ(t["period_ns"], 33'333'000);
  EXPECT_EQ(t["deadline_ns"], 33'333'000);
  EXPECT_EQ(t["phase_ns"], 0);
  EXPECT_EQ(t["jitter_ns"], 0);
  EXPECT_EQ(t["priority"], 0);
  EXPECT_EQ(t["criticality"], "normal");
  EXPECT_EQ(t["queue"]["capacity"], 1);
  EXPECT_EQ(t["queue"]["on_full"], "drop_oldest");
  EXPECT_EQ(t["on_miss"], "complete");
  EXPECT_EQ(t["sim"]["segments_ns"], nlohmann::json::array({1'500'000, 500'000}));
  EXPECT_EQ(t["sim"]["distribution"], "uniform");
  EXPECT_EQ(t["sim"]["bcet_fraction"], 0.5);
  EXPECT_FALSE(t["sim"].contains("mean_fraction"));  // only normal uses it
  EXPECT_FALSE(t.contains("model"));
}

TEST(NormaliseFormatTest, WritesSporadicTasksWithBothInterArrivalBounds) {
  auto loaded =
      load_text("tasks:\n  - {name: s, min_interarrival_us: 250, sim: {wcet_us: 10}}\n", "s.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const std::string sut = to_yaml(loaded->workload);
  EXPECT_NE(sut.find("min_interarrival_ns: 250000\n"), std::string::npos) << sut;
  EXPECT_NE(sut.find("max_interarrival_ns: 500000\n"), std::string::npos) << sut;
  EXPECT_EQ(sut.find("period_ns"), std::string::npos) << sut;
}

// A valid two-task workload built in code.
Workload make_workload() {
  Workload w;
  w.name = "code";
  for (std::uint32_t i = 0; i < 2; ++i) {
    Task t;
    t.id = i;
    t.name = i == 0 ? "a" : "b";
    t.period = Duration::ms(10);
    t.deadline = Duration::ms(10);
    t.segments = {Segment{"seg0", Duration::ms(1)}};
    t.sim = SimSpec{};
    w.tasks.push_back(t);
  }
  return w;
}

Error validate_error(const Workload& w) {
  const Status s = validate(w);
  EXPECT_FALSE(s.ok());
  return s.ok() ? Error{} : s.error();
}

TEST(ValidateTest, AcceptsAValidWorkload) { EXPECT_TRUE(validate(make_workload()).ok()); }

TEST(ValidateTest, RejectsADeadlineAboveThePeriod) {
  Workload w = make_workload();
  w.tasks[1].deadline = Duration::ms(12);
  const Error sut = validate_error(w);
  EXPECT_EQ(sut.where.field, "tasks[1].deadline");
  EXPECT_EQ(sut.message, "constrained deadlines only for now: deadline 12ms exceeds period 10ms");
}

TEST(ValidateTest, RejectsAnIdThatIsNotThePosition) {
  Workload w = make_workload();
  w.tasks[1].id = 5;
  EXPECT_EQ(validate_error(w).where.field, "tasks[1].id");
}

TEST(ValidateTest, RejectsDuplicateAndEmptyNames) {
  Workload dup = make_workload();
  dup.tasks[1].name = "a";
  EXPECT_EQ(validate_error(dup).message, "task name `a` is already used by tasks[0]");
  Workload empty = make_workload();
  empty.tasks[0].name.clear();
  EXPECT_EQ(validate_error(empty).where.field, "tasks[0].name");
}

TEST(ValidateTest, RejectsAZeroSegmentAndJitterAbovePeriod) {
  Workload seg = make_workload();
  seg.tasks[0].segments.push_back(Segment{"seg1", Duration::zero()});
  EXPECT_EQ(validate_error(seg).where.field, "tasks[0].segments[1]");
  Workload jitter = make_workload();
  jitter.tasks[0].jitter = Duration::ms(11);
  EXPECT_EQ(validate_error(jitter).message, "jitter 11ms exceeds period 10ms");
}

TEST(ValidateTest, RejectsQueueCapacityOutsideItsRange) {
  Workload w = make_workload();
  w.tasks[0].queue.capacity = 0;
  EXPECT_EQ(validate_error(w).where.field, "tasks[0].queue.capacity");
  w.tasks[0].queue.capacity = 1'000'001;
  EXPECT_EQ(validate_error(w).where.field, "tasks[0].queue.capacity");
}

TEST(ValidateTest, AcceptsEmptySegmentsOnlyForAModelTask) {
  Workload w = make_workload();
  w.tasks[0].segments.clear();
  w.tasks[0].sim.reset();
  EXPECT_EQ(validate_error(w).where.field, "tasks[0].segments");
  w.tasks[0].model = ModelSpec{"face.onnx", {}};
  EXPECT_TRUE(validate(w).ok());
}

TEST(ValidateTest, RejectsAnEmptyWorkloadAndAnUnknownBackend) {
  Workload none = make_workload();
  none.tasks.clear();
  EXPECT_EQ(validate_error(none).where.field, "tasks");
  Workload backend = make_workload();
  backend.device.backend = "tpu";
  EXPECT_EQ(validate_error(backend).where.field, "device.backend");
}

}  // namespace
}  // namespace aegisrt::workload
