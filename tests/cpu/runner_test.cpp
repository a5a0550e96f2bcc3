// The cpu runner on small hand-built graphs: operators against ONNX Runtime or hand-computed
// values, NaN/Inf detection, load-time errors, segments, allocation counts and the scheduler seam.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "aegisrt/cpu/cpu_backend.hpp"
#include "aegisrt/memory/run_heap.hpp"
#include "aegisrt/model/import.hpp"
#include "cpu/ort_oracle.hpp"
#include "model/onnx_builder.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt {
namespace {

using testing::OnnxBuilder;
using Attr = testing::OnnxBuilder::Attr;

cpu::Options test_options() {
  cpu::Options o;
  o.pin = false;  // leave the test thread's affinity alone
  return o;
}

Result<model::Graph> graph_of(const OnnxBuilder& b, const std::string& name = "test") {
  model::ImportOptions o;
  o.model_name = name;
  return model::import_bytes(testing::as_bytes(b.bytes()), o);
}

Result<std::unique_ptr<backend::ModelRunner>> load_graph(const OnnxBuilder& b,
                                                         const model::SegmentOptions& seg = {},
                                                         cpu::Options options = test_options()) {
  auto g = graph_of(b);
  if (!g) return g.error();
  const auto segments = model::make_segments(*g, seg);
  return cpu::load(*g, segments, options);
}

std::vector<float> ramp(std::size_t n, float scale = 0.1f, float offset = -1.0f) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = offset + scale * static_cast<float>((i * 37) % 101) / 10.0f;
  }
  return v;
}

backend::RunFailure run_all(backend::ModelRunner& r) {
  for (std::size_t k = 0; k < r.segment_count(); ++k) {
    const auto f = r.run_segment(k);
    if (f != backend::RunFailure::kNone) return f;
  }
  return backend::RunFailure::kNone;
}

// Loads the graph, runs it on `input` and compares every output with ONNX Runtime on the same
// file and input.
void expect_matches_ort(const OnnxBuilder& b, const std::vector<float>& input,
                        double tolerance = 1e-5) {
  if (const auto why = testing::oracle_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", b.bytes());
  testing::expect_runner_matches_ort(**sut, file, input,
                                     {.rtol = tolerance, .atol = tolerance * 1e-3});
}

std::vector<float> weights(std::size_t n, float scale = 0.05f) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = scale * static_cast<float>(static_cast<int>((i * 53) % 19) - 9);
  }
  return v;
}

// ---- Operators against ONNX Runtime.

TEST(CpuOperatorTest, GroupedDilatedPaddedConvWithBiasAndClipMatchesOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 4, 9, 11})
      .initializer_f("w", {6, 2, 3, 3}, weights(6 * 2 * 9))
      .initializer_f("b", {6}, weights(6, 0.3f))
      .initializer_f("lo", {}, {-0.2f})
      .initializer_f("hi", {}, {0.4f})
      .node("Conv", {"x", "w", "b"}, {"c"}, "conv",
            {Attr::i("group", 2), Attr::ints("dilations", {2, 1}), Attr::ints("pads", {2, 1, 1, 0}),
             Attr::ints("strides", {1, 2})})
      .node("Clip", {"c", "lo", "hi"}, {"y"}, "clip")
      .output("y");
  expect_matches_ort(b, ramp(4 * 9 * 11));
}

TEST(CpuOperatorTest, DepthwiseConvAfterZeroPadAndBatchNormMatchesOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 8, 8})
      .initializer_i("p", {8}, {0, 0, 0, 0, 0, 0, 1, 1})
      .initializer_f("w", {3, 1, 3, 3}, weights(27))
      .initializer_f("g", {3}, {1.5f, 0.5f, -1.0f})
      .initializer_f("beta", {3}, {0.1f, 0.2f, 0.3f})
      .initializer_f("m", {3}, {0.05f, -0.1f, 0.0f})
      .initializer_f("v", {3}, {1.0f, 2.0f, 0.5f})
      .node("Pad", {"x", "p"}, {"xp"}, "pad")
      .node("Conv", {"xp", "w"}, {"c"}, "dw", {Attr::i("group", 3), Attr::ints("strides", {2, 2})})
      .node("BatchNormalization", {"c", "g", "beta", "m", "v"}, {"bn"}, "bn")
      .node("Relu", {"bn"}, {"y"}, "relu")
      .output("y");
  expect_matches_ort(b, ramp(3 * 64));
}

