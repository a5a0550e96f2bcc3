#include "aegisrt/runtime/resources.hpp"

#include <sys/resource.h>

#include <filesystem>
#include <fstream>

namespace aegisrt::runtime {
namespace {

Duration of(const timeval& tv) {
  return Duration::us(static_cast<std::int64_t>(tv.tv_sec) * 1'000'000 + tv.tv_usec);
}

}  // namespace

ResourceSnapshot resource_snapshot() {
  ResourceSnapshot s;
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) == 0) {
    s.cpu_user = of(u.ru_utime);
    s.cpu_system = of(u.ru_stime);
    s.max_rss_bytes = static_cast<std::uint64_t>(u.ru_maxrss) * 1024;  // Linux: KiB
  }
  std::error_code ec;
  const std::filesystem::path root = "/sys/class/thermal";
  if (!std::filesystem::is_directory(root, ec)) return s;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("thermal_zone", 0) != 0) continue;
    std::ifstream temp(entry.path() / "temp");
    long millis = 0;
    if (!(temp >> millis)) continue;
    std::string type;
    std::ifstream(entry.path() / "type") >> type;
    s.temperatures.push_back({type.empty() ? name : type, static_cast<double>(millis) / 1000.0});
  }
  return s;
}

}  // namespace aegisrt::runtime
