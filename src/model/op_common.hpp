// Internal to the importer: what the per-operator shape inference and folding shares. The checks
// every operator makes of its inputs and attributes, the folding helpers on HostTensor
// (op_common.cpp), and one handler per ONNX operator, by family: op_conv_pool.cpp,
// op_matmul.cpp, op_elementwise.cpp, op_normalize.cpp, op_resize.cpp, op_movement.cpp,
// op_views.cpp and op_constants.cpp; operators.cpp maps operator names to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "op_context.hpp"

namespace aegisrt::model::detail {

using Ints = std::vector<std::int64_t>;

std::string shape_text(const Shape& s);
// a * b, saturating at the largest uint64 (flop counts).
std::uint64_t sat_mul(std::uint64_t a, std::uint64_t b);
std::uint64_t numel_u(const Shape& s);

// ---- Common checks.

Result<const Sym*> required_input(OpContext& c, std::size_t i);
// Resolves a possibly negative axis against `rank` (ONNX: axis in [-rank, rank - 1]).
Result<std::int64_t> resolve_axis(OpContext& c, std::int64_t axis, std::size_t rank,
                                  const char* what = "axis");
// The values of a constant integer input (Reshape's shape, Slice's starts, ...).
Result<Ints> constant_ints(OpContext& c, std::size_t i, const char* what);
Result<std::vector<float>> constant_floats(OpContext& c, std::size_t i, const char* what);
Status check_shape(OpContext& c, const Shape& s, const char* what);
Status check_float(OpContext& c, const Sym* s, const char* what);
bool small_enough_to_fold(const std::vector<Shape>& outputs);
// Attribute list of `n` entries, each >= lo; `fallback` fills when the attribute is absent.
Result<Ints> spatial_attr(OpContext& c, const char* name, std::size_t n, std::int64_t fallback,
                          std::int64_t lo);

// The sliding-window attributes that Conv, ConvTranspose and the pools share.
struct WindowAttrs {
  Ints strides;
  Ints dilations;
  Ints pads;  // begin values for every spatial axis, then end values
};

Result<WindowAttrs> window_attrs(OpContext& c, std::size_t n);

// auto_pad SAME_UPPER / SAME_LOWER on spatial axis `i` of `n`: the output has ceil(in / s)
// positions and the padding they need is split evenly, the odd one at the end (UPPER) or at the
// start (LOWER). Writes pads[i] and pads[i + n]; returns the output size.
std::int64_t same_auto_pad(const std::string& auto_pad, std::int64_t in, std::int64_t s,
                           std::int64_t extent, std::size_t i, std::size_t n, Ints& pads);

// ---- Folding helpers on HostTensor.

std::vector<std::int64_t> row_major_strides(const Shape& s);
// Calls f(out_index, in_offset...) for every element of `out`, with row-major offsets of each
// input broadcast into `out`.
void for_each_broadcast(
    const Shape& out, const std::vector<std::vector<std::int64_t>>& strides,
    const std::function<void(std::int64_t, const std::vector<std::int64_t>&)>& f);
// Copies the elements of `in` selected by (start, step) per axis into a tensor of shape `out`.
HostTensor strided_copy(const HostTensor& in, const Shape& out, const Ints& starts,
                        const Ints& steps);
HostTensor transpose_tensor(const HostTensor& in, const Ints& perm);
HostTensor reshaped(const HostTensor& in, Shape shape);
HostTensor cast_tensor(const HostTensor& in, DType to);

// ---- Operators: shape inference and folding, one handler per ONNX operator.

using Handler = Status (*)(OpContext&);

// op_conv_pool.cpp
Status op_conv(OpContext& c);
Status op_conv_transpose(OpContext& c);
Status op_max_pool(OpContext& c);
Status op_average_pool(OpContext& c);
Status op_global_average_pool(OpContext& c);
// op_matmul.cpp
Status op_gemm(OpContext& c);
Status op_matmul(OpContext& c);
// op_elementwise.cpp
Status op_relu(OpContext& c);
Status op_sigmoid(OpContext& c);
Status op_sqrt(OpContext& c);
Status op_hard_sigmoid(OpContext& c);
Status op_clip(OpContext& c);
Status op_add(OpContext& c);
Status op_sub(OpContext& c);
Status op_mul(OpContext& c);
Status op_div(OpContext& c);
Status op_pow(OpContext& c);
Status op_equal(OpContext& c);
Status op_cast(OpContext& c);
// op_normalize.cpp
Status op_softmax(OpContext& c);
Status op_batch_norm(OpContext& c);
Status op_reduce_mean(OpContext& c);
// op_resize.cpp
Status op_resize(OpContext& c);
// op_movement.cpp
Status op_pad(OpContext& c);
Status op_concat(OpContext& c);
Status op_split(OpContext& c);
Status op_slice(OpContext& c);
Status op_transpose(OpContext& c);
Status op_gather(OpContext& c);
// op_views.cpp
Status op_reshape(OpContext& c);
Status op_flatten(OpContext& c);
Status op_squeeze(OpContext& c);
Status op_unsqueeze(OpContext& c);
Status op_identity(OpContext& c);
// op_constants.cpp
Status op_shape(OpContext& c);
Status op_constant(OpContext& c);
Status op_constant_of_shape(OpContext& c);

}  // namespace aegisrt::model::detail
