// Internal to the importer: a constant tensor in host memory (an initializer, a Constant node or a
// folded value), and the arithmetic that constant folding needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/model/graph.hpp"

namespace aegisrt::model::detail {

// Largest tensor the importer describes (elements); larger shapes are rejected as absurd rather
// than risking overflow in size arithmetic.
inline constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;
// Largest constant the importer materialises by folding (elements).
inline constexpr std::int64_t kMaxFoldElements = std::int64_t{1} << 24;

// Number of elements, or nullopt when a dimension is negative or the count exceeds kMaxElements.
std::optional<std::int64_t> checked_element_count(const Shape& s);

bool is_floating(DType t);

struct HostTensor {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::vector<std::byte> data;  // element_count(shape) * dtype_size(dtype) bytes, little-endian

  // A zero-filled tensor; the caller has checked the element count.
  static HostTensor zeros(DType dtype, Shape shape);
  static HostTensor from_int64(const std::vector<std::int64_t>& values, Shape shape,
                               DType dtype = DType::kInt64);

  std::int64_t count() const { return element_count(shape); }
  // Element i converted: integers and bool to int64 (floats truncated toward zero), anything to
  // double.
  std::int64_t int_at(std::int64_t i) const;
  double float_at(std::int64_t i) const;
  // Stores v converted to this tensor's dtype.
  void set_int(std::int64_t i, std::int64_t v);
  void set_float(std::int64_t i, double v);
  std::vector<std::int64_t> to_int64() const;
  std::vector<double> to_double() const;
};

// IEEE half <-> single conversion (round to nearest even).
float half_to_float(std::uint16_t h);
std::uint16_t float_to_half(float f);

// Multidirectional (numpy) broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// Row-major strides of `shape` for an input broadcast into `out` (stride 0 on broadcast axes).
std::vector<std::int64_t> broadcast_strides(const Shape& shape, const Shape& out);

}  // namespace aegisrt::model::detail
