// Shape inference and constant folding for the operators that move data without computing on
// it: Pad, Concat, Split, Slice, Transpose and Gather.
#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

Status op_pad(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  PadAttrs a;
  const std::string mode = c.attr_string("mode").value_or("constant");
  if (mode == "constant") {
    a.mode = PadMode::kConstant;
  } else if (mode == "reflect") {
    a.mode = PadMode::kReflect;
  } else if (mode == "edge") {
    a.mode = PadMode::kEdge;
  } else {
    return c.error(ErrorCode::kUnsupported, "mode '" + mode + "' is not supported",
                   "constant, reflect or edge");
  }
  Ints pads;
  if (c.opset() < 11) {
    auto p = c.attr_ints("pads");
    if (!p) return c.failed() ? *c.failed() : c.error(ErrorCode::kParse, "pads is required");
    pads = *p;
    a.value = c.attr_float("value").value_or(0.0f);
  } else {
    auto p = constant_ints(c, 1, "pads");
    if (!p) return p.error();
    pads = *p;
    if (c.input(2) != nullptr && element_count(c.input(2)->shape) > 0) {
      auto v = constant_floats(c, 2, "constant_value");
      if (!v) return v.error();
      if (v->size() != 1)
        return c.error(ErrorCode::kInvalidArgument, "constant_value must be a scalar");
      a.value = (*v)[0];
    }
    if (c.input(3) != nullptr) {
      return c.error(ErrorCode::kUnsupported, "the axes input of Pad (opset 18) is not supported");
    }
  }
  if (auto e = c.failed()) return *e;
  const std::size_t rank = x.shape.size();
  if (pads.size() != 2 * rank) {
    return c.error(ErrorCode::kInvalidArgument, "pads has " + std::to_string(pads.size()) +
                                                    " entries for an input of rank " +
                                                    std::to_string(rank));
  }
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    if (std::abs(pads[i]) > kMaxElements || std::abs(pads[i + rank]) > kMaxElements) {
      return c.error(ErrorCode::kInvalidArgument, "pads are out of range");
    }
    out[i] = x.shape[i] + pads[i] + pads[i + rank];
    if (out[i] < 0) {
      return c.error(ErrorCode::kInvalidArgument, "pads crop axis " + std::to_string(i) + " of " +
                                                      shape_text(x.shape) + " below zero");
    }
  }
  if (auto st = check_shape(c, out, "output"); !st) return st;
  a.pads = std::move(pads);
  return c.compute(OpType::kPad, std::move(a), {0}, {{x.dtype, out}}, 0);
}

Status op_concat(OpContext& c) {
  if (c.input_count() == 0) return c.error(ErrorCode::kParse, "Concat needs at least one input");
  std::vector<const Sym*> in;
  for (std::size_t i = 0; i < c.input_count(); ++i) {
    auto s = required_input(c, i);
    if (!s) return s.error();
    in.push_back(*s);
  }
  const auto axis_attr = c.attr_int("axis");
  if (auto e = c.failed()) return *e;
  if (!axis_attr) return c.error(ErrorCode::kParse, "axis is required");
  const Shape& first = in[0]->shape;
  auto axis = resolve_axis(c, *axis_attr, first.size());
  if (!axis) return axis.error();
  const auto ax = static_cast<std::size_t>(*axis);
  Shape out = first;
  out[ax] = 0;
  for (const Sym* s : in) {
    if (s->dtype != in[0]->dtype) {
      return c.error(ErrorCode::kInvalidArgument, "inputs have different dtypes");
    }
    if (s->shape.size() != first.size()) {
      return c.error(
          ErrorCode::kInvalidArgument,
          "inputs have different ranks: " + shape_text(first) + " and " + shape_text(s->shape));
    }
    for (std::size_t d = 0; d < first.size(); ++d) {
      if (d != ax && s->shape[d] != first[d]) {
        return c.error(ErrorCode::kInvalidArgument,
                       "input shapes " + shape_text(first) + " and " + shape_text(s->shape) +
                           " differ outside axis " + std::to_string(ax));
      }
    }
    out[ax] += s->shape[ax];
  }
  if (auto st = check_shape(c, out, "output"); !st) return st;
  if (c.all_inputs_constant() && small_enough_to_fold({out})) {
    HostTensor r = HostTensor::zeros(in[0]->dtype, out);
    const std::size_t es = dtype_size(r.dtype);
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < ax; ++d) outer *= out[d];
    std::int64_t inner = 1;
    for (std::size_t d = ax + 1; d < out.size(); ++d) inner *= out[d];
    std::size_t pos = 0;
    for (std::int64_t o = 0; o < outer; ++o) {
      for (const Sym* s : in) {
        const auto chunk = static_cast<std::size_t>(s->shape[ax] * inner) * es;
        std::memcpy(r.data.data() + pos,
                    s->constant->data.data() + static_cast<std::size_t>(o) * chunk, chunk);
        pos += chunk;
      }
    }
    return c.fold({std::move(r)});
  }
  std::vector<std::size_t> runtime(in.size());
  std::iota(runtime.begin(), runtime.end(), 0);
  return c.compute(OpType::kConcat, AxisAttrs{*axis}, runtime, {{in[0]->dtype, out}}, 0);
}

