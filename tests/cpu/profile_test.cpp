// `aegisrt profile` on the cpu engine with a real model (MODELS.md): the samples are the runner's
// own segments, a job is the sum of its segments, each run loads the model afresh, the platform
// stamp names the engine, contention runs the other model, and admission takes a model task with
// no hand-written timing from its profile. Counts and structure only: no time is asserted.
#include <gtest/gtest.h>

#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/admission.hpp"
#include "aegisrt/profile/apply.hpp"
#include "aegisrt/profile/measure.hpp"
#include "model/model_cache.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt {
namespace {

Workload two_models() {
  Workload w;
  w.name = "faces";
  w.device.backend = "cpu";
  w.scheduler.policy = Policy::kLpEdf;
  Task face;
  face.id = 0;
  face.name = "face";
  face.period = face.deadline = Duration::ms(100);
  face.model = ModelSpec{testing::cached_model("face_detection_front_128x128_barracuda.onnx"), {}};
  face.model->max_segments = 3;
  Task cls = face;
  cls.id = 1;
  cls.name = "cls";
  cls.period = cls.deadline = Duration::ms(200);
  cls.model =
      ModelSpec{testing::cached_model("ch_ppocr_mobile_v2.0_cls_infer.onnx"), {1, 3, 48, 192}};
  cls.model->max_segments = 2;
  w.tasks = {face, cls};
  return w;
}

#define SKIP_WITHOUT_MODELS(w)                                                           \
  do {                                                                                   \
    if ((w).tasks[0].model->path.empty() || (w).tasks[1].model->path.empty())            \
      GTEST_SKIP() << testing::kFetchHint;                                               \
    if (const std::string why = testing::engine_unavailable_reason("cpu"); !why.empty()) \
      GTEST_SKIP() << why;                                                               \
  } while (0)

TEST(CpuProfileTest, SamplesAreTheRunnersSegmentsInFreshRuns) {
  const Workload w = two_models();
  SKIP_WITHOUT_MODELS(w);
  profile::MeasureOptions m;
  m.samples = 24;
  m.warmup = 2;
  m.runs = 2;
  std::uint64_t calls = 0;
  m.on_progress = [&calls](const profile::Progress& p) {
    ++calls;
    EXPECT_EQ(p.total, 24u);
    EXPECT_EQ(p.done, calls);
  };
  auto sut = profile::measure_task(w, 0, m);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(calls, 24u);
  ASSERT_EQ(sut->segments.size(), 3u);  // model.segments: 3
  ASSERT_EQ(sut->job.size(), 24u);
  EXPECT_EQ(sut->run_starts, (std::vector<std::uint64_t>{0, 12}));
  for (std::size_t j = 0; j < sut->job.size(); ++j) {
    Duration sum;
    for (const auto& seg : sut->segments) {
      EXPECT_GT(seg[j], Duration::zero());
      sum += seg[j];
    }
    EXPECT_EQ(sut->job[j], sum);
  }
  EXPECT_EQ(sut->subject.kind, "model");
  EXPECT_EQ(sut->subject.max_segments, 3u);
  EXPECT_EQ(sut->subject.model_sha256.size(), 64u);
  EXPECT_EQ(sut->platform.backend, "cpu");
  EXPECT_NE(sut->platform.engine.find("oneDNN"), std::string::npos);
  EXPECT_FALSE(sut->platform.isa.empty());
  EXPECT_TRUE(sut->contenders.empty());
}

TEST(CpuProfileTest, ContentionRunsTheOtherModels) {
  const Workload w = two_models();
  SKIP_WITHOUT_MODELS(w);
  profile::MeasureOptions m;
  m.samples = 10;
  m.warmup = 1;
  m.contention = profile::Contention::kOthers;
  auto sut = profile::measure_task(w, 0, m);
  if (!sut.ok() && sut.error().message.find("second core") != std::string::npos) {
    GTEST_SKIP() << sut.error().message;
  }
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->contenders, (std::vector<std::string>{"cls"}));
  m.contention = profile::Contention::kNone;
  auto alone = profile::measure_task(w, 0, m);
  ASSERT_TRUE(alone.ok());
  const profile::Profile p = profile::build_profile(w, 0, *sut, *alone, m, profile::BoundOptions{});
  EXPECT_EQ(p.contention, "others");
  ASSERT_TRUE(p.job.contention_factor.has_value());
  ASSERT_TRUE(p.job.alone_bound.has_value());
  EXPECT_DOUBLE_EQ(*p.job.contention_factor, static_cast<double>(p.job.bound().count()) /
                                                 static_cast<double>(p.job.alone_bound->count()));
  for (const profile::Series& s : p.segments) EXPECT_TRUE(s.contention_factor.has_value());
}

