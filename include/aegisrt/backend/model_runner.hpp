// A model loaded into an inference engine, run one non-preemptive segment at a time.
//
// The seam between the scheduler's adapter (backend::RunnerBackend, runner_backend.hpp) and the
// engines behind it (`cpu`, `opencv`, `cuda` later). Loading compiles the model once and reserves
// all memory; after load, set_input / run_segment / enqueue / wait / output allocate nothing.
//
// Threads: one thread at a time may use a runner. The thread that loaded it is ready to run it; any
// other thread (a dispatcher) calls prepare_thread() first. Nothing here locks: the caller (the
// adapter, on the dispatcher thread) serialises every call.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/model/import.hpp"
#include "aegisrt/model/segment.hpp"

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
  std::string backend;  // "cpu", "opencv", ...
  std::string engine;   // e.g. "oneDNN 2.6.3", "OpenCV DNN 4.6.0"
  std::string isa;      // the CPU instruction set the engine runs with ("avx2"); empty: not told
  int threads = 1;      // compute threads actually used
  std::uint64_t weights_bytes = 0;
  std::uint64_t arena_bytes = 0;  // planned activation arena (0 when the engine owns its memory)
  bool memory_planned = false;    // activations live in AegisRT's planned arena
  // The engine's transient blocks during a run come from the run heap's pools, not from malloc
  // (memory/run_heap.hpp): the program links aegisrt::run_heap and every compute thread got one.
  bool run_heap = false;
  // Steps whose engine code calls malloc itself on every run, which no pool can serve ("NODE
  // (IMPLEMENTATION)"): on the `cpu` backend, oneDNN's GEMM on a CPU without AVX-512. Empty: a
  // run makes no heap allocation (with run_heap). A run reports them (docs/design/0009).
  std::vector<std::string> allocating_steps;
  std::vector<std::string> segment_names;  // one per segment, in order
};

// Why a segment run failed; the job is dropped with this reason and nothing else is affected.
enum class RunFailure : std::uint8_t {
  kNone,
  kNonFinite,  // an output of the segment holds NaN or Inf
  kEngine,     // the engine reported an error (or the segment was out of order)
};

// Where a runner's activations live ("plan, carve, hand out": the caller plans and reserves one
// arena for several runners and hands each its region; docs/design/0007, "Carving").
struct MemoryBinding {
  enum class Mode : std::uint8_t {
    kOwn,       // the runner reserves its own activation arena at load (`aegisrt infer`)
    kRegion,    // the runner runs inside `region`, which the caller reserved and keeps alive
    kDeferred,  // the runner reserves none at load: the caller reads memory_needs(), plans, and
                // calls bind_memory() before the first run (the adapter's carving)
  };
  Mode mode = Mode::kOwn;
  std::span<std::byte> region;  // kRegion: at least memory_needs().arena_bytes, aligned to
                                // memory_needs().alignment
};

// A byte range of a runner's region.
struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t bytes = 0;
};

// What a runner needs from a caller's region (MemoryBinding::kRegion / bind_memory()).
struct MemoryNeeds {
  // The region's size. 0: the engine owns its activations and cannot run in a caller's region.
  std::uint64_t arena_bytes = 0;
  std::uint64_t alignment = 64;  // of the region's start
  // live[k], for each boundary k between segments k and k + 1: the ranges of the region that hold
  // bytes a later segment still reads (the model's inputs and outputs included). What a job
  // preempted at boundary k must keep while another runner uses the region.
  std::vector<std::vector<ByteRange>> live;
  // The most bytes live at any boundary, each range rounded up to `alignment`: what a preserved
  // slot must hold (memory::SharedTask::preserved_bytes).
  std::uint64_t preserved_bytes() const;
};

