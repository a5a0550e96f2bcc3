// Compiles a folded model::Graph into oneDNN primitives (see program.hpp and docs/design/0007).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "hand_kernels.hpp"
#include "program.hpp"

namespace aegisrt::cpu {
namespace {

using dnnl::memory;
using Dims = memory::dims;
using model::OpType;
using model::ValueId;

// Thrown inside the compiler only and turned into an Error at the node that raised it.
struct Unsupported {
  std::string what;
};

[[noreturn]] void unsupported(std::string what) { throw Unsupported{std::move(what)}; }

Dims to_dims(const model::Shape& s) {
  if (s.empty()) return Dims{1};
  return Dims(s.begin(), s.end());
}

memory::data_type to_dnnl(model::DType t) {
  switch (t) {
    case model::DType::kFloat32:
      return memory::data_type::f32;
    case model::DType::kFloat16:
      return memory::data_type::f16;
    case model::DType::kInt8:
      return memory::data_type::s8;
    case model::DType::kUint8:
    case model::DType::kBool:
      return memory::data_type::u8;
    case model::DType::kInt32:
      return memory::data_type::s32;
    default:
      unsupported(std::string("tensors of dtype ") + model::to_string(t) +
                  " (the cpu backend computes in float32; int8/uint8/int32/bool only move)");
  }
}

// Row-major strides of `dims`.
Dims dense_strides(const Dims& dims) {
  Dims s(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

// Channels last (nwc, nhwc, ndhwc) for a 3-, 4- or 5-D activation.
memory::desc channels_last_md(const Dims& dims) {
  using tag = memory::format_tag;
  const tag t = dims.size() == 3 ? tag::acb : dims.size() == 4 ? tag::acdb : tag::acdeb;
  return {dims, memory::data_type::f32, t};
}

memory::desc plain_md(const Dims& dims, memory::data_type dt) {
  if (dims.size() > 12) unsupported("tensors of rank " + std::to_string(dims.size()));
  return memory::desc(dims, dt, dense_strides(dims));
}

// True when `md` is dense row-major (what the model's edges and the views need).
bool is_plain(const memory::desc& md) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.format_desc.blocking.inner_nblks != 0) return false;
  if (d.offset0 != 0) return false;
  for (int i = 0; i < d.ndims; ++i) {
    if (d.padded_dims[i] != d.dims[i]) return false;
  }
  const Dims dims(d.dims, d.dims + d.ndims);
  const Dims want = dense_strides(dims);
  for (int i = 0; i < d.ndims; ++i) {
    if (dims[static_cast<std::size_t>(i)] != 1 &&
        d.format_desc.blocking.strides[i] != want[static_cast<std::size_t>(i)]) {
      return false;
    }
  }
  return true;
}

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

float clamp_bound(float v) { return std::max(-FLT_MAX, std::min(FLT_MAX, v)); }

class Compiler {
 public:
  Compiler(const model::Graph& g, std::span<const model::ModelSegment> segments,
           const dnnl::engine& engine)
      : g_(g), engine_(engine) {
    segment_of_node_.assign(g.nodes.size(), 0);
    for (std::size_t k = 0; k < segments.size(); ++k) {
      for (std::uint32_t i = segments[k].first_node; i < segments[k].end_node; ++i) {
        segment_of_node_[i] = static_cast<std::uint32_t>(k);
      }
    }
    segment_count_ = static_cast<std::uint32_t>(std::max<std::size_t>(segments.size(), 1));
    consumers_.resize(g.values.size());
    for (std::uint32_t i = 0; i < g.nodes.size(); ++i) {
      for (ValueId v : g.nodes[i].inputs) consumers_[v].push_back(i);
    }
    producer_.assign(g.values.size(), UINT32_MAX);
    for (std::uint32_t i = 0; i < g.nodes.size(); ++i) {
      for (ValueId v : g.nodes[i].outputs) producer_[v] = i;
    }
    value_tensor_.assign(g.values.size(), -1);
    done_.assign(g.nodes.size(), false);
    pad_source_.assign(g.values.size(), model::kNoValue);
    pad_extra_.resize(g.values.size());
  }

  Result<Program> run(bool check_every_segment) {
    for (ValueId v : g_.inputs) {
      const model::Value& val = g_.value(v);
      if (val.dtype != model::DType::kFloat32) {
        return fail_model("input '" + val.name + "' has dtype " + model::to_string(val.dtype) +
                          "; the cpu backend takes float32 inputs");
      }
      const int t = new_tensor(plain_md(to_dims(val.shape), memory::data_type::f32));
      p_.buffers[static_cast<std::size_t>(p_.tensors[static_cast<std::size_t>(t)].buffer)]
          .whole_run = true;
      value_tensor_[v] = t;
      p_.input_tensors.push_back(t);
    }
    fold_pads_into_convs();
    for (std::uint32_t i = 0; i < g_.nodes.size(); ++i) {
      if (done_[i]) continue;
      const model::Node& n = g_.nodes[i];
      segment_ = segment_of_node_[i];
      label_ = n.name;
      try {
        compile_node(i);
      } catch (const Unsupported& u) {
        return fail_node(n, u.what);
      } catch (const dnnl::error& e) {
        return fail_node(
            n, std::string("oneDNN has no implementation for it here (") + e.what() + ")");
      }
    }
    segment_ = segment_count_ - 1;
    for (ValueId v : g_.outputs) {
      label_ = "output " + g_.value(v).name;
      const model::Value& val = g_.value(v);
      if (val.dtype != model::DType::kFloat32) {
        return fail_model("output '" + val.name + "' has dtype " + model::to_string(val.dtype) +
                          "; the cpu backend returns float32 outputs");
      }
      if (value_tensor_[v] < 0 || tensor(value_tensor_[v]).buffer < 0) {
        return fail_model(
            "output '" + val.name +
            "' is a constant; the cpu backend runs models whose outputs are computed");
      }
      try {
        p_.output_tensors.push_back(as_plain(value_tensor_[v], val.shape));
      } catch (const Unsupported& u) {
        return fail_model(u.what);
      } catch (const dnnl::error& e) {
        return fail_model(std::string("output '") + val.name + "': " + e.what());
      }
      p_.buffers[static_cast<std::size_t>(tensor(p_.output_tensors.back()).buffer)].whole_run =
          true;
    }
    collect_checks(check_every_segment);
    return std::move(p_);
  }

 private:
  // ---- Errors.

  Error fail_model(const std::string& what) const {
    Error e = make_error(ErrorCode::kUnsupported, "model '" + g_.name + "': " + what);
    e.where.file = g_.name;
    return e;
  }

  Error fail_node(const model::Node& n, const std::string& what) const {
    Error e = make_error(ErrorCode::kUnsupported,
                         "model '" + g_.name + "': node '" + n.name + "' (" +
                             model::to_string(n.op) + "): the cpu backend cannot run " + what,
                         "docs/design/0007-cpu-backend.md lists what each operator supports");
    e.where.file = g_.name;
    e.where.field = "node '" + n.name + "' (" + model::to_string(n.op) + ")";
    return e;
  }

  // ---- Tensors, buffers, weights.

  TensorDesc& tensor(int t) { return p_.tensors[static_cast<std::size_t>(t)]; }

  int new_tensor(const memory::desc& md) {
    p_.buffers.push_back(BufferDesc{md.get_size(), false});
    p_.tensors.push_back(TensorDesc{md, static_cast<int>(p_.buffers.size() - 1), -1, 0});
    return static_cast<int>(p_.tensors.size() - 1);
  }

  // A second description of an existing tensor's bytes.
  int alias_tensor(int t, const memory::desc& md, std::uint64_t byte_offset = 0) {
    TensorDesc d = tensor(t);
    d.md = md;
    d.byte_offset += byte_offset;
    p_.tensors.push_back(d);
    return static_cast<int>(p_.tensors.size() - 1);
  }

  int new_weight(const memory::desc& source, const memory::desc& target,
                 std::shared_ptr<const std::vector<std::byte>> data) {
    p_.weights.push_back(WeightSpec{source, target, std::move(data)});
    p_.tensors.push_back(TensorDesc{target, -1, static_cast<int>(p_.weights.size() - 1), 0});
    return static_cast<int>(p_.tensors.size() - 1);
  }

  std::shared_ptr<const std::vector<std::byte>> weight_bytes(ValueId v) const {
    const auto bytes = g_.weight_data(v);
    return std::make_shared<const std::vector<std::byte>>(bytes.begin(), bytes.end());
  }

  std::vector<float> weight_floats(ValueId v) const {
    const model::Value& val = g_.value(v);
    if (val.kind != model::ValueKind::kWeight || val.dtype != model::DType::kFloat32) {
      unsupported("operand '" + val.name + "' unless it is a float32 constant");
    }
    const auto bytes = g_.weight_data(v);
    std::vector<float> out(bytes.size() / sizeof(float));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
    return out;
  }

  static std::shared_ptr<const std::vector<std::byte>> to_bytes(const std::vector<float>& f) {
    auto out = std::make_shared<std::vector<std::byte>>(f.size() * sizeof(float));
    std::memcpy(out->data(), f.data(), out->size());
    return out;
  }

