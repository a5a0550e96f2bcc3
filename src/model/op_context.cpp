// What one operator's shape inference sees of its ONNX node (op_context.hpp): its inputs, its
// typed attributes, the errors that name the node, and the result it hands back (folded constants
// or a compute node).
#include "op_context.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aegisrt::model::detail {

OpContext::OpContext(const onnx::NodeProto& proto, std::string model, std::string node_name,
                     std::int64_t opset, std::vector<const Sym*> inputs)
    : proto_(proto),
      model_(std::move(model)),
      node_name_(std::move(node_name)),
      opset_(opset),
      inputs_(std::move(inputs)) {}

const std::string& OpContext::op_type() const { return proto_.op_type(); }
std::size_t OpContext::output_count() const {
  return static_cast<std::size_t>(proto_.output_size());
}

bool OpContext::all_inputs_constant() const {
  return std::all_of(inputs_.begin(), inputs_.end(),
                     [](const Sym* s) { return s == nullptr || s->constant != nullptr; });
}

const onnx::AttributeProto* OpContext::find_attr(const char* name) const {
  for (const auto& a : proto_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

bool OpContext::has_attr(const char* name) const { return find_attr(name) != nullptr; }

bool OpContext::check_type(const onnx::AttributeProto* a, int type, const char* type_name) {
  if (a->type() == type) return true;
  // Files written before attribute types were recorded: infer from the populated field.
  if (a->type() == onnx::AttributeProto_AttributeType_UNDEFINED) {
    switch (type) {
      case onnx::AttributeProto_AttributeType_INT:
        if (a->has_i()) return true;
        break;
      case onnx::AttributeProto_AttributeType_FLOAT:
        if (a->has_f()) return true;
        break;
      case onnx::AttributeProto_AttributeType_STRING:
        if (a->has_s()) return true;
        break;
      case onnx::AttributeProto_AttributeType_TENSOR:
        if (a->has_t()) return true;
        break;
      case onnx::AttributeProto_AttributeType_INTS:
        if (a->ints_size() > 0) return true;
        break;
      case onnx::AttributeProto_AttributeType_FLOATS:
        if (a->floats_size() > 0) return true;
        break;
      default:
        break;
    }
  }
  if (!attr_error_) {
    attr_error_ = error(ErrorCode::kParse, "attribute '" + a->name() + "' should be " + type_name +
                                               " but has type " +
                                               std::to_string(static_cast<int>(a->type())));
  }
  return false;
}

std::optional<std::int64_t> OpContext::attr_int(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr || !check_type(a, onnx::AttributeProto_AttributeType_INT, "an int"))
    return std::nullopt;
  return a->i();
}

std::optional<float> OpContext::attr_float(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr || !check_type(a, onnx::AttributeProto_AttributeType_FLOAT, "a float"))
    return std::nullopt;
  return a->f();
}

std::optional<std::string> OpContext::attr_string(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr || !check_type(a, onnx::AttributeProto_AttributeType_STRING, "a string"))
    return std::nullopt;
  return a->s();
}

std::optional<std::vector<std::int64_t>> OpContext::attr_ints(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr || !check_type(a, onnx::AttributeProto_AttributeType_INTS, "a list of ints")) {
    return std::nullopt;
  }
  return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<std::vector<float>> OpContext::attr_floats(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr ||
      !check_type(a, onnx::AttributeProto_AttributeType_FLOATS, "a list of floats")) {
    return std::nullopt;
  }
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

const onnx::TensorProto* OpContext::attr_tensor(const char* name) {
  const auto* a = find_attr(name);
  if (a == nullptr || !check_type(a, onnx::AttributeProto_AttributeType_TENSOR, "a tensor"))
    return nullptr;
  return &a->t();
}

Error OpContext::error(ErrorCode code, std::string message, std::string hint) const {
  Error e = make_error(code, std::move(message), std::move(hint));
  e.where.file = model_;
  e.where.field =
      "node '" + node_name_ + "' (" + proto_.op_type() + ", opset " + std::to_string(opset_) + ")";
  return e;
}

Status OpContext::fold(std::vector<HostTensor> outputs) {
  if (outputs.size() != output_count()) {
    return error(ErrorCode::kInvalidArgument, "has " + std::to_string(output_count()) +
                                                  " outputs, expected " +
                                                  std::to_string(outputs.size()));
  }
  folded_ = true;
  for (auto& t : outputs)
    folded_outputs_.push_back(std::make_shared<const HostTensor>(std::move(t)));
  return Ok{};
}

Status OpContext::compute(OpType op, Attributes attrs, std::vector<std::size_t> runtime_inputs,
                          std::vector<OutputSpec> outputs, std::uint64_t flops) {
  if (outputs.size() != output_count()) {
    return error(ErrorCode::kInvalidArgument, "has " + std::to_string(output_count()) +
                                                  " outputs, expected " +
                                                  std::to_string(outputs.size()));
  }
  for (const auto& o : outputs) {
    if (!checked_element_count(o.shape)) {
      return error(ErrorCode::kInvalidArgument,
                   "output shape [" + to_string(o.shape) + "] is negative or too large");
    }
  }
  op_ = op;
  attrs_ = std::move(attrs);
  runtime_inputs_ = std::move(runtime_inputs);
  output_specs_ = std::move(outputs);
  flops_ = flops;
  return Ok{};
}

}  // namespace aegisrt::model::detail