TEST(CpuOperatorTest, ConvTransposeMatchesOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 4, 5, 5})
      .initializer_f("w", {4, 3, 3, 3}, weights(4 * 3 * 9))
      .initializer_f("b", {3}, {0.1f, -0.2f, 0.3f})
      .node("ConvTranspose", {"x", "w", "b"}, {"y"}, "deconv",
            {Attr::ints("strides", {2, 2}), Attr::ints("pads", {1, 1, 1, 1})})
      .output("y");
  expect_matches_ort(b, ramp(100));
}

TEST(CpuOperatorTest, GemmWithTransposedWeightsAndAlphaBetaMatchesOrt) {
  OnnxBuilder b(13);
  b.input("x", {2, 6})
      .initializer_f("w", {4, 6}, weights(24))
      .initializer_f("c", {4}, {1.0f, 2.0f, 3.0f, 4.0f})
      .node("Gemm", {"x", "w", "c"}, {"y"}, "gemm",
            {Attr::i("transB", 1), Attr::f("alpha", 0.5f), Attr::f("beta", 2.0f)})
      .output("y");
  expect_matches_ort(b, ramp(12));
}

TEST(CpuOperatorTest, BatchedMatMulSoftmaxAndTransposeMatchOrt) {
  OnnxBuilder b(13);
  b.input("x", {2, 3, 4})
      .initializer_f("w", {4, 5}, weights(20, 0.3f))
      .node("MatMul", {"x", "w"}, {"m"}, "mm")
      .node("Transpose", {"m"}, {"t"}, "tr", {Attr::ints("perm", {2, 0, 1})})
      .node("Softmax", {"t"}, {"y"}, "sm", {Attr::i("axis", 1)})
      .output("y");
  expect_matches_ort(b, ramp(24));
}

TEST(CpuOperatorTest, BroadcastingBinaryOpsMatchOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 4, 5})
      .initializer_f("c", {3, 1, 1}, {0.5f, 1.5f, -2.0f})
      .initializer_f("r", {5}, {1.0f, 2.0f, 3.0f, 4.0f, 5.0f})
      .initializer_f("two", {}, {2.0f})
      .node("Sub", {"c", "x"}, {"a"}, "sub")  // the broadcast operand first
      .node("Div", {"a", "r"}, {"d"}, "div")
      .node("Pow", {"d", "two"}, {"p"}, "pow")
      .node("Sigmoid", {"p"}, {"s"}, "sig")
      .node("Mul", {"s", "d"}, {"y"}, "mul")
      .output("y");
  expect_matches_ort(b, ramp(60));
}

TEST(CpuOperatorTest, PoolingAndReductionsMatchOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 2, 7, 7})
      .node("MaxPool", {"x"}, {"mp"}, "mp",
            {Attr::ints("kernel_shape", {3, 3}), Attr::ints("strides", {2, 2}),
             Attr::i("ceil_mode", 1)})
      .node("AveragePool", {"x"}, {"ap"}, "ap",
            {Attr::ints("kernel_shape", {3, 3}), Attr::ints("pads", {1, 1, 1, 1})})
      .node("GlobalAveragePool", {"ap"}, {"g"}, "gap")
      .node("ReduceMean", {"mp"}, {"y"}, "rm", {Attr::ints("axes", {3}), Attr::i("keepdims", 0)})
      .output("y")
      .output("g");
  expect_matches_ort(b, ramp(98));
}