Status op_split(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  SplitAttrs a;
  auto axis = resolve_axis(c, c.attr_int("axis").value_or(0), x.shape.size());
  if (!axis) return axis.error();
  a.axis = *axis;
  const std::size_t outputs = c.output_count();
  if (outputs == 0) return c.error(ErrorCode::kParse, "Split has no outputs");
  const std::int64_t dim = x.shape[static_cast<std::size_t>(a.axis)];
  std::optional<Ints> sizes = c.attr_ints("split");
  if (auto e = c.failed()) return *e;
  if (!sizes && c.input(1) != nullptr) {
    auto v = constant_ints(c, 1, "split");
    if (!v) return v.error();
    sizes = *v;
  }
  if (sizes) {
    std::int64_t sum = 0;
    for (const std::int64_t s : *sizes) {
      if (s < 0 || s > kMaxElements)
        return c.error(ErrorCode::kInvalidArgument, "split has a negative size");
      sum += s;
    }
    if (sizes->size() != outputs || sum != dim) {
      return c.error(ErrorCode::kInvalidArgument,
                     "split sizes (" + std::to_string(sizes->size()) + " entries, sum " +
                         std::to_string(sum) + ") do not match " + std::to_string(outputs) +
                         " outputs over a dimension of " + std::to_string(dim));
    }
  } else {
    if (dim % static_cast<std::int64_t>(outputs) != 0) {
      return c.error(ErrorCode::kInvalidArgument, "dimension " + std::to_string(dim) +
                                                      " does not split evenly into " +
                                                      std::to_string(outputs) + " outputs");
    }
    sizes = Ints(outputs, dim / static_cast<std::int64_t>(outputs));
  }
  a.sizes = *sizes;
  std::vector<OpContext::OutputSpec> specs;
  std::vector<Shape> shapes;
  for (const std::int64_t s : a.sizes) {
    Shape o = x.shape;
    o[static_cast<std::size_t>(a.axis)] = s;
    specs.push_back({x.dtype, o});
    shapes.push_back(o);
  }
  if (x.constant && small_enough_to_fold(shapes)) {
    std::vector<HostTensor> folded;
    std::int64_t start = 0;
    for (const Shape& o : shapes) {
      Ints starts(o.size(), 0);
      starts[static_cast<std::size_t>(a.axis)] = start;
      folded.push_back(strided_copy(*x.constant, o, starts, Ints(o.size(), 1)));
      start += o[static_cast<std::size_t>(a.axis)];
    }
    return c.fold(std::move(folded));
  }
  return c.compute(OpType::kSplit, std::move(a), {0}, std::move(specs), 0);
}

Status op_slice(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  Ints starts;
  Ints ends;
  std::optional<Ints> axes;
  std::optional<Ints> steps;
  if (c.opset() < 10) {
    auto s = c.attr_ints("starts");
    auto e = c.attr_ints("ends");
    axes = c.attr_ints("axes");
    if (auto err = c.failed()) return *err;
    if (!s || !e) return c.error(ErrorCode::kParse, "starts and ends are required");
    starts = *s;
    ends = *e;
  } else {
    auto s = constant_ints(c, 1, "starts");
    if (!s) return s.error();
    auto e = constant_ints(c, 2, "ends");
    if (!e) return e.error();
    starts = *s;
    ends = *e;
    if (c.input(3) != nullptr) {
      auto v = constant_ints(c, 3, "axes");
      if (!v) return v.error();
      axes = *v;
    }
    if (c.input(4) != nullptr) {
      auto v = constant_ints(c, 4, "steps");
      if (!v) return v.error();
      steps = *v;
    }
  }
  const std::size_t rank = x.shape.size();
  if (!axes) {
    axes = Ints(starts.size());
    std::iota(axes->begin(), axes->end(), 0);
  }
  if (!steps) steps = Ints(starts.size(), 1);
  if (ends.size() != starts.size() || axes->size() != starts.size() ||
      steps->size() != starts.size()) {
    return c.error(ErrorCode::kInvalidArgument, "starts, ends, axes and steps differ in length");
  }
  SliceAttrs a;
  a.starts = Ints(rank, 0);
  a.ends = x.shape;
  a.steps = Ints(rank, 1);
  std::vector<bool> seen(rank, false);
  for (std::size_t k = 0; k < starts.size(); ++k) {
    auto axr = resolve_axis(c, (*axes)[k], rank);
    if (!axr) return axr.error();
    const auto ax = static_cast<std::size_t>(*axr);
    if (seen[ax])
      return c.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(ax) + " repeats");
    seen[ax] = true;
    const std::int64_t dim = x.shape[ax];
    const std::int64_t step = (*steps)[k];
    if (step == 0) return c.error(ErrorCode::kInvalidArgument, "a step is 0");
    if (step == std::numeric_limits<std::int64_t>::min()) {
      return c.error(ErrorCode::kInvalidArgument, "a step is out of range");
    }
    std::int64_t st = starts[k];
    std::int64_t en = ends[k];
    if (st < 0) st = st < -dim ? -1 : st + dim;  // below -dim clamps to the front
    if (en < 0) en = en < -dim ? -1 : en + dim;
    if (step > 0) {
      st = std::clamp<std::int64_t>(st, 0, dim);
      en = std::clamp<std::int64_t>(en, 0, dim);
    } else if (dim == 0) {
      st = en = 0;
    } else {
      st = std::clamp<std::int64_t>(st, 0, dim - 1);
      en = std::clamp<std::int64_t>(en, -1, dim - 1);
    }
    a.starts[ax] = st;
    a.ends[ax] = en;
    a.steps[ax] = step;
  }
  Shape out(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t st = a.starts[d];
    const std::int64_t en = a.ends[d];
    const std::int64_t step = a.steps[d];
    if (step > 0) {
      out[d] = en > st ? (en - st + step - 1) / step : 0;
    } else {
      out[d] = st > en ? (st - en - step - 1) / (-step) : 0;
    }
  }
  if (x.constant && small_enough_to_fold({out})) {
    return c.fold({strided_copy(*x.constant, out, a.starts, a.steps)});
  }
  return c.compute(OpType::kSlice, std::move(a), {0}, {{x.dtype, out}}, 0);
}

