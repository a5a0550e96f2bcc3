// Shape inference and constant folding for the views, whose output is the input's data in a new
// shape: Reshape, Flatten, Squeeze, Unsqueeze and Identity.
#include <algorithm>
#include <optional>
#include <string>

#include "op_common.hpp"

namespace aegisrt::model::detail {

namespace {

// Views (the output is the input's data in a new shape): fold when constant.
Status view(OpContext& c, OpType op, const Shape& out) {
  const Sym& x = *c.input(0);
  if (auto st = check_shape(c, out, "output"); !st) return st;
  if (element_count(out) != element_count(x.shape)) {
    return c.error(ErrorCode::kInvalidArgument,
                   "cannot view " + shape_text(x.shape) + " as " + shape_text(out));
  }
  if (x.constant) return c.fold({reshaped(*x.constant, out)});
  return c.compute(op, {}, {0}, {{x.dtype, out}}, 0);
}

Result<Ints> axes_from_attr_or_input(OpContext& c, bool required) {
  auto axes = c.attr_ints("axes");
  if (auto e = c.failed()) return *e;
  if (axes) return *axes;
  if (c.input(1) != nullptr) return constant_ints(c, 1, "axes");
  if (required) return c.error(ErrorCode::kParse, "axes is required");
  return Ints{};
}

}  // namespace

Status op_reshape(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  Ints target;
  if (c.opset() < 5 || (c.input(1) == nullptr && c.has_attr("shape"))) {
    auto s = c.attr_ints("shape");
    if (!s) return c.failed() ? *c.failed() : c.error(ErrorCode::kParse, "shape is required");
    target = *s;
  } else {
    auto s = constant_ints(c, 1, "shape");
    if (!s) return s.error();
    target = *s;
  }
  const bool allow_zero = c.attr_int("allowzero").value_or(0) != 0;
  if (auto e = c.failed()) return *e;
  Shape out(target.size());
  std::int64_t known = 1;
  std::optional<std::size_t> infer;
  for (std::size_t i = 0; i < target.size(); ++i) {
    std::int64_t d = target[i];
    if (d == 0 && !allow_zero) {
      if (i >= x.shape.size()) {
        return c.error(ErrorCode::kInvalidArgument, "shape entry " + std::to_string(i) +
                                                        " is 0 (copy) but the input " +
                                                        shape_text(x.shape) + " has no such axis");
      }
      d = x.shape[i];
    }
    if (d == -1) {
      if (infer) return c.error(ErrorCode::kInvalidArgument, "shape has more than one -1");
      infer = i;
      continue;
    }
    if (d < 0 || d > kMaxElements) {
      return c.error(ErrorCode::kInvalidArgument,
                     "shape entry " + std::to_string(d) + " is invalid");
    }
    out[i] = d;
    if (d != 0 && known > kMaxElements / d) {
      return c.error(ErrorCode::kInvalidArgument, "target shape is too large");
    }
    known *= d;
  }
  const std::int64_t total = element_count(x.shape);
  if (infer) {
    if (known == 0 || total % known != 0) {
      return c.error(ErrorCode::kInvalidArgument, "cannot reshape " + shape_text(x.shape) +
                                                      " into a shape with known dims product " +
                                                      std::to_string(known));
    }
    out[*infer] = total / known;
  }
  return view(c, OpType::kReshape, out);
}

Status op_flatten(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  const std::int64_t rank = static_cast<std::int64_t>(x.shape.size());
  std::int64_t axis = c.attr_int("axis").value_or(1);
  if (auto e = c.failed()) return *e;
  if (axis < -rank || axis > rank) {
    return c.error(ErrorCode::kInvalidArgument,
                   "axis " + std::to_string(axis) + " is out of range");
  }
  if (axis < 0) axis += rank;
  std::int64_t outer = 1;
  for (std::int64_t i = 0; i < axis; ++i) outer *= x.shape[static_cast<std::size_t>(i)];
  return view(c, OpType::kFlatten,
              {outer, element_count(x.shape) / std::max<std::int64_t>(outer, 1)});
}

Status op_squeeze(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  auto axes = axes_from_attr_or_input(c, false);
  if (!axes) return axes.error();
  std::vector<bool> drop(x.shape.size(), false);
  if (axes->empty()) {
    for (std::size_t i = 0; i < x.shape.size(); ++i) drop[i] = x.shape[i] == 1;
  }
  for (const std::int64_t ax : *axes) {
    auto r = resolve_axis(c, ax, x.shape.size());
    if (!r) return r.error();
    const auto i = static_cast<std::size_t>(*r);
    if (x.shape[i] != 1) {
      return c.error(ErrorCode::kInvalidArgument,
                     "axis " + std::to_string(ax) + " of " + shape_text(x.shape) + " is not 1");
    }
    drop[i] = true;
  }
  Shape out;
  for (std::size_t i = 0; i < x.shape.size(); ++i) {
    if (!drop[i]) out.push_back(x.shape[i]);
  }
  return view(c, OpType::kSqueeze, out);
}

Status op_unsqueeze(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  auto axes = axes_from_attr_or_input(c, true);
  if (!axes) return axes.error();
  const std::size_t rank = x.shape.size() + axes->size();
  if (rank > 64) return c.error(ErrorCode::kInvalidArgument, "the output rank is too large");
  std::vector<bool> inserted(rank, false);
  for (const std::int64_t ax : *axes) {
    auto r = resolve_axis(c, ax, rank);
    if (!r) return r.error();
    const auto i = static_cast<std::size_t>(*r);
    if (inserted[i])
      return c.error(ErrorCode::kInvalidArgument, "axis " + std::to_string(ax) + " repeats");
    inserted[i] = true;
  }
  Shape out(rank);
  std::size_t next = 0;
  for (std::size_t i = 0; i < rank; ++i) out[i] = inserted[i] ? 1 : x.shape[next++];
  return view(c, OpType::kUnsqueeze, out);
}

Status op_identity(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  return view(c, OpType::kIdentity, (*xr)->shape);
}

}  // namespace aegisrt::model::detail