TEST(CpuOperatorTest, ResizeModesMatchOrt) {
  for (const auto& [mode, transform, nearest] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"nearest", "asymmetric", "floor"},
           {"nearest", "half_pixel", "round_prefer_ceil"},
           {"linear", "half_pixel", ""},
           {"linear", "align_corners", ""},
           {"linear", "asymmetric", ""}}) {
    SCOPED_TRACE(mode + " " + transform + " " + nearest);
    OnnxBuilder b(13);
    std::vector<testing::Message> attrs{Attr::s("mode", mode),
                                        Attr::s("coordinate_transformation_mode", transform)};
    if (!nearest.empty()) attrs.push_back(Attr::s("nearest_mode", nearest));
    b.input("x", {1, 2, 3, 4})
        .initializer_f("roi", {0}, {})
        .initializer_f("scales", {4}, {1.0f, 1.0f, 2.0f, 1.5f})
        .node("Resize", {"x", "roi", "scales"}, {"y"}, "resize", attrs)
        .output("y");
    expect_matches_ort(b, ramp(24));
  }
}

TEST(CpuOperatorTest, MemoryOperatorsMatchOrt) {
  OnnxBuilder b(13);
  b.input("x", {1, 6, 4, 4})
      .initializer_i("starts", {2}, {1, 0})
      .initializer_i("ends", {2}, {6, 4})
      .initializer_i("axes", {2}, {1, 3})
      .initializer_i("steps", {2}, {2, 3})
      .initializer_i("pads", {8}, {0, 1, 0, 2, 0, 0, 0, 0})
      .initializer_f("pv", {}, {0.75f})
      .initializer_i("split", {2}, {2, 4})
      .initializer_i("shape", {2}, {1, -1})
      .initializer_i("idx", {2}, {3, 0})
      .node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"s"}, "slice")
      .node("Pad", {"s", "pads", "pv"}, {"p"}, "pad")
      .node("Split", {"x", "split"}, {"a", "c"}, "split", {Attr::i("axis", 1)})
      .node("Concat", {"c", "p", "a"}, {"cat"}, "concat", {Attr::i("axis", 1)})
      .node("Gather", {"cat", "idx"}, {"gt"}, "gather", {Attr::i("axis", 2)})
      .node("Reshape", {"gt", "shape"}, {"y"}, "reshape")
      .output("y");
  expect_matches_ort(b, ramp(96));
}

// BlazeFace's residual blocks after a stem conv: depthwise conv -> pointwise conv -> Add(skip) ->
// Relu, the skip the block's input itself or max-pooled and channel-padded; the Add and the Relu
// fuse into the pointwise convolution as post-ops.
OnnxBuilder residual_blocks_graph() {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 10, 10})
      .initializer_f("w0", {8, 3, 3, 3}, weights(216, 0.1f))
      .initializer_f("wd1", {8, 1, 3, 3}, weights(72))
      .initializer_f("bd1", {8}, weights(8, 0.2f))
      .initializer_f("wp1", {8, 8, 1, 1}, weights(64, 0.1f))
      .initializer_f("bp1", {8}, weights(8, 0.3f))
      .initializer_f("wd2", {8, 1, 3, 3}, weights(72, 0.07f))
      .initializer_f("wp2", {16, 8, 1, 1}, weights(128, 0.1f))
      .initializer_i("cpad", {8}, {0, 0, 0, 0, 0, 8, 0, 0})
      .node("Conv", {"x", "w0"}, {"c0"}, "stem", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"c0"}, {"r0"}, "relu0")
      .node("Conv", {"r0", "wd1", "bd1"}, {"d1"}, "dw1",
            {Attr::i("group", 8), Attr::ints("pads", {1, 1, 1, 1})})
      .node("Conv", {"d1", "wp1", "bp1"}, {"p1"}, "pw1")
      .node("Add", {"p1", "r0"}, {"s1"}, "add1")
      .node("Relu", {"s1"}, {"r1"}, "relu1")
      .node("MaxPool", {"r1"}, {"m"}, "pool",
            {Attr::ints("kernel_shape", {2, 2}), Attr::ints("strides", {2, 2})})
      .node("Pad", {"m", "cpad"}, {"mp"}, "chpad")
      .node("Conv", {"r1", "wd2"}, {"d2"}, "dw2",
            {Attr::i("group", 8), Attr::ints("pads", {1, 1, 1, 1}), Attr::ints("strides", {2, 2})})
      .node("Conv", {"d2", "wp2"}, {"p2"}, "pw2")
      .node("Add", {"mp", "p2"}, {"s2"}, "add2")  // the skip first
      .node("Relu", {"s2"}, {"y"}, "relu2")
      .output("y");
  return b;
}

