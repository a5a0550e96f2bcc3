#include "reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "aegisrt/core/decimal.hpp"

namespace aegisrt::workload {

namespace {

constexpr std::array<std::string_view, 4> kDurationUnits = {"ns", "us", "ms", "s"};
constexpr std::array<std::string_view, 4> kSizeUnits = {"bytes", "kib", "mib", "gib"};

std::span<const std::string_view> units_of(UnitFamily family) {
  switch (family) {
    case UnitFamily::kDuration:
      return kDurationUnits;
    case UnitFamily::kSize:
      return kSizeUnits;
    case UnitFamily::kNone:
      break;
  }
  return {};
}

int find_unit(UnitFamily family, std::string_view unit) {
  const auto units = units_of(family);
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i] == unit) return static_cast<int>(i);
  }
  return -1;
}

// "period_<unit>" for a family, the name itself otherwise.
std::string spec_display(const KeySpec& k) {
  return k.family == UnitFamily::kNone ? std::string(k.name) : std::string(k.name) + "_<unit>";
}

std::string family_keys(std::string_view base, UnitFamily family) {
  const auto units = units_of(family);
  std::string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (i > 0) out += i + 1 == units.size() ? " or " : ", ";
    out += fmt::format("{}_{}", base, units[i]);
  }
  return out;
}

std::string family_what(UnitFamily family) {
  return family == UnitFamily::kDuration ? "duration" : "size";
}

std::string scope_of(const std::string& path) { return path.empty() ? "the top level" : path; }

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

