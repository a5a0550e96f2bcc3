// The importer on hand-made graphs: folding, execution order, typed attributes, weights, and every
// error path (unsupported operator, corrupt or truncated file, cycle, dangling input, shape
// mismatch, dynamic input without a shape).
#include "aegisrt/model/import.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "model/model_cache.hpp"
#include "model/onnx_builder.hpp"

namespace aegisrt::model {
namespace {

using aegisrt::testing::as_bytes;
using aegisrt::testing::OnnxBuilder;
using Attr = aegisrt::testing::OnnxBuilder::Attr;

Result<Graph> import(const OnnxBuilder& b, ImportOptions options = {}) {
  if (options.model_name.empty()) options.model_name = "tiny";
  return import_bytes(as_bytes(b.bytes()), options);
}

std::vector<OpType> ops(const Graph& g) {
  std::vector<OpType> out;
  for (const Node& n : g.nodes) out.push_back(n.op);
  return out;
}

TEST(ImportTest, FoldsAShapeSubgraphIntoOneStaticReshape) {
  // y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): a flatten keeping the batch.
  OnnxBuilder b(11);
  b.input("x", {2, 3, 4})
      .initializer_i("zero", {}, {0})
      .initializer_i("minus_one", {1}, {-1})
      .node("Shape", {"x"}, {"s"})
      .node("Gather", {"s", "zero"}, {"n"}, "", {Attr::i("axis", 0)})
      .node("Unsqueeze", {"n"}, {"n1"}, "", {Attr::ints("axes", {0})})
      .node("Concat", {"n1", "minus_one"}, {"target"}, "", {Attr::i("axis", 0)})
      .node("Reshape", {"x", "target"}, {"y"}, "flat")
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(ops(*sut), std::vector<OpType>{OpType::kReshape});
  EXPECT_EQ(sut->folded_nodes, 4u);
  const Node& reshape = sut->nodes[0];
  EXPECT_EQ(reshape.inputs.size(), 1u);  // the shape operand is gone
  EXPECT_EQ(sut->value(reshape.outputs[0]).shape, (Shape{2, 12}));
  EXPECT_EQ(sut->value(reshape.outputs[0]).alias_of, sut->inputs[0]);  // a view of x
  EXPECT_EQ(sut->weights_bytes(), 0u);
}

TEST(ImportTest, SortsNodesListedOutOfOrder) {
  OnnxBuilder b;
  b.input("x", {1, 4})
      .node("Sigmoid", {"b"}, {"c"}, "third")
      .node("Relu", {"x"}, {"a"}, "first")
      .node("Sqrt", {"a"}, {"b"}, "second")
      .output("c");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->nodes.size(), 3u);
  EXPECT_EQ(sut->nodes[0].name, "first");
  EXPECT_EQ(sut->nodes[1].name, "second");
  EXPECT_EQ(sut->nodes[2].name, "third");
}

TEST(ImportTest, DropsNodesThatNoOutputNeeds) {
  OnnxBuilder b;
  b.input("x", {1, 4})
      .node("Relu", {"x"}, {"y"}, "used")
      .node("Sigmoid", {"x"}, {"unused"}, "dead")
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->nodes.size(), 1u);
  EXPECT_EQ(sut->nodes[0].name, "used");
}

TEST(ImportTest, ReadsClipBoundsFromConstantInputs) {
  OnnxBuilder b(11);
  b.input("x", {1, 8})
      .initializer_f("lo", {}, {0.0f})
      .initializer_f("hi", {}, {6.0f})
      .node("Clip", {"x", "lo", "hi"}, {"y"})
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->nodes.size(), 1u);
  const auto& clip = std::get<ClipAttrs>(sut->nodes[0].attrs);
  EXPECT_EQ(clip.min, 0.0f);
  EXPECT_EQ(clip.max, 6.0f);
  EXPECT_EQ(sut->nodes[0].inputs.size(), 1u);
}