TEST(CpuOperatorTest, ConvWithResidualAddAndReluFusedMatchesOrt) {
  expect_matches_ort(residual_blocks_graph(), ramp(300, 0.2f));
}

TEST(CpuOperatorTest, ResidualAddWhoseSkipIsReadAgainLaterMatchesOrt) {
  // The skip r0 is read after the Add (by the Mul), so the Add must not accumulate into r0's
  // buffer in place; one of the two convolutions is 1x1, the other 3x3.
  OnnxBuilder b(13);
  b.input("x", {1, 3, 6, 6})
      .initializer_f("w0", {16, 3, 3, 3}, weights(432, 0.1f))
      .initializer_f("w1", {16, 16, 3, 3}, weights(2304, 0.02f))
      .initializer_f("w2", {16, 16, 1, 1}, weights(256, 0.1f))
      .node("Conv", {"x", "w0"}, {"c0"}, "stem", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"c0"}, {"r0"}, "relu0")
      .node("Conv", {"r0", "w1"}, {"c1"}, "conv3x3", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Add", {"r0", "c1"}, {"s1"}, "add1")
      .node("Relu", {"s1"}, {"r1"}, "relu1")
      .node("Conv", {"r1", "w2"}, {"c2"}, "conv1x1")
      .node("Add", {"c2", "r0"}, {"s2"}, "add2")
      .node("Mul", {"s2", "r0"}, {"y"}, "mul")
      .output("y");
  expect_matches_ort(b, ramp(108, 0.2f));
}

TEST(CpuRunnerTest, ResidualAddFusedAcrossSegmentsComputesWhatOneSegmentComputes) {
  const OnnxBuilder b = residual_blocks_graph();
  auto one = load_graph(b, {.min_flops = 0, .max_segments = 1});
  auto many = load_graph(b);
  ASSERT_TRUE(one.ok() && many.ok());
  ASSERT_EQ((*many)->segment_count(), 12u);
  const auto x = ramp(300, 0.2f);
  ASSERT_TRUE((*one)->set_input(0, x).ok());
  ASSERT_TRUE((*many)->set_input(0, x).ok());
  ASSERT_EQ(run_all(**one), backend::RunFailure::kNone);
  ASSERT_EQ(run_all(**many), backend::RunFailure::kNone);
  const auto a = (*one)->output(0);
  const auto c = (*many)->output(0);
  ASSERT_EQ(a.size(), 16u * 5 * 5);
  ASSERT_EQ(c.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a[i], c[i]) << i;
}

// ---- Hand-computed values.

TEST(CpuRunnerTest, ComputesAConvolutionByHand) {
  // 1x1x3x3 input, 2x2 kernel of ones, bias 1: each output is 1 + the sum of its window.
  OnnxBuilder b(13);
  b.input("x", {1, 1, 3, 3})
      .initializer_f("w", {1, 1, 2, 2}, {1, 1, 1, 1})
      .initializer_f("b", {1}, {1})
      .node("Conv", {"x", "w", "b"}, {"y"}, "conv")
      .output("y");
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9}).ok());
  ASSERT_EQ(run_all(**sut), backend::RunFailure::kNone);
  const auto y = (*sut)->output(0);
  ASSERT_EQ(y.size(), 4u);
  EXPECT_FLOAT_EQ(y[0], 1 + 1 + 2 + 4 + 5);
  EXPECT_FLOAT_EQ(y[1], 1 + 2 + 3 + 5 + 6);
  EXPECT_FLOAT_EQ(y[2], 1 + 4 + 5 + 7 + 8);
  EXPECT_FLOAT_EQ(y[3], 1 + 5 + 6 + 8 + 9);
}