int mark_line(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

std::optional<double> parse_double(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Error error_at(const Context& ctx, const YAML::Node& node, const YAML::Node& anchor,
               std::string field, std::string message, std::string hint, ErrorCode code) {
  Error e = make_error(code, std::move(message), std::move(hint));
  e.where.file = ctx.file;
  YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  // A null value's mark points past it (at the next token), so use its key's.
  if ((node.IsDefined() && node.IsNull()) || mark.line < 0) {
    if (anchor.IsDefined() && anchor.Mark().line >= 0) mark = anchor.Mark();
  }
  if (mark.line >= 0) {
    e.where.line = mark.line + 1;
    e.where.column = mark.column + 1;
  }
  e.where.field = std::move(field);
  return e;
}

Error error_at(const Context& ctx, const Value& v, std::string message, std::string hint,
               ErrorCode code) {
  return error_at(ctx, v.node, v.key, v.path, std::move(message), std::move(hint), code);
}

std::string warning_at(const Context& ctx, const Value& v, const std::string& message) {
  return error_at(ctx, v, message).to_string();
}

std::string describe_node(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return fmt::format("`{}`", node.Scalar());
}

Result<MapReader> MapReader::open(const Context& ctx, const YAML::Node& map, std::string path,
                                  std::span<const KeySpec> keys) {
  MapReader r;
  r.node_ = map;
  r.path_ = std::move(path);
  std::vector<std::string> candidates;
  std::vector<std::string> listing;
  for (const KeySpec& k : keys) {
    listing.push_back(spec_display(k));
    if (k.family == UnitFamily::kNone) {
      candidates.emplace_back(k.name);
    } else {
      for (std::string_view u : units_of(k.family))
        candidates.push_back(fmt::format("{}_{}", k.name, u));
    }
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      return error_at(
          ctx, key, map, r.path_,
          fmt::format("a key in {} is {}, not a name", scope_of(r.path_), describe_node(key)),
          "keys are plain names such as `name` or `period_ms`");
    }
    const std::string text = key.Scalar();
    Field f;
    f.value = Value{it->second, key, child_path(r.path_, text), text};
    const KeySpec* matched = nullptr;
    for (const KeySpec& k : keys) {
      if (k.family == UnitFamily::kNone && k.name == text) {
        matched = &k;
        break;
      }
    }
    if (matched == nullptr) {
      const std::size_t split = text.rfind('_');
      if (split != std::string::npos) {
        const std::string_view base = std::string_view(text).substr(0, split);
        const std::string_view unit = std::string_view(text).substr(split + 1);
        for (const KeySpec& k : keys) {
          if (k.family == UnitFamily::kNone || k.name != base) continue;
          f.unit = find_unit(k.family, unit);
          if (f.unit < 0) {
            return error_at(ctx, key, map, f.value.path,
                            fmt::format("unknown unit `{}` in key `{}`", unit, text),
                            fmt::format("a {} key ends in its unit: {}", family_what(k.family),
                                        family_keys(k.name, k.family)));
          }
          matched = &k;
          break;
        }
      }
    }
    if (matched == nullptr) {
      for (const KeySpec& k : keys) {
        if (k.family != UnitFamily::kNone && k.name == text) {
          return error_at(ctx, key, map, f.value.path,
                          fmt::format("key `{}` in {} needs a unit", text, scope_of(r.path_)),
                          fmt::format("a {} key ends in its unit: {}", family_what(k.family),
                                      family_keys(k.name, k.family)));
        }
      }
      const auto suggestion = nearest(text, candidates);
      return error_at(ctx, key, map, f.value.path,
                      fmt::format("unknown key `{}` in {}", text, scope_of(r.path_)),
                      suggestion ? fmt::format("did you mean `{}`?", *suggestion)
                                 : fmt::format("valid keys here: {}", join(listing)));
    }
    f.base = std::string(matched->name);
    for (const Field& earlier : r.fields_) {
      if (earlier.base != f.base) continue;
      if (earlier.value.key_text == text) {
        return error_at(ctx, key, map, f.value.path,
                        fmt::format("key `{}` is given twice in {} (first on line {})", text,
                                    scope_of(r.path_), mark_line(earlier.value.key)),
                        "give each key once");
      }
      return error_at(ctx, key, map, f.value.path,
                      fmt::format("`{}` repeats `{}` (line {}) in another unit", text,
                                  earlier.value.key_text, mark_line(earlier.value.key)),
                      fmt::format("give the {} once, in one unit",
                                  std::string_view(f.base) == "memory" ? "size" : f.base));
    }
    r.fields_.push_back(std::move(f));
  }
  return r;
}

const Field* MapReader::get(std::string_view base) const {
  for (const Field& f : fields_) {
    if (f.base == base) return &f;
  }
  return nullptr;
}

Result<MapReader> open_map(const Context& ctx, const Value& v, std::span<const KeySpec> keys,
                           const std::string& example) {
  if (!v.node.IsMap()) {
    return error_at(ctx, v, fmt::format("expected a mapping, got {}", describe_node(v.node)),
                    example);
  }
  return MapReader::open(ctx, v.node, v.path, keys);
}

Result<std::string> read_string(const Context& ctx, const Value& v) {
  if (!v.node.IsScalar()) {
    return error_at(ctx, v, fmt::format("expected a string, got {}", describe_node(v.node)));
  }
  return v.node.Scalar();
}

Result<double> read_number(const Context& ctx, const Value& v) {
  if (!v.node.IsScalar()) {
    return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
  }
  const auto value = parse_double(v.node.Scalar());
  if (!value) {
    return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
  }
  if (!std::isfinite(*value)) {
    return error_at(ctx, v, fmt::format("expected a finite number, got {}", describe_node(v.node)));
  }
  return *value;
}

Result<std::int64_t> read_integer(const Context& ctx, const Value& v, std::int64_t lo,
                                  std::int64_t hi) {
  if (!v.node.IsScalar()) {
    return error_at(ctx, v, fmt::format("expected an integer, got {}", describe_node(v.node)));
  }
  const std::string& scalar = v.node.Scalar();
  std::string_view text = scalar;
  if (text.size() > 1 && text.front() == '+' && text[1] >= '0' && text[1] <= '9') {
    text.remove_prefix(1);
  }
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    // Also an integral number written as a decimal ("2.0", "1e6"), read exactly; and a plain
    // integer beyond int64, which from_chars refuses, is out of range rather than malformed.
    const std::optional<Decimal> d = parse_decimal(scalar);
    const ExactInteger n = d ? to_int64(*d) : ExactInteger{ExactStatus::kNotInteger, 0};
    if (n.status == ExactStatus::kNotInteger) {
      return error_at(ctx, v, fmt::format("expected an integer, got {}", describe_node(v.node)));
    }
    if (n.status == ExactStatus::kOutOfRange) {
      return error_at(ctx, v, fmt::format("{} {} is out of range", v.key_text, scalar),
                      fmt::format("an integer from {} to {}", lo, hi));
    }
    value = n.value;
  }
  if (value < lo || value > hi) {
    return error_at(ctx, v, fmt::format("{} {} is out of range", v.key_text, scalar),
                    fmt::format("an integer from {} to {}", lo, hi));
  }
  return value;
}