TEST(ImportTest, ReadsClipBoundsFromAttributesBeforeOpset11) {
  OnnxBuilder b(9);
  b.input("x", {1, 8})
      .node("Clip", {"x"}, {"y"}, "", {Attr::f("min", -1.0f), Attr::f("max", 1.0f)})
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const auto& clip = std::get<ClipAttrs>(sut->nodes[0].attrs);
  EXPECT_EQ(clip.min, -1.0f);
  EXPECT_EQ(clip.max, 1.0f);
}

TEST(ImportTest, NormalisesConvPaddingAndComputesOutputShapeAndFlops) {
  // 3x3 convolution, stride 2, SAME_UPPER on 1x2x5x5 with 4 filters: out 3x3 (ceil(5/2)), total
  // padding (3-1)*2+3-5 = 2 -> 1 before, 1 after. FLOPs: 2 * (1*4*3*3 outputs) * (2 channels *
  // 3*3 taps) = 1296 (bias adds are not counted separately).
  OnnxBuilder b(11);
  b.input("x", {1, 2, 5, 5})
      .initializer_f("w", {4, 2, 3, 3}, std::vector<float>(72, 1.0f))
      .initializer_f("bias", {4}, {1, 2, 3, 4})
      .node("Conv", {"x", "w", "bias"}, {"y"}, "conv",
            {Attr::ints("strides", {2, 2}), Attr::s("auto_pad", "SAME_UPPER")})
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const Node& conv = sut->nodes[0];
  EXPECT_EQ(sut->value(conv.outputs[0]).shape, (Shape{1, 4, 3, 3}));
  const auto& a = std::get<ConvAttrs>(conv.attrs);
  EXPECT_EQ(a.pads, (std::vector<std::int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(a.kernel, (std::vector<std::int64_t>{3, 3}));
  EXPECT_EQ(conv.flops, 1296u);
  ASSERT_EQ(conv.inputs.size(), 3u);
}

TEST(ImportTest, PutsWeightsInOneAlignedBufferWithTheirBytes) {
  OnnxBuilder b;
  b.input("x", {1, 3})
      .initializer_f("a", {3}, {1, 2, 3})
      .initializer_f("c", {3}, {4, 5, 6})
      .node("Add", {"x", "a"}, {"y"})
      .node("Mul", {"y", "c"}, {"z"})
      .output("z");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  std::vector<float> seen;
  for (ValueId id = 0; id < sut->values.size(); ++id) {
    const Value& v = sut->value(id);
    if (v.kind != ValueKind::kWeight) continue;
    EXPECT_EQ(v.weight_offset % 64, 0u);
    const auto data = sut->weight_data(id);
    ASSERT_EQ(data.size(), 12u);
    float f[3];
    std::memcpy(f, data.data(), 12);
    seen.insert(seen.end(), f, f + 3);
  }
  EXPECT_EQ(seen, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(sut->weights_bytes(), 24u);
}

TEST(ImportTest, FoldsArithmeticOnConstants) {
  // (2 + 3) * [1, 2] = [5, 10] feeds a Reshape target: the result must be folded exactly.
  OnnxBuilder b;
  b.input("x", {50})
      .initializer_i("two", {}, {2})
      .initializer_i("three", {}, {3})
      .initializer_i("v", {2}, {1, 2})
      .node("Add", {"two", "three"}, {"five"})
      .node("Mul", {"five", "v"}, {"target"})
      .node("Reshape", {"x", "target"}, {"y"})
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->value(sut->outputs[0]).shape, (Shape{5, 10}));
}

TEST(ImportTest, NormalisesSliceWithNegativeAndOversizedBounds) {
  // x[:, -3:INT64_MAX:1] on 2x10 -> columns 7..9; x[::-2] on axis 0 of size 2 -> row 1.
  OnnxBuilder b(11);
  b.input("x", {2, 10})
      .initializer_i("starts", {2}, {-1, -3})
      .initializer_i("ends", {2}, {-100, INT64_MAX})
      .initializer_i("axes", {2}, {0, 1})
      .initializer_i("steps", {2}, {-2, 1})
      .node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"y"})
      .output("y");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->value(sut->outputs[0]).shape, (Shape{1, 3}));
  const auto& a = std::get<SliceAttrs>(sut->nodes[0].attrs);
  EXPECT_EQ(a.starts, (std::vector<std::int64_t>{1, 7}));
  EXPECT_EQ(a.ends, (std::vector<std::int64_t>{-1, 10}));
  EXPECT_EQ(a.steps, (std::vector<std::int64_t>{-2, 1}));
}