  bool is_weight(ValueId v) const { return g_.value(v).kind == model::ValueKind::kWeight; }

  bool is_scalar_weight(ValueId v) const {
    return is_weight(v) && g_.value(v).dtype == model::DType::kFloat32 &&
           model::element_count(g_.value(v).shape) == 1;
  }

  // A float32 constant that broadcasts over `shape` per channel (axis 1) or as a scalar.
  bool is_per_channel_constant(ValueId v, const model::Shape& shape) const {
    if (!is_weight(v) || g_.value(v).dtype != model::DType::kFloat32) return false;
    const model::Shape& s = g_.value(v).shape;
    if (model::element_count(s) == 1) return s.size() <= shape.size();
    if (s.size() + 1 < shape.size() || s.size() > shape.size()) return false;
    // Right-aligned: the channel axis of `shape` is axis s.size() - (shape.size() - 1).
    const std::size_t lead = shape.size() - s.size();
    for (std::size_t d = 0; d < s.size(); ++d) {
      const std::size_t ax = d + lead;
      if (s[d] != (ax == 1 ? shape[1] : 1)) return false;
    }
    return true;
  }

  // The tensor holding value `v` (a weight gets a plain tensor on first use).
  int value(ValueId v) {
    if (value_tensor_[v] >= 0) return value_tensor_[v];
    const model::Value& val = g_.value(v);
    if (val.kind == model::ValueKind::kWeight) {
      const memory::desc md = plain_md(to_dims(val.shape), to_dnnl(val.dtype));
      value_tensor_[v] = new_weight(md, md, weight_bytes(v));
      return value_tensor_[v];
    }
    unsupported("value '" + val.name + "' before it is computed (internal order error)");
  }

  void add_step(Step s) {
    s.segment = segment_;
    if (s.label.empty()) s.label = label_;
    p_.steps.push_back(std::move(s));
  }

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
    const memory::desc scratch = pd.scratchpad_desc();
    if (scratch.get_size() > 0) {
      p_.buffers.push_back(BufferDesc{scratch.get_size(), false});
      s.scratch_buffer = static_cast<int>(p_.buffers.size() - 1);
      s.scratch_md = scratch;
    }
    add_step(std::move(s));
  }

  dnnl::primitive_attr base_attr() const {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
  }

