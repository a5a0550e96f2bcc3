// Lowering of Resize: oneDNN's resampling where it computes ONNX's coordinates exactly, the hand
// kernel (hand_kernels.hpp) for the other coordinate and rounding modes.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <variant>

#include "compiler.hpp"
#include "hand_kernels.hpp"

namespace aegisrt::cpu {

using dnnl::memory;

void Compiler::resize(const model::Node& n) {
  const auto& a = std::get<model::ResizeAttrs>(n.attrs);
  const model::Shape& xs = g_.value(n.inputs[0]).shape;
  const model::Shape& ys = g_.value(n.outputs[0]).shape;
  if (a.mode == model::ResizeMode::kCubic) unsupported("Resize in cubic mode");
  if (xs.size() < 3 || xs[0] != ys[0] || xs[1] != ys[1]) {
    unsupported("Resize that scales the batch or channel axis");
  }
  const std::size_t sp = xs.size() - 2;
  // oneDNN's resampling: linear is ONNX half_pixel; nearest is round_half_away((o + 0.5) / f -
  // 0.5). Use it where it computes ONNX's indices exactly, else the hand kernel.
  bool dnnl_ok = sp <= 3;
  for (std::size_t d = 0; d < sp && dnnl_ok; ++d) {
    const std::size_t ax = d + 2;
    const float scale = a.scales[ax];
    if (a.mode == model::ResizeMode::kLinear) {
      const bool half =
          a.coordinate_transform == model::CoordinateTransform::kHalfPixel ||
          (a.coordinate_transform == model::CoordinateTransform::kPytorchHalfPixel && ys[ax] > 1);
      dnnl_ok =
          half && std::abs(scale * static_cast<float>(xs[ax]) - static_cast<float>(ys[ax])) < 1e-3f;
    } else {
      const auto want = nearest_indices(a, xs[ax], ys[ax], scale);
      for (std::int64_t o = 0; o < ys[ax] && dnnl_ok; ++o) {
        const float f = static_cast<float>(ys[ax]) / static_cast<float>(xs[ax]);
        auto i = static_cast<std::int64_t>(std::round((static_cast<float>(o) + 0.5f) / f - 0.5f));
        i = std::max<std::int64_t>(0, std::min(i, xs[ax] - 1));
        dnnl_ok = i == want[static_cast<std::size_t>(o)];
      }
    }
  }
  const auto f32 = memory::data_type::f32;
  if (dnnl_ok) {
    const int x = value(n.inputs[0]);
    const memory::desc y_any(to_dims(ys), f32, memory::format_tag::any);
    const auto alg = a.mode == model::ResizeMode::kLinear ? dnnl::algorithm::resampling_linear
                                                          : dnnl::algorithm::resampling_nearest;
    const dnnl::resampling_forward::primitive_desc pd(
        dnnl::resampling_forward::desc(dnnl::prop_kind::forward_inference, alg, tensor(x).md,
                                       y_any),
        base_attr(), engine_);
    const int y = new_tensor(pd.dst_desc());
    add_primitive(pd, dnnl::resampling_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}}, {x},
                  {y});
    value_tensor_[n.outputs[0]] = y;
    return;
  }
  if (sp > 2) unsupported("Resize of more than two spatial axes with this coordinate mode");
  const int x = as_plain(value(n.inputs[0]));
  const int y = new_tensor(plain_md(to_dims(ys), f32));
  Step s;
  s.hand = make_resize_kernel(a, xs, ys);
  s.args = {{0, x}, {1, y}};
  s.reads = {x};
  s.writes = {y};
  add_step(std::move(s));
  value_tensor_[n.outputs[0]] = y;
}

}  // namespace aegisrt::cpu
