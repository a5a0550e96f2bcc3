#include "aegisrt/core/decimal.hpp"

#include <limits>

namespace aegisrt {

namespace {

__extension__ using U128 = unsigned __int128;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::int64_t kMaxExponent = 1'000'000'000;

// The integer whose decimal digits are `text` (at most 20 of them, no sign), or nullopt above
// uint64.
std::optional<std::uint64_t> parse_u64(std::string_view text) {
  if (text.size() > 20) return std::nullopt;
  U128 v = 0;
  for (char c : text) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v > std::numeric_limits<std::uint64_t>::max()) return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

}  // namespace

std::int64_t Decimal::integer_digits() const {
  const std::int64_t n = static_cast<std::int64_t>(digits.size()) + exponent;
  return is_zero() || n < 0 ? 0 : n;
}

std::optional<Decimal> parse_decimal(std::string_view text) {
  Decimal d;
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    d.negative = text[i] == '-';
    ++i;
  }
  std::string all;  // integer digits then fraction digits
  std::size_t integer_count = 0;
  while (i < text.size() && is_digit(text[i])) {
    all += text[i++];
    ++integer_count;
  }
  std::size_t fraction_count = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      all += text[i++];
      ++fraction_count;
    }
  }
  if (integer_count + fraction_count == 0) return std::nullopt;
  std::int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size() || !is_digit(text[i])) return std::nullopt;
    while (i < text.size() && is_digit(text[i])) {
      exponent = exponent * 10 + (text[i++] - '0');
      if (exponent > kMaxExponent) return std::nullopt;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;

  exponent -= static_cast<std::int64_t>(fraction_count);
  const std::size_t first = all.find_first_not_of('0');
  if (first == std::string::npos) return Decimal{};  // zero, whatever its sign
  const std::size_t last = all.find_last_not_of('0');
  exponent += static_cast<std::int64_t>(all.size() - 1 - last);
  d.digits = all.substr(first, last - first + 1);
  d.exponent = exponent;
  return d;
}

ExactInteger to_int64(const Decimal& d, int shift) {
  if (d.is_zero()) return {ExactStatus::kOk, 0};
  const std::int64_t e = d.exponent + shift;
  // Values of 20 or more integer digits are at least 10^19, beyond int64 either way.
  if (static_cast<std::int64_t>(d.digits.size()) + e > 19) return {ExactStatus::kOutOfRange, 0};
  // The last digit is not zero, so a negative exponent leaves a fraction.
  if (e < 0) return {ExactStatus::kNotInteger, 0};
  const auto magnitude =
      parse_u64(d.digits + std::string(static_cast<std::size_t>(e), '0'));  // <= 19 digits
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + (d.negative ? 1 : 0);
  if (!magnitude || *magnitude > limit) return {ExactStatus::kOutOfRange, 0};
  if (!d.negative) return {ExactStatus::kOk, static_cast<std::int64_t>(*magnitude)};
  // -magnitude without overflow at INT64_MIN.
  return {ExactStatus::kOk, static_cast<std::int64_t>(0 - *magnitude)};
}

ExactUnsigned to_uint64_rounded(const Decimal& d, std::uint64_t multiplier) {
  if (d.is_zero() || multiplier == 0) return {ExactStatus::kOk, 0};
  // digits x multiplier, in decimal, least significant digit first.
  std::string product;
  U128 carry = 0;
  for (auto it = d.digits.rbegin(); it != d.digits.rend(); ++it) {
    const U128 cur = static_cast<U128>(*it - '0') * multiplier + carry;
    product += static_cast<char>('0' + static_cast<int>(cur % 10));
    carry = cur / 10;
  }
  while (carry > 0) {
    product += static_cast<char>('0' + static_cast<int>(carry % 10));
    carry /= 10;
  }
  std::string value(product.rbegin(), product.rend());  // most significant first
  std::string integer;
  bool round_up = false;
  if (d.exponent >= 0) {
    if (static_cast<std::int64_t>(value.size()) + d.exponent > 20) {
      return {ExactStatus::kOutOfRange, 0};
    }
    integer = value + std::string(static_cast<std::size_t>(d.exponent), '0');
  } else {
    const std::int64_t fraction = -d.exponent;
    const std::int64_t size = static_cast<std::int64_t>(value.size());
    if (fraction < size) {
      integer = value.substr(0, static_cast<std::size_t>(size - fraction));
      round_up = value[static_cast<std::size_t>(size - fraction)] >= '5';
    } else {
      // No integer digits; the first fraction digit is the value's own only if nothing pads it.
      round_up = fraction == size && value[0] >= '5';
    }
  }
  const std::size_t first = integer.find_first_not_of('0');
  integer = first == std::string::npos ? std::string() : integer.substr(first);
  auto magnitude = parse_u64(integer.empty() ? std::string_view("0") : std::string_view(integer));
  if (!magnitude) return {ExactStatus::kOutOfRange, 0};
  if (round_up) {
    if (*magnitude == std::numeric_limits<std::uint64_t>::max()) {
      return {ExactStatus::kOutOfRange, 0};
    }
    ++*magnitude;
  }
  if (d.negative && *magnitude > 0) return {ExactStatus::kOutOfRange, 0};
  return {ExactStatus::kOk, *magnitude};
}

}  // namespace aegisrt
