// Internal to the importer: what the per-operator shape inference and folding (op_*.cpp) sees of
// one ONNX node, and what it hands back: either folded constant outputs or a compute node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/model/graph.hpp"
#include "host_tensor.hpp"

namespace onnx {
class NodeProto;
class AttributeProto;
class TensorProto;
}  // namespace onnx

namespace aegisrt::model::detail {

// What the importer knows about one ONNX value name.
struct Sym {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::shared_ptr<const HostTensor> constant;  // set when the value is known at import time
  ValueId id = kNoValue;                       // set once it is a Value of the runtime graph
};

// Decodes an ONNX TensorProto (raw or typed fields, embedded data only). `where` names it in
// errors ("initializer 'w'", "attribute 'value' of node 'c'").
Result<HostTensor> decode_tensor(const onnx::TensorProto& t, const std::string& where);
// Maps an ONNX TensorProto.DataType code to a DType.
std::optional<DType> dtype_from_onnx(int code);

class OpContext {
 public:
  OpContext(const onnx::NodeProto& proto, std::string model, std::string node_name,
            std::int64_t opset, std::vector<const Sym*> inputs);

  const std::string& op_type() const;
  const std::string& node_name() const { return node_name_; }
  std::int64_t opset() const { return opset_; }

  // Inputs in ONNX order; nullptr for an optional input the model leaves out.
  std::size_t input_count() const { return inputs_.size(); }
  const Sym* input(std::size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  std::size_t output_count() const;
  bool all_inputs_constant() const;

  // Attributes: nullopt when absent. An attribute of the wrong type is an error that `failed()`
  // reports afterwards (the getter then returns nullopt too).
  bool has_attr(const char* name) const;
  std::optional<std::int64_t> attr_int(const char* name);
  std::optional<float> attr_float(const char* name);
  std::optional<std::string> attr_string(const char* name);
  std::optional<std::vector<std::int64_t>> attr_ints(const char* name);
  std::optional<std::vector<float>> attr_floats(const char* name);
  const onnx::TensorProto* attr_tensor(const char* name);
  std::optional<Error> failed() const { return attr_error_; }

  // An error about this node: "node 'n' (Op, opset k)" in `where.field`, the model in
  // `where.file`.
  Error error(ErrorCode code, std::string message, std::string hint = {}) const;

  // Results. Exactly one of fold() / compute() per node.
  Status fold(std::vector<HostTensor> outputs);
  struct OutputSpec {
    DType dtype;
    Shape shape;
  };
  Status compute(OpType op, Attributes attrs, std::vector<std::size_t> runtime_inputs,
                 std::vector<OutputSpec> outputs, std::uint64_t flops);

  bool folded() const { return folded_; }
  std::vector<std::shared_ptr<const HostTensor>>& folded_outputs() { return folded_outputs_; }
  OpType op() const { return op_; }
  Attributes& attrs() { return attrs_; }
  const std::vector<std::size_t>& runtime_inputs() const { return runtime_inputs_; }
  const std::vector<OutputSpec>& output_specs() const { return output_specs_; }
  std::uint64_t flops() const { return flops_; }

 private:
  const onnx::AttributeProto* find_attr(const char* name) const;
  bool check_type(const onnx::AttributeProto* a, int type, const char* type_name);

  const onnx::NodeProto& proto_;
  std::string model_;
  std::string node_name_;
  std::int64_t opset_;
  std::vector<const Sym*> inputs_;
  std::optional<Error> attr_error_;

  bool folded_ = false;
  std::vector<std::shared_ptr<const HostTensor>> folded_outputs_;
  OpType op_ = OpType::kIdentity;
  Attributes attrs_;
  std::vector<std::size_t> runtime_inputs_;
  std::vector<OutputSpec> output_specs_;
  std::uint64_t flops_ = 0;
};

// Infers the outputs of one node: folds it when it can, describes a compute node otherwise.
Status infer_node(OpContext& c);

// True if infer_node handles this operator of the default domain.
bool is_supported_operator(const std::string& op_type);

}  // namespace aegisrt::model::detail
