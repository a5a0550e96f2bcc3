// AegisRT's own graph of an imported model: what a backend compiles and what the memory planner
// and the segmenter read. It is static: every value has a known dtype and shape, the nodes are in
// a valid execution order, shape subgraphs are folded away, and every attribute that an operator
// took from a constant input (Reshape's shape, Clip's bounds, Resize's scales, ...) is a typed
// field of the node. Produced by aegisrt::model::import_file (import.hpp); see docs/design/0003.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace aegisrt::model {

enum class DType : std::uint8_t {
  kFloat32,
  kFloat16,
  kFloat64,
  kInt8,
  kUint8,
  kInt16,
  kInt32,
  kInt64,
  kBool,
};

// Bytes per element.
std::size_t dtype_size(DType t);
// "float32", "int64", ... (numpy spellings).
const char* to_string(DType t);

// Static dimensions, outermost first. A scalar has rank 0 and one element.
using Shape = std::vector<std::int64_t>;

// Product of the dimensions (1 for a scalar).
std::int64_t element_count(const Shape& s);
// "1x3x48x192"; "scalar" for rank 0.
std::string to_string(const Shape& s);

using ValueId = std::uint32_t;
inline constexpr ValueId kNoValue = std::numeric_limits<ValueId>::max();

enum class ValueKind : std::uint8_t {
  kInput,       // a graph input: written by the caller before a run (lives in the arena)
  kWeight,      // an initializer or a folded constant that a node reads: in Graph::weights
  kActivation,  // written by a node (lives in the arena)
};

struct Value {
  std::string name;  // the ONNX name
  DType dtype = DType::kFloat32;
  Shape shape;
  ValueKind kind = ValueKind::kActivation;
  bool is_output = false;           // a graph output
  std::uint64_t weight_offset = 0;  // kWeight: byte offset into Graph::weights (64-byte aligned)
  // A view (Reshape, Flatten, Squeeze, Unsqueeze, Identity) writes nothing: its output shares the
  // storage of this value, the root of a chain of views (never itself a view). kNoValue otherwise.
  ValueId alias_of = kNoValue;

  std::uint64_t bytes() const;
};

// The operators that can appear in a folded graph. Shape, Constant and ConstantOfShape never do:
// they always fold.
enum class OpType : std::uint8_t {
  kConv,
  kConvTranspose,
  kGemm,
  kMatMul,
  kRelu,
  kClip,
  kSigmoid,
  kHardSigmoid,
  kSoftmax,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kPow,
  kSqrt,
  kEqual,
  kBatchNormalization,
  kMaxPool,
  kAveragePool,
  kGlobalAveragePool,
  kReduceMean,
  kResize,
  kPad,
  kConcat,
  kSplit,
  kSlice,
  kReshape,
  kTranspose,
  kSqueeze,
  kUnsqueeze,
  kFlatten,
  kCast,
  kGather,
  kIdentity,
};

// The ONNX spelling ("Conv", "BatchNormalization", ...).
const char* to_string(OpType op);
// True for the operators whose output is a view of their first input (no data is written).
bool is_view(OpType op);

// ---- Typed attributes, normalised across opsets: defaults applied, negative axes resolved,
// auto_pad turned into explicit pads, constant inputs read in.

// Conv and ConvTranspose. Spatial vectors have one entry per spatial axis; `pads` holds the begin
// pads of every spatial axis, then the end pads (ONNX order).
struct ConvAttrs {
  std::vector<std::int64_t> kernel;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilations;
  std::vector<std::int64_t> pads;
  std::vector<std::int64_t> output_padding;  // ConvTranspose only; zeros otherwise
  std::int64_t group = 1;
};

// MaxPool and AveragePool.
struct PoolAttrs {
  std::vector<std::int64_t> kernel;
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilations;
  std::vector<std::int64_t> pads;  // begins, then ends
  bool ceil_mode = false;
  bool count_include_pad = false;  // AveragePool
};

struct GemmAttrs {
  float alpha = 1.0f;
  float beta = 1.0f;
  bool trans_a = false;
  bool trans_b = false;
};

// Clip bounds from the attribute form (opset < 11) or constant inputs (opset >= 11);
// -inf / +inf when absent.
struct ClipAttrs {
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();
};

struct HardSigmoidAttrs {
  float alpha = 0.2f;
  float beta = 0.5f;
};

// Softmax: before opset 13 the input is coerced to 2-D at `axis` and softmax runs over all axes
// from `axis` on (coerce_2d); from opset 13 it runs over `axis` alone.
struct SoftmaxAttrs {
  std::int64_t axis = 1;  // resolved, in [0, rank)
  bool coerce_2d = true;
};

