// One model on one engine, timed: what `aegisrt infer` does, as a library function that returns a
// plain report value (the CLI only parses options, reads and writes files, and prints it).
//
// run_timed_inference() loads the model through the registry (the load includes the engine's
// warm-up inference), sets the inputs (given tensors, or the seeded generator of seeded_input.hpp,
// the ONNX Runtime oracle's), runs `repeat` inferences segment by segment, each segment timed on
// the given clock, and copies the outputs of the last one. It blocks the calling thread for all of
// that; call it from one thread at a time per engine (engines' thread settings are process-wide).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/backend/npy.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/stats.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::backend {

// A tensor to feed one model input, and where it came from (a file name, for messages).
struct InputTensor {
  std::string source;
  NpyArray array;
};

struct InferenceRequest {
  std::string backend = "cpu";  // a registry name (registry.hpp)
  // path, input shapes, segments, threads, ... (memory: the runner's own). With no input shape and
  // given inputs, the first input's shape is the first input tensor's.
  LoadRequest load;
  std::vector<InputTensor> inputs;  // one per model input, in order; empty: seeded
  std::uint32_t seed = 1;           // SeededUniform(seed), one stream over the inputs in order
  std::uint32_t repeat = 1;         // timed inferences (at least 1), after the load's warm-up
};

struct InferenceReport {
  RunnerInfo info;     // the runner's own report (engine, threads, memory)
  Duration load_time;  // load, warm-up included
  std::vector<TensorInfo> inputs;
  std::vector<std::string> input_sources;  // per input: "seed N" or the tensor's source
  std::vector<TensorInfo> outputs;
  std::vector<std::vector<float>> output_values;  // of the last inference, per output
  std::uint32_t repeat = 0;
  // Nearest-rank statistics (core/stats.hpp; the oracle's percentile definition, so the figures
  // compare), a percentile empty when `repeat` is too small to give it.
  Summary latency;                // whole inferences, end to end
  std::vector<Summary> segments;  // per segment
  // The engine's transient blocks over the timed runs: from the run heap's pools, and the requests
  // the pools could not serve (sent to malloc).
  std::uint64_t pool_allocations = 0;
  std::uint64_t heap_fallbacks = 0;
};

// Errors: those of load_runner (unknown backend, not compiled in, the engine's load errors);
// kInvalidArgument when the inputs do not match the model (count, shape) or `repeat` is 0;
// kInternal when a segment fails (an output holds NaN or Inf, or the engine reports an error),
// naming the inference and the segment.
Result<InferenceReport> run_timed_inference(const InferenceRequest& request, Clock& clock);

}  // namespace aegisrt::backend