Status op_transpose(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  const std::size_t rank = x.shape.size();
  TransposeAttrs a;
  auto perm = c.attr_ints("perm");
  if (auto e = c.failed()) return *e;
  if (perm) {
    a.perm = *perm;
  } else {
    for (std::size_t i = rank; i-- > 0;) a.perm.push_back(static_cast<std::int64_t>(i));
  }
  if (a.perm.size() != rank) {
    return c.error(ErrorCode::kInvalidArgument, "perm has " + std::to_string(a.perm.size()) +
                                                    " entries for rank " + std::to_string(rank));
  }
  std::vector<bool> seen(rank, false);
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t p = a.perm[i];
    if (p < 0 || p >= static_cast<std::int64_t>(rank) || seen[static_cast<std::size_t>(p)]) {
      return c.error(ErrorCode::kInvalidArgument, "perm is not a permutation");
    }
    seen[static_cast<std::size_t>(p)] = true;
    out[i] = x.shape[static_cast<std::size_t>(p)];
  }
  if (x.constant && small_enough_to_fold({out}))
    return c.fold({transpose_tensor(*x.constant, a.perm)});
  return c.compute(OpType::kTranspose, std::move(a), {0}, {{x.dtype, out}}, 0);
}

Status op_gather(OpContext& c) {
  auto dr = required_input(c, 0);
  if (!dr) return dr.error();
  auto ir = required_input(c, 1);
  if (!ir) return ir.error();
  const Sym& data = **dr;
  const Sym& idx = **ir;
  if (data.shape.empty()) return c.error(ErrorCode::kInvalidArgument, "data must have rank >= 1");
  if (idx.dtype != DType::kInt64 && idx.dtype != DType::kInt32) {
    return c.error(ErrorCode::kInvalidArgument, "indices must be int32 or int64");
  }
  auto axis = resolve_axis(c, c.attr_int("axis").value_or(0), data.shape.size());
  if (!axis) return axis.error();
  if (auto e = c.failed()) return *e;
  const auto ax = static_cast<std::size_t>(*axis);
  Shape out(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(ax));
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(ax) + 1, data.shape.end());
  if (auto st = check_shape(c, out, "output"); !st) return st;
  const std::int64_t dim = data.shape[ax];
  if (idx.constant) {
    for (const std::int64_t i : idx.constant->to_int64()) {
      if (i < -dim || i >= dim) {
        return c.error(ErrorCode::kInvalidArgument, "index " + std::to_string(i) +
                                                        " is out of range for a dimension of " +
                                                        std::to_string(dim));
      }
    }
  }
  if (data.constant && idx.constant && small_enough_to_fold({out})) {
    HostTensor r = HostTensor::zeros(data.dtype, out);
    const std::size_t es = dtype_size(data.dtype);
    std::int64_t outer = 1;
    for (std::size_t d = 0; d < ax; ++d) outer *= data.shape[d];
    std::int64_t inner = 1;
    for (std::size_t d = ax + 1; d < data.shape.size(); ++d) inner *= data.shape[d];
    const auto indices = idx.constant->to_int64();
    const auto chunk = static_cast<std::size_t>(inner) * es;
    std::size_t pos = 0;
    for (std::int64_t o = 0; o < outer; ++o) {
      for (std::int64_t i : indices) {
        if (i < 0) i += dim;
        std::memcpy(r.data.data() + pos,
                    data.constant->data.data() + static_cast<std::size_t>(o * dim + i) * chunk,
                    chunk);
        pos += chunk;
      }
    }
    return c.fold({std::move(r)});
  }
  return c.compute(OpType::kGather, AxisAttrs{*axis}, {0, 1}, {{data.dtype, out}}, 0);
}

}  // namespace aegisrt::model::detail
