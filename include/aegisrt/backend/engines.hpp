// The engines this build of AegisRT has, registered in one call.
//
// Defined by the `aegisrt::engines` CMake target (a source that CMake generates from the engines
// the build has: cpu with AEGISRT_CPU, opencv with AEGISRT_OPENCV), which links those engine
// libraries; the core `aegisrt` library links none of them. A program that loads models by
// backend name (backend::load_runner, backend::make_backend) links aegisrt::engines and calls this
// once at start. See docs/design/0007, "Engine libraries".
#pragma once

#include <string>
#include <vector>

namespace aegisrt::backend {

// Registers every engine compiled into this build (registry.hpp). Idempotent; thread-safe.
void register_engines();

// The names of the engines compiled into this build, e.g. {"cpu", "opencv"}.
std::vector<std::string> compiled_engines();

}  // namespace aegisrt::backend
