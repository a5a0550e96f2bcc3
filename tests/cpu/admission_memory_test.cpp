// Admission counts the memory the run reserves on the cpu engine (app::add_planned_memory): every
// task's runner as the adapter loads it and the arena it carves, which exceeds the graph-level
// estimate of `aegisrt plan-memory` (oneDNN's padded layouts and scratchpads). A budget between
// the two is refused: the graph-level figure would have admitted a set whose run cannot fit.
#include <gtest/gtest.h>

#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/admission.hpp"
#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/memory/workload_memory.hpp"
#include "model/model_cache.hpp"
#include "support/engines.hpp"

namespace aegisrt {
namespace {

Workload two_models_on(const std::string& backend, std::uint64_t budget) {
  Workload w;
  w.device.backend = backend;
  w.device.memory_budget_bytes = budget;
  w.scheduler.policy = Policy::kNpFp;
  Task face;
  face.id = 0;
  face.name = "face";
  face.priority = 2;
  face.period = face.deadline = Duration::ms(100);
  face.model = ModelSpec{testing::cached_model("face_detection_front_128x128_barracuda.onnx"), {}};
  Task cls = face;
  cls.id = 1;
  cls.name = "cls";
  cls.priority = 1;
  cls.model =
      ModelSpec{testing::cached_model("ch_ppocr_mobile_v2.0_cls_infer.onnx"), {1, 3, 48, 192}};
  w.tasks = {face, cls};
  return w;
}

TEST(AdmissionMemoryTest, CountsWhatTheRunReservesOnTheEngine) {
  Workload w = two_models_on("cpu", 1ULL << 30);
  if (w.tasks[0].model->path.empty() || w.tasks[1].model->path.empty()) {
    GTEST_SKIP() << testing::kFetchHint;
  }
  if (const std::string why = testing::engine_unavailable_reason("cpu"); !why.empty()) {
    GTEST_SKIP() << why;
  }

  // What the run reserves, read from the adapter the runtime uses.
  backend::RunnerBackendOptions o;
  o.load.pin = false;
  auto run = backend::make_backend("cpu", o);
  ASSERT_TRUE(run.ok()) << run.error().to_string();
  ASSERT_TRUE((*run)->prepare(w).ok());
  std::uint64_t reserved = (*run)->carving().arena_bytes;
  for (const Task& t : w.tasks) reserved += (*run)->runner(t.id)->info().weights_bytes;

  analysis::AdmitOptions opts;
  ASSERT_TRUE(app::add_planned_memory(w, opts).ok());
  ASSERT_TRUE(opts.planned_model_bytes.has_value());
  EXPECT_EQ(*opts.planned_model_bytes, reserved);
  EXPECT_NE(opts.planned_memory_source.find("what the run reserves on `cpu`"), std::string::npos)
      << opts.planned_memory_source;

  // The graph-level estimate is smaller; a budget that it would fit is refused now.
  const auto graph = memory::admission_memory(w, w.scheduler.policy);
  ASSERT_TRUE(graph.ok() && graph->has_value());
  ASSERT_LT((*graph)->bytes, reserved);
  w.device.memory_budget_bytes = (*graph)->bytes;
  analysis::AdmitOptions tight;
  ASSERT_TRUE(app::add_planned_memory(w, tight).ok());
  for (Task& t : w.tasks) t.segments = {Segment{"all", Duration::ms(1)}};
  const auto verdict = analysis::admit(w, tight);
  ASSERT_TRUE(verdict.ok()) << verdict.error().to_string();
  EXPECT_FALSE(verdict->memory.fits);
  EXPECT_FALSE(verdict->schedulable);
}

// On `sim` nothing is loaded: the graph-level plan is the figure.
TEST(AdmissionMemoryTest, SimCountsTheGraphLevelPlan) {
  const Workload w = two_models_on("sim", 1ULL << 30);
  if (w.tasks[0].model->path.empty() || w.tasks[1].model->path.empty()) {
    GTEST_SKIP() << testing::kFetchHint;
  }
  analysis::AdmitOptions opts;
  ASSERT_TRUE(app::add_planned_memory(w, opts).ok());
  const auto graph = memory::admission_memory(w, w.scheduler.policy);
  ASSERT_TRUE(graph.ok() && graph->has_value());
  ASSERT_TRUE(opts.planned_model_bytes.has_value());
  EXPECT_EQ(*opts.planned_model_bytes, (*graph)->bytes);
}

}  // namespace
}  // namespace aegisrt
