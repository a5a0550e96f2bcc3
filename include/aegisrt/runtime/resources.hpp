// What the process used, for the run's telemetry: CPU time, peak resident memory and the
// machine's temperatures (where /sys/class/thermal has zones). Read at the run's start and end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/core/time.hpp"

namespace aegisrt::runtime {

struct ResourceSnapshot {
  Duration cpu_user;  // this process, all threads
  Duration cpu_system;
  std::uint64_t max_rss_bytes = 0;  // peak resident set so far
  struct Temperature {
    std::string zone;  // the zone's `type` (e.g. x86_pkg_temp), or its folder name
    double celsius = 0;
  };
  std::vector<Temperature> temperatures;  // empty where the machine exposes none
};

// Reads the snapshot now (getrusage, /sys/class/thermal). Allocates; any thread.
ResourceSnapshot resource_snapshot();

}  // namespace aegisrt::runtime
