// The operator registry of the importer: the ONNX operators of the default domain that AegisRT
// reads, each mapped to its handler (op_common.hpp lists them by family). Each handler reads its
// node's attributes per the ONNX operator specification (onnx/docs/Operators.md, opsets 7 to 17),
// checks its input shapes, and either folds the node (all inputs constant and the result small) or
// describes a compute node with normalised, typed attributes.
#include <map>
#include <string>
#include <vector>

#include "aegisrt/model/import.hpp"
#include "op_common.hpp"

namespace aegisrt::model::detail {

namespace {

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> kHandlers = {
      {"Add", op_add},
      {"AveragePool", op_average_pool},
      {"BatchNormalization", op_batch_norm},
      {"Cast", op_cast},
      {"Clip", op_clip},
      {"Concat", op_concat},
      {"Constant", op_constant},
      {"ConstantOfShape", op_constant_of_shape},
      {"Conv", op_conv},
      {"ConvTranspose", op_conv_transpose},
      {"Div", op_div},
      {"Equal", op_equal},
      {"Flatten", op_flatten},
      {"Gather", op_gather},
      {"Gemm", op_gemm},
      {"GlobalAveragePool", op_global_average_pool},
      {"HardSigmoid", op_hard_sigmoid},
      {"Identity", op_identity},
      {"MatMul", op_matmul},
      {"MaxPool", op_max_pool},
      {"Mul", op_mul},
      {"Pad", op_pad},
      {"Pow", op_pow},
      {"ReduceMean", op_reduce_mean},
      {"Relu", op_relu},
      {"Reshape", op_reshape},
      {"Resize", op_resize},
      {"Shape", op_shape},
      {"Sigmoid", op_sigmoid},
      {"Slice", op_slice},
      {"Softmax", op_softmax},
      {"Split", op_split},
      {"Sqrt", op_sqrt},
      {"Squeeze", op_squeeze},
      {"Sub", op_sub},
      {"Transpose", op_transpose},
      {"Unsqueeze", op_unsqueeze},
  };
  return kHandlers;
}

}  // namespace

bool is_supported_operator(const std::string& op_type) { return handlers().count(op_type) > 0; }

Status infer_node(OpContext& c) {
  const auto it = handlers().find(c.op_type());
  AEGISRT_ASSERT(it != handlers().end());
  return it->second(c);
}

}  // namespace aegisrt::model::detail

namespace aegisrt::model {

const std::vector<std::string>& supported_operators() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [name, handler] : detail::handlers()) names.push_back(name);
    return names;
  }();
  return kNames;
}

}  // namespace aegisrt::model
