// A model loaded into an inference engine, run one non-preemptive segment at a time.
//
// The seam between the scheduler's backends (`cpu`, `opencv`, `cuda`) and the engines behind them.
// Loading compiles the model once and reserves all memory; after load, set_input / run_segment /
// output allocate nothing. One thread at a time may use a runner (the device's dispatcher).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::backend {

// A model input or output at the model's edge: float32, dense, in the ONNX layout (NCHW or
// whatever the model declares), shape fully static.
struct TensorInfo {
  std::string name;
  std::vector<std::int64_t> shape;
  std::size_t elements() const;
};

// What a runner reports about itself (for `aegisrt infer --json` and the trace).
struct RunnerInfo {
  std::string backend;             // "cpu", "opencv", ...
  std::string engine;              // e.g. "oneDNN 2.6.3", "OpenCV DNN 4.6.0"
  int threads = 1;                 // compute threads actually used
  std::uint64_t weights_bytes = 0;
  std::uint64_t arena_bytes = 0;   // planned activation arena (0 when the engine owns its memory)
  bool memory_planned = false;     // activations live in AegisRT's planned arena
  // The engine's transient blocks during a run come from the run heap's pools, not from malloc
  // (memory/run_heap.hpp): the program links aegisrt::run_heap and every compute thread got one.
  bool run_heap = false;
  std::vector<std::string> segment_names;  // one per segment, in order
};

// Why a segment run failed; the job is dropped with this reason and nothing else is affected.
enum class RunFailure : std::uint8_t {
  kNone,
  kNonFinite,  // an output of the segment holds NaN or Inf
  kEngine,     // the engine reported an error
};

class ModelRunner {
 public:
  virtual ~ModelRunner() = default;
  virtual const RunnerInfo& info() const = 0;
  virtual std::span<const TensorInfo> inputs() const = 0;
  virtual std::span<const TensorInfo> outputs() const = 0;
  std::size_t segment_count() const { return info().segment_names.size(); }

  // Makes the calling thread ready to run segments (thread count, affinity, run-heap pools) and
  // warms the engine up on it, so that its first job does no first-use work. The thread that
  // loaded the runner is ready already; a dispatcher thread calls this before its first job. It
  // overwrites the outputs of the last inference. Errors: those of the engine.
  virtual Status prepare_thread() { return Ok{}; }

  // Copies `data` (inputs()[index].elements() floats) into the model's input. No allocation.
  virtual Status set_input(std::size_t index, std::span<const float> data) = 0;
  // Runs segment `k` (0 <= k < segment_count()) of the current inference; segments must run in
  // order 0, 1, ..., and running segment 0 starts a new inference. Between two segments the runner
  // may be left alone while other runners run (limited preemption). No allocation, no throw.
  virtual RunFailure run_segment(std::size_t k) = 0;
  // The output of the last completed inference, in the ONNX layout. Valid until the next
  // run_segment(0).
  virtual std::span<const float> output(std::size_t index) const = 0;

 protected:
  // The checks every set_input() makes: `index` names an input and `data` has its element count.
  // Errors: kInvalidArgument, saying which.
  Status check_input(std::size_t index, std::span<const float> data) const;
};

}  // namespace aegisrt::backend
