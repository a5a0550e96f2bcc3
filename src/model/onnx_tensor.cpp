// Decodes ONNX tensors (initializers, the values of Constant nodes) into HostTensors, and maps
// ONNX data type codes to DTypes.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "op_context.hpp"

namespace aegisrt::model::detail {

namespace {

bool is_little_endian() {
  const std::uint16_t probe = 1;
  std::uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

std::optional<DType> dtype_from_onnx(int code) {
  switch (code) {
    case onnx::TensorProto_DataType_FLOAT:
      return DType::kFloat32;
    case onnx::TensorProto_DataType_FLOAT16:
      return DType::kFloat16;
    case onnx::TensorProto_DataType_DOUBLE:
      return DType::kFloat64;
    case onnx::TensorProto_DataType_INT8:
      return DType::kInt8;
    case onnx::TensorProto_DataType_UINT8:
      return DType::kUint8;
    case onnx::TensorProto_DataType_INT16:
      return DType::kInt16;
    case onnx::TensorProto_DataType_INT32:
      return DType::kInt32;
    case onnx::TensorProto_DataType_INT64:
      return DType::kInt64;
    case onnx::TensorProto_DataType_BOOL:
      return DType::kBool;
    default:
      return std::nullopt;
  }
}

Result<HostTensor> decode_tensor(const onnx::TensorProto& t, const std::string& where) {
  const auto fail = [&](ErrorCode code, const std::string& msg, std::string hint = {}) {
    return make_error(code, where + ": " + msg, std::move(hint));
  };
  const auto dtype = dtype_from_onnx(t.data_type());
  if (!dtype) {
    return fail(ErrorCode::kUnsupported,
                "data type " + std::to_string(t.data_type()) + " is not supported",
                "float32, float16, float64, int8, uint8, int16, int32, int64, bool");
  }
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL || t.external_data_size() > 0) {
    return fail(ErrorCode::kUnsupported, "weights in an external file are not supported",
                "save the model with its weights embedded");
  }
  if (t.has_segment()) return fail(ErrorCode::kUnsupported, "segmented tensors are not supported");
  Shape shape(t.dims().begin(), t.dims().end());
  const auto count = checked_element_count(shape);
  if (!count) {
    return fail(ErrorCode::kParse, "dims [" + to_string(shape) + "] are negative or too large");
  }
  const std::size_t es = dtype_size(*dtype);
  const auto n = static_cast<std::size_t>(*count);
  const auto mismatch = [&](std::size_t have) {
    return fail(ErrorCode::kParse,
                "holds " + std::to_string(have) + " elements' data but dims [" + to_string(shape) +
                    "] need " + std::to_string(n),
                "the file is truncated or corrupt");
  };
  HostTensor r;
  r.dtype = *dtype;
  r.shape = shape;
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    if (raw.size() != n * es) return mismatch(raw.size() / es);
    if (!is_little_endian())
      return fail(ErrorCode::kUnsupported, "big-endian hosts are not supported");
    r.data.resize(raw.size());
    if (!raw.empty()) std::memcpy(r.data.data(), raw.data(), raw.size());
    return r;
  }
  r.data.assign(n * es, std::byte{0});
  switch (*dtype) {
    case DType::kFloat32:
      if (static_cast<std::size_t>(t.float_data_size()) != n) return mismatch(t.float_data_size());
      for (std::size_t i = 0; i < n; ++i)
        r.set_float(static_cast<std::int64_t>(i), t.float_data(static_cast<int>(i)));
      break;
    case DType::kFloat64:
      if (static_cast<std::size_t>(t.double_data_size()) != n)
        return mismatch(t.double_data_size());
      for (std::size_t i = 0; i < n; ++i)
        r.set_float(static_cast<std::int64_t>(i), t.double_data(static_cast<int>(i)));
      break;
    case DType::kInt64:
      if (static_cast<std::size_t>(t.int64_data_size()) != n) return mismatch(t.int64_data_size());
      for (std::size_t i = 0; i < n; ++i)
        r.set_int(static_cast<std::int64_t>(i), t.int64_data(static_cast<int>(i)));
      break;
    case DType::kFloat16: {
      // float16 values travel as their bit patterns in int32_data.
      if (static_cast<std::size_t>(t.int32_data_size()) != n) return mismatch(t.int32_data_size());
      for (std::size_t i = 0; i < n; ++i) {
        const auto bits = static_cast<std::uint16_t>(t.int32_data(static_cast<int>(i)));
        std::memcpy(r.data.data() + 2 * i, &bits, 2);
      }
      break;
    }
    default:
      if (static_cast<std::size_t>(t.int32_data_size()) != n) return mismatch(t.int32_data_size());
      for (std::size_t i = 0; i < n; ++i)
        r.set_int(static_cast<std::int64_t>(i), t.int32_data(static_cast<int>(i)));
      break;
  }
  return r;
}

}  // namespace aegisrt::model::detail
