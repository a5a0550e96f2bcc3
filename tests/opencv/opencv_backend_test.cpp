// The `opencv` backend on tiny hand-built ONNX graphs whose outputs are worked out by hand, and on
// the real models where MODELS.md records what OpenCV DNN 4.6 can and cannot do.
#include "aegisrt/opencv/opencv_backend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "aegisrt/backend/runner_backend.hpp"
#include "model/model_cache.hpp"
#include "model/onnx_builder.hpp"
#include "support/cli.hpp"

namespace aegisrt::opencv {
namespace {

using aegisrt::testing::OnnxBuilder;

// y = Clip(x, min=0, max=6) in the opset-13 form (bounds as constant inputs), on an input whose
// batch dimension is dynamic. OpenCV DNN 4.6 reads neither as shipped.
std::string clip_model() {
  return OnnxBuilder(13)
      .input("x", {-1, 4})
      .initializer_f("lo", {}, {0.0f})
      .initializer_f("hi", {}, {6.0f})
      .node("Clip", {"x", "lo", "hi"}, {"y"}, "clip")
      .output("y")
      .bytes();
}

// A scalar float tensor as a Constant node's `value` attribute (AttributeProto.t = 5, TENSOR = 4).
aegisrt::testing::Message constant_value(float v) {
  std::string raw(4, '\0');
  std::memcpy(raw.data(), &v, 4);
  const auto tensor = aegisrt::testing::Message().varint(2, aegisrt::testing::kFloat).bytes(9, raw);
  return aegisrt::testing::Message().bytes(1, "value").message(5, tensor).varint(20, 4);
}

// y = Clip(x, min=-1) with the bound from a Constant node and the max left out ("").
std::string clip_min_only_model() {
  return OnnxBuilder(12)
      .input("x", {1, 3})
      .node("Constant", {}, {"lo"}, "lo_const", {constant_value(-1.0f)})
      .node("Clip", {"x", "lo", ""}, {"y"}, "clip")
      .output("y")
      .bytes();
}

// y = Sqrt(x): negative inputs give NaN.
std::string sqrt_model() {
  return OnnxBuilder(13).input("x", {1, 4}).node("Sqrt", {"x"}, {"y"}, "sqrt").output("y").bytes();
}

// The scheduler's backend over the opencv engine (backend::RunnerBackend, one adapter for every
// engine), with task inputs seeded from `seed`.
backend::RunnerBackend opencv_backend(std::uint32_t seed = 1) {
  backend::RunnerBackendOptions o;
  o.seed = seed;
  return backend::RunnerBackend("opencv", &load_request, o);
}

class OpenCvBackendTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& bytes) {
    return dir_.write(name, bytes);
  }
  aegisrt::testing::TempDir dir_;
};

TEST_F(OpenCvBackendTest, RunsAnOpset13ClipWithConstantBoundsAtAFixedShape) {
  const std::string path = write("clip.onnx", clip_model());
  const std::vector<std::int64_t> shape{2, 4};

  auto sut = load(path, shape);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  backend::ModelRunner& runner = **sut;
  ASSERT_EQ(runner.inputs().size(), 1u);
  EXPECT_EQ(runner.inputs()[0].shape, shape);
  ASSERT_EQ(runner.outputs().size(), 1u);
  EXPECT_EQ(runner.outputs()[0].name, "y");
  EXPECT_EQ(runner.outputs()[0].shape, shape);
  const std::vector<float> x{-3.0f, 0.0f, 2.5f, 6.0f, 7.0f, -0.5f, 5.99f, 100.0f};
  ASSERT_TRUE(runner.set_input(0, x).ok());
  ASSERT_EQ(runner.run_segment(0), backend::RunFailure::kNone);
  const auto y = runner.output(0);
  const std::vector<float> expected{0.0f, 0.0f, 2.5f, 6.0f, 6.0f, 0.0f, 5.99f, 6.0f};
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), expected);
}

TEST_F(OpenCvBackendTest, RunsAClipWhoseOnlyBoundComesFromAConstantNode) {
  const std::string path = write("clip_min.onnx", clip_min_only_model());
  auto sut = load(path);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();

  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{-5.0f, -0.25f, 1e30f}).ok());
  ASSERT_EQ((*sut)->run_segment(0), backend::RunFailure::kNone);

  const auto y = (*sut)->output(0);
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{-1.0f, -0.25f, 1e30f}));
}

TEST_F(OpenCvBackendTest, ReportsOneSegmentInEngineOwnedMemory) {
  // y = x + b with b = [1, 2, 3, 4]: 16 bytes of weights.
  const std::string path = write("add.onnx", OnnxBuilder(13)
                                                 .input("x", {1, 4})
                                                 .initializer_f("b", {4}, {1.0f, 2.0f, 3.0f, 4.0f})
                                                 .node("Add", {"x", "b"}, {"y"}, "add")
                                                 .output("y")
                                                 .bytes());

  auto sut = load(path, {}, 1);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const backend::RunnerInfo& info = (*sut)->info();
  EXPECT_EQ(info.backend, "opencv");
  EXPECT_EQ(info.engine.rfind("OpenCV DNN 4.", 0), 0u) << info.engine;
  EXPECT_FALSE(info.memory_planned);
  EXPECT_EQ(info.arena_bytes, 0u);
  EXPECT_EQ(info.weights_bytes, 16u);
  EXPECT_EQ((*sut)->segment_count(), 1u);
  EXPECT_EQ(info.segment_names, (std::vector<std::string>{"add"}));
  EXPECT_GE(info.threads, 1);
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{0.5f, 0.5f, -3.0f, 10.0f}).ok());
  ASSERT_EQ((*sut)->run_segment(0), backend::RunFailure::kNone);
  const auto y = (*sut)->output(0);
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()), (std::vector<float>{1.5f, 2.5f, 0.0f, 14.0f}));
}

