#include "aegisrt/core/time.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "aegisrt/core/decimal.hpp"
#include "aegisrt/core/result.hpp"

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

namespace {

constexpr std::array<std::uint64_t, 10> kPow10 = {
    1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

TimeUnit largest_unit(std::uint64_t mag) {
  if (mag >= 1'000'000'000) return TimeUnit::kS;
  if (mag >= 1'000'000) return TimeUnit::kMs;
  if (mag >= 1'000) return TimeUnit::kUs;
  return TimeUnit::kNs;
}

void append_digits(std::string& out, std::uint64_t v, int width) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  const auto len = static_cast<int>(end - buf);
  if (len < width) out.append(static_cast<std::size_t>(width - len), '0');
  out.append(buf, end);
}

}  // namespace

void append_duration(std::string& out, Duration d, DurationFormat format) {
  const std::int64_t ns = d.count();
  // Magnitude of ns without overflow for INT64_MIN.
  const std::uint64_t mag =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const TimeUnit unit = format.unit ? *format.unit : largest_unit(mag);
  const int unit_digits = max_decimals(unit);  // the unit is 10^unit_digits ns
  std::uint64_t whole = mag / kPow10[static_cast<std::size_t>(unit_digits)];
  std::uint64_t frac = mag % kPow10[static_cast<std::size_t>(unit_digits)];
  int frac_digits = unit_digits;  // digits of `frac` as written, leading zeros included
  int pad = 0;                    // zeros after them
  if (!format.decimals) {
    if (frac == 0) frac_digits = 0;
    while (frac_digits > 0 && frac % 10 == 0) {
      frac /= 10;
      --frac_digits;
    }
  } else {
    const int want = *format.decimals;
    AEGISRT_ASSERT(want >= 0 && want <= 9);
    if (want < unit_digits) {
      const std::uint64_t drop = kPow10[static_cast<std::size_t>(unit_digits - want)];
      const std::uint64_t rest = frac % drop;
      frac /= drop;
      if (2 * rest >= drop) ++frac;  // on the magnitude: halves away from zero
      if (frac == kPow10[static_cast<std::size_t>(want)]) {
        frac = 0;
        ++whole;
      }
      frac_digits = want;
    } else {
      pad = want - unit_digits;
    }
  }
  if (ns < 0 && (whole != 0 || frac != 0)) out.push_back('-');
  append_digits(out, whole, 1);
  if (frac_digits + pad > 0) {
    out.push_back('.');
    if (frac_digits > 0) append_digits(out, frac, frac_digits);
    out.append(static_cast<std::size_t>(pad), '0');
  }
  if (format.suffix) out += unit_suffix(unit);
}

std::string format_duration(Duration d, DurationFormat format) {
  std::string out;
  append_duration(out, d, format);
  return out;
}

std::string format_duration(std::optional<Duration> d, DurationFormat format) {
  return d ? format_duration(*d, format) : std::string("-");
}

}  // namespace aegisrt
