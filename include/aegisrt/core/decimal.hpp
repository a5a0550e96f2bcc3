// Decimal numbers read exactly as written, with no floating point on the path.
//
// Workload files and the command line write integers and durations as decimal text ("33.333",
// "1e6", "9007199254740993"). Going through `double` would change integers above 2^53 and values
// with many digits silently; these functions keep every digit and say when a value is not an
// integer or does not fit, so that the caller can name the field and what to write instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aegisrt {

// A decimal number: (negative ? -1 : 1) x digits x 10^exponent. `digits` has no leading or trailing
// zeros, so zero is the empty string (with exponent 0 and negative false) and a value is an integer
// exactly when it is zero or `exponent >= 0`.
struct Decimal {
  bool negative = false;
  std::string digits;
  std::int64_t exponent = 0;

  bool is_zero() const { return digits.empty(); }
  // Digits before the decimal point once written out (0 for values below 1).
  std::int64_t integer_digits() const;
};

// Reads an optional sign (`+` or `-`), decimal digits with an optional fraction ("12", "12.5",
// ".5", "5.") and an optional exponent ("1e6", "2.5E-3"). Anything else (spaces, "inf", "nan",
// hexadecimal, "1_000", an empty string) gives nullopt. Exponents beyond +-10^9 are refused as
// malformed: no such value fits in 64 bits, and no meaningful one is that small.
std::optional<Decimal> parse_decimal(std::string_view text);

enum class ExactStatus : std::uint8_t {
  kOk,
  kNotInteger,  // digits remain after the decimal point
  kOutOfRange,  // does not fit in int64
};

struct ExactInteger {
  ExactStatus status = ExactStatus::kOk;
  std::int64_t value = 0;  // meaningful when status is kOk
};

// `d` x 10^shift as an exact int64 (shift 9 turns seconds into nanoseconds). kOutOfRange is
// reported before kNotInteger when both hold, so that an absurdly large value is called large.
ExactInteger to_int64(const Decimal& d, int shift = 0);

// `d` x multiplier rounded to the nearest integer (halves away from zero) as an exact uint64, for
// quantities that are rounded by contract (sizes in powers of 1024). kOutOfRange when negative
// (after rounding) or above uint64; never kNotInteger.
struct ExactUnsigned {
  ExactStatus status = ExactStatus::kOk;
  std::uint64_t value = 0;
};
ExactUnsigned to_uint64_rounded(const Decimal& d, std::uint64_t multiplier);

}  // namespace aegisrt
