// The cpu backend's operators on small hand-built graphs against ONNX Runtime: convolutions
// (grouped, dilated, padded, transposed, after a zero Pad, with a folded BatchNormalization and a
// fused residual Add), Gemm, MatMul, broadcasting binary operators, pools and reductions, the
// Resize modes and the operators that move data.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "cpu/cpu_support.hpp"

namespace aegisrt {
namespace {

using testing::expect_matches_ort;
using testing::mixed_layout_concat_graph;
using testing::OnnxBuilder;
using testing::ramp;
using testing::residual_blocks_graph;
using testing::weights;
using Attr = testing::OnnxBuilder::Attr;

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

TEST(CpuOperatorTest, ConcatOfMixedLayoutsMatchesOrt) {
  expect_matches_ort(mixed_layout_concat_graph(), ramp(108, 0.2f));
}

}  // namespace
}  // namespace aegisrt
