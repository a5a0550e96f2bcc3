// The platform stamp of a profile, read off /proc, /sys and uname (docs/design/0011, "Platform").
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "aegisrt/profile/profile.hpp"

namespace aegisrt::profile {
namespace {

// The file's first line without the trailing newline; empty when it cannot be read.
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  return line;
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    return v;
  }
  return {};
}

// Whether CPU `core` is in a cpulist such as "2-3,6" (the format of /sys/.../cpu/isolated).
bool in_cpu_list(const std::string& list, std::uint32_t core) {
  std::stringstream ss(list);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (part.empty()) continue;
    const std::size_t dash = part.find('-');
    try {
      const unsigned long lo = std::stoul(part.substr(0, dash));
      const unsigned long hi = dash == std::string::npos ? lo : std::stoul(part.substr(dash + 1));
      if (core >= lo && core <= hi) return true;
    } catch (...) {
      return false;  // not a cpulist: treat as not isolated
    }
  }
  return false;
}

}  // namespace

Platform current_platform(std::string backend, std::string engine, std::string isa,
                          std::uint32_t threads, std::uint32_t core) {
  Platform p;
  p.cpu_model = cpu_model_name();
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  p.cores = online > 0 ? static_cast<std::uint32_t>(online) : 0;
  const std::string smt = first_line("/sys/devices/system/cpu/smt/active");
  if (smt == "0" || smt == "1") p.smt = smt == "1";
  utsname u{};
  if (uname(&u) == 0) p.kernel = u.release;
  const std::string cpufreq = "/sys/devices/system/cpu/cpu" + std::to_string(core) + "/cpufreq/";
  p.governor = first_line(cpufreq + "scaling_governor");
  const std::string freq = first_line(cpufreq + "scaling_cur_freq");
  if (!freq.empty()) {
    try {
      p.frequency_khz = std::stoull(freq);
    } catch (...) {
    }
  }
  p.backend = std::move(backend);
  p.engine = std::move(engine);
  p.isa = std::move(isa);
  p.threads = threads;
  p.core = core;
  p.isolated = in_cpu_list(first_line("/sys/devices/system/cpu/isolated"), core);
  return p;
}

std::vector<std::string> platform_mismatches(const Platform& profiled, const Platform& here) {
  std::vector<std::string> out;
  auto differ = [&](const char* field, const std::string& a, const std::string& b) {
    if (a != b)
      out.push_back(std::string(field) + ": `" + a + "` in the profile, `" + b + "` here");
  };
  differ("cpu_model", profiled.cpu_model, here.cpu_model);
  differ("cores", std::to_string(profiled.cores), std::to_string(here.cores));
  auto smt = [](const std::optional<bool>& s) {
    return s ? std::string(*s ? "on" : "off") : std::string("unknown");
  };
  differ("smt", smt(profiled.smt), smt(here.smt));
  differ("kernel", profiled.kernel, here.kernel);
  differ("governor", profiled.governor, here.governor);
  differ("backend", profiled.backend, here.backend);
  // An engine or ISA this build cannot name (empty here) is not a mismatch: nothing to compare.
  if (!here.engine.empty()) differ("engine", profiled.engine, here.engine);
  if (!here.isa.empty()) differ("isa", profiled.isa, here.isa);
  differ("threads", std::to_string(profiled.threads), std::to_string(here.threads));
  differ("gpu", profiled.gpu, here.gpu);
  return out;
}

}  // namespace aegisrt::profile