OnnxBuilder two_step_graph() {
  // relu(x) then sqrt(x - 1): NaN for inputs below 1 appears only in the second node.
  OnnxBuilder b(13);
  b.input("x", {1, 4})
      .initializer_f("one", {}, {1.0f})
      .node("Relu", {"x"}, {"r"}, "relu")
      .node("Sub", {"r", "one"}, {"s"}, "sub")
      .node("Sqrt", {"s"}, {"y"}, "sqrt")
      .output("y");
  return b;
}

TEST(CpuRunnerTest, ReportsNonFiniteOutputs) {
  auto sut = load_graph(two_step_graph());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{5, 2, 0.5f, 10}).ok());
  EXPECT_EQ(run_all(**sut), backend::RunFailure::kNonFinite);
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{5, 2, 1, 10}).ok());
  EXPECT_EQ(run_all(**sut), backend::RunFailure::kNone);
  EXPECT_FLOAT_EQ((*sut)->output(0)[0], 2.0f);
}

TEST(CpuRunnerTest, ReportsNonFiniteValuesAtTheSegmentThatProducedThem) {
  // x / x: NaN for x = 0, in the first of two segments.
  OnnxBuilder b(13);
  b.input("x", {1, 2})
      .node("Div", {"x", "x"}, {"d"}, "div")
      .node("Transpose", {"d"}, {"y"}, "transpose", {Attr::ints("perm", {1, 0})})
      .output("y");
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ((*sut)->segment_count(), 2u);
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{0.0f, 2.0f}).ok());
  EXPECT_EQ((*sut)->run_segment(0), backend::RunFailure::kNonFinite);
  // The failed inference is over: the next one starts at segment 0.
  EXPECT_EQ((*sut)->run_segment(1), backend::RunFailure::kEngine);
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{1.0f, 2.0f}).ok());
  EXPECT_EQ(run_all(**sut), backend::RunFailure::kNone);
}

TEST(CpuRunnerTest, RunsSegmentsInOrderOnly) {
  auto sut = load_graph(two_step_graph());
  ASSERT_TRUE(sut.ok());
  ASSERT_EQ((*sut)->segment_count(), 3u);
  EXPECT_EQ((*sut)->run_segment(2), backend::RunFailure::kEngine);  // no inference started
  EXPECT_EQ((*sut)->run_segment(0), backend::RunFailure::kNone);
  EXPECT_EQ((*sut)->run_segment(2), backend::RunFailure::kEngine);  // skips segment 1
  EXPECT_EQ((*sut)->run_segment(3), backend::RunFailure::kEngine);  // out of range
}

TEST(CpuRunnerTest, SegmentsComputeWhatOneSegmentComputes) {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 8, 8})
      .initializer_f("w1", {8, 3, 3, 3}, weights(8 * 27))
      .initializer_f("w2", {4, 8, 1, 1}, weights(32))
      .node("Conv", {"x", "w1"}, {"a"}, "c1", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"a"}, {"r"}, "r1")
      .node("Conv", {"r", "w2"}, {"c"}, "c2")
      .node("Sigmoid", {"c"}, {"y"}, "s")
      .output("y");
  auto one = load_graph(b, {.min_flops = 0, .max_segments = 1});
  auto many = load_graph(b);
  ASSERT_TRUE(one.ok() && many.ok());
  EXPECT_EQ((*one)->segment_count(), 1u);
  EXPECT_EQ((*many)->segment_count(), 4u);
  const auto x = ramp(192);
  ASSERT_TRUE((*one)->set_input(0, x).ok());
  ASSERT_TRUE((*many)->set_input(0, x).ok());
  ASSERT_EQ(run_all(**one), backend::RunFailure::kNone);
  ASSERT_EQ(run_all(**many), backend::RunFailure::kNone);
  const auto a = (*one)->output(0);
  const auto c = (*many)->output(0);
  ASSERT_EQ(a.size(), c.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a[i], c[i]) << i;
  EXPECT_EQ((*many)->info().segment_names, (std::vector<std::string>{"c1", "r1", "c2", "s"}));
}

