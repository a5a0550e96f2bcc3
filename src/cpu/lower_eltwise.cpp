// Lowering of the element-wise operators: unary functions and operations with a scalar constant
// as oneDNN eltwise (a chain as post-ops), the binary operators with broadcasting, and
// BatchNormalization with constant statistics.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::OpType;
using model::ValueId;

// Runs `ops` on `x` (any layout): the first op is the primitive, the rest its post-ops. With
// `in_place` (nothing reads x's bytes afterwards) the output overwrites x.
void Compiler::emit_eltwise(int x, const std::vector<EltOp>& ops, ValueId out, bool in_place) {
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
      const dnnl::eltwise_forward::desc d1(dnnl::prop_kind::forward_inference, op.alg, md, op.alpha,
                                           op.beta);
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
  add_primitive(*pd, dnnl::eltwise_forward(*pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x}, {y});
  value_tensor_[out] = y;
}

void Compiler::eltwise(const model::Node& n) {
  ValueId data = model::kNoValue;
  auto ops = eltwise_ops(n, &data);
  if (!ops) unsupported("this attribute combination");
  emit_eltwise(value(data), *ops, n.outputs[0], dies_at(data, node_index(n), node_index(n)));
}

void Compiler::binary(const model::Node& n) {
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
        is_equal ? memory::desc(to_dims(ys), memory::data_type::u8, memory::format_tag::any) : a_md;
    pd.emplace(dnnl::binary::desc(alg, a_md, tensor(bt).md, y_md), attr, engine_);
    if (plain || is_plain(a_md) || std::string(pd->impl_info_str()).rfind("ref", 0) != 0) break;
  }
  const int yt = new_tensor(pd->dst_desc());
  add_primitive(*pd, dnnl::binary(*pd),
                {{DNNL_ARG_SRC_0, at}, {DNNL_ARG_SRC_1, bt}, {DNNL_ARG_DST, yt}}, {at, bt}, {yt});
  value_tensor_[out] = yt;
}

void Compiler::batch_norm(const model::Node& n) {
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

}  // namespace aegisrt::cpu
