// The `cpu` backend: real inference of an imported model on the CPU with oneDNN primitives, in
// AegisRT's planned memory, one non-preemptive segment at a time (docs/design/0007-cpu-backend.md).
//
// load() compiles the folded graph once into oneDNN primitives (layouts chosen by oneDNN and kept
// inside the graph, conv + bias + activation fused), reorders the weights into one buffer reserved
// once, plans the activation arena from the tensors' lifetimes with the byte sizes of the layouts
// oneDNN chose (scratchpads included), and runs one warm-up inference. After load, set_input /
// run_segment / output allocate nothing.
//
// The engine library `aegisrt::cpu` (CMake option AEGISRT_CPU); the core `aegisrt` library does
// not link oneDNN.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/import.hpp"
#include "aegisrt/model/segment.hpp"

namespace aegisrt::cpu {

struct Options {
  // Compute threads for oneDNN (OpenMP in Debian's build). The setting is process-wide: OpenMP has
  // one pool per process; the last load() decides. RunnerInfo::threads reports what OpenMP gave.
  int threads = 1;
  // Pin the compute threads to cores (OMP places/bind where the runtime allows it; with one thread
  // the calling thread is pinned to the core given below). See docs/design/0007 "Threads".
  bool pin = true;
  int first_core = 0;  // the core the first compute thread is pinned to
  // Check every segment's outputs for NaN/Inf (true) or only the model outputs at the last
  // segment (false). A non-finite value fails the run with RunFailure::kNonFinite.
  bool check_every_segment = true;
  // mlock the weights and the arena (fails at load past RLIMIT_MEMLOCK).
  bool lock_memory = false;
  // Where the activations live: the runner's own arena (kOwn), a caller's region (kRegion), or
  // one the caller binds after reading memory_needs() (kDeferred; the warm-up then runs at
  // bind_memory). The weights are always in the runner's own block.
  backend::MemoryBinding memory;
};

// Compiles `graph` into a runner whose segments are `segments` (from model::make_segments on the
// same graph; empty: one segment per node). `graph` may be destroyed after load returns.
// Errors: kUnsupported when a node's operator or attribute combination cannot run here; the
// message names the model, the node, the operator and what is unsupported. kResourceExhausted
// when memory cannot be reserved. kInvalidArgument when the segments do not cover the graph.
Result<std::unique_ptr<backend::ModelRunner>> load(const model::Graph& graph,
                                                   std::span<const model::ModelSegment> segments,
                                                   const Options& options = {});

// Imports `path` (import_file with `import_options`), segments it with `segment_options` and
// loads it. Errors: those of import_file and of load().
Result<std::unique_ptr<backend::ModelRunner>> load_file(
    const std::string& path, const model::ImportOptions& import_options = {},
    const model::SegmentOptions& segment_options = {}, const Options& options = {});

// "oneDNN 2.6.3" (the library actually linked, read at run time).
std::string engine_version();
// The instruction set oneDNN runs with on this CPU ("avx2", "avx512_core", ...).
std::string engine_isa();

// The `cpu` entry of the backend registry: loads `request` with load_file (its input shapes,
// segment options, threads, pinning, NaN checks, mlock and memory binding). The scheduler's
// backend for the CPU is backend::RunnerBackend over this factory (backend::make_backend("cpu")).
Result<std::unique_ptr<backend::ModelRunner>> load_request(const backend::LoadRequest& request);

// Registers the `cpu` backend's factory (load_request) in backend::registry (registry.hpp).
// backend::register_engines() calls it in a build with the cpu engine. Idempotent.
void register_backend();

}  // namespace aegisrt::cpu