TEST(ImportTest, SplitsBySizesFromAnInput) {
  OnnxBuilder b(13);
  b.input("x", {1, 10})
      .initializer_i("sizes", {2}, {3, 7})
      .node("Split", {"x", "sizes"}, {"a", "c"}, "", {Attr::i("axis", 1)})
      .output("a")
      .output("c");

  auto sut = import(b);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->value(sut->outputs[0]).shape, (Shape{1, 3}));
  EXPECT_EQ(sut->value(sut->outputs[1]).shape, (Shape{1, 7}));
}

TEST(ImportTest, TakesADynamicInputShapeFromTheOptions) {
  OnnxBuilder b;
  b.input("x", {-1, 3, -1, -1}).node("Relu", {"x"}, {"y"}).output("y");
  ImportOptions options;
  options.input_shapes.push_back({"", {1, 3, 48, 192}});

  auto sut = import(b, options);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->value(sut->outputs[0]).shape, (Shape{1, 3, 48, 192}));
}

TEST(ImportTest, ParsesInputShapesWithAndWithoutAName) {
  auto plain = parse_input_shape("1,3,48,192");
  auto named = parse_input_shape("x=1x3x640x640");
  auto bad = parse_input_shape("1,three");

  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "");
  EXPECT_EQ(plain->shape, (Shape{1, 3, 48, 192}));
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->name, "x");
  EXPECT_EQ(named->shape, (Shape{1, 3, 640, 640}));
  EXPECT_FALSE(bad.ok());
}

// ---- Errors.

TEST(ImportErrorTest, UnsupportedOperatorNamesModelNodeOperatorOpsetAndTheSupportedList) {
  OnnxBuilder b(12);
  b.input("x", {1, 4}).node("LSTM", {"x"}, {"y"}, "rnn").output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  const std::string text = sut.error().to_string();
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(text.find("tiny"), std::string::npos) << text;
  EXPECT_NE(text.find("node 'rnn'"), std::string::npos) << text;
  EXPECT_NE(text.find("LSTM"), std::string::npos) << text;
  EXPECT_NE(text.find("opset 12"), std::string::npos) << text;
  EXPECT_NE(text.find("Conv, ConvTranspose"), std::string::npos) << text;
}

TEST(ImportErrorTest, OperatorOfAForeignDomainIsUnsupported) {
  OnnxBuilder b;
  b.input("x", {1, 4}).node("FusedConv", {"x"}, {"y"}, "f", {}, "com.microsoft").output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("com.microsoft"), std::string::npos);
}

TEST(ImportErrorTest, BytesThatAreNotProtobufAreAParseError) {
  const std::string junk = "this is not an onnx file \xff\xff\xff\xff";

  auto sut = import_bytes(as_bytes(junk), {{}, "junk"});

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
}

TEST(ImportErrorTest, EveryTruncationOfAValidFileIsAnError) {
  OnnxBuilder b;
  b.input("x", {1, 3})
      .initializer_f("a", {3}, {1, 2, 3})
      .node("Add", {"x", "a"}, {"y"})
      .output("y");
  const std::string full = b.bytes();

  std::size_t failures = 0;
  for (std::size_t n = 0; n < full.size(); ++n) {
    auto sut = import_bytes(as_bytes(full.substr(0, n)), {{}, "cut"});
    if (!sut.ok()) {
      ++failures;
      EXPECT_FALSE(sut.error().message.empty());
    }
  }

  EXPECT_EQ(failures, full.size());  // every proper prefix lacks something the model needs
}

