// Lowering of the operators that reduce over windows or axes: the pools, ReduceMean and Softmax.
#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::OpType;
using model::ValueId;

void Compiler::pool(const model::Node& n) {
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
  add_primitive(pd, dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x}, {y});
  value_tensor_[out] = y;
}

void Compiler::reduce_mean(const model::Node& n) {
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

void Compiler::softmax(const model::Node& n) {
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

}  // namespace aegisrt::cpu