// What a factory (backend::registry(), registry.hpp) loads: one model with the options every
// engine understands. An engine ignores what does not apply to it (opencv: `segments`, `pin`).
struct LoadRequest {
  std::string path;                                            // ONNX file
  std::vector<model::ImportOptions::InputShape> input_shapes;  // for dynamic input dimensions
  model::SegmentOptions segments;                              // how the engine segments the model
  int threads = 1;                                             // compute threads
  bool pin = true;  // pin the compute threads to cores from `first_core` (cpu)
  int first_core = 0;
  bool check_every_segment = true;  // NaN/Inf scan after every segment (cpu; else the outputs)
  bool lock_memory = false;         // mlock weights and activations (cpu)
  // Where the activations live. An engine that owns its memory (opencv) treats kDeferred as kOwn
  // and reports memory_needs().arena_bytes == 0; it refuses kRegion (kUnsupported).
  MemoryBinding memory;
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
  // overwrites the outputs of the last inference (and, in a shared region, whatever the region
  // held). Errors: those of the engine.
  virtual Status prepare_thread() { return Ok{}; }

  // ---- Memory. Called at load time only, on the loading thread, never while a segment runs.

  // What the runner needs from a caller's region; arena_bytes == 0 when the engine owns its
  // memory. The default: owns it.
  virtual const MemoryNeeds& memory_needs() const;
  // Moves the runner's activations into `region` (memory_needs().arena_bytes bytes at least,
  // aligned to memory_needs().alignment), releasing what it held, and runs one warm-up inference
  // there. Required once before the first run of a runner loaded with MemoryBinding::kDeferred.
  // Inputs and outputs held before are lost: set the inputs again. The caller keeps the region
  // alive and untouched while a segment runs; between jobs several runners may share it (the
  // caller restores what a preempted job keeps, memory_needs().live). Allocates (memory objects).
  // Errors: kInvalidArgument (too small, misaligned), kUnsupported (the engine owns its memory:
  // the default), and those of the engine's warm-up.
  virtual Status bind_memory(std::span<std::byte> region);

  // ---- Running. On the one thread that runs the runner; no allocation, no throw.

  // Copies `data` (inputs()[index].elements() floats) into the model's input. Errors:
  // kInvalidArgument (see check_input).
  virtual Status set_input(std::size_t index, std::span<const float> data) = 0;
  // Runs segment `k` (0 <= k < segment_count()) of the current inference to completion, blocking
  // the calling thread; segments must run in order 0, 1, ..., and running segment 0 starts a new
  // inference (anything else is kEngine). Between two segments the runner may be left alone while
  // other runners run (limited preemption).
  virtual RunFailure run_segment(std::size_t k) = 0;

  // The asynchronous pair, for engines that run on a device (cuda): enqueue() starts segment `k`
  // and returns without waiting for it (a GPU runner launches its kernels on its stream and
  // records an event); wait() blocks the calling thread until the enqueued segment is done and
  // returns its outcome (an error found when enqueuing, e.g. a segment out of order, comes back
  // here). At most one segment is in flight per runner: every enqueue() is followed by one wait()
  // on the same thread before the next enqueue(), set_input() or output(). The defaults are
  // synchronous: enqueue() runs the segment (run_segment), wait() returns what it returned. A
  // device runner overrides both and implements run_segment(k) as enqueue(k) then wait().
  // wait() with no segment in flight is a broken invariant (an assertion). The adapter always
  // runs segments through this pair.
  virtual void enqueue(std::size_t k);
  virtual RunFailure wait();

  // The output of the last completed inference, in the ONNX layout. Valid until the next
  // run_segment(0) of this runner, or of another runner bound to the same region.
  virtual std::span<const float> output(std::size_t index) const = 0;

 protected:
  // The checks every set_input() makes: `index` names an input and `data` has its element count.
  // Errors: kInvalidArgument, saying which.
  Status check_input(std::size_t index, std::span<const float> data) const;

 private:
  // The synchronous pair's state: the outcome of the segment enqueue() ran.
  RunFailure pending_ = RunFailure::kNone;
  bool in_flight_ = false;
};

}  // namespace aegisrt::backend
