// The verdict as a value: memory, overflow, incremental admission, JSON fields, witnessed worst
// cases on the published examples, and the sustainability properties.
#include "aegisrt/analysis/admission.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aegisrt/core/random.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::make_task;
using testing::make_workload;

TEST(AdmissionTest, RejectsWhenDeclaredMemoryExceedsTheBudget) {
  Workload w = make_workload(Policy::kNpEdf, {make_task("a", {1}, 10), make_task("b", {1}, 10)});
  w.tasks[0].memory_bytes = 600;
  w.tasks[1].memory_bytes = 500;
  w.device.memory_budget_bytes = 1000;

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  EXPECT_EQ(sut->memory.total_bytes, 1100u);
  EXPECT_FALSE(sut->memory.fits);
  EXPECT_EQ(sut->witness->kind, Witness::Kind::kMemory);
  EXPECT_EQ(sut->advice, "reduce the tasks' memory by 100 B or raise device.memory_budget");
}

// With the planner's figure, a task with a model counts the plan instead of its declared memory;
// a task without a model still counts what it declares: 700 planned + 500 declared > 1000.
TEST(AdmissionTest, ModelTasksCountThePlannedMemory) {
  Workload w = make_workload(Policy::kNpEdf, {make_task("a", {1}, 10), make_task("b", {1}, 10)});
  w.tasks[0].model = ModelSpec{"a.onnx", {}};
  w.tasks[0].memory_bytes = 100;  // ignored: the plan replaces it
  w.tasks[1].memory_bytes = 500;
  w.device.memory_budget_bytes = 1000;
  AdmitOptions opts;
  opts.planned_model_bytes = 700;
  opts.planned_memory_source = "test plan";

  const Result<Verdict> sut = admit(w, opts);

  ASSERT_TRUE(sut.ok());
  EXPECT_FALSE(sut->schedulable);
  EXPECT_EQ(sut->memory.total_bytes, 1200u);
  EXPECT_EQ(sut->memory.planned_bytes, 700u);
  EXPECT_EQ(sut->memory.declared_bytes, 500u);
  EXPECT_NE(sut->memory.source.find("test plan"), std::string::npos);
  // 400 planned + 500 declared fits.
  opts.planned_model_bytes = 400;
  const Result<Verdict> fits = admit(w, opts);
  ASSERT_TRUE(fits.ok());
  EXPECT_TRUE(fits->schedulable) << to_text(*fits);
}

TEST(AdmissionTest, NoMemoryBudgetMeansNoMemoryConstraint) {
  Workload w = make_workload(Policy::kNpEdf, {make_task("a", {1}, 10)});
  w.tasks[0].memory_bytes = 1ull << 40;

  const Result<Verdict> sut = admit(w);

  ASSERT_TRUE(sut.ok());
  EXPECT_TRUE(sut->schedulable);
}

TEST(AdmissionTest, ReportsOverflowAsAnErrorInsteadOfWrapping) {
  Workload w = make_workload(
      Policy::kNpFp, {make_task("a", {5'000'000'000'000'000'000}, 9'000'000'000'000'000'000)});
  w.scheduler.overheads.release = Duration::ns(5'000'000'000'000'000'000);

  const Result<Verdict> sut = admit(w);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sut.error().message.find("overflow"), std::string::npos);
}

TEST(AdmissionTest, RejectsATaskWithoutSegmentsAsBadInput) {
  Workload w = make_workload(Policy::kNpEdf, {make_task("a", {}, 10)});

  const Result<Verdict> sut = admit(w);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.field, "tasks[0].segments");
}

TEST(AdmissionTest, IncrementalAdmissionDecidesForTheUnion) {
  // Admitted: a (C = 1, T = D = 4). A 5-tick candidate blocks a by 4 > 3 (t = 4: 1 + 4 > 4);
  // a 4-tick candidate blocks by 3: 1 + 3 <= 4, t = 12: 3 + 4 <= 12.
  const Workload admitted = make_workload(Policy::kNpEdf, {make_task("a", {1}, 4)});

  const Result<Verdict> too_long = admit_task(admitted, make_task("big", {5}, 12));
  const Result<Verdict> sut = admit_task(admitted, make_task("ok", {4}, 12));

  ASSERT_TRUE(too_long.ok() && sut.ok());
  EXPECT_FALSE(too_long->schedulable);
  EXPECT_TRUE(sut->schedulable);
  EXPECT_EQ(sut->tasks.size(), 2u);
  EXPECT_NE(sut->rationale.front().find("task ok asks to join 1 admitted tasks"),
            std::string::npos);
}

TEST(AdmissionTest, JsonCarriesTheDocumentedFields) {
  const Workload w = make_workload(
      Policy::kLpFp, {make_task("a", {2}, 5, 5, 2), make_task("b", {2, 2, 2}, 15, 15, 1)});
  const Result<Verdict> v = admit(w);
  ASSERT_TRUE(v.ok());

  const nlohmann::json sut = nlohmann::json::parse(to_json(*v));

  EXPECT_EQ(sut["schedulable"], true);
  EXPECT_EQ(sut["policy"], "lp-fp");
  EXPECT_TRUE(sut["test"].is_string());
  EXPECT_TRUE(sut["critical_scaling_factor"].is_number());
  EXPECT_TRUE(sut["witness"].is_null());
  ASSERT_EQ(sut["tasks"].size(), 2u);
  const auto& b = sut["tasks"][1];
  EXPECT_EQ(b["name"], "b");
  EXPECT_EQ(b["wcet_ns"], 6);
  EXPECT_EQ(b["blocking_ns"], 0);
  EXPECT_EQ(b["response_bound_ns"], 10);
  EXPECT_EQ(b["deadline_ns"], 15);
  EXPECT_EQ(b["slack_ns"], 5);
  EXPECT_EQ(b["max_np_region_ns"], 4);
}

