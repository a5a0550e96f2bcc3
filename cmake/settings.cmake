# aegisrt_settings: one interface target that carries warnings, sanitizers and the language level.
add_library(aegisrt_settings INTERFACE)
add_library(aegisrt::settings ALIAS aegisrt_settings)
target_compile_features(aegisrt_settings INTERFACE cxx_std_20)

if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(aegisrt_settings INTERFACE
    $<BUILD_INTERFACE:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
      -Wcast-align -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Wimplicit-fallthrough>)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND AEGISRT_THREAD_SAFETY_ANALYSIS)
    target_compile_options(aegisrt_settings INTERFACE $<BUILD_INTERFACE:-Wthread-safety>)
  endif()
  if(AEGISRT_WARNINGS_AS_ERRORS)
    target_compile_options(aegisrt_settings INTERFACE $<BUILD_INTERFACE:-Werror>)
  endif()
  if(AEGISRT_SANITIZERS)
    # e.g. -DAEGISRT_SANITIZERS=address,undefined. Every report stops the program, so that a test
    # fails instead of printing it and going on.
    target_compile_options(aegisrt_settings INTERFACE
      $<BUILD_INTERFACE:-fsanitize=${AEGISRT_SANITIZERS} -fno-sanitize-recover=all
        -fno-omit-frame-pointer>)
    # RelWithDebInfo (scripts/build) is -O1 with line tables only when sanitized, as OSS-Fuzz
    # builds: enough for symbolised reports, and less than half the compile time of -O2 -g under the
    # sanitizers (docs/BENCHMARKS.md, "CI time").
    target_compile_options(aegisrt_settings INTERFACE
      "$<BUILD_INTERFACE:$<$<CONFIG:RelWithDebInfo>:-O1;-g1>>")
    # An installed sanitized library needs the sanitizer runtime in its consumers' links too.
    target_link_options(aegisrt_settings INTERFACE -fsanitize=${AEGISRT_SANITIZERS})
  endif()
  if(AEGISRT_COVERAGE)
    # Line and branch counts for gcov (scripts/coverage). -O0 comes after the build type's -O2, so
    # that each line's count is its own; like a sanitizer, an installed library needs libgcov in
    # its consumers' links.
    target_compile_options(aegisrt_settings INTERFACE $<BUILD_INTERFACE:--coverage -O0>)
    target_link_options(aegisrt_settings INTERFACE --coverage)
  endif()
endif()
