// Fusion: the nodes the compiler absorbs into another node's primitive (element-wise chains as
// post-ops, a residual Add, a zero Pad folded into the convolutions that read it), and the
// liveness questions that decide when a fusion is safe (docs/design/0007, "Fusion and segments").
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using model::OpType;
using model::ValueId;

namespace {

float clamp_bound(float v) { return std::max(-FLT_MAX, std::min(FLT_MAX, v)); }

}  // namespace

// The node that alone reads `v` (once), when `v` is not a graph output.
std::optional<std::uint32_t> Compiler::sole_consumer(ValueId v) const {
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
std::optional<std::vector<EltOp>> Compiler::eltwise_ops(const model::Node& n, ValueId* data) const {
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
// eltwise_linear post-ops wrongly (without the merge, the PP-OCRv4 detector and recogniser of
// tests/cpu/models_test.cpp differ from ONNX Runtime).
ValueId Compiler::absorb_eltwise_chain(ValueId out, std::vector<EltOp>& ops, std::size_t max_ops) {
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
void Compiler::push_merged(std::vector<EltOp>& ops, const EltOp& op) {
  if (op.alg == dnnl::algorithm::eltwise_linear && !ops.empty() &&
      ops.back().alg == dnnl::algorithm::eltwise_linear) {
    ops.back().beta = op.alpha * ops.back().beta + op.beta;
    ops.back().alpha *= op.alpha;
    return;
  }
  ops.push_back(op);
}

dnnl::post_ops Compiler::to_post_ops(const std::vector<EltOp>& ops) {
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
void Compiler::add_post_op_operands(const std::vector<EltOp>& ops,
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
std::optional<std::pair<std::uint32_t, ValueId>> Compiler::residual_add(
    ValueId out, const model::Shape& ys) const {
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

// True when nothing reads the bytes of value `v` after node `self` except node `add`: no value
// whose tensor lives in the same buffer (views) is a model input or output or has a reader not
// compiled yet (a zero Pad folded into later convolutions counts as a later reader).
bool Compiler::dies_at(ValueId v, std::uint32_t self, std::uint32_t add) const {
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

void Compiler::fold_pads_into_convs() {
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

}  // namespace aegisrt::cpu
