#include "aegisrt/backend/model_runner.hpp"

#include <string>

namespace aegisrt::backend {

std::size_t TensorInfo::elements() const {
  std::size_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

Status ModelRunner::check_input(std::size_t index, std::span<const float> data) const {
  const auto in = inputs();
  if (index >= in.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input index " + std::to_string(index) + " out of range (the model has " +
                          std::to_string(in.size()) + ")");
  }
  if (data.size() != in[index].elements()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "input `" + in[index].name + "` takes " +
                          std::to_string(in[index].elements()) + " floats, got " +
                          std::to_string(data.size()));
  }
  return Ok{};
}

}  // namespace aegisrt::backend
