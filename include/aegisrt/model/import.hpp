// ONNX import: an .onnx file in, a static, folded aegisrt::model::Graph out.
//
// The importer reads the protobuf, sorts the nodes topologically (some exporters list them out of
// order), infers every shape from the graph inputs' shapes, folds shape subgraphs and other
// all-constant nodes into constants, and keeps the compute nodes with typed attributes. Every
// failure is an Error value whose message names the model, and where it applies the node, the
// operator and the opset; the importer never aborts on a bad file.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/model/graph.hpp"

namespace aegisrt::model {

struct ImportOptions {
  // The shape of a graph input whose dimensions the file leaves open (or confirms a static one).
  // An empty `name` means the model's only input, or its first when it has several.
  struct InputShape {
    std::string name;
    Shape shape;
  };
  std::vector<InputShape> input_shapes;
  // Name used in messages and in Graph::name; empty: the file's stem.
  std::string model_name;
};

// Reads and imports an ONNX file.
// Errors: kNotFound (no such file), kParse (not a valid ONNX protobuf, truncated, a cycle, a
// dangling input), kUnsupported (an operator, dtype, opset or attribute AegisRT does not handle:
// the hint lists what is supported), kInvalidArgument (a shape mismatch, a dynamic input without a
// given shape, a given shape that contradicts the file).
Result<Graph> import_file(const std::string& path, const ImportOptions& options = {});

// Same, from the bytes of an ONNX file; `options.model_name` names it in messages.
Result<Graph> import_bytes(std::span<const std::byte> bytes, const ImportOptions& options = {});

// The ONNX operators the importer accepts, sorted (the folded graph holds a subset: see OpType).
const std::vector<std::string>& supported_operators();

// Opsets of the default domain that the importer reads, inclusive.
inline constexpr std::int64_t kMinOpset = 7;
inline constexpr std::int64_t kMaxOpset = 17;

// Parses "1,3,48,192" or "1x3x48x192" (or with an "input_name=" prefix) into an InputShape.
// Errors: kInvalidArgument naming the text.
Result<ImportOptions::InputShape> parse_input_shape(std::string_view text);

}  // namespace aegisrt::model