  // `t` in layout `md` (same dims): itself, or a reordered copy (weights are reordered at load).
  int reorder_to(int t, const memory::desc& md) {
    if (tensor(t).md == md) return t;
    for (const auto& [from, md_to, to] : reorder_cache_) {
      if (from == t && md_to == md) return to;
    }
    int out;
    if (tensor(t).weight >= 0) {
      // From the weight's source, which describes the original bytes (new_weight grows
      // p_.weights, so `w` is not read after it).
      const WeightSpec& w = p_.weights[static_cast<std::size_t>(tensor(t).weight)];
      out = new_weight(w.source, md, w.data);
    } else {
      out = new_tensor(md);
      const dnnl::reorder::primitive_desc pd(engine_, tensor(t).md, engine_, md, base_attr());
      add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, t}, {DNNL_ARG_TO, out}}, {t}, {out});
    }
    reorder_cache_.push_back({t, md, out});
    return out;
  }

  // `t` as a dense row-major tensor of `shape` (same element count): a view when it already is,
  // else a reordered copy.
  int as_plain(int t, const model::Shape& shape) {
    const memory::desc md = tensor(t).md;  // a copy: reorder_to may grow p_.tensors
    const Dims dims(md.data.dims, md.data.dims + md.data.ndims);
    const memory::data_type dt = md.data_type();
    int plain = t;
    if (!is_plain(md)) plain = reorder_to(t, plain_md(dims, dt));
    const Dims want = to_dims(shape);
    if (want == dims && tensor(plain).md == plain_md(dims, dt)) return plain;
    return alias_tensor(plain, plain_md(want, dt));
  }

  int as_plain(int t) {
    const memory::desc& md = tensor(t).md;
    return as_plain(t, model::Shape(md.data.dims, md.data.dims + md.data.ndims));
  }

  // ---- Fusion.

  // The node that alone reads `v` (once), when `v` is not a graph output.
  std::optional<std::uint32_t> sole_consumer(ValueId v) const {
    if (g_.value(v).is_output || consumers_[v].size() != 1) return std::nullopt;
    const std::uint32_t c = consumers_[v][0];
    if (done_[c]) return std::nullopt;
    int reads = 0;
    for (ValueId in : g_.nodes[c].inputs) reads += in == v ? 1 : 0;
    if (reads != 1) return std::nullopt;
    return c;
  }

  // The element-wise function node `n` applies to its data operand, when it is one oneDNN eltwise
  // (or a short chain) can express; `data` receives the operand.
  std::optional<std::vector<EltOp>> eltwise_ops(const model::Node& n, ValueId* data) const {
    using A = dnnl::algorithm;
    switch (n.op) {
      case OpType::kRelu:
        *data = n.inputs[0];
        return std::vector<EltOp>{{A::eltwise_relu, 0.0f, 0.0f}};
      case OpType::kSigmoid:
        *data = n.inputs[0];
        return std::vector<EltOp>{{A::eltwise_logistic, 0.0f, 0.0f}};
      case OpType::kSqrt:
        *data = n.inputs[0];
        return std::vector<EltOp>{{A::eltwise_sqrt, 0.0f, 0.0f}};
      case OpType::kClip: {
        const auto& a = std::get<model::ClipAttrs>(n.attrs);
        *data = n.inputs[0];
        if (a.min == 0.0f && std::isinf(a.max) && a.max > 0) {
          return std::vector<EltOp>{{A::eltwise_relu, 0.0f, 0.0f}};
        }
        return std::vector<EltOp>{{A::eltwise_clip_v2, clamp_bound(a.min), clamp_bound(a.max)}};
      }
      case OpType::kHardSigmoid: {
        const auto& a = std::get<model::HardSigmoidAttrs>(n.attrs);
        *data = n.inputs[0];
        return std::vector<EltOp>{{A::eltwise_linear, a.alpha, a.beta},
                                  {A::eltwise_clip_v2, 0.0f, 1.0f}};
      }
      case OpType::kAdd:
      case OpType::kSub:
      case OpType::kMul:
      case OpType::kDiv:
      case OpType::kPow: {
        if (n.inputs.size() != 2) return std::nullopt;
        const ValueId a = n.inputs[0];
        const ValueId b = n.inputs[1];
        const bool b_scalar = is_scalar_weight(b);
        const bool a_scalar = !b_scalar && is_scalar_weight(a);
        if (!a_scalar && !b_scalar) return std::nullopt;
        const ValueId x = b_scalar ? a : b;
        // The output must have the data operand's shape (a scalar of higher rank would broadcast).
        if (g_.value(x).shape != g_.value(n.outputs[0]).shape) return std::nullopt;
        const float c = weight_floats(b_scalar ? b : a)[0];
        *data = x;
        switch (n.op) {
          case OpType::kAdd:
            return std::vector<EltOp>{{A::eltwise_linear, 1.0f, c}};
          case OpType::kMul:
            return std::vector<EltOp>{{A::eltwise_linear, c, 0.0f}};
          case OpType::kSub:
            return b_scalar ? std::vector<EltOp>{{A::eltwise_linear, 1.0f, -c}}
                            : std::vector<EltOp>{{A::eltwise_linear, -1.0f, c}};
          case OpType::kDiv:
            if (!b_scalar || c == 0.0f) return std::nullopt;
            return std::vector<EltOp>{{A::eltwise_linear, 1.0f / c, 0.0f}};
          case OpType::kPow:
            if (!b_scalar) return std::nullopt;
            if (c == 2.0f) return std::vector<EltOp>{{A::eltwise_square, 0.0f, 0.0f}};
            if (c == 1.0f) return std::vector<EltOp>{{A::eltwise_linear, 1.0f, 0.0f}};
            if (c == 0.5f) return std::vector<EltOp>{{A::eltwise_sqrt, 0.0f, 0.0f}};
            return std::vector<EltOp>{{A::eltwise_pow, 1.0f, c}};
          default:
            return std::nullopt;
        }
      }
      default:
        return std::nullopt;
    }
  }

  // Absorbs the chain of element-wise nodes that alone read `out` (and then their outputs) into
  // `ops`, while `ops` stays within `max_ops`; returns the value the last absorbed node writes.
  // Consecutive linear ops merge into one: oneDNN 2.6's jit kernels compute two consecutive
  // eltwise_linear post-ops wrongly (tests/cpu/operators_test.cpp holds the case).
  ValueId absorb_eltwise_chain(ValueId out, std::vector<EltOp>& ops, std::size_t max_ops = 1) {
    for (;;) {
      const auto c = sole_consumer(out);
      if (!c) return out;
      const model::Node& n = g_.nodes[*c];
      ValueId data = model::kNoValue;
      const auto more = eltwise_ops(n, &data);
      if (!more || data != out || ops.size() + more->size() > max_ops) return out;
      for (const EltOp& op : *more) push_merged(ops, op);
      done_[*c] = true;
      ++p_.fused_nodes;
      out = n.outputs[0];
    }
  }

  // Appends `op`, merging a linear op into a linear op before it: b2 + a2 (a1 x + b1).
  static void push_merged(std::vector<EltOp>& ops, const EltOp& op) {
    if (op.alg == dnnl::algorithm::eltwise_linear && !ops.empty() &&
        ops.back().alg == dnnl::algorithm::eltwise_linear) {
      ops.back().beta = op.alpha * ops.back().beta + op.beta;
      ops.back().alpha *= op.alpha;
      return;
    }
    ops.push_back(op);
  }

  static dnnl::post_ops to_post_ops(const std::vector<EltOp>& ops) {
    dnnl::post_ops po;
    for (const EltOp& op : ops) {
      if (op.alg == dnnl::algorithm::binary_add) {
        po.append_binary(op.alg, op.md);
      } else if (op.alg == dnnl::algorithm::undef) {
        po.append_sum(1.0f);
      } else {
        po.append_eltwise(1.0f, op.alg, op.alpha, op.beta);
      }
    }
    return po;
  }

  // The tensors that binary post-ops read: a primitive argument and a read each.
  static void add_post_op_operands(const std::vector<EltOp>& ops,
                                   std::vector<std::pair<int, int>>& args,
                                   std::vector<int>& reads) {
    for (std::size_t k = 0; k < ops.size(); ++k) {
      if (ops[k].tensor < 0) continue;
      args.push_back(
          {DNNL_ARG_ATTR_MULTIPLE_POST_OP(static_cast<int>(k)) | DNNL_ARG_SRC_1, ops[k].tensor});
      reads.push_back(ops[k].tensor);
    }
  }

  // The Add that alone reads the convolution output `out` (of shape `ys`) and adds a computed
  // value of the same shape (a residual connection); returns that other operand.
  std::optional<std::pair<std::uint32_t, ValueId>> residual_add(ValueId out,
                                                                const model::Shape& ys) const {
    const auto c = sole_consumer(out);
    if (!c) return std::nullopt;
    const model::Node& m = g_.nodes[*c];
    if (m.op != OpType::kAdd || m.inputs.size() != 2) return std::nullopt;
    const ValueId other = m.inputs[0] == out ? m.inputs[1] : m.inputs[0];
    // Already computed (it is read at the convolution's step), float32, the output's shape.
    if (other == out || is_weight(other) || value_tensor_[other] < 0) return std::nullopt;
    if (g_.value(other).dtype != model::DType::kFloat32 || g_.value(other).shape != ys ||
        g_.value(m.outputs[0]).shape != ys) {
      return std::nullopt;
    }
    return std::make_pair(*c, other);
  }

  std::uint32_t node_index(const model::Node& n) const {
    return static_cast<std::uint32_t>(&n - g_.nodes.data());
  }

  // True when nothing reads the bytes of value `v` after node `self` except node `add`: no value
  // whose tensor lives in the same buffer (views) is a model input or output or has a reader not
  // compiled yet (a zero Pad folded into later convolutions counts as a later reader).
  bool dies_at(ValueId v, std::uint32_t self, std::uint32_t add) const {
    if (value_tensor_[v] < 0) return false;
    const int b = p_.tensors[static_cast<std::size_t>(value_tensor_[v])].buffer;
    if (b < 0 || p_.buffers[static_cast<std::size_t>(b)].whole_run) return false;
    for (ValueId u = 0; u < g_.values.size(); ++u) {
      const int t = value_tensor_[u];
      if (t < 0 || p_.tensors[static_cast<std::size_t>(t)].buffer != b) continue;
      if (g_.value(u).is_output) return false;
      for (const std::uint32_t c : consumers_[u]) {
        if (c == add) continue;
        if (c >= self) return false;
        const model::Node& m = g_.nodes[c];
        if (m.op == OpType::kPad && pad_source_[m.outputs[0]] == u) return false;
      }
    }
    return true;
  }

  // ---- Pad folded into the convolution that alone reads it.

  void fold_pads_into_convs() {
    for (std::uint32_t i = 0; i < g_.nodes.size(); ++i) {
      const model::Node& n = g_.nodes[i];
      if (n.op != OpType::kPad) continue;
      const auto& a = std::get<model::PadAttrs>(n.attrs);
      const ValueId out = n.outputs[0];
      const std::size_t rank = g_.value(out).shape.size();
      if (a.mode != model::PadMode::kConstant || a.value != 0.0f || rank < 3) continue;
      if (a.pads[0] != 0 || a.pads[1] != 0 || a.pads[rank] != 0 || a.pads[rank + 1] != 0) continue;
      if (std::any_of(a.pads.begin(), a.pads.end(), [](std::int64_t p) { return p < 0; })) continue;
      if (g_.value(out).is_output || consumers_[out].empty()) continue;
      const bool all_convs =
          std::all_of(consumers_[out].begin(), consumers_[out].end(), [&](std::uint32_t c) {
            return g_.nodes[c].op == OpType::kConv && g_.nodes[c].inputs[0] == out &&
                   g_.nodes[c].inputs[1] != out;
          });
      if (!all_convs) continue;
      done_[i] = true;
      ++p_.fused_nodes;
      pad_source_[out] = n.inputs[0];
      pad_extra_[out].assign(2 * (rank - 2), 0);
      for (std::size_t d = 0; d + 2 < rank; ++d) {
        pad_extra_[out][d] = a.pads[d + 2];
        pad_extra_[out][rank - 2 + d] = a.pads[rank + d + 2];
      }
    }
  }

  // ---- Operators.

  void compile_node(std::uint32_t i) {
    const model::Node& n = g_.nodes[i];
    switch (n.op) {
      case OpType::kConv:
        return conv(n, false);
      case OpType::kConvTranspose:
        return conv(n, true);
      case OpType::kMatMul:
        return matmul(n);
      case OpType::kGemm:
        return gemm(n);
      case OpType::kRelu:
      case OpType::kClip:
      case OpType::kSigmoid:
      case OpType::kHardSigmoid:
      case OpType::kSqrt:
        return eltwise(n);
      case OpType::kAdd:
      case OpType::kSub:
      case OpType::kMul:
      case OpType::kDiv:
      case OpType::kPow:
      case OpType::kEqual:
        return binary(n);
      case OpType::kBatchNormalization:
        return batch_norm(n);
      case OpType::kMaxPool:
      case OpType::kAveragePool:
      case OpType::kGlobalAveragePool:
        return pool(n);
      case OpType::kReduceMean:
        return reduce_mean(n);
      case OpType::kSoftmax:
        return softmax(n);
      case OpType::kConcat:
        return concat(n);
      case OpType::kResize:
        return resize(n);
      case OpType::kPad:
        return pad(n);
      case OpType::kSlice:
        return slice(n);
      case OpType::kSplit:
        return split(n);
      case OpType::kTranspose:
        return transpose(n);
      case OpType::kCast:
        return cast(n);
      case OpType::kGather:
        return gather(n);
      case OpType::kReshape:
      case OpType::kFlatten:
      case OpType::kSqueeze:
      case OpType::kUnsqueeze:
      case OpType::kIdentity:
        return view(n);
    }
    unsupported("this operator");
  }

  void view(const model::Node& n) {
    const ValueId in = n.inputs[0];
    const ValueId out = n.outputs[0];
    if (is_weight(in)) unsupported("a view of a constant (it should have folded)");
    value_tensor_[out] = as_plain(value(in), g_.value(out).shape);
  }

  void conv(const model::Node& n, bool transposed) {
    const auto& a = std::get<model::ConvAttrs>(n.attrs);
    ValueId x = n.inputs[0];
    const ValueId w = n.inputs[1];
    if (!is_weight(w)) unsupported("a convolution whose weights are computed at run time");
    const std::size_t sp = a.kernel.size();
    if (sp < 1 || sp > 3) unsupported(std::to_string(sp) + "-D convolutions");
    std::vector<std::int64_t> pads = a.pads;
    if (!transposed && pad_source_[x] != model::kNoValue) {
      for (std::size_t d = 0; d < pads.size(); ++d) pads[d] += pad_extra_[x][d];
      x = pad_source_[x];
    }
    const model::Shape& xs = g_.value(x).shape;
    const model::Shape& ws = g_.value(w).shape;
    const std::int64_t groups = a.group;
    ValueId out = n.outputs[0];
    const model::Shape ys = g_.value(out).shape;
    const std::int64_t oc = ys[1];
    const std::int64_t ic = xs[1];

    std::vector<float> weights = weight_floats(w);
    std::vector<float> bias(static_cast<std::size_t>(oc), 0.0f);
    const bool has_bias = n.inputs.size() > 2;
    if (has_bias) bias = weight_floats(n.inputs[2]);

    // A BatchNormalization, or an Add of a per-channel constant, that alone reads the output
    // folds into the weights and bias (repeatedly: Conv -> Add -> BatchNormalization).
    for (;;) {
      const auto c = sole_consumer(out);
      if (!c) break;
      const model::Node& m = g_.nodes[*c];
      if (!transposed && m.op == OpType::kBatchNormalization && m.inputs[0] == out &&
          std::all_of(m.inputs.begin() + 1, m.inputs.end(),
                      [&](ValueId v) { return is_weight(v); })) {
        const float eps = std::get<model::BatchNormAttrs>(m.attrs).epsilon;
        const std::vector<float> gamma = weight_floats(m.inputs[1]);
        const std::vector<float> beta = weight_floats(m.inputs[2]);
        const std::vector<float> mean = weight_floats(m.inputs[3]);
        const std::vector<float> var = weight_floats(m.inputs[4]);
        const std::size_t per_oc = weights.size() / static_cast<std::size_t>(oc);
        for (std::size_t o = 0; o < static_cast<std::size_t>(oc); ++o) {
          const float s = gamma[o] / std::sqrt(var[o] + eps);
          for (std::size_t k = 0; k < per_oc; ++k) weights[o * per_oc + k] *= s;
          bias[o] = (bias[o] - mean[o]) * s + beta[o];
        }
      } else if (m.op == OpType::kAdd && m.inputs.size() == 2) {
        const ValueId other = m.inputs[0] == out ? m.inputs[1] : m.inputs[0];
        if (!is_per_channel_constant(other, ys)) break;
        const std::vector<float> add = weight_floats(other);
        for (std::size_t o = 0; o < bias.size(); ++o) bias[o] += add.size() == 1 ? add[0] : add[o];
      } else {
        break;
      }
      done_[*c] = true;
      ++p_.fused_nodes;
      out = m.outputs[0];
    }
    std::vector<EltOp> ops;
    out = absorb_eltwise_chain(out, ops, 8);

    Dims spatial_k(a.kernel.begin(), a.kernel.end());
    // ONNX [OC, IC/g, k...] is oneDNN's (g)oihw, dense (the transposed case builds its own).
    Dims wdims = groups > 1 ? Dims{groups, oc / groups, ws[1]} : Dims{oc, ws[1]};
    wdims.insert(wdims.end(), spatial_k.begin(), spatial_k.end());
    const Dims wstrides = dense_strides(wdims);
    Dims strides(a.strides.begin(), a.strides.end());
    Dims dil;
    for (auto d : a.dilations) dil.push_back(d - 1);
    Dims pad_l(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(sp));
    Dims pad_r(pads.begin() + static_cast<std::ptrdiff_t>(sp), pads.end());
    if (transposed) {
      for (std::size_t d = 0; d < sp; ++d) {
        pad_r[d] -= a.output_padding[d];
        if (pad_r[d] < 0) unsupported("ConvTranspose with output_padding larger than its end pad");
      }
    }
    const auto f32 = memory::data_type::f32;
    const memory::desc src_any(to_dims(xs), f32, memory::format_tag::any);
    const memory::desc w_any(wdims, f32, memory::format_tag::any);
    const memory::desc b_md({oc}, f32, memory::format_tag::a);
    const memory::desc dst_any(to_dims(ys), f32, memory::format_tag::any);
    int dst_tensor = -1;  // the output's tensor when a `sum` post-op writes it in place
    auto finish = [&](const auto& pd, dnnl::primitive prim) {
      const int src = reorder_to(value(x), pd.src_desc());
      const int wt =
          new_weight(memory::desc(wdims, f32, wstrides), pd.weights_desc(), to_bytes(weights));
      const int bt = new_weight(b_md, pd.bias_desc(), to_bytes(bias));
      const int dst = dst_tensor >= 0 ? dst_tensor : new_tensor(pd.dst_desc());
      std::vector<std::pair<int, int>> args{
          {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wt}, {DNNL_ARG_BIAS, bt}, {DNNL_ARG_DST, dst}};
      std::vector<int> reads{src, wt, bt};
      add_post_op_operands(ops, args, reads);
      add_primitive(pd, std::move(prim), std::move(args), std::move(reads), {dst});
      value_tensor_[out] = dst;
    };
    if (!transposed) {
      auto make_pd = [&](const memory::desc& dst, const std::vector<EltOp>& post) {
        dnnl::primitive_attr at = base_attr();
        at.set_post_ops(to_post_ops(post));
        return dnnl::convolution_forward::primitive_desc(
            dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                            dnnl::algorithm::convolution_direct, src_any, w_any,
                                            b_md, dst, strides, dil, pad_l, pad_r),
            at, engine_);
      };
      dnnl::convolution_forward::primitive_desc pd = make_pd(dst_any, ops);
      // A residual Add that alone reads the output: a `sum` post-op accumulating into the other
      // operand's buffer where nothing reads it afterwards, else a binary_add post-op reading it;
      // then the element-wise nodes after the Add. Kept only where oneDNN runs the fused
      // primitive with the implementation it chose unfused (no fallback to a slower kernel).
      if (const auto add = residual_add(out, ys)) {
        const std::uint32_t self = node_index(n);
        const memory::desc dst_md = pd.dst_desc();
        std::vector<bool> modes;  // true: sum in place
        if (dies_at(add->second, self, add->first)) modes.push_back(true);
        modes.push_back(false);
        for (const bool in_place : modes) {
          const std::vector<bool> done_before = done_;
          const std::uint32_t fused_before = p_.fused_nodes;
          std::vector<EltOp> fused = ops;
          const std::size_t residual_at = fused.size();
          fused.push_back({in_place ? dnnl::algorithm::undef : dnnl::algorithm::binary_add, 0.0f,
                           0.0f, -1, dst_md});
          done_[add->first] = true;
          ++p_.fused_nodes;
          const ValueId fused_out =
              absorb_eltwise_chain(g_.nodes[add->first].outputs[0], fused, fused.size() + 8);
          std::optional<dnnl::convolution_forward::primitive_desc> fpd;
          try {
            fpd.emplace(make_pd(dst_md, fused));
            if (std::string(fpd->impl_info_str()) != pd.impl_info_str()) fpd.reset();
          } catch (const dnnl::error&) {
            fpd.reset();
          }
          if (!fpd) {
            done_ = done_before;
            p_.fused_nodes = fused_before;
            continue;
          }
          const int other = reorder_to(value(add->second), dst_md);
          if (in_place) {
            dst_tensor = alias_tensor(other, dst_md);
          } else {
            fused[residual_at].tensor = other;
          }
          ops = std::move(fused);
          out = fused_out;
          pd = *fpd;
          break;
        }
      }
      finish(pd, dnnl::convolution_forward(pd));
    } else {
      transposed_conv(x, out, groups, ic, oc, spatial_k, weights, bias, ops, strides, dil, pad_l,
                      pad_r);
    }
  }

  // ConvTranspose as what it is, the data gradient of the convolution that maps its output back
  // to its input: oneDNN's convolution_backward_data over the ONNX weights as they are ([IC,
  // OC/g, k...] is that convolution's (g, OC/g, IC/g, k...)), then a binary add of the bias with
  // the element-wise chain as post-ops, in place. oneDNN 2.6's own deconvolution wraps the same
  // primitive but creates a nested scratchpad, and allocates, on every execution. Channels-last
  // activations: there oneDNN 2.6 has a JIT kernel for any channel count (blocked layouts pad to 16
  // channels, a plain one gets a GEMM kernel that allocates its packing buffer on every call), and
  // its JIT binary add handles the broadcast bias (on a blocked layout it falls back to reference
  // code, a hundred times slower).
  void transposed_conv(ValueId x, ValueId out, std::int64_t groups, std::int64_t ic,
                       std::int64_t oc, const Dims& spatial_k, const std::vector<float>& weights,
                       const std::vector<float>& bias, const std::vector<EltOp>& ops,
                       const Dims& strides, const Dims& dil, const Dims& pad_l, const Dims& pad_r) {
    const auto f32 = memory::data_type::f32;
    Dims wdims = groups > 1 ? Dims{groups, ic / groups, oc / groups} : Dims{ic, oc};
    wdims.insert(wdims.end(), spatial_k.begin(), spatial_k.end());
    const memory::desc w_any(wdims, f32, memory::format_tag::any);
    const Dims ydims = to_dims(g_.value(out).shape);
    const memory::desc x_md = channels_last_md(to_dims(g_.value(x).shape));
    const memory::desc y_md = channels_last_md(ydims);
    // The forward convolution (output y to input x) that the backward-data primitive inverts.
    const dnnl::convolution_forward::primitive_desc hint(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                        dnnl::algorithm::convolution_direct, y_md, w_any, x_md,
                                        strides, dil, pad_l, pad_r),
        base_attr(), engine_);
    const dnnl::convolution_backward_data::primitive_desc pd(
        dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, y_md, w_any,
                                              x_md, strides, dil, pad_l, pad_r),
        base_attr(), engine_, hint);
    const int src = reorder_to(value(x), pd.diff_dst_desc());
    const int wt = new_weight(memory::desc(wdims, f32, dense_strides(wdims)), pd.weights_desc(),
                              to_bytes(weights));
    const int y = new_tensor(pd.diff_src_desc());
    add_primitive(pd, dnnl::convolution_backward_data(pd),
                  {{DNNL_ARG_DIFF_DST, src}, {DNNL_ARG_WEIGHTS, wt}, {DNNL_ARG_DIFF_SRC, y}},
                  {src, wt}, {y});
    value_tensor_[out] = y;
    if (std::all_of(bias.begin(), bias.end(), [](float b) { return b == 0.0f; }) && ops.empty()) {
      return;
    }
    // One channel: channels-last is the plain layout, on which the binary kernel is far faster.
    const memory::desc sum_md = oc == 1 ? plain_md(ydims, f32) : pd.diff_src_desc();
    const int ys = oc == 1 ? alias_tensor(y, sum_md) : y;
    Dims bdims(ydims.size(), 1);
    bdims[1] = oc;
    const memory::desc b_md = plain_md(bdims, f32);
    const int bt = new_weight(b_md, b_md, to_bytes(bias));
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    const dnnl::binary::primitive_desc bpd(
        dnnl::binary::desc(dnnl::algorithm::binary_add, sum_md, b_md, sum_md), attr, engine_);
    std::vector<std::pair<int, int>> args{
        {DNNL_ARG_SRC_0, ys}, {DNNL_ARG_SRC_1, bt}, {DNNL_ARG_DST, ys}};
    std::vector<int> reads{ys, bt};
    add_post_op_operands(ops, args, reads);
    add_primitive(bpd, dnnl::binary(bpd), std::move(args), std::move(reads), {ys});
    value_tensor_[out] = ys;
  }

  // A dense operand padded with leading 1s to `rank` dims.
  Dims padded(const model::Shape& s, std::size_t rank) {
    Dims d(rank - s.size(), 1);
    d.insert(d.end(), s.begin(), s.end());
    return d;
  }

  void matmul(const model::Node& n) {
    const ValueId a = n.inputs[0];
    const ValueId b = n.inputs[1];
    const model::Shape& as = g_.value(a).shape;
    const model::Shape& bs = g_.value(b).shape;
    if (as.size() < 2 || bs.size() < 2) unsupported("MatMul with a 1-D operand");
    const std::size_t rank = std::max(as.size(), bs.size());
    const Dims ad = padded(as, rank);
    const Dims bd = padded(bs, rank);
    const Dims yd = padded(g_.value(n.outputs[0]).shape, rank);
    if (is_weight(a)) unsupported("MatMul whose first operand is a constant");
    std::vector<EltOp> ops;
    const ValueId out = absorb_eltwise_chain(n.outputs[0], ops);
    const auto f32 = memory::data_type::f32;
    const memory::desc a_md = plain_md(ad, f32);
    const memory::desc b_md =
        is_weight(b) ? memory::desc(bd, f32, memory::format_tag::any) : plain_md(bd, f32);
    const memory::desc y_md = plain_md(yd, f32);
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, y_md), attr, engine_);
    const int at = alias_tensor(as_plain(value(a)), a_md);
    int bt;
    if (is_weight(b)) {
      bt = new_weight(plain_md(bd, f32), pd.weights_desc(), weight_bytes(b));
    } else {
      bt = alias_tensor(as_plain(value(b)), b_md);
    }
    const int yt = new_tensor(y_md);
    add_primitive(pd, dnnl::matmul(pd),
                  {{DNNL_ARG_SRC, at}, {DNNL_ARG_WEIGHTS, bt}, {DNNL_ARG_DST, yt}}, {at, bt}, {yt});
    value_tensor_[out] = alias_tensor(yt, plain_md(to_dims(g_.value(out).shape), f32));
  }

  void gemm(const model::Node& n) {
    const auto& g = std::get<model::GemmAttrs>(n.attrs);
    const ValueId a = n.inputs[0];
    const ValueId b = n.inputs[1];
    const model::Shape& as = g_.value(a).shape;
    const model::Shape& bs = g_.value(b).shape;
    const std::int64_t m = g.trans_a ? as[1] : as[0];
    const std::int64_t k = g.trans_a ? as[0] : as[1];
    const std::int64_t nn = g.trans_b ? bs[0] : bs[1];
    const auto f32 = memory::data_type::f32;
    const memory::desc a_md({m, k}, f32, g.trans_a ? Dims{1, m} : Dims{k, 1});
    const memory::desc b_src({k, nn}, f32, g.trans_b ? Dims{1, k} : Dims{nn, 1});
    std::vector<float> bias(static_cast<std::size_t>(nn), 0.0f);
    bool has_bias = false;
    if (n.inputs.size() > 2 && g.beta != 0.0f) {
      const ValueId c = n.inputs[2];
      const std::vector<float> cv = weight_floats(c);
      const model::Shape& cs = g_.value(c).shape;
      const std::int64_t ce = model::element_count(cs);
      if (ce == 1) {
        std::fill(bias.begin(), bias.end(), g.beta * cv[0]);
      } else if (ce == nn && (cs.size() == 1 || cs[0] == 1)) {
        for (std::size_t j = 0; j < bias.size(); ++j) bias[j] = g.beta * cv[j];
      } else {
        unsupported("Gemm whose C is not a constant of shape [N], [1, N] or a scalar");
      }
      has_bias = true;
    }
    if (is_weight(a)) unsupported("Gemm whose A is a constant");
    std::vector<EltOp> ops;
    const ValueId out = absorb_eltwise_chain(n.outputs[0], ops);
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    const memory::desc b_md =
        is_weight(b) ? memory::desc({k, nn}, f32, memory::format_tag::any) : b_src;
    const memory::desc bias_md({1, nn}, f32, memory::format_tag::ab);
    const memory::desc y_md = plain_md({m, nn}, f32);
    const dnnl::matmul::primitive_desc pd(has_bias ? dnnl::matmul::desc(a_md, b_md, bias_md, y_md)
                                                   : dnnl::matmul::desc(a_md, b_md, y_md),
                                          attr, engine_);
    const int at = alias_tensor(as_plain(value(a)), a_md);
    if (!is_weight(b) && g.alpha != 1.0f) unsupported("Gemm with alpha != 1 and a computed B");
    // alpha scales the constant B at load.
    std::vector<float> bw = is_weight(b) ? weight_floats(b) : std::vector<float>{};
    for (float& v : bw) v *= g.alpha;
    const int bt = is_weight(b) ? new_weight(b_src, pd.weights_desc(), to_bytes(bw))
                                : alias_tensor(as_plain(value(b)), b_src);
    const int yt = new_tensor(y_md);
    std::vector<std::pair<int, int>> args{
        {DNNL_ARG_SRC, at}, {DNNL_ARG_WEIGHTS, bt}, {DNNL_ARG_DST, yt}};
    std::vector<int> reads{at, bt};
    if (has_bias) {
      const int ct = new_weight(bias_md, bias_md, to_bytes(bias));
      args.push_back({DNNL_ARG_BIAS, ct});
      reads.push_back(ct);
    }
    add_primitive(pd, dnnl::matmul(pd), std::move(args), std::move(reads), {yt});
    value_tensor_[out] = alias_tensor(yt, plain_md(to_dims(g_.value(out).shape), f32));
  }

  // Runs `ops` on `x` (any layout): the first op is the primitive, the rest its post-ops. With
  // `in_place` (nothing reads x's bytes afterwards) the output overwrites x.
  void emit_eltwise(int x, const std::vector<EltOp>& ops, ValueId out, bool in_place) {
    const memory::desc md = tensor(x).md;
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops({ops.begin() + 1, ops.end()}));
    const dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, ops[0].alg, md,
                                        ops[0].alpha, ops[0].beta);
    std::optional<dnnl::eltwise_forward::primitive_desc> pd;
    try {
      pd.emplace(d, attr, engine_);
      // oneDNN 2.6's fast eltwise kernels take no post-ops: the reference one with post-ops is
      // far slower than one fast primitive per op.
      if (ops.size() > 1 && std::string(pd->impl_info_str()).rfind("ref", 0) == 0) pd.reset();
    } catch (const dnnl::error&) {
      pd.reset();
    }
    if (!pd) {
      int cur = x;
      for (const EltOp& op : ops) {
        const dnnl::eltwise_forward::desc d1(dnnl::prop_kind::forward_inference, op.alg, md,
                                             op.alpha, op.beta);
        const dnnl::eltwise_forward::primitive_desc pd1(d1, base_attr(), engine_);
        // After the first op the intermediate is this chain's own: always in place.
        const int y = in_place || cur != x ? alias_tensor(cur, md) : new_tensor(md);
        add_primitive(pd1, dnnl::eltwise_forward(pd1), {{DNNL_ARG_SRC, cur}, {DNNL_ARG_DST, y}},
                      {cur}, {y});
        cur = y;
      }
      value_tensor_[out] = cur;
      return;
    }
    const int y = in_place ? alias_tensor(x, md) : new_tensor(md);
    add_primitive(*pd, dnnl::eltwise_forward(*pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x},
                  {y});
    value_tensor_[out] = y;
  }

  void eltwise(const model::Node& n) {
    ValueId data = model::kNoValue;
    auto ops = eltwise_ops(n, &data);
    if (!ops) unsupported("this attribute combination");
    emit_eltwise(value(data), *ops, n.outputs[0], dies_at(data, node_index(n), node_index(n)));
  }

  void binary(const model::Node& n) {
    using A = dnnl::algorithm;
    ValueId data = model::kNoValue;
    if (n.op != OpType::kEqual) {
      if (auto ops = eltwise_ops(n, &data)) {
        if (is_weight(data)) unsupported("an element-wise operation on constants only");
        emit_eltwise(value(data), *ops, n.outputs[0], dies_at(data, node_index(n), node_index(n)));
        return;
      }
    }
    ValueId a = n.inputs[0];
    ValueId b = n.inputs[1];
    const model::Shape& ys = g_.value(n.outputs[0]).shape;
    const std::size_t rank = ys.size();
    A alg;
    switch (n.op) {
      case OpType::kAdd:
        alg = A::binary_add;
        break;
      case OpType::kSub:
        alg = A::binary_sub;
        break;
      case OpType::kMul:
        alg = A::binary_mul;
        break;
      case OpType::kDiv:
        alg = A::binary_div;
        break;
      case OpType::kEqual:
        alg = A::binary_eq;
        break;
      default:
        unsupported("Pow with a non-constant or non-scalar exponent");
    }
    std::vector<EltOp> ops;
    if (g_.value(a).shape != ys) {
      if (g_.value(b).shape != ys) {
        unsupported("broadcasting where neither operand has the output's shape " +
                    model::to_string(ys));
      }
      std::swap(a, b);
      if (n.op == OpType::kSub) {
        push_merged(ops, {A::eltwise_linear, -1.0f, 0.0f});
      } else if (n.op == OpType::kDiv) {
        unsupported("Div whose divisor has the output's shape and dividend broadcasts");
      }
    }
    if (is_weight(a)) unsupported("an element-wise operation on constants only");
    const bool is_equal = n.op == OpType::kEqual;
    ValueId out = n.outputs[0];
    if (!is_equal) out = absorb_eltwise_chain(out, ops, 8);
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    // Operands in the first operand's layout; where oneDNN has only its reference kernel for that
    // layout (a broadcast over blocked channels that are not a multiple of the block), plain.
    int at = -1;
    int bt = -1;
    std::optional<dnnl::binary::primitive_desc> pd;
    for (const bool plain : {false, true}) {
      at = plain ? as_plain(value(a)) : value(a);
      const memory::desc a_md = tensor(at).md;
      if (g_.value(b).shape == ys) {
        bt = reorder_to(value(b), a_md);
      } else {
        const Dims bd = padded(g_.value(b).shape, rank);
        bt = value(b);
        if (tensor(bt).weight >= 0) {
          const memory::desc md = plain_md(bd, memory::data_type::f32);
          bt = new_weight(md, md, p_.weights[static_cast<std::size_t>(tensor(bt).weight)].data);
        } else {
          bt = alias_tensor(as_plain(bt), plain_md(bd, memory::data_type::f32));
        }
      }
      const memory::desc y_md =
          is_equal ? memory::desc(to_dims(ys), memory::data_type::u8, memory::format_tag::any)
                   : a_md;
      pd.emplace(dnnl::binary::desc(alg, a_md, tensor(bt).md, y_md), attr, engine_);
      if (plain || is_plain(a_md) || std::string(pd->impl_info_str()).rfind("ref", 0) != 0) break;
    }
    const int yt = new_tensor(pd->dst_desc());
    add_primitive(*pd, dnnl::binary(*pd),
                  {{DNNL_ARG_SRC_0, at}, {DNNL_ARG_SRC_1, bt}, {DNNL_ARG_DST, yt}}, {at, bt}, {yt});
    value_tensor_[out] = yt;
  }

  void batch_norm(const model::Node& n) {
    for (std::size_t i = 1; i < n.inputs.size(); ++i) {
      if (!is_weight(n.inputs[i])) unsupported("BatchNormalization with computed statistics");
    }
    const float eps = std::get<model::BatchNormAttrs>(n.attrs).epsilon;
    const int x = value(n.inputs[0]);
    const memory::desc md = tensor(x).md;
    const auto f32 = memory::data_type::f32;
    const std::int64_t c = g_.value(n.inputs[0]).shape.at(1);
    const memory::desc cmd({c}, f32, memory::format_tag::a);
    std::vector<EltOp> ops;
    const ValueId out = absorb_eltwise_chain(n.outputs[0], ops);
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    const auto flags = dnnl::normalization_flags::use_global_stats |
                       dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    const dnnl::batch_normalization_forward::primitive_desc pd(
        dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_inference, md, eps, flags),
        attr, engine_);
    const int scale = new_weight(cmd, cmd, weight_bytes(n.inputs[1]));
    const int shift = new_weight(cmd, cmd, weight_bytes(n.inputs[2]));
    const int mean = new_weight(cmd, cmd, weight_bytes(n.inputs[3]));
    const int var = new_weight(cmd, cmd, weight_bytes(n.inputs[4]));
    const int y = new_tensor(pd.dst_desc());
    add_primitive(pd, dnnl::batch_normalization_forward(pd),
                  {{DNNL_ARG_SRC, x},
                   {DNNL_ARG_MEAN, mean},
                   {DNNL_ARG_VARIANCE, var},
                   {DNNL_ARG_SCALE, scale},
                   {DNNL_ARG_SHIFT, shift},
                   {DNNL_ARG_DST, y}},
                  {x, mean, var, scale, shift}, {y});
    value_tensor_[out] = y;
  }

  void pool(const model::Node& n) {
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    const model::Shape& ys = g_.value(n.outputs[0]).shape;
    const std::size_t sp = xs.size() - 2;
    if (sp < 1 || sp > 3) unsupported(std::to_string(sp) + "-D pooling");
    Dims kernel, strides, dil, pad_l, pad_r;
    dnnl::algorithm alg;
    if (n.op == OpType::kGlobalAveragePool) {
      alg = dnnl::algorithm::pooling_avg_exclude_padding;
      for (std::size_t d = 0; d < sp; ++d) {
        kernel.push_back(xs[d + 2]);
        strides.push_back(1);
        dil.push_back(0);
        pad_l.push_back(0);
        pad_r.push_back(0);
      }
    } else {
      const auto& a = std::get<model::PoolAttrs>(n.attrs);
      alg = n.op == OpType::kMaxPool ? dnnl::algorithm::pooling_max
            : a.count_include_pad    ? dnnl::algorithm::pooling_avg_include_padding
                                     : dnnl::algorithm::pooling_avg_exclude_padding;
      if (a.ceil_mode && n.op == OpType::kAveragePool && a.count_include_pad) {
        unsupported("AveragePool with ceil_mode and count_include_pad");
      }
      for (std::size_t d = 0; d < sp; ++d) {
        kernel.push_back(a.kernel[d]);
        strides.push_back(a.strides[d]);
        dil.push_back(a.dilations[d] - 1);
        pad_l.push_back(a.pads[d]);
        // ceil_mode: extend the end pad so that oneDNN's floor formula gives ONNX's output size.
        const std::int64_t ext = (a.kernel[d] - 1) * a.dilations[d] + 1;
        pad_r.push_back(std::max<std::int64_t>(
            a.pads[sp + d], (ys[d + 2] - 1) * a.strides[d] + ext - xs[d + 2] - a.pads[d]));
      }
    }
    const int x = value(n.inputs[0]);
    std::vector<EltOp> ops;
    const ValueId out = absorb_eltwise_chain(n.outputs[0], ops);
    dnnl::primitive_attr attr = base_attr();
    attr.set_post_ops(to_post_ops(ops));
    const memory::desc y_any(to_dims(ys), memory::data_type::f32, memory::format_tag::any);
    const dnnl::pooling_v2_forward::primitive_desc pd(
        dnnl::pooling_v2_forward::desc(dnnl::prop_kind::forward_inference, alg, tensor(x).md, y_any,
                                       strides, kernel, dil, pad_l, pad_r),
        attr, engine_);
    const int y = new_tensor(pd.dst_desc());
    add_primitive(pd, dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x},
                  {y});
    value_tensor_[out] = y;
  }

  void reduce_mean(const model::Node& n) {
    const auto& a = std::get<model::ReduceAttrs>(n.attrs);
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    model::Shape kd = xs;
    for (auto ax : a.axes) kd[static_cast<std::size_t>(ax)] = 1;
    const int x = as_plain(value(n.inputs[0]));
    const auto f32 = memory::data_type::f32;
    const memory::desc y_md = plain_md(to_dims(kd), f32);
    const dnnl::reduction::primitive_desc pd(
        dnnl::reduction::desc(dnnl::algorithm::reduction_mean, tensor(x).md, y_md, 0.0f, 0.0f),
        base_attr(), engine_);
    const int y = new_tensor(y_md);
    add_primitive(pd, dnnl::reduction(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x}, {y});
    value_tensor_[n.outputs[0]] =
        alias_tensor(y, plain_md(to_dims(g_.value(n.outputs[0]).shape), f32));
  }

  void softmax(const model::Node& n) {
    const auto& a = std::get<model::SoftmaxAttrs>(n.attrs);
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    const auto f32 = memory::data_type::f32;
    const auto axis = static_cast<std::size_t>(a.axis);
    Dims dims = to_dims(xs);
    int dnnl_axis = static_cast<int>(axis);
    if (a.coerce_2d && axis + 1 < xs.size()) {
      std::int64_t outer = 1, inner = 1;
      for (std::size_t d = 0; d < xs.size(); ++d) (d < axis ? outer : inner) *= xs[d];
      dims = {outer, inner};
      dnnl_axis = 1;
    }
    const int x = alias_tensor(as_plain(value(n.inputs[0])), plain_md(dims, f32));
    const memory::desc md = plain_md(dims, f32);
    const dnnl::softmax_forward::primitive_desc pd(
        dnnl::softmax_forward::desc(dnnl::prop_kind::forward_inference, md, dnnl_axis), base_attr(),
        engine_);
    const int y = new_tensor(md);
    add_primitive(pd, dnnl::softmax_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x}, {y});
    value_tensor_[n.outputs[0]] = alias_tensor(y, plain_md(to_dims(xs), f32));
  }

  void concat(const model::Node& n) {
    const int axis = static_cast<int>(std::get<model::AxisAttrs>(n.attrs).axis);
    std::vector<int> srcs;
    std::vector<memory::desc> mds;
    // Constants take the layout of the first computed input.
    std::optional<memory::desc> layout;
    for (ValueId v : n.inputs) {
      if (!is_weight(v) && !layout) layout = tensor(value(v)).md;
    }
    for (ValueId v : n.inputs) {
      int t = value(v);
      if (g_.value(v).dtype != model::DType::kFloat32) unsupported("Concat of non-float32 values");
      srcs.push_back(t);
      mds.push_back(tensor(t).md);
    }
    const dnnl::concat::primitive_desc pd(axis, mds, engine_, base_attr());
    if (std::string_view(pd.impl_info_str()).starts_with("ref")) {
      return concat_by_parts(n, axis, srcs, pd.dst_desc());
    }
    const int y = new_tensor(pd.dst_desc());
    std::vector<std::pair<int, int>> args;
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      args.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), srcs[i]});
    }
    args.push_back({DNNL_ARG_DST, y});
    add_primitive(pd, dnnl::concat(pd), std::move(args), srcs, {y});
    value_tensor_[n.outputs[0]] = y;
  }

  void resize(const model::Node& n) {
    const auto& a = std::get<model::ResizeAttrs>(n.attrs);
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    const model::Shape& ys = g_.value(n.outputs[0]).shape;
    if (a.mode == model::ResizeMode::kCubic) unsupported("Resize in cubic mode");
    if (xs.size() < 3 || xs[0] != ys[0] || xs[1] != ys[1]) {
      unsupported("Resize that scales the batch or channel axis");
    }
    const std::size_t sp = xs.size() - 2;
    // oneDNN's resampling: linear is ONNX half_pixel; nearest is round_half_away((o + 0.5) / f -
    // 0.5). Use it where it computes ONNX's indices exactly, else the hand kernel.
    bool dnnl_ok = sp <= 3;
    for (std::size_t d = 0; d < sp && dnnl_ok; ++d) {
      const std::size_t ax = d + 2;
      const float scale = a.scales[ax];
      if (a.mode == model::ResizeMode::kLinear) {
        const bool half =
            a.coordinate_transform == model::CoordinateTransform::kHalfPixel ||
            (a.coordinate_transform == model::CoordinateTransform::kPytorchHalfPixel && ys[ax] > 1);
        dnnl_ok = half &&
                  std::abs(scale * static_cast<float>(xs[ax]) - static_cast<float>(ys[ax])) < 1e-3f;
      } else {
        const auto want = nearest_indices(a, xs[ax], ys[ax], scale);
        for (std::int64_t o = 0; o < ys[ax] && dnnl_ok; ++o) {
          const float f = static_cast<float>(ys[ax]) / static_cast<float>(xs[ax]);
          auto i = static_cast<std::int64_t>(std::round((static_cast<float>(o) + 0.5f) / f - 0.5f));
          i = std::max<std::int64_t>(0, std::min(i, xs[ax] - 1));
          dnnl_ok = i == want[static_cast<std::size_t>(o)];
        }
      }
    }
    const auto f32 = memory::data_type::f32;
    if (dnnl_ok) {
      const int x = value(n.inputs[0]);
      const memory::desc y_any(to_dims(ys), f32, memory::format_tag::any);
      const auto alg = a.mode == model::ResizeMode::kLinear ? dnnl::algorithm::resampling_linear
                                                            : dnnl::algorithm::resampling_nearest;
      const dnnl::resampling_forward::primitive_desc pd(
          dnnl::resampling_forward::desc(dnnl::prop_kind::forward_inference, alg, tensor(x).md,
                                         y_any),
          base_attr(), engine_);
      const int y = new_tensor(pd.dst_desc());
      add_primitive(pd, dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x},
                    {y});
      value_tensor_[n.outputs[0]] = y;
      return;
    }
    if (sp > 2) unsupported("Resize of more than two spatial axes with this coordinate mode");
    const int x = as_plain(value(n.inputs[0]));
    const int y = new_tensor(plain_md(to_dims(ys), f32));
    Step s;
    s.hand = make_resize_kernel(a, xs, ys);
    s.args = {{0, x}, {1, y}};
    s.reads = {x};
    s.writes = {y};
    add_step(std::move(s));
    value_tensor_[n.outputs[0]] = y;
  }

  void pad(const model::Node& n) {
    const auto& a = std::get<model::PadAttrs>(n.attrs);
    if (a.mode != model::PadMode::kConstant) unsupported("Pad in reflect or edge mode");
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    const model::Shape& ys = g_.value(n.outputs[0]).shape;
    const std::size_t r = xs.size();
    const memory::data_type dt = to_dnnl(g_.value(n.inputs[0]).dtype);
    if (dt != memory::data_type::f32) unsupported("Pad of non-float32 values");
    const int x = as_plain(value(n.inputs[0]));
    const int y = new_tensor(plain_md(to_dims(ys), dt));
    // Fill, then copy the kept part of the input into its place.
    Step fill;
    fill.hand = make_fill_kernel(static_cast<std::size_t>(model::element_count(ys)), a.value);
    fill.args = {{0, y}};
    fill.writes = {y};
    add_step(std::move(fill));
    Dims copy(r), src_off(r), dst_off(r);
    for (std::size_t d = 0; d < r; ++d) {
      const std::int64_t b = a.pads[d];
      const std::int64_t e = a.pads[r + d];
      src_off[d] = b < 0 ? -b : 0;
      dst_off[d] = b > 0 ? b : 0;
      copy[d] = xs[d] - src_off[d] - (e < 0 ? -e : 0);
      if (copy[d] <= 0) return finish_value(n.outputs[0], y);  // everything cropped
    }
    const memory::desc src_md = tensor(x).md.submemory_desc(copy, src_off);
    const memory::desc dst_md = tensor(y).md.submemory_desc(copy, dst_off);
    const int xs_t = alias_tensor(x, src_md);
    const int ys_t = alias_tensor(y, dst_md);
    const dnnl::reorder::primitive_desc pd(engine_, src_md, engine_, dst_md, base_attr());
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, xs_t}, {DNNL_ARG_TO, ys_t}}, {xs_t},
                  {ys_t});
    finish_value(n.outputs[0], y);
  }

  // oneDNN 2.6's reference concat (what it falls back to when the inputs' layouts differ) builds
  // its reorders and a scratchpad on every execution, allocating each time. The same result with
  // nothing allocated: one reorder per input into its part of the output, in `dst` when every part
  // is addressable there (a blocked layout needs the offsets to be whole blocks), plain otherwise.
  void concat_by_parts(const model::Node& n, int axis, const std::vector<int>& srcs,
                       const memory::desc& dst) {
    const auto parts = [&](const memory::desc& md) {
      std::vector<memory::desc> out;
      Dims offset(static_cast<std::size_t>(md.data.ndims), 0);
      for (int t : srcs) {
        const memory::desc& smd = tensor(t).md;
        const Dims dims(smd.data.dims, smd.data.dims + smd.data.ndims);
        out.push_back(md.submemory_desc(dims, offset));
        offset[static_cast<std::size_t>(axis)] += dims[static_cast<std::size_t>(axis)];
      }
      return out;
    };
    memory::desc y_md = dst;
    std::vector<memory::desc> part_mds;
    try {
      part_mds = parts(y_md);
    } catch (const dnnl::error&) {
      y_md = plain_md(Dims(dst.data.dims, dst.data.dims + dst.data.ndims), dst.data_type());
      part_mds = parts(y_md);
    }
    const int y = new_tensor(y_md);
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      const int part = alias_tensor(y, part_mds[i]);
      const dnnl::reorder::primitive_desc pd(engine_, tensor(srcs[i]).md, engine_, part_mds[i],
                                             base_attr());
      add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, srcs[i]}, {DNNL_ARG_TO, part}},
                    {srcs[i]}, {part});
    }
    value_tensor_[n.outputs[0]] = y;
  }

  void finish_value(ValueId v, int t) { value_tensor_[v] = t; }

  // Copies the strided part of `x` (plain) described by (dims, starts, steps) into a new plain
  // tensor: a oneDNN reorder from a sub-memory with unit steps, the hand kernel otherwise.
  int copy_part(int x, const Dims& dims, const Dims& starts, const Dims& steps) {
    const memory::desc xmd = tensor(x).md;  // a copy: new_tensor grows p_.tensors
    const Dims xdims(xmd.data.dims, xmd.data.dims + xmd.data.ndims);
    const int y = new_tensor(plain_md(dims, xmd.data_type()));
    if (std::all_of(steps.begin(), steps.end(), [](std::int64_t s) { return s == 1; })) {
      const memory::desc src = xmd.submemory_desc(dims, starts);
      const int src_t = alias_tensor(x, src);
      const dnnl::reorder::primitive_desc pd(engine_, src, engine_, tensor(y).md, base_attr());
      add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, src_t}, {DNNL_ARG_TO, y}}, {src_t},
                    {y});
      return y;
    }
    if (std::any_of(steps.begin(), steps.end(), [](std::int64_t s) { return s <= 0; })) {
      unsupported("Slice with a negative step");
    }
    if (xmd.data_type() != memory::data_type::f32) unsupported("strided Slice of non-float32");
    Step s;
    s.hand = make_strided_copy_kernel(xdims, dims, starts, steps);
    s.args = {{0, x}, {1, y}};
    s.reads = {x};
    s.writes = {y};
    add_step(std::move(s));
    return y;
  }

  void slice(const model::Node& n) {
    const auto& a = std::get<model::SliceAttrs>(n.attrs);
    const int x = as_plain(value(n.inputs[0]));
    const Dims ys = to_dims(g_.value(n.outputs[0]).shape);
    if (model::element_count(g_.value(n.outputs[0]).shape) == 0) unsupported("an empty Slice");
    value_tensor_[n.outputs[0]] = copy_part(x, ys, Dims(a.starts.begin(), a.starts.end()),
                                            Dims(a.steps.begin(), a.steps.end()));
  }

  void split(const model::Node& n) {
    const auto& a = std::get<model::SplitAttrs>(n.attrs);
    const int x = as_plain(value(n.inputs[0]));
    const model::Shape& xs = g_.value(n.inputs[0]).shape;
    std::int64_t start = 0;
    for (std::size_t i = 0; i < n.outputs.size(); ++i) {
      Dims dims = to_dims(xs);
      Dims starts(dims.size(), 0);
      const Dims steps(dims.size(), 1);
      dims[static_cast<std::size_t>(a.axis)] = a.sizes[i];
      starts[static_cast<std::size_t>(a.axis)] = start;
      start += a.sizes[i];
      if (a.sizes[i] == 0) unsupported("Split with an empty part");
      value_tensor_[n.outputs[i]] = copy_part(x, dims, starts, steps);
    }
  }

  void transpose(const model::Node& n) {
    const auto& perm = std::get<model::TransposeAttrs>(n.attrs).perm;
    const int x = value(n.inputs[0]);
    const memory::desc xmd = tensor(x).md;
    const model::Shape& ys = g_.value(n.outputs[0]).shape;
    const Dims yd = to_dims(ys);
    const Dims ystr = dense_strides(yd);
    // The output written in the input's axis order: input axis perm[i] strides like output axis i.
    Dims str(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) str[static_cast<std::size_t>(perm[i])] = ystr[i];
    const Dims xd(xmd.data.dims, xmd.data.dims + xmd.data.ndims);
    const memory::desc dst_in_x_axes(xd, xmd.data_type(), str);
    const int y = new_tensor(plain_md(yd, xmd.data_type()));
    const int y_as_x = alias_tensor(y, dst_in_x_axes);
    const dnnl::reorder::primitive_desc pd(engine_, xmd, engine_, dst_in_x_axes, base_attr());
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y_as_x}}, {x},
                  {y_as_x});
    value_tensor_[n.outputs[0]] = y;
  }

  void cast(const model::Node& n) {
    const auto to = std::get<model::CastAttrs>(n.attrs).to;
    const model::DType from = g_.value(n.inputs[0]).dtype;
    if (to == model::DType::kBool && from != model::DType::kBool) {
      unsupported("Cast to bool");
    }
    const memory::data_type dt = to_dnnl(to);
    const int x = as_plain(value(n.inputs[0]));
    const memory::desc xmd = tensor(x).md;  // a copy: new_tensor grows p_.tensors
    const Dims d(xmd.data.dims, xmd.data.dims + xmd.data.ndims);
    if (dt == xmd.data_type()) {
      value_tensor_[n.outputs[0]] = x;
      return;
    }
    const int y = new_tensor(plain_md(d, dt));
    const dnnl::reorder::primitive_desc pd(engine_, xmd, engine_, tensor(y).md, base_attr());
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y}}, {x}, {y});
    value_tensor_[n.outputs[0]] = y;
  }

  void gather(const model::Node& n) {
    const ValueId idx = n.inputs[1];
    if (!is_weight(idx)) unsupported("Gather with indices computed at run time");
    const model::DType it = g_.value(idx).dtype;
    if (it != model::DType::kInt64 && it != model::DType::kInt32) {
      unsupported("Gather with indices of dtype " + std::string(model::to_string(it)));
    }
    std::vector<std::int64_t> indices;
    const auto bytes = g_.weight_data(idx);
    const std::size_t count = static_cast<std::size_t>(model::element_count(g_.value(idx).shape));
    for (std::size_t i = 0; i < count; ++i) {
      std::int64_t v = 0;
      if (it == model::DType::kInt64) {
        std::memcpy(&v, bytes.data() + i * 8, 8);
      } else {
        std::int32_t v32 = 0;
        std::memcpy(&v32, bytes.data() + i * 4, 4);
        v = v32;
      }
      indices.push_back(v);
    }
    const model::Value& data = g_.value(n.inputs[0]);
    if (data.dtype != model::DType::kFloat32) unsupported("Gather of non-float32 data");
    const auto axis = static_cast<std::size_t>(std::get<model::AxisAttrs>(n.attrs).axis);
    const std::int64_t dim = data.shape[axis];
    for (auto& v : indices) {
      if (v < 0) v += dim;
      if (v < 0 || v >= dim) unsupported("Gather with an index out of range");
    }
    std::int64_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < data.shape.size(); ++d) {
      if (d < axis) outer *= data.shape[d];
      if (d > axis) inner *= data.shape[d];
    }
    const int x = as_plain(value(n.inputs[0]));
    const int y =
        new_tensor(plain_md(to_dims(g_.value(n.outputs[0]).shape), memory::data_type::f32));
    Step s;
    s.hand = make_gather_kernel(outer, dim, inner, std::move(indices));
    s.args = {{0, x}, {1, y}};
    s.reads = {x};
    s.writes = {y};
    add_step(std::move(s));
    value_tensor_[n.outputs[0]] = y;
  }

  // ---- NaN/Inf checks: per segment, the float32 values it hands to later segments (or the
  // model's outputs at the last segment).

  void collect_checks(bool every_segment) {
    p_.checked_tensors.assign(segment_count_, {});
    // Once per buffer and segment (a `sum` post-op writes a new value into its operand's buffer).
    std::vector<std::uint32_t> seen(p_.buffers.size(), UINT32_MAX);
    auto add = [&](std::uint32_t seg, int t) {
      const TensorDesc& d = tensor(t);
      if (d.buffer < 0 || d.md.data_type() != memory::data_type::f32) return;
      p_.checked_tensors[seg].push_back(t);
    };
    if (every_segment) {
      for (std::uint32_t i = 0; i < g_.nodes.size(); ++i) {
        const std::uint32_t seg = segment_of_node_[i];
        if (seg + 1 >= segment_count_) continue;
        for (ValueId v : g_.nodes[i].outputs) {
          if (value_tensor_[v] < 0) continue;
          const bool later =
              std::any_of(consumers_[v].begin(), consumers_[v].end(),
                          [&](std::uint32_t c) { return segment_of_node_[c] > seg; });
          const int t = value_tensor_[v];
          const auto b = static_cast<std::size_t>(tensor(t).buffer);
          if (later && tensor(t).buffer >= 0 && seen[b] != seg) {
            seen[b] = seg;
            add(seg, t);
          }
        }
      }
    }
    for (int t : p_.output_tensors) add(segment_count_ - 1, t);
  }

  const model::Graph& g_;
  dnnl::engine engine_;
  Program p_;
  std::vector<std::uint32_t> segment_of_node_;
  std::uint32_t segment_count_ = 1;
  std::vector<std::vector<std::uint32_t>> consumers_;
  std::vector<std::uint32_t> producer_;
  std::vector<int> value_tensor_;
  std::vector<bool> done_;
  std::vector<ValueId> pad_source_;
  std::vector<std::vector<std::int64_t>> pad_extra_;
  std::vector<std::tuple<int, memory::desc, int>> reorder_cache_;
  std::uint32_t segment_ = 0;
  std::string label_;
};

}  // namespace

Result<Program> compile(const model::Graph& graph, std::span<const model::ModelSegment> segments,
                        const dnnl::engine& engine, bool check_every_segment) {
  Compiler c(graph, segments, engine);
  return c.run(check_every_segment);
}

}  // namespace aegisrt::cpu
