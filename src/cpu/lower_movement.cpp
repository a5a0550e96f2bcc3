// Lowering of the operators that move data without computing on it: views (Reshape, Flatten,
// Squeeze, Unsqueeze, Identity), Concat, Pad, Slice, Split, Transpose, Cast and Gather, as
// reorders between sub-memories or hand kernels.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "compiler.hpp"
#include "hand_kernels.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::ValueId;

void Compiler::view(const model::Node& n) {
  const ValueId in = n.inputs[0];
  const ValueId out = n.outputs[0];
  if (is_weight(in)) unsupported("a view of a constant (it should have folded)");
  value_tensor_[out] = as_plain(value(in), g_.value(out).shape);
}

void Compiler::concat(const model::Node& n) {
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

void Compiler::pad(const model::Node& n) {
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
void Compiler::concat_by_parts(const model::Node& n, int axis, const std::vector<int>& srcs,
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
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, srcs[i]}, {DNNL_ARG_TO, part}}, {srcs[i]},
                  {part});
  }
  value_tensor_[n.outputs[0]] = y;
}

// Copies the strided part of `x` (plain) described by (dims, starts, steps) into a new plain
// tensor: a oneDNN reorder from a sub-memory with unit steps, the hand kernel otherwise.
int Compiler::copy_part(int x, const Dims& dims, const Dims& starts, const Dims& steps) {
  const memory::desc xmd = tensor(x).md;  // a copy: new_tensor grows p_.tensors
  const Dims xdims(xmd.data.dims, xmd.data.dims + xmd.data.ndims);
  const int y = new_tensor(plain_md(dims, xmd.data_type()));
  if (std::all_of(steps.begin(), steps.end(), [](std::int64_t s) { return s == 1; })) {
    const memory::desc src = xmd.submemory_desc(dims, starts);
    const int src_t = alias_tensor(x, src);
    const dnnl::reorder::primitive_desc pd(engine_, src, engine_, tensor(y).md, base_attr());
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, src_t}, {DNNL_ARG_TO, y}}, {src_t}, {y});
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

void Compiler::slice(const model::Node& n) {
  const auto& a = std::get<model::SliceAttrs>(n.attrs);
  const int x = as_plain(value(n.inputs[0]));
  const Dims ys = to_dims(g_.value(n.outputs[0]).shape);
  if (model::element_count(g_.value(n.outputs[0]).shape) == 0) unsupported("an empty Slice");
  value_tensor_[n.outputs[0]] = copy_part(x, ys, Dims(a.starts.begin(), a.starts.end()),
                                          Dims(a.steps.begin(), a.steps.end()));
}

void Compiler::split(const model::Node& n) {
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

void Compiler::transpose(const model::Node& n) {
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
  add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y_as_x}}, {x}, {y_as_x});
  value_tensor_[n.outputs[0]] = y;
}

void Compiler::cast(const model::Node& n) {
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

void Compiler::gather(const model::Node& n) {
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
  const int y = new_tensor(plain_md(to_dims(g_.value(n.outputs[0]).shape), memory::data_type::f32));
  Step s;
  s.hand = make_gather_kernel(outer, dim, inner, std::move(indices));
  s.args = {{0, x}, {1, y}};
  s.reads = {x};
  s.writes = {y};
  add_step(std::move(s));
  value_tensor_[n.outputs[0]] = y;
}

}  // namespace aegisrt::cpu
