// Which engines this build has (backend/registry.hpp): tests of a backend that the build lacks
// (AEGISRT_CPU=OFF, AEGISRT_OPENCV=OFF) skip instead of failing.
#pragma once

#include <string>

#include "aegisrt/backend/engines.hpp"
#include "aegisrt/backend/registry.hpp"

namespace aegisrt::testing {

// Empty when backend `name` can run models in this build; otherwise why not (for GTEST_SKIP).
inline std::string engine_unavailable_reason(const std::string& name) {
  backend::register_engines();
  const auto entry = backend::runner_backend(name);
  return entry.ok() ? std::string() : entry.error().to_string();
}

}  // namespace aegisrt::testing
