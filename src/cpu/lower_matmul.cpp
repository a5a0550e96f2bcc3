// Lowering of MatMul and Gemm to oneDNN's matmul, constant operands reordered at load.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::ValueId;

void Compiler::matmul(const model::Node& n) {
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

void Compiler::gemm(const model::Node& n) {
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

}  // namespace aegisrt::cpu
