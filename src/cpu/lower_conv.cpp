// Lowering of Conv and ConvTranspose: the weights and bias prepared at load (a following
// BatchNormalization or per-channel Add folded in), the element-wise chain and a residual Add as
// post-ops, and ConvTranspose as a backward-data convolution.
#include <algorithm>
#include <cmath>
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

namespace {

// Channels last (nwc, nhwc, ndhwc) for a 3-, 4- or 5-D activation.
memory::desc channels_last_md(const Dims& dims) {
  using tag = memory::format_tag;
  const tag t = dims.size() == 3 ? tag::acb : dims.size() == 4 ? tag::acdb : tag::acdeb;
  return {dims, memory::data_type::f32, t};
}

}  // namespace

void Compiler::conv(const model::Node& n, bool transposed) {
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
                                          dnnl::algorithm::convolution_direct, src_any, w_any, b_md,
                                          dst, strides, dil, pad_l, pad_r),
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
void Compiler::transposed_conv(ValueId x, ValueId out, std::int64_t groups, std::int64_t ic,
                               std::int64_t oc, const Dims& spatial_k,
                               const std::vector<float>& weights, const std::vector<float>& bias,
                               const std::vector<EltOp>& ops, const Dims& strides, const Dims& dil,
                               const Dims& pad_l, const Dims& pad_r) {
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
      dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, y_md, w_any, x_md,
                                            strides, dil, pad_l, pad_r),
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

}  // namespace aegisrt::cpu