TEST(ImportErrorTest, TruncatedRealModelIsAClearError) {
  const std::string path =
      aegisrt::testing::cached_model("face_detection_front_128x128_barracuda.onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  auto sut = import_bytes(as_bytes(data.substr(0, data.size() / 2)), {{}, "half"});

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
}

TEST(ImportErrorTest, CycleIsAParseErrorNamingANodeOnIt) {
  OnnxBuilder b;
  b.input("x", {1, 4})
      .node("Add", {"x", "b"}, {"a"}, "n1")
      .node("Relu", {"a"}, {"b"}, "n2")
      .output("b");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("cycle"), std::string::npos);
  EXPECT_NE(sut.error().where.field.find("node 'n"), std::string::npos);
}

TEST(ImportErrorTest, DanglingInputIsAParseErrorNamingTheValue) {
  OnnxBuilder b;
  b.input("x", {1, 4}).node("Add", {"x", "ghost"}, {"y"}, "adder").output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("'ghost'"), std::string::npos);
  EXPECT_NE(sut.error().where.field.find("adder"), std::string::npos);
}

TEST(ImportErrorTest, BroadcastMismatchNamesNodeAndShapes) {
  OnnxBuilder b;
  b.input("x", {1, 3}).input("z", {1, 4}).node("Add", {"x", "z"}, {"y"}, "sum").output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sut.error().message.find("[1x3]"), std::string::npos) << sut.error().to_string();
  EXPECT_NE(sut.error().message.find("[1x4]"), std::string::npos);
  EXPECT_NE(sut.error().where.field.find("sum"), std::string::npos);
}

TEST(ImportErrorTest, ConvChannelMismatchIsAShapeError) {
  OnnxBuilder b;
  b.input("x", {1, 3, 8, 8})
      .initializer_f("w", {2, 4, 1, 1}, std::vector<float>(8, 0.0f))
      .node("Conv", {"x", "w"}, {"y"})
      .output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sut.error().message.find("channels"), std::string::npos);
}

TEST(ImportErrorTest, DeclaredOutputShapeThatDisagreesIsAShapeMismatch) {
  OnnxBuilder b;
  b.input("x", {1, 4}).node("Relu", {"x"}, {"y"}).output("y", {1, 5});

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("shape mismatch"), std::string::npos);
}

TEST(ImportErrorTest, DynamicInputWithoutAShapeSaysHowToGiveOne) {
  OnnxBuilder b;
  b.input("x", {-1, 3}).node("Relu", {"x"}, {"y"}).output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(sut.error().message.find("dynamic"), std::string::npos);
  EXPECT_NE(sut.error().hint.find("input_shape"), std::string::npos);
}

TEST(ImportErrorTest, GivenShapeThatContradictsTheFileIsRejected) {
  OnnxBuilder b;
  b.input("x", {1, 3}).node("Relu", {"x"}, {"y"}).output("y");
  ImportOptions options;
  options.input_shapes.push_back({"x", {1, 4}});

  auto sut = import(b, options);

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("contradicts"), std::string::npos);
}

TEST(ImportErrorTest, ReshapeToTheWrongElementCountIsRejected) {
  OnnxBuilder b;
  b.input("x", {2, 3})
      .initializer_i("t", {2}, {4, 2})
      .node("Reshape", {"x", "t"}, {"y"})
      .output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
}

TEST(ImportErrorTest, InitializerWithTooLittleDataIsAParseError) {
  OnnxBuilder b;
  b.input("x", {1, 3}).initializer_f("a", {3}, {1, 2}).node("Add", {"x", "a"}, {"y"}).output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("initializer 'a'"), std::string::npos);
}

TEST(ImportErrorTest, OpsetOutsideTheSupportedRangeIsUnsupported) {
  OnnxBuilder b(21);
  b.input("x", {1, 3}).node("Relu", {"x"}, {"y"}).output("y");

  auto sut = import(b);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(sut.error().message.find("opset 21"), std::string::npos);
}

TEST(ImportErrorTest, MissingFileIsNotFound) {
  auto sut = import_file("/nonexistent/model.onnx");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(sut.error().where.file, "/nonexistent/model.onnx");
}

}  // namespace
}  // namespace aegisrt::model