TEST(CpuRunnerTest, ReportsWhatItGot) {
  auto sut = load_graph(two_step_graph());
  ASSERT_TRUE(sut.ok());
  const auto& info = (*sut)->info();
  EXPECT_EQ(info.backend, "cpu");
  EXPECT_EQ(info.engine.rfind("oneDNN 2.", 0), 0u) << info.engine;
  EXPECT_EQ(info.threads, 1);
  EXPECT_TRUE(info.memory_planned);
  EXPECT_GT(info.arena_bytes, 0u);
}

// ---- Load-time errors.

TEST(CpuRunnerTest, RejectsCubicResizeAtLoadNamingModelNodeAndOperator) {
  OnnxBuilder b(13);
  b.input("x", {1, 1, 2, 2})
      .initializer_f("roi", {0}, {})
      .initializer_f("scales", {4}, {1, 1, 2, 2})
      .node("Resize", {"x", "roi", "scales"}, {"y"}, "up", {Attr::s("mode", "cubic")})
      .output("y");
  auto sut = load_graph(b);
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  const std::string& m = sut.error().message;
  EXPECT_NE(m.find("model 'test'"), std::string::npos) << m;
  EXPECT_NE(m.find("node 'up'"), std::string::npos) << m;
  EXPECT_NE(m.find("(Resize)"), std::string::npos) << m;
  EXPECT_NE(m.find("cubic"), std::string::npos) << m;
}

TEST(CpuRunnerTest, RejectsReflectPadAtLoad) {
  OnnxBuilder b(13);
  b.input("x", {1, 1, 3, 3})
      .initializer_i("p", {8}, {0, 0, 1, 1, 0, 0, 1, 1})
      .node("Pad", {"x", "p"}, {"y"}, "pad", {Attr::s("mode", "reflect")})
      .output("y");
  auto sut = load_graph(b);
  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("reflect"), std::string::npos) << sut.error().message;
  EXPECT_NE(sut.error().message.find("node 'pad' (Pad)"), std::string::npos) << sut.error().message;
}

TEST(CpuRunnerTest, RejectsSegmentsThatDoNotCoverTheGraph) {
  auto g = graph_of(two_step_graph());
  ASSERT_TRUE(g.ok());
  auto segments = model::make_segments(*g);
  segments.pop_back();
  auto sut = cpu::load(*g, segments, test_options());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
}

// ---- Allocations.

