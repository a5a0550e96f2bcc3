// What the per-operator shape inference shares (op_common.hpp): the checks of inputs and
// attributes, and the folding helpers on HostTensor.
#include "op_common.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

namespace aegisrt::model::detail {

std::string shape_text(const Shape& s) { return "[" + to_string(s) + "]"; }

std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::numeric_limits<std::uint64_t>::max();
  return r;
}

std::uint64_t numel_u(const Shape& s) { return static_cast<std::uint64_t>(element_count(s)); }

Result<const Sym*> required_input(OpContext& c, std::size_t i) {
  const Sym* s = c.input(i);
  if (s == nullptr) {
    return c.error(ErrorCode::kParse, "input " + std::to_string(i) + " is required but missing");
  }
  return s;
}

Result<std::int64_t> resolve_axis(OpContext& c, std::int64_t axis, std::size_t rank,
                                  const char* what) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    return c.error(ErrorCode::kInvalidArgument, std::string(what) + " " + std::to_string(axis) +
                                                    " is out of range for rank " +
                                                    std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

Result<Ints> constant_ints(OpContext& c, std::size_t i, const char* what) {
  const Sym* s = c.input(i);
  if (s == nullptr) return c.error(ErrorCode::kParse, std::string(what) + " input is missing");
  if (!s->constant) {
    return c.error(ErrorCode::kUnsupported,
                   std::string(what) + " (input " + std::to_string(i) +
                       ") depends on a runtime value, so the output shape is not static",
                   "AegisRT needs static shapes: fix the model's input shape so that shape "
                   "subgraphs fold");
  }
  if (s->constant->dtype != DType::kInt64 && s->constant->dtype != DType::kInt32) {
    return c.error(ErrorCode::kInvalidArgument,
                   std::string(what) + " must be int64, got " + to_string(s->constant->dtype));
  }
  return s->constant->to_int64();
}

Result<std::vector<float>> constant_floats(OpContext& c, std::size_t i, const char* what) {
  const Sym* s = c.input(i);
  if (s == nullptr) return c.error(ErrorCode::kParse, std::string(what) + " input is missing");
  if (!s->constant) {
    return c.error(ErrorCode::kUnsupported,
                   std::string(what) + " (input " + std::to_string(i) +
                       ") depends on a runtime value; AegisRT needs it constant");
  }
  std::vector<float> out;
  for (const double v : s->constant->to_double()) out.push_back(static_cast<float>(v));
  return out;
}

Status check_shape(OpContext& c, const Shape& s, const char* what) {
  if (!checked_element_count(s)) {
    return c.error(ErrorCode::kInvalidArgument, std::string(what) + " shape " + shape_text(s) +
                                                    " has a negative dimension or is too large");
  }
  return Ok{};
}

Status check_float(OpContext& c, const Sym* s, const char* what) {
  if (!is_floating(s->dtype)) {
    return c.error(ErrorCode::kUnsupported, std::string(what) + " has dtype " +
                                                to_string(s->dtype) + "; a float type is needed");
  }
  return Ok{};
}

bool small_enough_to_fold(const std::vector<Shape>& outputs) {
  std::int64_t total = 0;
  for (const Shape& s : outputs) {
    const auto n = checked_element_count(s);
    if (!n) return false;
    total += *n;
    if (total > kMaxFoldElements) return false;
  }
  return true;
}

Result<Ints> spatial_attr(OpContext& c, const char* name, std::size_t n, std::int64_t fallback,
                          std::int64_t lo) {
  auto v = c.attr_ints(name);
  if (auto e = c.failed()) return *e;
  if (!v) return Ints(n, fallback);
  if (v->size() != n) {
    return c.error(ErrorCode::kInvalidArgument, std::string("attribute ") + name + " has " +
                                                    std::to_string(v->size()) +
                                                    " entries, expected " + std::to_string(n));
  }
  for (const std::int64_t x : *v) {
    if (x < lo || x > kMaxElements) {
      return c.error(
          ErrorCode::kInvalidArgument,
          std::string("attribute ") + name + " has the invalid entry " + std::to_string(x));
    }
  }
  return *v;
}

Result<WindowAttrs> window_attrs(OpContext& c, std::size_t n) {
  auto strides = spatial_attr(c, "strides", n, 1, 1);
  if (!strides) return strides.error();
  auto dil = spatial_attr(c, "dilations", n, 1, 1);
  if (!dil) return dil.error();
  auto pads = spatial_attr(c, "pads", 2 * n, 0, 0);
  if (!pads) return pads.error();
  return WindowAttrs{*strides, *dil, *pads};
}

std::int64_t same_auto_pad(const std::string& auto_pad, std::int64_t in, std::int64_t s,
                           std::int64_t extent, std::size_t i, std::size_t n, Ints& pads) {
  const std::int64_t o = (in + s - 1) / s;
  const std::int64_t total = std::max<std::int64_t>(0, (o - 1) * s + extent - in);
  pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
  pads[i + n] = total - pads[i];
  return o;
}

std::vector<std::int64_t> row_major_strides(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

void for_each_broadcast(
    const Shape& out, const std::vector<std::vector<std::int64_t>>& strides,
    const std::function<void(std::int64_t, const std::vector<std::int64_t>&)>& f) {
  const std::int64_t n = element_count(out);
  std::vector<std::int64_t> index(out.size(), 0);
  std::vector<std::int64_t> offsets(strides.size(), 0);
  for (std::int64_t i = 0; i < n; ++i) {
    f(i, offsets);
    for (std::size_t d = out.size(); d-- > 0;) {
      ++index[d];
      for (std::size_t k = 0; k < strides.size(); ++k) offsets[k] += strides[k][d];
      if (index[d] < out[d]) break;
      for (std::size_t k = 0; k < strides.size(); ++k) offsets[k] -= strides[k][d] * out[d];
      index[d] = 0;
    }
  }
}

HostTensor strided_copy(const HostTensor& in, const Shape& out, const Ints& starts,
                        const Ints& steps) {
  HostTensor r = HostTensor::zeros(in.dtype, out);
  const std::size_t es = dtype_size(in.dtype);
  const auto in_strides = row_major_strides(in.shape);
  std::vector<std::int64_t> eff(out.size());
  std::int64_t base = 0;
  for (std::size_t d = 0; d < out.size(); ++d) {
    eff[d] = in_strides[d] * steps[d];
    base += starts[d] * in_strides[d];
  }
  for_each_broadcast(out, {eff}, [&](std::int64_t i, const std::vector<std::int64_t>& off) {
    std::memcpy(r.data.data() + static_cast<std::size_t>(i) * es,
                in.data.data() + static_cast<std::size_t>(base + off[0]) * es, es);
  });
  return r;
}

HostTensor transpose_tensor(const HostTensor& in, const Ints& perm) {
  Shape out(perm.size());
  const auto in_strides = row_major_strides(in.shape);
  std::vector<std::int64_t> eff(perm.size());
  for (std::size_t d = 0; d < perm.size(); ++d) {
    out[d] = in.shape[static_cast<std::size_t>(perm[d])];
    eff[d] = in_strides[static_cast<std::size_t>(perm[d])];
  }
  HostTensor r = HostTensor::zeros(in.dtype, out);
  const std::size_t es = dtype_size(in.dtype);
  for_each_broadcast(out, {eff}, [&](std::int64_t i, const std::vector<std::int64_t>& off) {
    std::memcpy(r.data.data() + static_cast<std::size_t>(i) * es,
                in.data.data() + static_cast<std::size_t>(off[0]) * es, es);
  });
  return r;
}

HostTensor reshaped(const HostTensor& in, Shape shape) {
  HostTensor r = in;
  r.shape = std::move(shape);
  return r;
}

HostTensor cast_tensor(const HostTensor& in, DType to) {
  HostTensor r = HostTensor::zeros(to, in.shape);
  const std::int64_t n = in.count();
  for (std::int64_t i = 0; i < n; ++i) {
    if (is_floating(in.dtype)) {
      r.set_float(i, in.float_at(i));
    } else {
      r.set_int(i, in.int_at(i));
    }
  }
  return r;
}

}  // namespace aegisrt::model::detail
