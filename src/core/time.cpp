#include "aegisrt/core/time.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

#include "aegisrt/core/decimal.hpp"

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

std::string_view unit_suffix(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kNs:
      return "ns";
    case TimeUnit::kUs:
      return "us";
    case TimeUnit::kMs:
      return "ms";
    case TimeUnit::kS:
      return "s";
  }
  return "ns";
}

int max_decimals(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kNs:
      return 0;
    case TimeUnit::kUs:
      return 3;
    case TimeUnit::kMs:
      return 6;
    case TimeUnit::kS:
      return 9;
  }
  return 0;
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

ParsedDuration parse_duration_number(std::string_view number, TimeUnit unit) {
  const std::optional<Decimal> d = parse_decimal(number);
  if (!d) return {Duration::zero(), DurationProblem::kMalformed};
  const ExactInteger ns = to_int64(*d, max_decimals(unit));
  switch (ns.status) {
    case ExactStatus::kOk:
      return {Duration::ns(ns.value), DurationProblem::kNone};
    case ExactStatus::kNotInteger:
      return {Duration::zero(), DurationProblem::kNotWholeNs};
    case ExactStatus::kOutOfRange:
      break;
  }
  return {Duration::zero(), DurationProblem::kTooLarge};
}

ParsedDuration parse_duration_text(std::string_view text) {
  std::size_t split = text.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
  const auto unit = parse_unit(text.substr(split));
  if (!unit || split == 0) return {Duration::zero(), DurationProblem::kMalformed};
  return parse_duration_number(text.substr(0, split), *unit);
}

std::optional<Duration> parse_duration(std::string_view text) {
  const ParsedDuration d = parse_duration_text(text);
  if (!d.ok()) return std::nullopt;
  return d.value;
}

std::string format_duration(Duration d) {
  const std::int64_t ns = d.count();
  // Magnitude of ns without overflow for INT64_MIN.
  const std::uint64_t mag =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  struct Choice {
    std::uint64_t scale;
    int digits;
    const char* suffix;
  };
  Choice c{1, 0, "ns"};
  for (const Choice candidate :
       {Choice{1'000'000'000, 9, "s"}, Choice{1'000'000, 6, "ms"}, Choice{1'000, 3, "us"}}) {
    if (mag >= candidate.scale) {
      c = candidate;
      break;
    }
  }
  std::string out = ns < 0 ? "-" : "";
  out += std::to_string(mag / c.scale);
  if (c.digits > 0 && mag % c.scale != 0) {
    std::string frac = std::to_string(mag % c.scale);
    frac.insert(0, static_cast<std::size_t>(c.digits) - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    out += '.' + frac;
  }
  return out + c.suffix;
}

}  // namespace aegisrt
