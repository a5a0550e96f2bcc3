#include "hand_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <utility>

namespace aegisrt::cpu {

float resize_source_coordinate(model::CoordinateTransform t, std::int64_t o, std::int64_t in,
                               std::int64_t out, float scale) {
  const auto x = static_cast<float>(o);
  switch (t) {
    case model::CoordinateTransform::kHalfPixel:
      return (x + 0.5f) / scale - 0.5f;
    case model::CoordinateTransform::kPytorchHalfPixel:
      return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case model::CoordinateTransform::kAlignCorners:
      return out == 1 ? 0.0f : x * static_cast<float>(in - 1) / static_cast<float>(out - 1);
    case model::CoordinateTransform::kAsymmetric:
      return x / scale;
    case model::CoordinateTransform::kTfHalfPixelForNn:
      return (x + 0.5f) / scale;
  }
  return x / scale;
}

std::vector<std::int64_t> nearest_indices(const model::ResizeAttrs& a, std::int64_t in,
                                          std::int64_t out, float scale) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(out));
  for (std::int64_t o = 0; o < out; ++o) {
    const float c = resize_source_coordinate(a.coordinate_transform, o, in, out, scale);
    float r = 0.0f;
    switch (a.nearest_mode) {
      case model::NearestMode::kRoundPreferFloor:
        r = (c - std::floor(c) == 0.5f) ? std::floor(c) : std::round(c);
        break;
      case model::NearestMode::kRoundPreferCeil:
        r = (c - std::floor(c) == 0.5f) ? std::ceil(c) : std::round(c);
        break;
      case model::NearestMode::kFloor:
        r = std::floor(c);
        break;
      case model::NearestMode::kCeil:
        r = std::ceil(c);
        break;
    }
    idx[static_cast<std::size_t>(o)] =
        std::max<std::int64_t>(0, std::min<std::int64_t>(static_cast<std::int64_t>(r), in - 1));
  }
  return idx;
}

namespace {

// One axis of a resize: for each output index the two source indices and the weight of the
// second (nearest: both the same, weight 0).
struct AxisTable {
  std::vector<std::int64_t> i0, i1;
  std::vector<float> w1;
};

AxisTable make_table(const model::ResizeAttrs& a, std::int64_t in, std::int64_t out, float scale) {
  AxisTable t;
  const auto n = static_cast<std::size_t>(out);
  t.i0.resize(n);
  t.i1.resize(n);
  t.w1.assign(n, 0.0f);
  if (a.mode == model::ResizeMode::kNearest) {
    t.i0 = nearest_indices(a, in, out, scale);
    t.i1 = t.i0;
    return t;
  }
  for (std::int64_t o = 0; o < out; ++o) {
    float c = resize_source_coordinate(a.coordinate_transform, o, in, out, scale);
    c = std::max(0.0f, std::min(c, static_cast<float>(in - 1)));
    const auto i0 = static_cast<std::int64_t>(c);
    const auto k = static_cast<std::size_t>(o);
    t.i0[k] = i0;
    t.i1[k] = std::min(i0 + 1, in - 1);
    t.w1[k] = c - static_cast<float>(i0);
  }
  return t;
}

class ResizeKernel final : public HandKernel {
 public:
  ResizeKernel(const model::ResizeAttrs& a, const model::Shape& in, const model::Shape& out) {
    const std::size_t r = in.size();
    const bool two = r >= 4;  // the last two axes are scaled; rank 3: the last one
    in_w_ = in[r - 1];
    out_w_ = out[r - 1];
    in_h_ = two ? in[r - 2] : 1;
    out_h_ = two ? out[r - 2] : 1;
    outer_ = 1;
    for (std::size_t d = 0; d < r - (two ? 2 : 1); ++d) outer_ *= in[d];
    w_ = make_table(a, in_w_, out_w_, a.scales[r - 1]);
    h_ = two ? make_table(a, in_h_, out_h_, a.scales[r - 2]) : make_table(a, 1, 1, 1.0f);
  }
  void bind(std::span<std::byte* const> ptrs) override {
    src_ = reinterpret_cast<const float*>(ptrs[0]);
    dst_ = reinterpret_cast<float*>(ptrs[1]);
  }
  void run() override {
    for (std::int64_t p = 0; p < outer_; ++p) {
      const float* s = src_ + p * in_h_ * in_w_;
      float* d = dst_ + p * out_h_ * out_w_;
      for (std::int64_t oy = 0; oy < out_h_; ++oy) {
        const auto ky = static_cast<std::size_t>(oy);
        const float* r0 = s + h_.i0[ky] * in_w_;
        const float* r1 = s + h_.i1[ky] * in_w_;
        const float wy = h_.w1[ky];
        float* row = d + oy * out_w_;
        for (std::int64_t ox = 0; ox < out_w_; ++ox) {
          const auto kx = static_cast<std::size_t>(ox);
          const float wx = w_.w1[kx];
          const float top = r0[w_.i0[kx]] * (1.0f - wx) + r0[w_.i1[kx]] * wx;
          const float bottom = r1[w_.i0[kx]] * (1.0f - wx) + r1[w_.i1[kx]] * wx;
          row[ox] = top * (1.0f - wy) + bottom * wy;
        }
      }
    }
  }

