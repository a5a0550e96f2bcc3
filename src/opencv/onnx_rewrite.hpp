// The in-memory rewrite that lets OpenCV DNN 4.6 read models it would otherwise refuse.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/core/result.hpp"

namespace aegisrt::opencv {

struct RewriteReport {
  int inputs_fixed = 0;     // graph inputs whose declared dimensions were replaced
  int outputs_fixed = 0;    // graph outputs whose declared dimensions were replaced
  int clips_rewritten = 0;  // Clip nodes whose constant bound inputs became attributes
};

// Parses the ONNX protobuf in `bytes` and returns it serialised again with
//  - each graph input named in `inputs` declared with exactly that static shape (OpenCV 4.6
//    evaluates Shape nodes only on static input shapes: "!isDynamicShape in parseShape");
//  - each graph output named in `outputs` declared with its static shape (OpenCV 4.6 refuses a
//    graph output without one: "tensor.has_shape() in dumpValueInfoProto");
//  - each Clip whose min/max come as constant inputs (opset >= 11: an initializer or a Constant
//    node's scalar float) rewritten to the opset-6 form with `min`/`max` attributes and one input
//    (OpenCV 4.6's parseClip requires exactly one input).
// Anything else is left as it is. `report`, when given, counts the changes.
// Errors: kParse (the bytes are not an ONNX ModelProto), kInternal (serialisation failed).
Result<std::string> rewrite_for_opencv(std::span<const std::byte> bytes,
                                       std::span<const backend::TensorInfo> inputs,
                                       std::span<const backend::TensorInfo> outputs,
                                       RewriteReport* report = nullptr);

}  // namespace aegisrt::opencv