// Hand kernels (Resize with align_corners, Gather) only: a run allocates nothing at all.
TEST(CpuRunnerTest, HandKernelRunAllocatesNothing) {
  OnnxBuilder b(13);
  b.input("x", {1, 2, 3, 4})
      .initializer_f("roi", {0}, {})
      .initializer_f("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f})
      .initializer_i("idx", {2}, {1, 0})
      .node("Resize", {"x", "roi", "scales"}, {"r"}, "resize",
            {Attr::s("mode", "linear"), Attr::s("coordinate_transformation_mode", "align_corners")})
      .node("Gather", {"r", "idx"}, {"y"}, "gather", {Attr::i("axis", 1)})
      .output("y");
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  std::uint64_t allocations = 0;
  {
    const testing::AllocationCounter counter;
    for (int i = 0; i < 5; ++i) (void)run_all(**sut);
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
}

// Heap allocations (any thread) over `runs` full inferences of `r` on the calling thread.
std::uint64_t heap_allocations_over(backend::ModelRunner& r, int runs) {
  const testing::AllocationCounter counter;
  for (int i = 0; i < runs; ++i) {
    if (run_all(r) != backend::RunFailure::kNone) ADD_FAILURE() << "run " << i << " failed";
  }
  return counter.count();
}

// A concat of inputs in different layouts (a blocked convolution output and the plain model input,
// at an offset that is not a whole block): all oneDNN 2.6 offers for it is its reference concat,
// which allocates on every call; the backend builds it from one reorder per input instead.
OnnxBuilder mixed_layout_concat_graph() {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 6, 6})
      .initializer_f("w", {16, 3, 3, 3}, weights(432, 0.1f))
      .node("Conv", {"x", "w"}, {"c"}, "conv", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Concat", {"c", "x", "c"}, {"y"}, "concat", {Attr::i("axis", 1)})
      .output("y");
  return b;
}

TEST(CpuOperatorTest, ConcatOfMixedLayoutsMatchesOrt) {
  expect_matches_ort(mixed_layout_concat_graph(), ramp(108, 0.2f));
}

// oneDNN 2.6's dnnl_primitive_execute builds a small std::unordered_map of its arguments on every
// call (docs/design/0009): with the run heap those blocks come from the thread's pool, and a run
// makes no heap allocation at all.
TEST(CpuRunnerTest, ARunMakesNoHeapAllocation) {
  for (const OnnxBuilder& b :
       {two_step_graph(), residual_blocks_graph(), mixed_layout_concat_graph()}) {
    auto sut = load_graph(b);
    ASSERT_TRUE(sut.ok()) << sut.error().to_string();
    EXPECT_TRUE((*sut)->info().run_heap);
    ASSERT_TRUE((*sut)->set_input(0, ramp((*sut)->inputs()[0].elements(), 0.2f, 1.0f)).ok());
    const memory::RunHeapStats before = memory::run_heap_stats();
    EXPECT_EQ(heap_allocations_over(**sut, 5), 0u);
    const memory::RunHeapStats after = memory::run_heap_stats();
    EXPECT_GT(after.pool_allocations, before.pool_allocations);  // oneDNN's blocks: from the pool
    EXPECT_EQ(after.fallbacks, before.fallbacks);
  }
}

// The same run on a thread that holds no pool: oneDNN's blocks come from the heap, every call.
TEST(CpuRunnerTest, WithoutTheRunHeapOneDnnAllocatesOnEveryRun) {
  auto sut = load_graph(two_step_graph());
  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE((*sut)->set_input(0, std::vector<float>{5, 2, 1, 10}).ok());
  memory::detach_run_heap();
  const std::uint64_t one = heap_allocations_over(**sut, 1);
  const std::uint64_t four = heap_allocations_over(**sut, 4);
  ASSERT_TRUE(memory::attach_run_heap().ok());
  EXPECT_GT(one, 0u);
  EXPECT_EQ(four, 4 * one);
  EXPECT_EQ(heap_allocations_over(**sut, 4), 0u);
}

// With two compute threads, OpenMP's workers allocate too; they got pools at load.
TEST(CpuRunnerTest, ARunWithTwoComputeThreadsMakesNoHeapAllocation) {
  cpu::Options options = test_options();
  options.threads = 2;
  auto sut = load_graph(residual_blocks_graph(), {}, options);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ((*sut)->info().threads, 2);
  EXPECT_TRUE((*sut)->info().run_heap);
  ASSERT_TRUE((*sut)->set_input(0, ramp(300, 0.2f)).ok());
  EXPECT_EQ(heap_allocations_over(**sut, 5), 0u);
}

// A dispatcher thread other than the loading one: prepare_thread() readies it (its pool, OpenMP's
// per-thread state, a warm-up), after which its runs allocate nothing and compute what the loading
// thread computes.
TEST(CpuRunnerTest, PrepareThreadReadiesADispatcherThread) {
  auto sut = load_graph(residual_blocks_graph());
  ASSERT_TRUE(sut.ok());
  ASSERT_TRUE((*sut)->set_input(0, ramp(300, 0.2f)).ok());
  ASSERT_EQ(run_all(**sut), backend::RunFailure::kNone);
  const auto out = (*sut)->output(0);
  const std::vector<float> expected(out.begin(), out.end());
  std::uint64_t allocations = 1;
  bool prepared = false;
  std::thread dispatcher([&] {
    prepared = (*sut)->prepare_thread().ok();
    allocations = heap_allocations_over(**sut, 3);
  });
  dispatcher.join();
  EXPECT_TRUE(prepared);
  EXPECT_EQ(allocations, 0u);
  const auto got = (*sut)->output(0);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << i;
}

// ---- The scheduler seam.

// One task, "t0", running the model in `file`.
Workload one_task_workload(const std::string& file) {
  Workload w;
  Task t;
  t.name = "t0";
  t.model = ModelSpec{file, {}};
  w.tasks.push_back(t);
  return w;
}

TEST(CpuBackendTest, RunsEveryTasksModelSegmentBySegment) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", two_step_graph().bytes());
  const Workload w = one_task_workload(file);
  cpu::CpuBackend sut({}, test_options());
  ASSERT_TRUE(sut.prepare(w).ok());
  ASSERT_NE(sut.runner(0), nullptr);
  // The fixed input lies in [0, 1): relu(x) - 1 < 0, so sqrt gives NaN: the job fails at its last
  // segment, and only there.
  const backend::JobRef job{&w.tasks[0], 0};
  EXPECT_EQ(sut.run_segment(job, 0), backend::SegmentStatus::kOk);
  EXPECT_EQ(sut.run_segment(job, 1), backend::SegmentStatus::kOk);
  EXPECT_EQ(sut.run_segment(job, 2), backend::SegmentStatus::kFailed);
}