TEST(AdmissionTest, JsonWitnessOfADemandFailureShowsBothSides) {
  const Workload w = make_workload(
      Policy::kNpEdf, {make_task("a", {1}, 4), make_task("b", {2}, 6), make_task("c", {5}, 12)});
  const Result<Verdict> v = admit(w);
  ASSERT_TRUE(v.ok());

  const nlohmann::json sut = nlohmann::json::parse(to_json(*v));

  EXPECT_EQ(sut["schedulable"], false);
  EXPECT_EQ(sut["witness"]["kind"], "demand");
  EXPECT_EQ(sut["witness"]["interval_ns"], 4);
  EXPECT_EQ(sut["witness"]["demand_ns"], 1);
  EXPECT_EQ(sut["witness"]["blocking_ns"], 4);
  EXPECT_FALSE(sut["tasks"][0].contains("max_np_region_ns"));
}

TEST(WitnessedWorstCaseTest, DavisExampleCriticalInstantReachesTheBound) {
  // Synchronous release of A, B, C at 0, every job at its WCET: C's second job finishes at 14,
  // response 7, exactly the analysis bound (the np-fp analysis is tight here).
  const Workload w = make_workload(
      Policy::kNpFp,
      {make_task("A", {2}, 5, 5, 3), make_task("B", {2}, 7, 7, 2), make_task("C", {2}, 7, 7, 1)});
  testing::Scenario s;
  s.arrivals = {{0, 5, 10, 15}, {0, 7, 14}, {0, 7, 14}};
  const Result<Verdict> v = admit(w);
  ASSERT_TRUE(v.ok());

  const testing::RunOutcome sut = testing::simulate(w, s, 21);

  EXPECT_FALSE(sut.miss);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_LE(sut.max_response[i], v->tasks[i].response_bound->count());
  }
  EXPECT_EQ(sut.max_response[2], 7);
}

TEST(WitnessedWorstCaseTest, SelfPushingMissIsReal) {
  // The rejected set (D_C = 6) misses on the synchronous pattern: the oracle agrees.
  const Workload w = make_workload(
      Policy::kNpFp,
      {make_task("A", {2}, 5, 5, 3), make_task("B", {2}, 7, 7, 2), make_task("C", {2}, 7, 6, 1)});
  testing::Scenario s;
  s.arrivals = {{0, 5, 10, 15}, {0, 7, 14}, {0, 7, 14}};

  const testing::RunOutcome sut = testing::simulate(w, s, 21);

  EXPECT_TRUE(sut.miss);
}

// Property sweeps over random small sets for every analysed policy.
class PropertyTest : public ::testing::TestWithParam<Policy> {};

TEST_P(PropertyTest, GrowingAWcetNeverTurnsRejectionIntoAdmission) {
  AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  std::size_t checked = 0;
  for (std::uint64_t seed = 1; seed <= 120; ++seed) {
    const Workload w = testing::random_small_set(GetParam(), 2 + seed % 3, 0.6, 3, 40, 3, seed);
    const Result<Verdict> base = admit(w, opts);
    ASSERT_TRUE(base.ok());
    for (std::size_t i = 0; i < w.tasks.size(); ++i) {
      for (std::size_t k = 0; k < w.tasks[i].segments.size(); ++k) {
        Workload grown = w;
        grown.tasks[i].segments[k].wcet += Duration::ns(1 + static_cast<std::int64_t>(seed % 3));
        const Result<Verdict> sut = admit(grown, opts);
        ASSERT_TRUE(sut.ok());
        if (!base->schedulable) {
          EXPECT_FALSE(sut->schedulable) << "seed " << seed << " task " << i << " segment " << k;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST_P(PropertyTest, RemovingATaskNeverTurnsAdmissionIntoRejection) {
  AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  std::size_t admitted = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const Workload w = testing::random_small_set(GetParam(), 2 + seed % 3, 0.5, 3, 40, 3, seed);
    const Result<Verdict> base = admit(w, opts);
    ASSERT_TRUE(base.ok());
    if (!base->schedulable) continue;
    ++admitted;
    for (std::size_t drop = 0; drop < w.tasks.size(); ++drop) {
      std::vector<Task> rest;
      for (std::size_t i = 0; i < w.tasks.size(); ++i) {
        if (i != drop) rest.push_back(w.tasks[i]);
      }
      const Result<Verdict> sut = admit(make_workload(GetParam(), rest), opts);
      ASSERT_TRUE(sut.ok());
      EXPECT_TRUE(sut->schedulable) << "seed " << seed << " without task " << drop;
    }
  }
  EXPECT_GT(admitted, 10u);
}

std::string policy_name(const ::testing::TestParamInfo<Policy>& p) {
  return testing::policy_identifier(p.param);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, PropertyTest,
                         ::testing::Values(Policy::kNpEdf, Policy::kNpFp, Policy::kLpEdf,
                                           Policy::kLpFp, Policy::kFifo),
                         policy_name);

}  // namespace
}  // namespace aegisrt::analysis
