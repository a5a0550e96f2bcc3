// Where the tests find the real models that scripts/fetch-models caches.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace aegisrt::testing {

// $AEGISRT_MODEL_CACHE, else <repo>/models (scripts/fetch-models' default).
inline std::string model_cache_dir() {
  if (const char* env = std::getenv("AEGISRT_MODEL_CACHE"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::string(AEGISRT_SOURCE_DIR) + "/models";
}

// Full path of a cached model file, or empty when the cache lacks it.
inline std::string cached_model(const std::string& file) {
  const std::string path = model_cache_dir() + "/" + file;
  return std::filesystem::exists(path) ? path : std::string();
}

inline constexpr const char* kFetchHint =
    "model not cached: run scripts/fetch-models (or set AEGISRT_MODEL_CACHE)";

}  // namespace aegisrt::testing