// The scheduler's dispatcher may be a thread of its own: prepare_thread() readies every runner
// there, and its segments then run without calling the allocator.
TEST(CpuBackendTest, ADispatcherThreadRunsJobsWithoutAllocatingAfterPrepareThread) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", residual_blocks_graph().bytes());
  const Workload w = one_task_workload(file);
  cpu::CpuBackend sut({}, test_options());
  ASSERT_TRUE(sut.prepare(w).ok());
  const backend::JobRef job{&w.tasks[0], 0};
  const auto segments = static_cast<std::uint32_t>(sut.runner(0)->segment_count());
  bool prepared = false;
  std::uint64_t allocations = 1;
  std::uint32_t ok_segments = 0;
  std::thread dispatcher([&] {
    prepared = sut.prepare_thread().ok();
    const testing::AllocationCounter counter;
    for (int run = 0; run < 3; ++run) {
      for (std::uint32_t k = 0; k < segments; ++k) {
        ok_segments += sut.run_segment(job, k) == backend::SegmentStatus::kOk ? 1 : 0;
      }
    }
    allocations = counter.count();
  });
  dispatcher.join();
  EXPECT_TRUE(prepared);
  EXPECT_EQ(ok_segments, 3 * segments);
  EXPECT_EQ(allocations, 0u);
}

TEST(CpuBackendTest, RejectsATaskWhoseSegmentsDisagreeWithItsModel) {
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", two_step_graph().bytes());
  Workload w;
  Task t;
  t.name = "t0";
  t.model = ModelSpec{file, {}};
  t.segments = {Segment{"a", Duration{}}, Segment{"b", Duration{}}};
  w.tasks.push_back(t);
  cpu::CpuBackend sut({}, test_options());
  const Status st = sut.prepare(w);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("declares 2 segments"), std::string::npos)
      << st.error().message;
}

TEST(CpuBackendTest, RejectsATaskWithoutAModel) {
  Workload w;
  Task t;
  t.name = "sim-only";
  w.tasks.push_back(t);
  cpu::CpuBackend sut({}, test_options());
  const Status st = sut.prepare(w);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace aegisrt
