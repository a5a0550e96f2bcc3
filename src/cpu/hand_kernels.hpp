// Small kernels written by hand where oneDNN 2.6 has no primitive that computes what ONNX
// specifies (internal to the `cpu` backend): Resize with ONNX's coordinate and rounding modes,
// Gather along an axis, a constant fill, and the NaN/Inf scan. All work on dense row-major float32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "aegisrt/model/graph.hpp"
#include "program.hpp"

namespace aegisrt::cpu {

// ONNX Resize: the input coordinate of output coordinate `o` along an axis of `in` -> `out`
// elements at `scale`, as ONNX Runtime computes it (float arithmetic).
float resize_source_coordinate(model::CoordinateTransform t, std::int64_t o, std::int64_t in,
                               std::int64_t out, float scale);

// ONNX Resize in nearest mode: the input index of every output index along one axis.
std::vector<std::int64_t> nearest_indices(const model::ResizeAttrs& a, std::int64_t in,
                                          std::int64_t out, float scale);

// Resize (nearest or linear, any coordinate transform) of the last one or two axes; the other
// axes keep their size. Operands: 0 input, 1 output.
std::unique_ptr<HandKernel> make_resize_kernel(const model::ResizeAttrs& a, const model::Shape& in,
                                               const model::Shape& out);

// Writes `value` to `count` floats. Operand: 0 output.
std::unique_ptr<HandKernel> make_fill_kernel(std::size_t count, float value);

// Gather along an axis with constant indices (already resolved into [0, dim)): the input viewed
// as [outer, dim, inner], the output as [outer, indices, inner]. Operands: 0 input, 1 output.
std::unique_ptr<HandKernel> make_gather_kernel(std::int64_t outer, std::int64_t dim,
                                               std::int64_t inner,
                                               std::vector<std::int64_t> indices);

// Copies the strided part of a dense row-major float32 tensor of `in_dims`: output element
// (i0, i1, ...) is input element (starts[d] + i_d * steps[d])_d, steps > 0. Operands: 0 input,
// 1 output.
std::unique_ptr<HandKernel> make_strided_copy_kernel(std::vector<std::int64_t> in_dims,
                                                     std::vector<std::int64_t> out_dims,
                                                     std::vector<std::int64_t> starts,
                                                     std::vector<std::int64_t> steps);

// True when none of the `count` floats at `p` is NaN or +-Inf.
bool all_finite(const float* p, std::size_t count);

}  // namespace aegisrt::cpu