Result<bool> read_bool(const Context& ctx, const Value& v) {
  if (v.node.IsScalar()) {
    std::string s = v.node.Scalar();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s == "true") return true;
    if (s == "false") return false;
  }
  return error_at(ctx, v, fmt::format("expected true or false, got {}", describe_node(v.node)));
}

Result<std::size_t> read_enum(const Context& ctx, const Value& v,
                              std::span<const std::string> names, std::string_view what) {
  auto s = read_string(ctx, v);
  if (!s) return s.error();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == *s) return i;
  }
  const auto suggestion = nearest(*s, names);
  std::string hint = suggestion ? fmt::format("did you mean `{}`? ", *suggestion) : std::string();
  hint += fmt::format("one of: {}", join(names));
  return error_at(ctx, v, fmt::format("`{}` is not {}", *s, what), hint);
}

Result<Duration> read_duration(const Context& ctx, const Value& v, TimeUnit unit) {
  if (!v.node.IsScalar()) {
    return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
  }
  const std::string& text = v.node.Scalar();
  const ParsedDuration d = parse_duration_number(text, unit);
  switch (d.problem) {
    case DurationProblem::kNone:
      return d.value;
    case DurationProblem::kMalformed:
      break;
    case DurationProblem::kNotWholeNs:
      return error_at(ctx, v,
                      fmt::format("{} {} is not a whole number of nanoseconds", v.key_text, text),
                      duration_decimals_hint(unit));
    case DurationProblem::kTooLarge:
      return error_at(ctx, v,
                      fmt::format("{} {} is too {}", v.key_text, text,
                                  text.starts_with('-') ? "far below zero" : "large"),
                      "durations must fit in 64-bit nanoseconds (about 292 years)");
  }
  return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
}

std::string duration_decimals_hint(TimeUnit unit) {
  const int decimals = max_decimals(unit);
  if (decimals == 0) {
    return "durations are integer nanoseconds: write a whole number in a _ns field";
  }
  return fmt::format(
      "durations are integer nanoseconds: write at most {} decimals in a _{} field (or a "
      "smaller unit)",
      decimals, unit_suffix(unit));
}

Result<std::uint64_t> read_size(const Context& ctx, const Value& v, int size_unit) {
  if (!v.node.IsScalar()) {
    return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
  }
  const std::string& text = v.node.Scalar();
  const std::optional<Decimal> number = parse_decimal(text);
  if (!number) {
    return error_at(ctx, v, fmt::format("expected a number, got {}", describe_node(v.node)));
  }
  if (number->negative && !number->is_zero()) {
    return error_at(ctx, v, fmt::format("{} {} is negative", v.key_text, text),
                    "a size is 0 or more");
  }
  // Sizes are rounded to the nearest byte (docs/workload-format.md), exactly.
  std::uint64_t multiplier = 1;
  for (int k = 0; k < size_unit; ++k) multiplier *= 1024;
  const ExactUnsigned bytes = to_uint64_rounded(*number, multiplier);
  if (bytes.status != ExactStatus::kOk) {
    return error_at(ctx, v, fmt::format("{} {} is too large", v.key_text, text),
                    "a size must fit in 64 bits");
  }
  return bytes.value;
}

TimeUnit duration_unit(int unit_index) {
  switch (unit_index) {
    case 0:
      return TimeUnit::kNs;
    case 1:
      return TimeUnit::kUs;
    case 2:
      return TimeUnit::kMs;
    default:
      return TimeUnit::kS;
  }
}

std::string_view unit_name(UnitFamily family, int unit_index) {
  const auto units = units_of(family);
  if (unit_index < 0 || static_cast<std::size_t>(unit_index) >= units.size()) return {};
  return units[static_cast<std::size_t>(unit_index)];
}

Value element(const Value& list, std::size_t i) {
  return Value{list.node[i], list.key, fmt::format("{}[{}]", list.path, i),
               fmt::format("{}[{}]", list.key_text, i)};
}

}  // namespace aegisrt::workload
