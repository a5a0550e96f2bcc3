// Shape inference for the matrix products: Gemm and MatMul (with numpy batch broadcasting).
#include <string>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

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

}  // namespace aegisrt::model::detail
