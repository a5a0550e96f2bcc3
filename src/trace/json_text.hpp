// Small text helpers for writing JSON by hand: exact microsecond timestamps from integer
// nanoseconds, and escaped strings. Internal to the trace module (the tests use them directly).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace aegisrt::trace::detail {

// Appends `ns` nanoseconds as microseconds with exactly three decimals ("1" -> "0.001",
// "-1500" -> "-1.500"), by integer arithmetic: no floating-point rounding at any magnitude. The
// core formatter's trace style (append_duration in us, 3 decimals, no suffix).
void append_micros(std::string& out, std::int64_t ns);

// Appends a signed / unsigned decimal integer.
void append_int(std::string& out, std::int64_t v);
void append_uint(std::string& out, std::uint64_t v);

// Appends `s` as a quoted JSON string: `"` and `\` escaped, control characters as \n, \t, ... or
// \u00XX, valid UTF-8 passed through, and each byte of an invalid UTF-8 sequence replaced by
// U+FFFD so that the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace aegisrt::trace::detail
