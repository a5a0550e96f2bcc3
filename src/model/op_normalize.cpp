// Shape inference for the operators that normalise or reduce over axes: Softmax,
// BatchNormalization (inference mode) and ReduceMean.
#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

Status op_softmax(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input"); !s) return s;
  SoftmaxAttrs a;
  a.coerce_2d = c.opset() < 13;
  const std::int64_t axis = c.attr_int("axis").value_or(a.coerce_2d ? 1 : -1);
  if (auto e = c.failed()) return *e;
  auto r = resolve_axis(c, axis, x.shape.size());
  if (!r) return r.error();
  a.axis = *r;
  return c.compute(OpType::kSoftmax, a, {0}, {{x.dtype, x.shape}}, sat_mul(numel_u(x.shape), 3));
}

Status op_batch_norm(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input X"); !s) return s;
  if (c.output_count() > 1) {
    return c.error(ErrorCode::kUnsupported,
                   "BatchNormalization in training mode (more than one output) is not supported");
  }
  if (c.attr_int("training_mode").value_or(0) != 0 || c.attr_int("spatial").value_or(1) != 1) {
    return c.error(ErrorCode::kUnsupported,
                   "training_mode=1 or spatial=0 BatchNormalization is not supported");
  }
  if (x.shape.size() < 2) {
    return c.error(ErrorCode::kInvalidArgument,
                   "input X has shape " + shape_text(x.shape) + "; N x C x ... is needed");
  }
  for (std::size_t i = 1; i <= 4; ++i) {
    auto p = required_input(c, i);
    if (!p) return p.error();
    if ((*p)->shape != Shape{x.shape[1]}) {
      return c.error(ErrorCode::kInvalidArgument, "parameter input " + std::to_string(i) +
                                                      " has shape " + shape_text((*p)->shape) +
                                                      ", expected [" + std::to_string(x.shape[1]) +
                                                      "]");
    }
  }
  BatchNormAttrs a;
  a.epsilon = c.attr_float("epsilon").value_or(1e-5f);
  if (auto e = c.failed()) return *e;
  return c.compute(OpType::kBatchNormalization, a, {0, 1, 2, 3, 4}, {{x.dtype, x.shape}},
                   sat_mul(numel_u(x.shape), 2));
}

Status op_reduce_mean(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input"); !s) return s;
  ReduceAttrs a;
  a.keepdims = c.attr_int("keepdims").value_or(1) != 0;
  std::optional<Ints> axes = c.attr_ints("axes");
  if (auto e = c.failed()) return *e;
  if (!axes && c.input(1) != nullptr) {
    auto v = constant_ints(c, 1, "axes");
    if (!v) return v.error();
    axes = *v;
  }
  if (!axes || axes->empty()) {
    if (c.attr_int("noop_with_empty_axes").value_or(0) != 0) {
      return c.compute(OpType::kIdentity, {}, {0}, {{x.dtype, x.shape}}, 0);
    }
    axes = Ints(x.shape.size());
    std::iota(axes->begin(), axes->end(), 0);
  }
  std::vector<bool> reduced(x.shape.size(), false);
  for (const std::int64_t ax : *axes) {
    auto r = resolve_axis(c, ax, x.shape.size());
    if (!r) return r.error();
    if (reduced[static_cast<std::size_t>(*r)]) {
      return c.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(ax) + " repeats");
    }
    reduced[static_cast<std::size_t>(*r)] = true;
    a.axes.push_back(*r);
  }
  std::sort(a.axes.begin(), a.axes.end());
  Shape out;
  for (std::size_t i = 0; i < x.shape.size(); ++i) {
    if (!reduced[i]) {
      out.push_back(x.shape[i]);
    } else if (a.keepdims) {
      out.push_back(1);
    }
  }
  return c.compute(OpType::kReduceMean, std::move(a), {0}, {{x.dtype, out}}, numel_u(x.shape));
}

}  // namespace aegisrt::model::detail
