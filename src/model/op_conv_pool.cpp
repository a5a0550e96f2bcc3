// Shape inference for the sliding-window operators (ONNX Operators.md): Conv, ConvTranspose,
// MaxPool, AveragePool and GlobalAveragePool, with auto_pad, ceil_mode and the flop counts.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

namespace {

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

}  // namespace

Status op_conv(OpContext& c) { return conv_like(c, false); }
Status op_conv_transpose(OpContext& c) { return conv_like(c, true); }

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

}  // namespace aegisrt::model::detail
