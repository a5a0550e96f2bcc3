// The `cpu` backend's compiled form of a model (internal): tensors with the layouts oneDNN chose,
// the storage buffers they live in, the weights in their final layouts, and the steps (oneDNN
// primitives or small hand-written kernels) in execution order, each tagged with its segment.
// compile() builds it from a folded model::Graph; the runner (cpu_runner.cpp) plans the buffers
// into one arena, binds memory objects and executes the steps.
#pragma once

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/segment.hpp"

namespace aegisrt::cpu {

// A kernel written by hand for what oneDNN 2.6 cannot express (Resize coordinate modes, Gather).
// Bound once to the addresses of its operands; run() allocates nothing.
class HandKernel {
 public:
  virtual ~HandKernel() = default;
  // `ptrs` holds one address per entry of Step::args, in order.
  virtual void bind(std::span<std::byte* const> ptrs) = 0;
  virtual void run() = 0;
};

// Where a tensor's bytes live: a planned buffer in the activation arena, or a weight.
struct TensorDesc {
  dnnl::memory::desc md;
  int buffer = -1;                // index into Program::buffers, or -1 for a weight
  int weight = -1;                // index into Program::weights, or -1
  std::uint64_t byte_offset = 0;  // inside the buffer (views of a part of it)
};

struct BufferDesc {
  std::uint64_t bytes = 0;
  bool whole_run = false;  // a model input or output: live for the whole inference
};

// A weight in the layout its primitive wants: `source` describes `data` (dense, as imported or as
// prepared at load, e.g. with a batch norm folded in), `target` the layout to reorder it into.
struct WeightSpec {
  dnnl::memory::desc source;
  dnnl::memory::desc target;
  std::shared_ptr<const std::vector<std::byte>> data;
};

struct Step {
  std::uint32_t segment = 0;
  std::string label;          // the node it came from (or "reorder for NODE")
  dnnl::primitive primitive;  // empty when `hand` is set
  std::unique_ptr<HandKernel> hand;
  // (DNNL_ARG_*, tensor) pairs; for hand kernels the first member is the operand's position.
  std::vector<std::pair<int, int>> args;
  std::vector<int> reads;   // tensors
  std::vector<int> writes;  // tensors
  int scratch_buffer = -1;  // scratchpad buffer (oneDNN scratchpad_mode::user)
  dnnl::memory::desc scratch_md;
  std::string impl;  // oneDNN's implementation of the primitive ("jit:avx2", "gemm:jit"); empty
                     // for hand kernels and reorders made at load
};

// Whether oneDNN 2.6's implementation `impl` calls malloc itself on every execution: its GEMM
// (`gemm:jit`, `x64:gemm:jit`, `gemm:ref`) packs its operands into buffers it allocates per call.
// On a CPU with AVX-512 oneDNN runs f32 matmuls with brgemm and convolutions with direct JIT
// kernels; without it, f32 matmul and some convolutions (large dilations) take the GEMM.
bool allocates_per_execution(std::string_view impl);

struct Program {
  std::vector<TensorDesc> tensors;
  std::vector<BufferDesc> buffers;
  std::vector<WeightSpec> weights;
  std::vector<Step> steps;
  std::vector<int> input_tensors;   // per graph input, plain layout
  std::vector<int> output_tensors;  // per graph output, plain layout
  // Per segment: f32 tensors to check for NaN/Inf at its end.
  std::vector<std::vector<int>> checked_tensors;
  std::uint32_t fused_nodes = 0;  // nodes absorbed into another node's primitive
};

// Compiles `graph` with `segments` (contiguous, covering every node). Errors: kUnsupported naming
// the model, the node, the operator and what is unsupported.
Result<Program> compile(const model::Graph& graph, std::span<const model::ModelSegment> segments,
                        const dnnl::engine& engine, bool check_every_segment);

}  // namespace aegisrt::cpu
