// Shape inference for Resize (opsets 10 to 17): its modes, coordinate transforms and rounding,
// and the output size from constant scales or sizes.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "op_common.hpp"

namespace aegisrt::model::detail {

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

}  // namespace aegisrt::model::detail