TEST_F(OpenCvBackendTest, FailsTheRunWhenAnOutputHoldsNaN) {
  const std::string path = write("sqrt.onnx", sqrt_model());
  auto sut = load(path);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{4.0f, 9.0f, 0.0f, 1.0f}).ok());
  ASSERT_EQ((*sut)->run_segment(0), backend::RunFailure::kNone);
  EXPECT_EQ((*sut)->output(0)[1], 3.0f);

  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{4.0f, -1.0f, 0.0f, 1.0f}).ok());
  const backend::RunFailure failure = (*sut)->run_segment(0);

  EXPECT_EQ(failure, backend::RunFailure::kNonFinite);
}

TEST_F(OpenCvBackendTest, RejectsAnInputOfTheWrongSizeAndASegmentBeyondTheFirst) {
  const std::string path = write("sqrt.onnx", sqrt_model());
  auto sut = load(path);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();

  const Status wrong_size = (*sut)->set_input(0, std::vector<float>{1.0f, 2.0f});
  const Status wrong_index = (*sut)->set_input(1, std::vector<float>(4, 1.0f));
  const backend::RunFailure second_segment = (*sut)->run_segment(1);

  ASSERT_FALSE(wrong_size.ok());
  EXPECT_EQ(wrong_size.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(wrong_size.error().message.find("takes 4 floats, got 2"), std::string::npos);
  EXPECT_FALSE(wrong_index.ok());
  EXPECT_EQ(second_segment, backend::RunFailure::kEngine);
}

TEST_F(OpenCvBackendTest, ReportsAMissingFileAsNotFound) {
  auto sut = load((dir_.path() / "absent.onnx").string());

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
}

TEST_F(OpenCvBackendTest, ReportsAnOperatorOpenCvCannotLoadWithItsOwnMessage) {
  // MODELS.md: OpenCV DNN 4.6 cannot load M-LSD (its Split takes the split sizes as an input).
  const std::string path = aegisrt::testing::cached_model("mlsd_320x320_tiny.onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;

  auto sut = load(path);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(sut.error().message.find("mlsd_320x320_tiny"), std::string::npos);
  EXPECT_NE(sut.error().message.find("Split"), std::string::npos) << sut.error().message;
}

TEST_F(OpenCvBackendTest, ReportsAModelOpenCvLoadsButCannotRun) {
  const std::string path = aegisrt::testing::cached_model("ch_PP-OCRv4_rec_infer.onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  const std::vector<std::int64_t> shape{1, 3, 48, 320};

  auto sut = load(path, shape);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(sut.error().message.find("ch_PP-OCRv4_rec_infer"), std::string::npos);
  EXPECT_NE(sut.error().message.find("cannot run it"), std::string::npos) << sut.error().message;
}

TEST_F(OpenCvBackendTest, SchedulerBackendRunsEachTaskAsOneSegment) {
  Workload w;
  Task t;
  t.name = "clipper";
  t.id = 0;
  t.model = ModelSpec{write("clip.onnx", clip_model()), {3, 4}};
  w.tasks.push_back(t);
  backend::RunnerBackend sut = opencv_backend(7);

  const Status prepared = sut.prepare(w);
  const backend::SegmentStatus ran = sut.run_segment(backend::JobRef{&w.tasks[0], 0}, 0);

  ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
  EXPECT_EQ(ran, backend::SegmentStatus::kOk);
  ASSERT_NE(sut.runner(0), nullptr);
  // The synthetic input lies in [0, 1), so Clip(0, 6) returns it unchanged.
  for (const float v : sut.runner(0)->output(0)) {
    EXPECT_GE(v, 0.0f);
    EXPECT_LE(v, 1.0f);
  }
  EXPECT_EQ(sut.runner(0)->output(0).size(), 12u);
}

TEST_F(OpenCvBackendTest, SchedulerBackendRefusesATaskWithoutAModel) {
  Workload w;
  Task t;
  t.name = "nomodel";
  w.tasks.push_back(t);
  backend::RunnerBackend sut = opencv_backend();

  const Status prepared = sut.prepare(w);

  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.error().message.find("nomodel"), std::string::npos);
}

TEST_F(OpenCvBackendTest, SchedulerBackendRefusesATaskDeclaringSeveralSegments) {
  Workload w;
  Task t;
  t.name = "split";
  t.model = ModelSpec{write("clip.onnx", clip_model()), {1, 4}};
  t.segments = {{"a", Duration::ms(1)}, {"b", Duration::ms(1)}};
  w.tasks.push_back(t);
  backend::RunnerBackend sut = opencv_backend();

  const Status prepared = sut.prepare(w);

  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.error().message.find("2 segments"), std::string::npos);
}

}  // namespace
}  // namespace aegisrt::opencv