// Concat, Flatten, Gather: one resolved axis in [0, rank).
struct AxisAttrs {
  std::int64_t axis = 0;
};

struct BatchNormAttrs {
  float epsilon = 1e-5f;
};

// ReduceMean: resolved, sorted axes (all axes when the model names none).
struct ReduceAttrs {
  std::vector<std::int64_t> axes;
  bool keepdims = true;
};

enum class ResizeMode : std::uint8_t { kNearest, kLinear, kCubic };
enum class CoordinateTransform : std::uint8_t {
  kHalfPixel,
  kAsymmetric,
  kAlignCorners,
  kPytorchHalfPixel,
  kTfHalfPixelForNn,
};
enum class NearestMode : std::uint8_t { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

// Resize: `scales` has one factor per axis; when the model gave `sizes` instead, scale =
// output / input as ONNX Runtime computes it. The output shape is the output value's shape.
struct ResizeAttrs {
  ResizeMode mode = ResizeMode::kNearest;
  CoordinateTransform coordinate_transform = CoordinateTransform::kHalfPixel;
  NearestMode nearest_mode = NearestMode::kRoundPreferFloor;
  float cubic_coeff_a = -0.75f;
  bool exclude_outside = false;
  std::vector<float> scales;
};

enum class PadMode : std::uint8_t { kConstant, kReflect, kEdge };

// Pad: begins for every axis, then ends (negative values crop).
struct PadAttrs {
  PadMode mode = PadMode::kConstant;
  std::vector<std::int64_t> pads;
  float value = 0.0f;
};

// Split: resolved axis and the size of every output along it.
struct SplitAttrs {
  std::int64_t axis = 0;
  std::vector<std::int64_t> sizes;
};

// Slice: one entry per input axis (axes not sliced have start 0, step 1, end = dim), clamped as
// ONNX specifies, so output dim = max(0, ceil((end - start) / step)).
struct SliceAttrs {
  std::vector<std::int64_t> starts;
  std::vector<std::int64_t> ends;
  std::vector<std::int64_t> steps;
};

struct TransposeAttrs {
  std::vector<std::int64_t> perm;
};

struct CastAttrs {
  DType to = DType::kFloat32;
};

// Which alternative a node carries depends on its OpType: ConvAttrs for kConv/kConvTranspose,
// PoolAttrs for kMaxPool/kAveragePool, AxisAttrs for kConcat/kFlatten/kGather, monostate for
// operators without attributes (elementwise, views whose shape is the output's shape).
using Attributes =
    std::variant<std::monostate, ConvAttrs, PoolAttrs, GemmAttrs, ClipAttrs, HardSigmoidAttrs,
                 SoftmaxAttrs, AxisAttrs, BatchNormAttrs, ReduceAttrs, ResizeAttrs, PadAttrs,
                 SplitAttrs, SliceAttrs, TransposeAttrs, CastAttrs>;

struct Node {
  std::string name;  // the ONNX node name, or "<Op>_<index in file>" when the file gives none
  OpType op = OpType::kIdentity;
  // Runtime operands: inputs, activations or weights, in the operator's ONNX order with the
  // constant operands that were read into `attrs` removed (Reshape keeps only its data input;
  // Conv keeps X, W and B when present; Clip keeps only X). Optional inputs left out by the model
  // are not listed.
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  Attributes attrs;
  std::uint64_t flops = 0;  // estimate: a multiply-add is 2, any other arithmetic op 1
};

struct Graph {
  std::string name;        // the model's file stem unless the importer was told otherwise
  std::int64_t opset = 0;  // of the default (ai.onnx) domain
  std::int64_t ir_version = 0;
  std::vector<Value> values;
  std::vector<Node> nodes;  // a valid execution order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  // Every weight, each at a 64-byte aligned offset (Value::weight_offset). Backends copy it into
  // their own (locked) buffer.
  std::vector<std::byte> weights;
  std::uint32_t folded_nodes = 0;  // ONNX nodes that folded away into constants

  const Value& value(ValueId id) const { return values[id]; }
  // The bytes of a kWeight value.
  std::span<const std::byte> weight_data(ValueId id) const;
  // Bytes of weights that nodes read (Graph::weights without alignment padding).
  std::uint64_t weights_bytes() const;
  std::uint64_t total_flops() const;
  // The root of a value's storage: alias_of for views, the value itself otherwise.
  ValueId storage_of(ValueId id) const;
};

}  // namespace aegisrt::model
