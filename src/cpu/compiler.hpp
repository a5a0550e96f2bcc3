// Internal to the `cpu` backend's compiler: the Compiler that lowers a folded model::Graph into a
// Program (program.hpp) node by node, and what its parts share. The driver is compile.cpp; the
// tensors and their layouts compile_layout.cpp; fusion compile_fusion.cpp; the lowering of each
// operator family lower_*.cpp. Comments on the Compiler's members are at their definitions.
#pragma once

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "program.hpp"

namespace aegisrt::cpu {

using Dims = dnnl::memory::dims;

// Thrown inside the compiler only and turned into an Error at the node that raised it.
struct Unsupported {
  std::string what;
};

[[noreturn]] void unsupported(std::string what);

// ---- Layout helpers (compile_layout.cpp).

Dims to_dims(const model::Shape& s);
dnnl::memory::data_type to_dnnl(model::DType t);
// Row-major strides of `dims`.
Dims dense_strides(const Dims& dims);
dnnl::memory::desc plain_md(const Dims& dims, dnnl::memory::data_type dt);
// True when `md` is dense row-major (what the model's edges and the views need).
bool is_plain(const dnnl::memory::desc& md);

// One post-op: an element-wise function; or (alg binary_add) the element-wise sum with a tensor of
// the primitive's output shape and layout (`md`), read through `tensor`; or (alg undef) a `sum`
// post-op: the output is added to what its buffer holds.
struct EltOp {
  dnnl::algorithm alg;
  float alpha = 0.0f;
  float beta = 0.0f;
  int tensor = -1;
  dnnl::memory::desc md = {};
};

class Compiler {
 public:
  Compiler(const model::Graph& g, std::span<const model::ModelSegment> segments,
           const dnnl::engine& engine);

  Result<Program> run(bool check_every_segment);

 private:
  // ---- Errors (compile.cpp).

  Error fail_model(const std::string& what) const;
  Error fail_node(const model::Node& n, const std::string& what) const;

  // ---- Tensors, buffers, weights (compile_layout.cpp).

  TensorDesc& tensor(int t) { return p_.tensors[static_cast<std::size_t>(t)]; }
  int new_tensor(const dnnl::memory::desc& md);
  int alias_tensor(int t, const dnnl::memory::desc& md, std::uint64_t byte_offset = 0);
  int new_weight(const dnnl::memory::desc& source, const dnnl::memory::desc& target,
                 std::shared_ptr<const std::vector<std::byte>> data);
  std::shared_ptr<const std::vector<std::byte>> weight_bytes(model::ValueId v) const;
  std::vector<float> weight_floats(model::ValueId v) const;
  static std::shared_ptr<const std::vector<std::byte>> to_bytes(const std::vector<float>& f);
  bool is_weight(model::ValueId v) const { return g_.value(v).kind == model::ValueKind::kWeight; }
  bool is_scalar_weight(model::ValueId v) const;
  bool is_per_channel_constant(model::ValueId v, const model::Shape& shape) const;
  int value(model::ValueId v);
  void add_step(Step s);

  // A primitive step: args are (DNNL_ARG, tensor); reads are the tensors of the SRC/WEIGHTS-like
  // arguments, writes the DST.
  template <typename PD>
  void add_primitive(const PD& pd, dnnl::primitive prim, std::vector<std::pair<int, int>> args,
                     std::vector<int> reads, std::vector<int> writes) {
    Step s;
    s.primitive = std::move(prim);
    s.args = std::move(args);
    s.reads = std::move(reads);
    s.writes = std::move(writes);
    s.impl = pd.impl_info_str();
    const dnnl::memory::desc scratch = pd.scratchpad_desc();
    if (scratch.get_size() > 0) {
      p_.buffers.push_back(BufferDesc{scratch.get_size(), false});
      s.scratch_buffer = static_cast<int>(p_.buffers.size() - 1);
      s.scratch_md = scratch;
    }
    add_step(std::move(s));
  }

