// Shape inference and constant folding for the element-wise operators: the unary functions
// (Relu, Sigmoid, Sqrt, HardSigmoid, Clip), the binary ones with multidirectional broadcasting
// (Add, Sub, Mul, Div, Pow, Equal) and Cast.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

namespace {

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

}  // namespace

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

Status op_add(OpContext& c) { return binary(c, OpType::kAdd); }
Status op_sub(OpContext& c) { return binary(c, OpType::kSub); }
Status op_mul(OpContext& c) { return binary(c, OpType::kMul); }
Status op_div(OpContext& c) { return binary(c, OpType::kDiv); }
Status op_pow(OpContext& c) { return binary(c, OpType::kPow); }
Status op_equal(OpContext& c) { return binary(c, OpType::kEqual); }

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

}  // namespace aegisrt::model::detail
