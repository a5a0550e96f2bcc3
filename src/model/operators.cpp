// Shape inference and constant folding, one function per ONNX operator. Each reads its node's
// attributes per the ONNX operator specification (onnx/docs/Operators.md, opsets 7 to 17), checks
// its input shapes, and either folds the node (all inputs constant and the result small) or
// describes a compute node with normalised, typed attributes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <utility>

#include "op_context.hpp"

namespace aegisrt::model::detail {

namespace {

using Ints = std::vector<std::int64_t>;

std::string shape_text(const Shape& s) { return "[" + to_string(s) + "]"; }

std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::numeric_limits<std::uint64_t>::max();
  return r;
}

std::uint64_t numel_u(const Shape& s) { return static_cast<std::uint64_t>(element_count(s)); }

// ---- Common checks.

Result<const Sym*> required_input(OpContext& c, std::size_t i) {
  const Sym* s = c.input(i);
  if (s == nullptr) {
    return c.error(ErrorCode::kParse, "input " + std::to_string(i) + " is required but missing");
  }
  return s;
}

// Resolves a possibly negative axis against `rank` (ONNX: axis in [-rank, rank - 1]).
Result<std::int64_t> resolve_axis(OpContext& c, std::int64_t axis, std::size_t rank,
                                  const char* what = "axis") {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    return c.error(ErrorCode::kInvalidArgument, std::string(what) + " " + std::to_string(axis) +
                                                    " is out of range for rank " +
                                                    std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

// The values of a constant integer input (Reshape's shape, Slice's starts, ...).
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

// Attribute list of `n` entries, each >= lo; `fallback` fills when the attribute is absent.
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

// The sliding-window attributes that Conv, ConvTranspose and the pools share.
struct WindowAttrs {
  Ints strides;
  Ints dilations;
  Ints pads;  // begin values for every spatial axis, then end values
};

Result<WindowAttrs> window_attrs(OpContext& c, std::size_t n) {
  auto strides = spatial_attr(c, "strides", n, 1, 1);
  if (!strides) return strides.error();
  auto dil = spatial_attr(c, "dilations", n, 1, 1);
  if (!dil) return dil.error();
  auto pads = spatial_attr(c, "pads", 2 * n, 0, 0);
  if (!pads) return pads.error();
  return WindowAttrs{*strides, *dil, *pads};
}

// auto_pad SAME_UPPER / SAME_LOWER on spatial axis `i` of `n`: the output has ceil(in / s)
// positions and the padding they need is split evenly, the odd one at the end (UPPER) or at the
// start (LOWER). Writes pads[i] and pads[i + n]; returns the output size.
std::int64_t same_auto_pad(const std::string& auto_pad, std::int64_t in, std::int64_t s,
                           std::int64_t extent, std::size_t i, std::size_t n, Ints& pads) {
  const std::int64_t o = (in + s - 1) / s;
  const std::int64_t total = std::max<std::int64_t>(0, (o - 1) * s + extent - in);
  pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
  pads[i + n] = total - pads[i];
  return o;
}

// ---- Folding helpers on HostTensor.

std::vector<std::int64_t> row_major_strides(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Calls f(out_index, in_offset...) for every element of `out`, with row-major offsets of each
// input broadcast into `out`.
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

// Copies the elements of `in` selected by (start, step) per axis into a tensor of shape `out`.
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

// ---- Operators.

using Handler = Status (*)(OpContext&);

Status conv_like(OpContext& c, bool transpose) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  auto wr = required_input(c, 1);
  if (!wr) return wr.error();
  const Sym& x = **xr;
  const Sym& w = **wr;
  if (auto s = check_float(c, &x, "input X"); !s) return s;
  if (x.shape.size() < 3) {
    return c.error(ErrorCode::kInvalidArgument,
                   "input X has shape " + shape_text(x.shape) + "; N x C x spatial... is needed");
  }
  if (w.shape.size() != x.shape.size()) {
    return c.error(ErrorCode::kInvalidArgument, "weight W has shape " + shape_text(w.shape) +
                                                    ", not the rank of X " + shape_text(x.shape));
  }
  if (w.dtype != x.dtype) {
    return c.error(ErrorCode::kInvalidArgument, std::string("weight dtype ") + to_string(w.dtype) +
                                                    " differs from X's " + to_string(x.dtype));
  }
  const std::size_t n = x.shape.size() - 2;
  ConvAttrs a;
  const auto group = c.attr_int("group").value_or(1);
  if (group < 1 || group > kMaxElements) {
    return c.error(ErrorCode::kInvalidArgument, "group " + std::to_string(group) + " is invalid");
  }
  a.group = group;
  const Ints w_kernel(w.shape.begin() + 2, w.shape.end());
  auto kernel = spatial_attr(c, "kernel_shape", n, 0, 1);
  if (!kernel) return kernel.error();
  a.kernel = c.has_attr("kernel_shape") ? *kernel : w_kernel;
  if (a.kernel != w_kernel) {
    return c.error(ErrorCode::kInvalidArgument, "kernel_shape " + shape_text(a.kernel) +
                                                    " differs from the weight's " +
                                                    shape_text(w_kernel));
  }
  auto window = window_attrs(c, n);
  if (!window) return window.error();
  a.strides = window->strides;
  a.dilations = window->dilations;
  a.pads = window->pads;
  const std::string auto_pad = c.attr_string("auto_pad").value_or("NOTSET");
  if (auto e = c.failed()) return *e;
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID") {
    return c.error(ErrorCode::kInvalidArgument, "auto_pad '" + auto_pad + "' is not valid",
                   "NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }

  Shape out = {x.shape[0], 0};
  std::int64_t in_channels = x.shape[1];
  std::int64_t out_channels = 0;
  if (!transpose) {
    out_channels = w.shape[0];
    if (w.shape[1] * group != in_channels || out_channels % group != 0) {
      return c.error(ErrorCode::kInvalidArgument,
                     "X has " + std::to_string(in_channels) + " channels but W " +
                         shape_text(w.shape) + " with group " + std::to_string(group) +
                         " expects " + std::to_string(w.shape[1] * group));
    }
  } else {
    if (w.shape[0] != in_channels || in_channels % group != 0) {
      return c.error(ErrorCode::kInvalidArgument, "X has " + std::to_string(in_channels) +
                                                      " channels but W " + shape_text(w.shape) +
                                                      " expects " + std::to_string(w.shape[0]));
    }
    out_channels = w.shape[1] * group;
  }
  out[1] = out_channels;
  a.output_padding = Ints(n, 0);
  std::vector<std::int64_t> output_shape;
  if (transpose) {
    auto op = spatial_attr(c, "output_padding", n, 0, 0);
    if (!op) return op.error();
    a.output_padding = *op;
    if (auto os = c.attr_ints("output_shape")) {
      output_shape = *os;
      if (output_shape.size() == n + 2)
        output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
      if (output_shape.size() != n) {
        return c.error(ErrorCode::kInvalidArgument, "output_shape has the wrong number of entries");
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t in = x.shape[i + 2];
    const std::int64_t k = a.kernel[i];
    const std::int64_t s = a.strides[i];
    const std::int64_t d = a.dilations[i];
    const std::int64_t extent = (k - 1) * d + 1;
    std::int64_t o = 0;
    if (!transpose) {
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        o = same_auto_pad(auto_pad, in, s, extent, i, n, a.pads);
      } else {
        if (auto_pad == "VALID") a.pads[i] = a.pads[i + n] = 0;
        const std::int64_t span = in + a.pads[i] + a.pads[i + n] - extent;
        o = span < 0 ? 0 : span / s + 1;
      }
    } else {
      const std::int64_t full = s * (in - 1) + a.output_padding[i] + extent;
      if (!output_shape.empty() || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        o = !output_shape.empty() ? output_shape[i] : in * s;
        const std::int64_t total = std::max<std::int64_t>(0, full - o);
        // ONNX ConvTranspose: SAME_UPPER puts the smaller half first.
        a.pads[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        a.pads[i + n] = total - a.pads[i];
      } else {
        if (auto_pad == "VALID") a.pads[i] = a.pads[i + n] = 0;
        o = full - a.pads[i] - a.pads[i + n];
      }
    }
    if (o < 1) {
      return c.error(ErrorCode::kInvalidArgument,
                     "spatial axis " + std::to_string(i) + " of input " + shape_text(x.shape) +
                         " gives an output size of " + std::to_string(o));
    }
    out.push_back(o);
  }
  if (auto e = c.failed()) return *e;
  if (auto st = check_shape(c, out, "output"); !st) return st;
  std::vector<std::size_t> runtime = {0, 1};
  if (const Sym* b = c.input(2)) {
    if (b->shape != Shape{out_channels}) {
      return c.error(ErrorCode::kInvalidArgument, "bias B has shape " + shape_text(b->shape) +
                                                      ", expected [" +
                                                      std::to_string(out_channels) + "]");
    }
    runtime.push_back(2);
  }
  std::uint64_t kernel_volume = 1;
  for (const std::int64_t k : a.kernel)
    kernel_volume = sat_mul(kernel_volume, static_cast<std::uint64_t>(k));
  std::uint64_t flops = 0;
  if (!transpose) {
    flops = sat_mul(sat_mul(2 * numel_u(out), static_cast<std::uint64_t>(in_channels / group)),
                    kernel_volume);
  } else {
    flops = sat_mul(sat_mul(2 * numel_u(x.shape), static_cast<std::uint64_t>(out_channels / group)),
                    kernel_volume);
  }
  return c.compute(transpose ? OpType::kConvTranspose : OpType::kConv, std::move(a), runtime,
                   {{x.dtype, out}}, flops);
}

Status op_conv(OpContext& c) { return conv_like(c, false); }
Status op_conv_transpose(OpContext& c) { return conv_like(c, true); }

Status pool(OpContext& c, OpType op) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input X"); !s) return s;
  if (x.shape.size() < 3) {
    return c.error(ErrorCode::kInvalidArgument,
                   "input X has shape " + shape_text(x.shape) + "; N x C x spatial... is needed");
  }
  if (c.output_count() > 1) {
    return c.error(ErrorCode::kUnsupported, "the Indices output of MaxPool is not supported");
  }
  const std::size_t n = x.shape.size() - 2;
  PoolAttrs a;
  if (!c.has_attr("kernel_shape")) return c.error(ErrorCode::kParse, "kernel_shape is required");
  auto kernel = spatial_attr(c, "kernel_shape", n, 1, 1);
  if (!kernel) return kernel.error();
  auto window = window_attrs(c, n);
  if (!window) return window.error();
  a.kernel = *kernel;
  a.strides = window->strides;
  a.dilations = window->dilations;
  a.pads = window->pads;
  a.ceil_mode = c.attr_int("ceil_mode").value_or(0) != 0;
  a.count_include_pad = c.attr_int("count_include_pad").value_or(0) != 0;
  if (c.attr_int("storage_order").value_or(0) != 0) {
    return c.error(ErrorCode::kUnsupported, "storage_order 1 (column major) is not supported");
  }
  const std::string auto_pad = c.attr_string("auto_pad").value_or("NOTSET");
  if (auto e = c.failed()) return *e;
  Shape out = {x.shape[0], x.shape[1]};
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t in = x.shape[i + 2];
    const std::int64_t s = a.strides[i];
    const std::int64_t extent = (a.kernel[i] - 1) * a.dilations[i] + 1;
    std::int64_t o = 0;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      o = same_auto_pad(auto_pad, in, s, extent, i, n, a.pads);
    } else if (auto_pad == "NOTSET" || auto_pad == "VALID") {
      if (auto_pad == "VALID") a.pads[i] = a.pads[i + n] = 0;
      const std::int64_t span = in + a.pads[i] + a.pads[i + n] - extent;
      if (span < 0) {
        o = 0;
      } else {
        o = (a.ceil_mode ? (span + s - 1) / s : span / s) + 1;
        // A window that would start in the end padding is dropped (ONNX, PyTorch, ORT).
        if (a.ceil_mode && (o - 1) * s >= in + a.pads[i]) --o;
      }
    } else {
      return c.error(ErrorCode::kInvalidArgument, "auto_pad '" + auto_pad + "' is not valid",
                     "NOTSET, SAME_UPPER, SAME_LOWER or VALID");
    }
    if (o < 1) {
      return c.error(ErrorCode::kInvalidArgument,
                     "spatial axis " + std::to_string(i) + " of input " + shape_text(x.shape) +
                         " gives an output size of " + std::to_string(o));
    }
    out.push_back(o);
  }
  std::uint64_t kv = 1;
  for (const std::int64_t k : a.kernel) kv = sat_mul(kv, static_cast<std::uint64_t>(k));
  return c.compute(op, std::move(a), {0}, {{x.dtype, out}}, sat_mul(numel_u(out), kv));
}

Status op_max_pool(OpContext& c) { return pool(c, OpType::kMaxPool); }
Status op_average_pool(OpContext& c) { return pool(c, OpType::kAveragePool); }

Status op_global_average_pool(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input X"); !s) return s;
  if (x.shape.size() < 3) {
    return c.error(ErrorCode::kInvalidArgument,
                   "input X has shape " + shape_text(x.shape) + "; N x C x spatial... is needed");
  }
  Shape out = x.shape;
  for (std::size_t i = 2; i < out.size(); ++i) out[i] = 1;
  return c.compute(OpType::kGlobalAveragePool, {}, {0}, {{x.dtype, out}}, numel_u(x.shape));
}

Status op_gemm(OpContext& c) {
  auto ar = required_input(c, 0);
  if (!ar) return ar.error();
  auto br = required_input(c, 1);
  if (!br) return br.error();
  const Sym& a = **ar;
  const Sym& b = **br;
  if (auto s = check_float(c, &a, "input A"); !s) return s;
  if (a.shape.size() != 2 || b.shape.size() != 2) {
    return c.error(ErrorCode::kInvalidArgument, "A " + shape_text(a.shape) + " and B " +
                                                    shape_text(b.shape) + " must be matrices");
  }
  GemmAttrs g;
  g.alpha = c.attr_float("alpha").value_or(1.0f);
  g.beta = c.attr_float("beta").value_or(1.0f);
  g.trans_a = c.attr_int("transA").value_or(0) != 0;
  g.trans_b = c.attr_int("transB").value_or(0) != 0;
  if (auto e = c.failed()) return *e;
  const std::int64_t m = g.trans_a ? a.shape[1] : a.shape[0];
  const std::int64_t k = g.trans_a ? a.shape[0] : a.shape[1];
  const std::int64_t kb = g.trans_b ? b.shape[1] : b.shape[0];
  const std::int64_t n = g.trans_b ? b.shape[0] : b.shape[1];
  if (k != kb) {
    return c.error(
        ErrorCode::kInvalidArgument,
        "inner dimensions differ: A " + shape_text(a.shape) + ", B " + shape_text(b.shape));
  }
  const Shape out = {m, n};
  std::vector<std::size_t> runtime = {0, 1};
  std::uint64_t flops =
      sat_mul(sat_mul(2 * static_cast<std::uint64_t>(m), static_cast<std::uint64_t>(n)),
              static_cast<std::uint64_t>(k));
  if (const Sym* cc = c.input(2)) {
    const auto bs = broadcast_shapes(out, cc->shape);
    if (!bs || *bs != out) {
      return c.error(ErrorCode::kInvalidArgument,
                     "C " + shape_text(cc->shape) + " does not broadcast to " + shape_text(out));
    }
    runtime.push_back(2);
    flops += numel_u(out);
  }
  return c.compute(OpType::kGemm, g, runtime, {{a.dtype, out}}, flops);
}

Status op_matmul(OpContext& c) {
  auto ar = required_input(c, 0);
  if (!ar) return ar.error();
  auto br = required_input(c, 1);
  if (!br) return br.error();
  const Sym& a = **ar;
  const Sym& b = **br;
  if (auto s = check_float(c, &a, "input A"); !s) return s;
  if (a.shape.empty() || b.shape.empty()) {
    return c.error(ErrorCode::kInvalidArgument, "MatMul needs operands of rank >= 1");
  }
  Shape sa = a.shape;
  Shape sb = b.shape;
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  const std::int64_t m = sa[sa.size() - 2];
  const std::int64_t k = sa.back();
  const std::int64_t kb = sb[sb.size() - 2];
  const std::int64_t n = sb.back();
  if (k != kb) {
    return c.error(
        ErrorCode::kInvalidArgument,
        "inner dimensions differ: A " + shape_text(a.shape) + ", B " + shape_text(b.shape));
  }
  const auto batch =
      broadcast_shapes(Shape(sa.begin(), sa.end() - 2), Shape(sb.begin(), sb.end() - 2));
  if (!batch) {
    return c.error(ErrorCode::kInvalidArgument, "batch dimensions of A " + shape_text(a.shape) +
                                                    " and B " + shape_text(b.shape) +
                                                    " do not broadcast");
  }
  Shape out = *batch;
  if (a.shape.size() > 1) out.push_back(m);
  if (b.shape.size() > 1) out.push_back(n);
  const std::uint64_t flops =
      sat_mul(sat_mul(sat_mul(2 * numel_u(*batch), static_cast<std::uint64_t>(m)),
                      static_cast<std::uint64_t>(n)),
              static_cast<std::uint64_t>(k));
  return c.compute(OpType::kMatMul, {}, {0, 1}, {{a.dtype, out}}, flops);
}

// Unary elementwise operators; fold when constant.
Status unary(OpContext& c, OpType op, Attributes attrs, std::uint64_t flops_per_element,
             double (*f)(double, const Attributes&)) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (op != OpType::kRelu && op != OpType::kClip) {
    if (auto s = check_float(c, &x, "input"); !s) return s;
  }
  if (x.constant && small_enough_to_fold({x.shape}) && f != nullptr) {
    HostTensor r = HostTensor::zeros(x.dtype, x.shape);
    const std::int64_t n = r.count();
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = f(x.constant->float_at(i), attrs);
      if (is_floating(x.dtype)) {
        r.set_float(i, v);
      } else {
        r.set_int(i, static_cast<std::int64_t>(v));
      }
    }
    return c.fold({std::move(r)});
  }
  return c.compute(op, std::move(attrs), {0}, {{x.dtype, x.shape}},
                   sat_mul(numel_u(x.shape), flops_per_element));
}

Status op_relu(OpContext& c) {
  return unary(c, OpType::kRelu, {}, 1,
               [](double v, const Attributes&) { return v > 0 ? v : 0.0; });
}
Status op_sigmoid(OpContext& c) {
  return unary(c, OpType::kSigmoid, {}, 1,
               [](double v, const Attributes&) { return 1.0 / (1.0 + std::exp(-v)); });
}
Status op_sqrt(OpContext& c) {
  return unary(c, OpType::kSqrt, {}, 1, [](double v, const Attributes&) { return std::sqrt(v); });
}
Status op_hard_sigmoid(OpContext& c) {
  HardSigmoidAttrs a;
  a.alpha = c.attr_float("alpha").value_or(0.2f);
  a.beta = c.attr_float("beta").value_or(0.5f);
  if (auto e = c.failed()) return *e;
  return unary(c, OpType::kHardSigmoid, a, 3, [](double v, const Attributes& at) {
    const auto& h = std::get<HardSigmoidAttrs>(at);
    return std::clamp(h.alpha * v + h.beta, 0.0, 1.0);
  });
}

Status op_clip(OpContext& c) {
  ClipAttrs a;
  if (c.opset() < 11) {
    a.min = c.attr_float("min").value_or(std::numeric_limits<float>::lowest());
    a.max = c.attr_float("max").value_or(std::numeric_limits<float>::max());
    if (auto e = c.failed()) return *e;
  } else {
    for (std::size_t i = 1; i <= 2; ++i) {
      if (c.input(i) == nullptr) continue;
      auto v = constant_floats(c, i, i == 1 ? "min" : "max");
      if (!v) return v.error();
      if (v->size() != 1) {
        return c.error(ErrorCode::kInvalidArgument,
                       std::string(i == 1 ? "min" : "max") + " must be a scalar");
      }
      (i == 1 ? a.min : a.max) = (*v)[0];
    }
  }
  return unary(c, OpType::kClip, a, 2, [](double v, const Attributes& at) {
    const auto& cl = std::get<ClipAttrs>(at);
    return std::min(std::max(v, static_cast<double>(cl.min)), static_cast<double>(cl.max));
  });
}

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

// Binary elementwise operators with multidirectional broadcasting; fold when constant.
Status binary(OpContext& c, OpType op) {
  auto ar = required_input(c, 0);
  if (!ar) return ar.error();
  auto br = required_input(c, 1);
  if (!br) return br.error();
  const Sym& a = **ar;
  const Sym& b = **br;
  if (op != OpType::kPow && a.dtype != b.dtype) {
    return c.error(
        ErrorCode::kInvalidArgument,
        std::string("operand dtypes differ: ") + to_string(a.dtype) + " and " + to_string(b.dtype));
  }
  const auto out = broadcast_shapes(a.shape, b.shape);
  if (!out) {
    return c.error(ErrorCode::kInvalidArgument, "shapes " + shape_text(a.shape) + " and " +
                                                    shape_text(b.shape) + " do not broadcast");
  }
  if (auto st = check_shape(c, *out, "output"); !st) return st;
  const DType out_type = op == OpType::kEqual ? DType::kBool : a.dtype;
  if (a.constant && b.constant && small_enough_to_fold({*out})) {
    HostTensor r = HostTensor::zeros(out_type, *out);
    const auto sa = broadcast_strides(a.shape, *out);
    const auto sb = broadcast_strides(b.shape, *out);
    const bool floating = is_floating(a.dtype);
    std::optional<Error> fail;
    for_each_broadcast(*out, {sa, sb}, [&](std::int64_t i, const std::vector<std::int64_t>& o) {
      if (floating || op == OpType::kPow) {
        const double x = a.constant->float_at(o[0]);
        const double y = b.constant->float_at(o[1]);
        double v = 0;
        switch (op) {
          case OpType::kAdd:
            v = x + y;
            break;
          case OpType::kSub:
            v = x - y;
            break;
          case OpType::kMul:
            v = x * y;
            break;
          case OpType::kDiv:
            v = x / y;
            break;
          case OpType::kPow:
            v = std::pow(x, y);
            break;
          case OpType::kEqual:
            v = x == y ? 1 : 0;
            break;
          default:
            break;
        }
        if (floating && a.dtype == DType::kFloat32 && op != OpType::kEqual) {
          // Same rounding as a float32 kernel: one rounding of the exact result.
          v = static_cast<float>(v);
        }
        if (op == OpType::kEqual || floating) {
          r.set_float(i, v);
        } else {
          r.set_int(i, static_cast<std::int64_t>(v));
        }
        return;
      }
      const std::int64_t x = a.constant->int_at(o[0]);
      const std::int64_t y = b.constant->int_at(o[1]);
      std::int64_t v = 0;
      bool overflow = false;
      switch (op) {
        case OpType::kAdd:
          overflow = __builtin_add_overflow(x, y, &v);
          break;
        case OpType::kSub:
          overflow = __builtin_sub_overflow(x, y, &v);
          break;
        case OpType::kMul:
          overflow = __builtin_mul_overflow(x, y, &v);
          break;
        case OpType::kDiv:
          if (y == 0 || (x == std::numeric_limits<std::int64_t>::min() && y == -1)) {
            overflow = true;
          } else {
            v = x / y;
          }
          break;
        case OpType::kEqual:
          v = x == y ? 1 : 0;
          break;
        default:
          break;
      }
      if (overflow && !fail) {
        fail = c.error(ErrorCode::kInvalidArgument,
                       "integer overflow or division by zero while folding constants");
      }
      r.set_int(i, v);
    });
    if (fail) return *fail;
    return c.fold({std::move(r)});
  }
  return c.compute(op, {}, {0, 1}, {{out_type, *out}}, numel_u(*out));
}

Status op_add(OpContext& c) { return binary(c, OpType::kAdd); }
Status op_sub(OpContext& c) { return binary(c, OpType::kSub); }
Status op_mul(OpContext& c) { return binary(c, OpType::kMul); }
Status op_div(OpContext& c) { return binary(c, OpType::kDiv); }
Status op_pow(OpContext& c) { return binary(c, OpType::kPow); }
Status op_equal(OpContext& c) { return binary(c, OpType::kEqual); }

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

Status op_resize(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  if (auto s = check_float(c, &x, "input X"); !s) return s;
  ResizeAttrs a;
  const std::string mode = c.attr_string("mode").value_or("nearest");
  const std::string ctm = c.attr_string("coordinate_transformation_mode")
                              .value_or(c.opset() < 11 ? "asymmetric" : "half_pixel");
  const std::string nm = c.attr_string("nearest_mode").value_or("round_prefer_floor");
  a.cubic_coeff_a = c.attr_float("cubic_coeff_a").value_or(-0.75f);
  a.exclude_outside = c.attr_int("exclude_outside").value_or(0) != 0;
  if (auto e = c.failed()) return *e;
  static const std::map<std::string, ResizeMode> kModes = {{"nearest", ResizeMode::kNearest},
                                                           {"linear", ResizeMode::kLinear},
                                                           {"cubic", ResizeMode::kCubic}};
  static const std::map<std::string, CoordinateTransform> kTransforms = {
      {"half_pixel", CoordinateTransform::kHalfPixel},
      {"asymmetric", CoordinateTransform::kAsymmetric},
      {"align_corners", CoordinateTransform::kAlignCorners},
      {"pytorch_half_pixel", CoordinateTransform::kPytorchHalfPixel},
      {"tf_half_pixel_for_nn", CoordinateTransform::kTfHalfPixelForNn}};
  static const std::map<std::string, NearestMode> kNearest = {
      {"round_prefer_floor", NearestMode::kRoundPreferFloor},
      {"round_prefer_ceil", NearestMode::kRoundPreferCeil},
      {"floor", NearestMode::kFloor},
      {"ceil", NearestMode::kCeil}};
  const auto m = kModes.find(mode);
  const auto t = kTransforms.find(ctm);
  const auto nr = kNearest.find(nm);
  if (m == kModes.end()) {
    return c.error(ErrorCode::kUnsupported, "mode '" + mode + "' is not supported",
                   "nearest, linear or cubic");
  }
  if (t == kTransforms.end()) {
    return c.error(ErrorCode::kUnsupported,
                   "coordinate_transformation_mode '" + ctm + "' is not supported",
                   "half_pixel, asymmetric, align_corners, pytorch_half_pixel or "
                   "tf_half_pixel_for_nn");
  }
  if (nr == kNearest.end()) {
    return c.error(ErrorCode::kUnsupported, "nearest_mode '" + nm + "' is not supported");
  }
  a.mode = m->second;
  a.coordinate_transform = t->second;
  a.nearest_mode = nr->second;
  // Opset 10: (X, scales). Opset 11+: (X, roi, scales, sizes), roi ignored without
  // tf_crop_and_resize, an empty tensor standing for "not given".
  const std::size_t scales_index = c.opset() < 11 ? 1 : 2;
  const std::size_t sizes_index = c.opset() < 11 ? 99 : 3;
  const std::size_t rank = x.shape.size();
  Shape out(rank);
  std::vector<float> scales;
  const Sym* sizes_in = c.input(sizes_index);
  if (sizes_in != nullptr && element_count(sizes_in->shape) > 0) {
    auto sizes = constant_ints(c, sizes_index, "sizes");
    if (!sizes) return sizes.error();
    if (sizes->size() != rank) {
      return c.error(ErrorCode::kInvalidArgument, "sizes has " + std::to_string(sizes->size()) +
                                                      " entries for an input of rank " +
                                                      std::to_string(rank));
    }
    for (std::size_t i = 0; i < rank; ++i) {
      if ((*sizes)[i] < 0)
        return c.error(ErrorCode::kInvalidArgument, "sizes has a negative entry");
      out[i] = (*sizes)[i];
      scales.push_back(
          x.shape[i] == 0 ? 1.0f : static_cast<float>(out[i]) / static_cast<float>(x.shape[i]));
    }
  } else {
    auto sc = constant_floats(c, scales_index, "scales");
    if (!sc) return sc.error();
    if (sc->size() != rank) {
      return c.error(ErrorCode::kInvalidArgument, "scales has " + std::to_string(sc->size()) +
                                                      " entries for an input of rank " +
                                                      std::to_string(rank));
    }
    for (std::size_t i = 0; i < rank; ++i) {
      const float s = (*sc)[i];
      const float o = static_cast<float>(x.shape[i]) * s;
      if (!(s > 0.0f) || !(o < 1e12f)) {
        return c.error(ErrorCode::kInvalidArgument, "scale " + std::to_string(s) + " is invalid");
      }
      out[i] = static_cast<std::int64_t>(o);  // ONNX: floor(input * scale)
      scales.push_back(s);
    }
  }
  if (auto st = check_shape(c, out, "output"); !st) return st;
  a.scales = std::move(scales);
  const std::uint64_t per = a.mode == ResizeMode::kNearest  ? 1
                            : a.mode == ResizeMode::kLinear ? 8
                                                            : 32;
  return c.compute(OpType::kResize, std::move(a), {0}, {{x.dtype, out}},
                   sat_mul(numel_u(out), per));
}

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

Result<Ints> axes_from_attr_or_input(OpContext& c, bool required) {
  auto axes = c.attr_ints("axes");
  if (auto e = c.failed()) return *e;
  if (axes) return *axes;
  if (c.input(1) != nullptr) return constant_ints(c, 1, "axes");
  if (required) return c.error(ErrorCode::kParse, "axes is required");
  return Ints{};
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

Status op_cast(OpContext& c) {
  auto xr = required_input(c, 0);
  if (!xr) return xr.error();
  const Sym& x = **xr;
  const auto to = c.attr_int("to");
  if (auto e = c.failed()) return *e;
  if (!to) return c.error(ErrorCode::kParse, "attribute 'to' is required");
  const auto dt = dtype_from_onnx(static_cast<int>(std::clamp<std::int64_t>(*to, -1, 1000)));
  if (!dt) {
    return c.error(ErrorCode::kUnsupported,
                   "cast to ONNX data type " + std::to_string(*to) + " is not supported");
  }
  if (x.constant && small_enough_to_fold({x.shape})) return c.fold({cast_tensor(*x.constant, *dt)});
  return c.compute(OpType::kCast, CastAttrs{*dt}, {0}, {{*dt, x.shape}}, 0);
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

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> kHandlers = {
      {"Add", op_add},
      {"AveragePool", op_average_pool},
      {"BatchNormalization", op_batch_norm},
      {"Cast", op_cast},
      {"Clip", op_clip},
      {"Concat", op_concat},
      {"Constant", op_constant},
      {"ConstantOfShape", op_constant_of_shape},
      {"Conv", op_conv},
      {"ConvTranspose", op_conv_transpose},
      {"Div", op_div},
      {"Equal", op_equal},
      {"Flatten", op_flatten},
      {"Gather", op_gather},
      {"Gemm", op_gemm},
      {"GlobalAveragePool", op_global_average_pool},
      {"HardSigmoid", op_hard_sigmoid},
      {"Identity", op_identity},
      {"MatMul", op_matmul},
      {"MaxPool", op_max_pool},
      {"Mul", op_mul},
      {"Pad", op_pad},
      {"Pow", op_pow},
      {"ReduceMean", op_reduce_mean},
      {"Relu", op_relu},
      {"Reshape", op_reshape},
      {"Resize", op_resize},
      {"Shape", op_shape},
      {"Sigmoid", op_sigmoid},
      {"Slice", op_slice},
      {"Softmax", op_softmax},
      {"Split", op_split},
      {"Sqrt", op_sqrt},
      {"Squeeze", op_squeeze},
      {"Sub", op_sub},
      {"Transpose", op_transpose},
      {"Unsqueeze", op_unsqueeze},
  };
  return kHandlers;
}

}  // namespace

bool is_supported_operator(const std::string& op_type) { return handlers().count(op_type) > 0; }

Status infer_node(OpContext& c) {
  const auto it = handlers().find(c.op_type());
  AEGISRT_ASSERT(it != handlers().end());
  return it->second(c);
}

}  // namespace aegisrt::model::detail

namespace aegisrt::model {

const std::vector<std::string>& supported_operators() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const auto& [name, handler] : detail::handlers()) names.push_back(name);
    return names;
  }();
  return kNames;
}

}  // namespace aegisrt::model
