#include "aegisrt/model/graph.hpp"

#include "aegisrt/core/result.hpp"

namespace aegisrt::model {

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::kFloat32:
      return 4;
    case DType::kFloat16:
      return 2;
    case DType::kFloat64:
      return 8;
    case DType::kInt8:
      return 1;
    case DType::kUint8:
      return 1;
    case DType::kInt16:
      return 2;
    case DType::kInt32:
      return 4;
    case DType::kInt64:
      return 8;
    case DType::kBool:
      return 1;
  }
  return 1;
}

const char* to_string(DType t) {
  switch (t) {
    case DType::kFloat32:
      return "float32";
    case DType::kFloat16:
      return "float16";
    case DType::kFloat64:
      return "float64";
    case DType::kInt8:
      return "int8";
    case DType::kUint8:
      return "uint8";
    case DType::kInt16:
      return "int16";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kBool:
      return "bool";
  }
  return "?";
}

std::int64_t element_count(const Shape& s) {
  std::int64_t n = 1;
  for (const std::int64_t d : s) n *= d;
  return n;
}

std::string to_string(const Shape& s) {
  if (s.empty()) return "scalar";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += 'x';
    out += std::to_string(s[i]);
  }
  return out;
}

std::uint64_t Value::bytes() const {
  return static_cast<std::uint64_t>(element_count(shape)) * dtype_size(dtype);
}

const char* to_string(OpType op) {
  switch (op) {
    case OpType::kConv:
      return "Conv";
    case OpType::kConvTranspose:
      return "ConvTranspose";
    case OpType::kGemm:
      return "Gemm";
    case OpType::kMatMul:
      return "MatMul";
    case OpType::kRelu:
      return "Relu";
    case OpType::kClip:
      return "Clip";
    case OpType::kSigmoid:
      return "Sigmoid";
    case OpType::kHardSigmoid:
      return "HardSigmoid";
    case OpType::kSoftmax:
      return "Softmax";
    case OpType::kAdd:
      return "Add";
    case OpType::kSub:
      return "Sub";
    case OpType::kMul:
      return "Mul";
    case OpType::kDiv:
      return "Div";
    case OpType::kPow:
      return "Pow";
    case OpType::kSqrt:
      return "Sqrt";
    case OpType::kEqual:
      return "Equal";
    case OpType::kBatchNormalization:
      return "BatchNormalization";
    case OpType::kMaxPool:
      return "MaxPool";
    case OpType::kAveragePool:
      return "AveragePool";
    case OpType::kGlobalAveragePool:
      return "GlobalAveragePool";
    case OpType::kReduceMean:
      return "ReduceMean";
    case OpType::kResize:
      return "Resize";
    case OpType::kPad:
      return "Pad";
    case OpType::kConcat:
      return "Concat";
    case OpType::kSplit:
      return "Split";
    case OpType::kSlice:
      return "Slice";
    case OpType::kReshape:
      return "Reshape";
    case OpType::kTranspose:
      return "Transpose";
    case OpType::kSqueeze:
      return "Squeeze";
    case OpType::kUnsqueeze:
      return "Unsqueeze";
    case OpType::kFlatten:
      return "Flatten";
    case OpType::kCast:
      return "Cast";
    case OpType::kGather:
      return "Gather";
    case OpType::kIdentity:
      return "Identity";
  }
  return "?";
}

bool is_view(OpType op) {
  switch (op) {
    case OpType::kReshape:
    case OpType::kFlatten:
    case OpType::kSqueeze:
    case OpType::kUnsqueeze:
    case OpType::kIdentity:
      return true;
    default:
      return false;
  }
}

std::span<const std::byte> Graph::weight_data(ValueId id) const {
  const Value& v = values[id];
  AEGISRT_ASSERT(v.kind == ValueKind::kWeight);
  AEGISRT_ASSERT(v.weight_offset + v.bytes() <= weights.size());
  return {weights.data() + v.weight_offset, static_cast<std::size_t>(v.bytes())};
}

std::uint64_t Graph::weights_bytes() const {
  std::uint64_t total = 0;
  for (const Value& v : values) {
    if (v.kind == ValueKind::kWeight) total += v.bytes();
  }
  return total;
}

std::uint64_t Graph::total_flops() const {
  std::uint64_t total = 0;
  for (const Node& n : nodes) total += n.flops;
  return total;
}

ValueId Graph::storage_of(ValueId id) const {
  const ValueId root = values[id].alias_of;
  return root == kNoValue ? id : root;
}

}  // namespace aegisrt::model
