// The operators that always fold into constants: Shape, Constant and ConstantOfShape.
#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "op_common.hpp"

namespace aegisrt::model::detail {

Status op_shape(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Shape& s = (*xr)->shape;
  const auto rank = static_cast<std::int64_t>(s.size());
  std::int64_t start = c.attr_int("start").value_or(0);
  std::int64_t end = c.attr_int("end").value_or(rank);
  if (auto e = c.failed()) return *e;
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, 0, rank);
  Ints dims(s.begin() + start, s.begin() + std::max(start, end));
  const auto n = static_cast<std::int64_t>(dims.size());
  return c.fold({HostTensor::from_int64(dims, {n})});
}

Status op_constant(OpContext& c) {
  if (c.output_count() != 1) return c.error(ErrorCode::kParse, "Constant must have one output");
  if (const onnx::TensorProto* t = c.attr_tensor("value")) {
    auto r = decode_tensor(*t, "attribute 'value' of node '" + c.node_name() + "'");
    if (!r) return c.error(r.error().code, r.error().message, r.error().hint);
    return c.fold({std::move(r.value())});
  }
  if (auto f = c.attr_float("value_float")) {
    HostTensor r = HostTensor::zeros(DType::kFloat32, {});
    r.set_float(0, *f);
    return c.fold({std::move(r)});
  }
  if (auto fs = c.attr_floats("value_floats")) {
    HostTensor r = HostTensor::zeros(DType::kFloat32, {static_cast<std::int64_t>(fs->size())});
    for (std::size_t i = 0; i < fs->size(); ++i)
      r.set_float(static_cast<std::int64_t>(i), (*fs)[i]);
    return c.fold({std::move(r)});
  }
  if (auto i = c.attr_int("value_int")) return c.fold({HostTensor::from_int64({*i}, {})});
  if (auto is = c.attr_ints("value_ints")) {
    return c.fold({HostTensor::from_int64(*is, {static_cast<std::int64_t>(is->size())})});
  }
  if (auto e = c.failed()) return *e;
  return c.error(ErrorCode::kUnsupported,
                 "a Constant needs value, value_float(s) or value_int(s); sparse and string "
                 "constants are not supported");
}

Status op_constant_of_shape(OpContext& c) {
  auto shape = constant_ints(c, 0, "shape");
  if (!shape) return shape.error();
  const Shape out(shape->begin(), shape->end());
  if (auto st = check_shape(c, out, "output"); !st) return st;
  if (!small_enough_to_fold({out})) {
    return c.error(ErrorCode::kUnsupported,
                   "ConstantOfShape of " + shape_text(out) + " is too large to fold");
  }
  HostTensor value = HostTensor::zeros(DType::kFloat32, {1});
  if (const onnx::TensorProto* t = c.attr_tensor("value")) {
    auto r = decode_tensor(*t, "attribute 'value' of node '" + c.node_name() + "'");
    if (!r) return c.error(r.error().code, r.error().message, r.error().hint);
    if (r->count() != 1) return c.error(ErrorCode::kInvalidArgument, "value must hold one element");
    value = std::move(r.value());
  }
  if (auto e = c.failed()) return *e;
  HostTensor r = HostTensor::zeros(value.dtype, out);
  const std::size_t es = dtype_size(value.dtype);
  for (std::size_t i = 0; i < r.data.size(); i += es)
    std::memcpy(r.data.data() + i, value.data.data(), es);
  return c.fold({std::move(r)});
}

}  // namespace aegisrt::model::detail
