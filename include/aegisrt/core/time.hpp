// Time in AegisRT: integer nanoseconds, as two strong types.
//
// `Duration` is a signed span; `TimePoint` is an instant on one clock's timeline (virtual or
// steady). One tick is one nanosecond: the analysis (docs/design/0002) and the scheduler share this
// convention. Arithmetic that would overflow int64 is a programming error in the scheduler and is
// checked by the parsers, which reject any duration that does not fit.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace aegisrt {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration ns(std::int64_t v) { return Duration(v); }
  static constexpr Duration us(std::int64_t v) { return Duration(v * 1'000); }
  static constexpr Duration ms(std::int64_t v) { return Duration(v * 1'000'000); }
  static constexpr Duration s(std::int64_t v) { return Duration(v * 1'000'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t count() const { return ns_; }
  constexpr double to_ms() const { return static_cast<double>(ns_) / 1e6; }
  constexpr double to_us() const { return static_cast<double>(ns_) / 1e3; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(std::int64_t k) const { return Duration(ns_ * k); }
  constexpr std::int64_t operator/(Duration o) const { return ns_ / o.ns_; }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    ns_ -= o.ns_;
    return *this;
  }

 private:
  constexpr explicit Duration(std::int64_t v) : ns_(v) {}
  std::int64_t ns_ = 0;
};

class TimePoint {
 public:
  constexpr TimePoint() = default;
  static constexpr TimePoint from_ns(std::int64_t v) { return TimePoint(v); }
  static constexpr TimePoint max() { return TimePoint(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr Duration since_epoch() const { return Duration::ns(ns_); }

  constexpr auto operator<=>(const TimePoint&) const = default;
  constexpr TimePoint operator+(Duration d) const { return TimePoint(ns_ + d.count()); }
  constexpr TimePoint operator-(Duration d) const { return TimePoint(ns_ - d.count()); }
  constexpr Duration operator-(TimePoint o) const { return Duration::ns(ns_ - o.ns_); }
  constexpr TimePoint& operator+=(Duration d) {
    ns_ += d.count();
    return *this;
  }

 private:
  constexpr explicit TimePoint(std::int64_t v) : ns_(v) {}
  std::int64_t ns_ = 0;
};

// A duration unit as written in workload keys (`period_ms`) and on the command line (`250ms`).
enum class TimeUnit : std::uint8_t { kNs, kUs, kMs, kS };

// Nanoseconds in one unit.
std::int64_t unit_ns(TimeUnit unit);

// Parses a unit name ("ns", "us", "ms", "s"). Returns nullopt for anything else.
std::optional<TimeUnit> parse_unit(std::string_view name);

// The unit's name as written in keys and suffixes: "ns", "us", "ms", "s".
std::string_view unit_suffix(TimeUnit unit);

// Decimals a value written in `unit` may have and still be whole nanoseconds: 0 for ns, 3 for us,
// 6 for ms, 9 for s (the unit is 10^max_decimals ns).
int max_decimals(TimeUnit unit);

// Converts a computed real `value` in `unit` to a Duration, rounding to the nearest nanosecond.
// Returns nullopt when the value is not finite or does not fit in int64 nanoseconds. Not for text:
// durations written in files and on the command line go through parse_duration_number, exactly.
std::optional<Duration> duration_from(double value, TimeUnit unit);

// Why a duration's text was refused.
enum class DurationProblem : std::uint8_t {
  kNone,
  kMalformed,   // not a decimal number (or, with a suffix, no known unit)
  kNotWholeNs,  // digits below one nanosecond: 1.5 ns, 0.0000001 ms
  kTooLarge,    // beyond int64 nanoseconds (about 292 years either way)
};

struct ParsedDuration {
  Duration value;  // meaningful when problem is kNone
  DurationProblem problem = DurationProblem::kNone;
  bool ok() const { return problem == DurationProblem::kNone; }
};

// Reads a decimal number written in `unit` ("33.333" in ms, "1e6" in ns, "-2.5e-3" in s; see
// parse_decimal in decimal.hpp) as exact integer nanoseconds: no floating point, no rounding.
// 9007199254740993 ns stays 9007199254740993 ns; 9223372036.854775807 s is INT64_MAX ns.
ParsedDuration parse_duration_number(std::string_view number, TimeUnit unit);

// A command-line duration with a mandatory unit suffix ("250ms", "10s", "400000us", "1.5ms"), read
// exactly as parse_duration_number does; a missing or unknown unit is kMalformed.
ParsedDuration parse_duration_text(std::string_view text);

// parse_duration_text's value, or nullopt for any problem.
std::optional<Duration> parse_duration(std::string_view text);

// How a duration is written: the one formatter for durations in messages, reports and traces.
//
// - unit: the unit to write in; empty picks the largest unit not above the magnitude (s from 1 s,
//   ms from 1 ms, us from 1 us, ns below), chosen before any rounding.
// - decimals: empty writes the value exactly, with the decimals it needs and no trailing zeros
//   ("33.333333ms", "1.5s", "250us"); n (0 to 9) writes exactly n decimals, rounded to nearest
//   with halves away from zero in integer arithmetic ("33.333ms" for 33333500 ns is "33.334ms"),
//   padded with zeros past the nanosecond ("17.000ns"). No floating point either way.
// - suffix: the unit's name after the number, with no space ("3.724ms"); false for a table
//   column whose header names the unit.
// A value that rounds to zero is written without a sign ("0.000" for -1 ns in ms at 3 decimals).
//
// The styles in use: exact (the default) in messages, notes, verdicts and explain; exact in ms
// (`{.unit = TimeUnit::kMs}`) for workload-import notes, which speak in the file's ms keys;
// 3 decimals of ms for measured latencies (`aegisrt infer`, `aegisrt simulate`'s tables); 3
// decimals of us with no suffix for Chrome trace timestamps (exact there: 1 us is 1000 ns).
struct DurationFormat {
  std::optional<TimeUnit> unit = std::nullopt;
  std::optional<int> decimals = std::nullopt;
  bool suffix = true;
};

// Writes `d` as `format` says (see DurationFormat). Appends to `out`; allocates only when `out`
// grows, so a writer that reserves its buffer (the trace exporter) does not allocate per value.
void append_duration(std::string& out, Duration d, DurationFormat format = {});

// append_duration into a new string: "33.333333ms", "1.5s", "250us", "17ns", "-2us" by default.
std::string format_duration(Duration d, DurationFormat format = {});

// As above, and "-" for an empty value (a statistic the sample cannot give, see stats.hpp).
std::string format_duration(std::optional<Duration> d, DurationFormat format = {});

}  // namespace aegisrt