 private:
  std::int64_t outer_ = 1, in_h_ = 1, in_w_ = 1, out_h_ = 1, out_w_ = 1;
  AxisTable h_, w_;
  const float* src_ = nullptr;
  float* dst_ = nullptr;
};

class FillKernel final : public HandKernel {
 public:
  FillKernel(std::size_t count, float value) : count_(count), value_(value) {}
  void bind(std::span<std::byte* const> ptrs) override { dst_ = reinterpret_cast<float*>(ptrs[0]); }
  void run() override { std::fill(dst_, dst_ + count_, value_); }

 private:
  std::size_t count_;
  float value_;
  float* dst_ = nullptr;
};

class GatherKernel final : public HandKernel {
 public:
  GatherKernel(std::int64_t outer, std::int64_t dim, std::int64_t inner,
               std::vector<std::int64_t> indices)
      : outer_(outer), dim_(dim), inner_(inner), indices_(std::move(indices)) {}
  void bind(std::span<std::byte* const> ptrs) override {
    src_ = reinterpret_cast<const float*>(ptrs[0]);
    dst_ = reinterpret_cast<float*>(ptrs[1]);
  }
  void run() override {
    const auto n = static_cast<std::int64_t>(indices_.size());
    const auto bytes = static_cast<std::size_t>(inner_) * sizeof(float);
    for (std::int64_t p = 0; p < outer_; ++p) {
      for (std::int64_t j = 0; j < n; ++j) {
        std::memcpy(dst_ + (p * n + j) * inner_,
                    src_ + (p * dim_ + indices_[static_cast<std::size_t>(j)]) * inner_, bytes);
      }
    }
  }

 private:
  std::int64_t outer_, dim_, inner_;
  std::vector<std::int64_t> indices_;
  const float* src_ = nullptr;
  float* dst_ = nullptr;
};

class StridedCopyKernel final : public HandKernel {
 public:
  StridedCopyKernel(std::vector<std::int64_t> in_dims, std::vector<std::int64_t> out_dims,
                    std::vector<std::int64_t> starts, std::vector<std::int64_t> steps)
      : out_dims_(std::move(out_dims)), index_(out_dims_.size(), 0) {
    const std::size_t r = in_dims.size();
    std::vector<std::int64_t> stride(r, 1);
    for (std::size_t d = r; d-- > 1;) stride[d - 1] = stride[d] * in_dims[d];
    step_.resize(r);
    for (std::size_t d = 0; d < r; ++d) {
      base_ += starts[d] * stride[d];
      step_[d] = steps[d] * stride[d];
    }
  }
  void bind(std::span<std::byte* const> ptrs) override {
    src_ = reinterpret_cast<const float*>(ptrs[0]);
    dst_ = reinterpret_cast<float*>(ptrs[1]);
  }
  void run() override {
    const std::size_t r = out_dims_.size();
    std::fill(index_.begin(), index_.end(), 0);
    std::int64_t total = 1;
    for (auto d : out_dims_) total *= d;
    std::int64_t offset = base_;
    for (std::int64_t i = 0; i < total; ++i) {
      dst_[i] = src_[offset];
      // Odometer over the output index, keeping the input offset in step.
      for (std::size_t d = r; d-- > 0;) {
        offset += step_[d];
        if (++index_[d] < out_dims_[d]) break;
        offset -= step_[d] * out_dims_[d];
        index_[d] = 0;
      }
    }
  }

 private:
  std::vector<std::int64_t> out_dims_;
  std::vector<std::int64_t> step_;
  std::vector<std::int64_t> index_;  // scratch, sized at construction
  std::int64_t base_ = 0;
  const float* src_ = nullptr;
  float* dst_ = nullptr;
};

}  // namespace

std::unique_ptr<HandKernel> make_strided_copy_kernel(std::vector<std::int64_t> in_dims,
                                                     std::vector<std::int64_t> out_dims,
                                                     std::vector<std::int64_t> starts,
                                                     std::vector<std::int64_t> steps) {
  return std::make_unique<StridedCopyKernel>(std::move(in_dims), std::move(out_dims),
                                             std::move(starts), std::move(steps));
}

std::unique_ptr<HandKernel> make_resize_kernel(const model::ResizeAttrs& a, const model::Shape& in,
                                               const model::Shape& out) {
  return std::make_unique<ResizeKernel>(a, in, out);
}

std::unique_ptr<HandKernel> make_fill_kernel(std::size_t count, float value) {
  return std::make_unique<FillKernel>(count, value);
}

std::unique_ptr<HandKernel> make_gather_kernel(std::int64_t outer, std::int64_t dim,
                                               std::int64_t inner,
                                               std::vector<std::int64_t> indices) {
  return std::make_unique<GatherKernel>(outer, dim, inner, std::move(indices));
}

bool all_finite(const float* p, std::size_t count) {
  // An exponent of all ones is Inf or NaN. Branch-free over blocks so that it vectorises.
  constexpr std::uint32_t kExp = 0x7f800000u;
  std::size_t i = 0;
  while (i < count) {
    const std::size_t end = std::min(count, i + 4096);
    std::uint32_t bad = 0;
    for (; i < end; ++i) {
      std::uint32_t u;
      std::memcpy(&u, p + i, sizeof(u));
      bad |= static_cast<std::uint32_t>((u & kExp) == kExp);
    }
    if (bad != 0) return false;
  }
  return true;
}

}  // namespace aegisrt::cpu