  dnnl::primitive_attr base_attr() const;
  int reorder_to(int t, const dnnl::memory::desc& md);
  int as_plain(int t, const model::Shape& shape);
  int as_plain(int t);
  Dims padded(const model::Shape& s, std::size_t rank);

  // ---- Fusion (compile_fusion.cpp).

  std::optional<std::uint32_t> sole_consumer(model::ValueId v) const;
  std::optional<std::vector<EltOp>> eltwise_ops(const model::Node& n, model::ValueId* data) const;
  model::ValueId absorb_eltwise_chain(model::ValueId out, std::vector<EltOp>& ops,
                                      std::size_t max_ops = 1);
  static void push_merged(std::vector<EltOp>& ops, const EltOp& op);
  static dnnl::post_ops to_post_ops(const std::vector<EltOp>& ops);
  static void add_post_op_operands(const std::vector<EltOp>& ops,
                                   std::vector<std::pair<int, int>>& args, std::vector<int>& reads);
  std::optional<std::pair<std::uint32_t, model::ValueId>> residual_add(
      model::ValueId out, const model::Shape& ys) const;
  std::uint32_t node_index(const model::Node& n) const {
    return static_cast<std::uint32_t>(&n - g_.nodes.data());
  }
  bool dies_at(model::ValueId v, std::uint32_t self, std::uint32_t add) const;
  void fold_pads_into_convs();

  // ---- Operators: one per node (compile.cpp), by family.

  void compile_node(std::uint32_t i);
  // lower_conv.cpp
  void conv(const model::Node& n, bool transposed);
  void transposed_conv(model::ValueId x, model::ValueId out, std::int64_t groups, std::int64_t ic,
                       std::int64_t oc, const Dims& spatial_k, const std::vector<float>& weights,
                       const std::vector<float>& bias, const std::vector<EltOp>& ops,
                       const Dims& strides, const Dims& dil, const Dims& pad_l, const Dims& pad_r);
  // lower_matmul.cpp
  void matmul(const model::Node& n);
  void gemm(const model::Node& n);
  // lower_eltwise.cpp
  void emit_eltwise(int x, const std::vector<EltOp>& ops, model::ValueId out, bool in_place);
  void eltwise(const model::Node& n);
  void binary(const model::Node& n);
  void batch_norm(const model::Node& n);
  // lower_reduce.cpp
  void pool(const model::Node& n);
  void reduce_mean(const model::Node& n);
  void softmax(const model::Node& n);
  // lower_resize.cpp
  void resize(const model::Node& n);
  // lower_movement.cpp
  void view(const model::Node& n);
  void concat(const model::Node& n);
  void concat_by_parts(const model::Node& n, int axis, const std::vector<int>& srcs,
                       const dnnl::memory::desc& dst);
  void pad(const model::Node& n);
  void finish_value(model::ValueId v, int t) { value_tensor_[v] = t; }
  int copy_part(int x, const Dims& dims, const Dims& starts, const Dims& steps);
  void slice(const model::Node& n);
  void split(const model::Node& n);
  void transpose(const model::Node& n);
  void cast(const model::Node& n);
  void gather(const model::Node& n);

  // ---- NaN/Inf checks (compile.cpp).

  void collect_checks(bool every_segment);

  const model::Graph& g_;
  dnnl::engine engine_;
  Program p_;
  std::vector<std::uint32_t> segment_of_node_;
  std::uint32_t segment_count_ = 1;
  std::vector<std::vector<std::uint32_t>> consumers_;
  std::vector<std::uint32_t> producer_;
  std::vector<int> value_tensor_;
  std::vector<bool> done_;
  std::vector<model::ValueId> pad_source_;
  std::vector<std::vector<std::int64_t>> pad_extra_;
  std::vector<std::tuple<int, dnnl::memory::desc, int>> reorder_cache_;
  std::uint32_t segment_ = 0;
  std::string label_;
};

}  // namespace aegisrt::cpu
