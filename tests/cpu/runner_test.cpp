// The cpu runner on small hand-built graphs: hand-computed values, NaN/Inf detection, segments,
// what it reports about itself and load-time errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpu/cpu_support.hpp"

namespace aegisrt {
namespace {

using testing::graph_of;
using testing::load_graph;
using testing::OnnxBuilder;
using testing::ramp;
using testing::residual_blocks_graph;
using testing::run_all;
using testing::test_options;
using testing::two_step_graph;
using testing::weights;
using Attr = testing::OnnxBuilder::Attr;

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

}  // namespace
}  // namespace aegisrt
