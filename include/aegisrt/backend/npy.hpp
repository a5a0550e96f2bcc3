// NumPy `.npy` files of float32 tensors: how `aegisrt infer` reads its inputs and writes its
// outputs, and how the tests exchange tensors with the ONNX Runtime oracle (tools/ort-oracle).
//
// Only what a model's edge needs: dtype float32 ('<f4'), C order, format versions 1.0, 2.0 and
// 3.0 on read, 1.0 on write (2.0 when the header would not fit). Anything else (another dtype,
// big-endian data, Fortran order, a truncated body, a malformed header) is a kParse or
// kUnsupported error that names the file and says what was found; the reader never aborts.
// The format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"

namespace aegisrt::backend {

struct NpyArray {
  std::vector<std::int64_t> shape;  // empty: a scalar (one element)
  std::vector<float> data;          // C order, element_count(shape) values
};

// Parses the bytes of a .npy file; `name` (usually the path) prefixes every error message.
// Errors: kParse (not a .npy file, malformed or truncated header, body size mismatch),
// kUnsupported (a dtype other than float32, big-endian data, Fortran order).
Result<NpyArray> parse_npy(std::span<const std::byte> bytes, const std::string& name);

// Reads and parses a .npy file. Errors: kNotFound (no such file), and those of parse_npy.
Result<NpyArray> read_npy(const std::string& path);

// The bytes of a .npy file holding `data` with `shape` (C order). `data.size()` must equal the
// product of `shape` (an assertion).
std::vector<std::byte> format_npy(std::span<const std::int64_t> shape, std::span<const float> data);

// Writes format_npy(shape, data) to `path`. Errors: kNotFound (the folder does not exist or the
// file cannot be written).
Status write_npy(const std::string& path, std::span<const std::int64_t> shape,
                 std::span<const float> data);

}  // namespace aegisrt::backend
