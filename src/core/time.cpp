#include "aegisrt/core/time.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace aegisrt {

std::int64_t unit_ns(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kNs:
      return 1;
    case TimeUnit::kUs:
      return 1'000;
    case TimeUnit::kMs:
      return 1'000'000;
    case TimeUnit::kS:
      return 1'000'000'000;
  }
  return 1;
}

std::optional<TimeUnit> parse_unit(std::string_view name) {
  if (name == "ns") return TimeUnit::kNs;
  if (name == "us") return TimeUnit::kUs;
  if (name == "ms") return TimeUnit::kMs;
  if (name == "s") return TimeUnit::kS;
  return std::nullopt;
}

std::optional<Duration> duration_from(double value, TimeUnit unit) {
  if (!std::isfinite(value)) return std::nullopt;
  const long double ns = static_cast<long double>(value) * unit_ns(unit);
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  if (ns >= 9223372036854775807.0L || ns <= -9223372036854775807.0L) return std::nullopt;
  return Duration::ns(static_cast<std::int64_t>(std::llround(ns)));
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t split = text.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
  const auto unit = parse_unit(text.substr(split));
  if (!unit || split == 0) return std::nullopt;
  const std::string number(text.substr(0, split));
  double value = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
  return duration_from(value, *unit);
}

std::string format_duration(Duration d) {
  const std::int64_t ns = d.count();
  const std::int64_t mag = ns < 0 ? -ns : ns;
  struct Choice {
    std::int64_t scale;
    const char* suffix;
  };
  for (const Choice c :
       {Choice{1'000'000'000, "s"}, Choice{1'000'000, "ms"}, Choice{1'000, "us"}}) {
    if (mag < c.scale || mag % (c.scale / 1000) != 0) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ns) / static_cast<double>(c.scale));
    std::string s(buf);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s + c.suffix;
  }
  return std::to_string(ns) + "ns";
}

}  // namespace aegisrt
