#include "onnx_rewrite.hpp"

#include <onnx/onnx_pb.h>

#include <bit>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

namespace aegisrt::opencv {
namespace {

// The value of a one-element float tensor, or nullopt for anything else.
std::optional<float> scalar_float(const onnx::TensorProto& t) {
  std::int64_t count = 1;
  for (const std::int64_t d : t.dims()) count *= d;
  if (count != 1 || t.data_type() != onnx::TensorProto_DataType_FLOAT) return std::nullopt;
  if (t.float_data_size() == 1) return t.float_data(0);
  if (t.raw_data().size() == sizeof(float)) {
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) {
      bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(t.raw_data()[i])) << (8 * i);
    }
    return std::bit_cast<float>(bits);
  }
  return std::nullopt;
}

void set_float_attribute(onnx::NodeProto& node, const std::string& name, float value) {
  for (auto& a : *node.mutable_attribute()) {
    if (a.name() == name) {
      a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
      a.set_f(value);
      return;
    }
  }
  onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a->set_f(value);
}

}  // namespace

Result<std::string> rewrite_for_opencv(std::span<const std::byte> bytes,
                                       std::span<const backend::TensorInfo> inputs,
                                       std::span<const backend::TensorInfo> outputs,
                                       RewriteReport* report) {
  RewriteReport counts;
  onnx::ModelProto model;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !model.has_graph()) {
    return make_error(ErrorCode::kParse, "not a valid ONNX model: the protobuf does not parse");
  }
  onnx::GraphProto& graph = *model.mutable_graph();

  const auto fix = [](onnx::ValueInfoProto& v, std::span<const backend::TensorInfo> wanted) {
    for (const backend::TensorInfo& want : wanted) {
      if (want.name != v.name()) continue;
      auto* shape = v.mutable_type()->mutable_tensor_type()->mutable_shape();
      shape->clear_dim();
      for (const std::int64_t d : want.shape) shape->add_dim()->set_dim_value(d);
      return 1;
    }
    return 0;
  };
  for (auto& in : *graph.mutable_input()) counts.inputs_fixed += fix(in, inputs);
  for (auto& out : *graph.mutable_output()) counts.outputs_fixed += fix(out, outputs);

  // Constant scalars by value name: initializers and Constant nodes' `value` tensors.
  std::map<std::string, float> constants;
  for (const auto& init : graph.initializer()) {
    if (auto v = scalar_float(init)) constants[init.name()] = *v;
  }
  for (const auto& node : graph.node()) {
    if (node.op_type() != "Constant" || node.output_size() != 1) continue;
    for (const auto& a : node.attribute()) {
      if (a.name() == "value" && a.has_t()) {
        if (auto v = scalar_float(a.t())) constants[node.output(0)] = *v;
      }
    }
  }

  for (auto& node : *graph.mutable_node()) {
    if (node.op_type() != "Clip" || !(node.domain().empty() || node.domain() == "ai.onnx") ||
        node.input_size() <= 1) {
      continue;
    }
    std::optional<float> bounds[2];
    bool all_constant = true;
    for (int i = 1; i < node.input_size() && i <= 2; ++i) {
      if (node.input(i).empty()) continue;  // an absent optional bound
      auto it = constants.find(node.input(i));
      if (it == constants.end()) {
        all_constant = false;
        break;
      }
      bounds[i - 1] = it->second;
    }
    if (!all_constant || node.input_size() > 3) continue;
    node.mutable_input()->DeleteSubrange(1, node.input_size() - 1);
    if (bounds[0]) set_float_attribute(node, "min", *bounds[0]);
    if (bounds[1]) set_float_attribute(node, "max", *bounds[1]);
    ++counts.clips_rewritten;
  }

  std::string out;
  if (!model.SerializeToString(&out)) {
    return make_error(ErrorCode::kInternal, "re-serialising the rewritten ONNX model failed");
  }
  if (report != nullptr) *report = counts;
  return out;
}

}  // namespace aegisrt::opencv
