#include "aegisrt/backend/model_runner.hpp"

namespace aegisrt::backend {

std::size_t TensorInfo::elements() const {
  std::size_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

}  // namespace aegisrt::backend
