// libFuzzer target: the ONNX importer, the segmenter and the memory planner on arbitrary bytes.
// Any crash, sanitizer report or broken plan is a bug: a bad file must only ever produce an Error.
#include <google/protobuf/stubs/logging.h>
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "aegisrt/core/result.hpp"
#include "aegisrt/memory/planner.hpp"
#include "aegisrt/model/import.hpp"
#include "aegisrt/model/segment.hpp"

namespace {

// Shapes for the dynamic inputs of a model, so that files whose inputs are dynamic (PP-OCR) get
// past input reading: the file's static dims, 1 for the batch, 32 for any other dynamic dim.
aegisrt::model::ImportOptions fixed_shapes(const std::uint8_t* data, std::size_t size) {
  aegisrt::model::ImportOptions options;
  options.model_name = "fuzz";
  onnx::ModelProto model;
  if (size > 1u << 30 || !model.ParseFromArray(data, static_cast<int>(size))) return options;
  for (const auto& in : model.graph().input()) {
    aegisrt::model::Shape shape;
    bool dynamic = false;
    for (int d = 0; d < in.type().tensor_type().shape().dim_size(); ++d) {
      const auto& dim = in.type().tensor_type().shape().dim(d);
      dynamic = dynamic || !dim.has_dim_value();
      shape.push_back(dim.has_dim_value() ? dim.dim_value() : (d == 0 ? 1 : 32));
    }
    if (dynamic) options.input_shapes.push_back({in.name(), shape});
  }
  return options;
}

void exercise(const aegisrt::model::Graph& g) {
  const auto segments = aegisrt::model::make_segments(g);
  const auto merged = aegisrt::model::make_segments(g, {0, 4});
  AEGISRT_ASSERT(merged.size() <= 4);
  const auto plan = aegisrt::memory::plan_model(g, segments);
  if (plan.buffers.size() <= 2000) {
    std::vector<aegisrt::memory::Lifetime> lifetimes;
    for (const auto& b : plan.buffers) lifetimes.push_back({b.bytes, b.first, b.last});
    AEGISRT_ASSERT(aegisrt::memory::validate_plan(lifetimes, plan.arena).ok());
  }
  AEGISRT_ASSERT(plan.arena.lower_bound_bytes <= plan.arena.arena_bytes);
  AEGISRT_ASSERT(plan.arena.arena_bytes <= plan.arena.naive_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // parse failures are expected; keep the log quiet
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = std::as_bytes(std::span<const std::uint8_t>(data, size));
  auto graph = aegisrt::model::import_bytes(bytes, fixed_shapes(data, size));
  if (graph.ok()) {
    exercise(*graph);
  } else {
    AEGISRT_ASSERT(!graph.error().message.empty());
  }
  return 0;
}
