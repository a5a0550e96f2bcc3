#include "host_tensor.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace aegisrt::model::detail {

std::optional<std::int64_t> checked_element_count(const Shape& s) {
  std::int64_t n = 1;
  for (const std::int64_t d : s) {
    if (d < 0 || d > kMaxElements) return std::nullopt;
    if (d != 0 && n > kMaxElements / d) return std::nullopt;
    n *= d;
  }
  return n;
}

bool is_floating(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat16 || t == DType::kFloat64;
}

HostTensor HostTensor::zeros(DType dtype, Shape shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.data.assign(static_cast<std::size_t>(t.count()) * dtype_size(dtype), std::byte{0});
  return t;
}

HostTensor HostTensor::from_int64(const std::vector<std::int64_t>& values, Shape shape,
                                  DType dtype) {
  HostTensor t = zeros(dtype, std::move(shape));
  for (std::size_t i = 0; i < values.size(); ++i)
    t.set_int(static_cast<std::int64_t>(i), values[i]);
  return t;
}

namespace {

template <typename T>
T load(const std::vector<std::byte>& data, std::int64_t i) {
  T v;
  std::memcpy(&v, data.data() + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

template <typename T>
void store(std::vector<std::byte>& data, std::int64_t i, T v) {
  std::memcpy(data.data() + static_cast<std::size_t>(i) * sizeof(T), &v, sizeof(T));
}

// Float to integer without undefined behaviour: NaN becomes 0, out-of-range values saturate.
template <typename I>
I saturate(double v) {
  if (std::isnan(v)) return 0;
  const double lo = static_cast<double>(std::numeric_limits<I>::min());
  const double hi = static_cast<double>(std::numeric_limits<I>::max());
  if (v <= lo) return std::numeric_limits<I>::min();
  if (v >= hi) return std::numeric_limits<I>::max();
  return static_cast<I>(v);
}

}  // namespace

std::int64_t HostTensor::int_at(std::int64_t i) const {
  switch (dtype) {
    case DType::kFloat32:
      return saturate<std::int64_t>(load<float>(data, i));
    case DType::kFloat16:
      return saturate<std::int64_t>(half_to_float(load<std::uint16_t>(data, i)));
    case DType::kFloat64:
      return saturate<std::int64_t>(load<double>(data, i));
    case DType::kInt8:
      return load<std::int8_t>(data, i);
    case DType::kUint8:
      return load<std::uint8_t>(data, i);
    case DType::kInt16:
      return load<std::int16_t>(data, i);
    case DType::kInt32:
      return load<std::int32_t>(data, i);
    case DType::kInt64:
      return load<std::int64_t>(data, i);
    case DType::kBool:
      return load<std::uint8_t>(data, i) != 0 ? 1 : 0;
  }
  return 0;
}

double HostTensor::float_at(std::int64_t i) const {
  switch (dtype) {
    case DType::kFloat32:
      return load<float>(data, i);
    case DType::kFloat16:
      return half_to_float(load<std::uint16_t>(data, i));
    case DType::kFloat64:
      return load<double>(data, i);
    default:
      return static_cast<double>(int_at(i));
  }
}

void HostTensor::set_int(std::int64_t i, std::int64_t v) {
  switch (dtype) {
    case DType::kFloat32:
      store<float>(data, i, static_cast<float>(v));
      break;
    case DType::kFloat16:
      store<std::uint16_t>(data, i, float_to_half(static_cast<float>(v)));
      break;
    case DType::kFloat64:
      store<double>(data, i, static_cast<double>(v));
      break;
    case DType::kInt8:
      store<std::int8_t>(data, i, static_cast<std::int8_t>(v));
      break;
    case DType::kUint8:
      store<std::uint8_t>(data, i, static_cast<std::uint8_t>(v));
      break;
    case DType::kInt16:
      store<std::int16_t>(data, i, static_cast<std::int16_t>(v));
      break;
    case DType::kInt32:
      store<std::int32_t>(data, i, static_cast<std::int32_t>(v));
      break;
    case DType::kInt64:
      store<std::int64_t>(data, i, v);
      break;
    case DType::kBool:
      store<std::uint8_t>(data, i, v != 0 ? 1 : 0);
      break;
  }
}

void HostTensor::set_float(std::int64_t i, double v) {
  switch (dtype) {
    case DType::kFloat32:
      store<float>(data, i, static_cast<float>(v));
      break;
    case DType::kFloat16:
      store<std::uint16_t>(data, i, float_to_half(static_cast<float>(v)));
      break;
    case DType::kFloat64:
      store<double>(data, i, v);
      break;
    case DType::kBool:
      store<std::uint8_t>(data, i, v != 0.0 ? 1 : 0);
      break;
    case DType::kInt8:
      store<std::int8_t>(data, i, saturate<std::int8_t>(v));
      break;
    case DType::kUint8:
      store<std::uint8_t>(data, i, saturate<std::uint8_t>(v));
      break;
    case DType::kInt16:
      store<std::int16_t>(data, i, saturate<std::int16_t>(v));
      break;
    case DType::kInt32:
      store<std::int32_t>(data, i, saturate<std::int32_t>(v));
      break;
    case DType::kInt64:
      store<std::int64_t>(data, i, saturate<std::int64_t>(v));
      break;
  }
}

std::vector<std::int64_t> HostTensor::to_int64() const {
  std::vector<std::int64_t> out(static_cast<std::size_t>(count()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = int_at(static_cast<std::int64_t>(i));
  return out;
}

std::vector<double> HostTensor::to_double() const {
  std::vector<double> out(static_cast<std::size_t>(count()));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = float_at(static_cast<std::int64_t>(i));
  return out;
}

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {                  // subnormal: normalise
      std::uint32_t e = 113;  // 127 - 15 + 1
      while ((mantissa & 0x400u) == 0) {
        mantissa <<= 1;
        --e;
      }
      bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

std::uint16_t float_to_half(float f) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t abs = bits & 0x7fffffffu;
  if (abs >= 0x7f800000u) {  // inf or NaN
    return static_cast<std::uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
  }
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (abs < 0x38800000u) {  // subnormal or zero in half
    if (abs < 0x33000000u) return sign;
    const std::uint32_t e = abs >> 23;
    const std::uint32_t m = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - e;  // 14..24
    std::uint32_t half_m = m >> shift;
    const std::uint32_t rest = m & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half_m & 1u))) ++half_m;
    return static_cast<std::uint16_t>(sign | half_m);
  }
  std::uint32_t h = ((abs >> 13) - (112u << 10));
  const std::uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::vector<std::int64_t> broadcast_strides(const Shape& shape, const Shape& out) {
  std::vector<std::int64_t> strides(out.size(), 0);
  std::int64_t stride = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const std::size_t i = shape.size() - 1 - k;  // axis in `shape`
    const std::size_t o = out.size() - 1 - k;    // matching axis in `out`
    strides[o] = shape[i] == 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}

}  // namespace aegisrt::model::detail