TEST(CpuProfileTest, InterleavedContentionRunsAnotherModelsSegmentBeforeEachOfOurs) {
  const Workload w = two_models();
  SKIP_WITHOUT_MODELS(w);
  profile::MeasureOptions m;
  m.samples = 8;
  m.warmup = 1;
  m.runs = 2;
  m.contention = profile::Contention::kInterleaved;
  std::vector<std::string> phases;
  m.on_progress = [&phases](const profile::Progress& p) { phases.push_back(p.phase); };
  auto sut = profile::measure_task(w, 0, m);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->contenders, (std::vector<std::string>{"cls"}));
  ASSERT_EQ(sut->job.size(), 8u);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.front(), "contention interleaved: run 1 of 2");
  const profile::Profile p =
      profile::build_profile(w, 0, *sut, std::nullopt, m, profile::BoundOptions{});
  EXPECT_EQ(p.contention, "interleaved");
}

TEST(CpuProfileTest, ModelTaskWithoutTimingsIsAdmittedFromItsProfile) {
  const testing::TempDir dir;
  Workload w = two_models();
  SKIP_WITHOUT_MODELS(w);
  w.source_file = dir.str() + "/faces.yaml";
  profile::MeasureOptions m;
  m.samples = 20;
  m.warmup = 1;
  for (const Task& t : w.tasks) {
    auto s = profile::measure_task(w, t.id, m);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    ASSERT_TRUE(profile::save_profile(
                    profile::build_profile(w, t.id, *s, std::nullopt, m, profile::BoundOptions{}),
                    profile::profiles_dir(w))
                    .ok());
  }
  analysis::AdmitOptions opts;
  auto applied = app::apply_profiles(w, opts);
  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  // Measured here, on this engine: no platform warning; but alone, beside another model task.
  ASSERT_EQ(applied->warnings.size(), 2u);
  for (const std::string& warning : applied->warnings) {
    EXPECT_NE(warning.find("--contention interleaved"), std::string::npos) << warning;
  }
  ASSERT_EQ(w.tasks[0].segments.size(), 3u);
  ASSERT_EQ(w.tasks[1].segments.size(), 2u);
  auto sut = analysis::admit(w, opts);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_NE(sut->tasks[0].wcet_source.find("pwcet from " +
                                           profile::profile_path(profile::profiles_dir(w), "face")),
            std::string::npos)
      << sut->tasks[0].wcet_source;
  // 20 samples are too few for any pWCET: every segment falls back to its empirical bound.
  EXPECT_NE(sut->tasks[0].wcet_source.find("FLAGGED"), std::string::npos);
  EXPECT_NE(sut->tasks[0].wcet_source.find("measured alone, not interleaved"), std::string::npos);

  // The model is cut differently now: the profile no longer describes the task.
  Workload changed = two_models();
  changed.source_file = w.source_file;
  changed.tasks[0].model->max_segments = 4;
  auto stale = app::apply_profiles(changed, opts);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("model.segments 3 in the profile, 4 now"),
            std::string::npos);
}

}  // namespace
}  // namespace aegisrt
