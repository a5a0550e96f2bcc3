// Reading typed values out of a yaml-cpp tree with errors that name the file, line, column and
// field path. Internal to the workload module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/text.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::workload {

// What every reader needs: the file name for messages, the folder relative paths resolve against,
// and where warnings go.
struct Context {
  std::string file;
  std::filesystem::path base_dir;
  std::vector<std::string>* warnings = nullptr;
};

// A value in the tree: its node, the key it hangs under (a null value has no useful mark, so
// errors point at the key instead) and its field path ("tasks[1].queue.on_full").
struct Value {
  YAML::Node node;
  YAML::Node key;
  std::string path;
  std::string key_text;  // the key as written ("period_ms"), or "name[2]" for list elements
};

// Keys whose name ends in a unit: durations (`period_ms`) and sizes (`memory_mib`).
enum class UnitFamily : std::uint8_t { kNone, kDuration, kSize };

struct KeySpec {
  std::string_view name;  // the whole key, or the part before `_<unit>` for a family
  UnitFamily family = UnitFamily::kNone;
};

// A key found in a mapping: the value plus the unit written in the key (families only).
struct Field {
  Value value;
  std::string base;  // the KeySpec name it matched
  int unit = -1;     // index into the family's unit list
};

// Error at `node` (or at `anchor` when `node` carries no position), line and column 1-based.
Error error_at(const Context& ctx, const YAML::Node& node, const YAML::Node& anchor,
               std::string field, std::string message, std::string hint = {},
               ErrorCode code = ErrorCode::kInvalidArgument);
Error error_at(const Context& ctx, const Value& v, std::string message, std::string hint = {},
               ErrorCode code = ErrorCode::kInvalidArgument);
std::string warning_at(const Context& ctx, const Value& v, const std::string& message);

// "`fast`", "a list", "a mapping", "nothing": how a node is named in "expected X, got Y".
std::string describe_node(const YAML::Node& node);

// The keys of one mapping, checked against the keys it may hold: every key is a plain scalar, known
// (else the nearest valid key is suggested), given once, and a unit family is given in one unit.
class MapReader {
 public:
  // `path` is the mapping's field path ("" for the top level, "tasks[0]", "tasks[0].queue").
  static Result<MapReader> open(const Context& ctx, const YAML::Node& map, std::string path,
                                std::span<const KeySpec> keys);

  const Field* get(std::string_view base) const;
  bool has(std::string_view base) const { return get(base) != nullptr; }
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  // Keys present, in file order.
  const std::vector<Field>& fields() const { return fields_; }

 private:
  YAML::Node node_;
  std::string path_;
  std::vector<Field> fields_;
};

// The mapping under `v`, with a hint of what it should look like.
Result<MapReader> open_map(const Context& ctx, const Value& v, std::span<const KeySpec> keys,
                           const std::string& example);

// Scalars. Numbers may be written plain or quoted; `true`/`false` in any case are the booleans.
Result<std::string> read_string(const Context& ctx, const Value& v);
Result<double> read_number(const Context& ctx, const Value& v);  // finite
// An integer read exactly: plain ("9007199254740993", "+5") or an integral decimal ("2.0", "1e6");
// a fraction is "expected an integer", a value outside [lo, hi] (or int64) is out of range.
Result<std::int64_t> read_integer(const Context& ctx, const Value& v, std::int64_t lo,
                                  std::int64_t hi);
Result<bool> read_bool(const Context& ctx, const Value& v);
// One of `names`: returns its index; an unknown name gets the nearest one suggested.
Result<std::size_t> read_enum(const Context& ctx, const Value& v,
                              std::span<const std::string> names, std::string_view what);
// A duration in the unit of the field's key, read exactly (parse_duration_number): integer
// nanoseconds with no rounding. A value with digits below 1 ns (`period_ms: 0.0000001`,
// `segments_ns: [1.5]`) or beyond int64 nanoseconds is an error naming the field, the value and
// what to write instead.
Result<Duration> read_duration(const Context& ctx, const Value& v, TimeUnit unit);
// "durations are integer nanoseconds: write at most 6 decimals in a _ms field ...".
std::string duration_decimals_hint(TimeUnit unit);
// A size in the unit of the field's key (1024^size_unit bytes), rounded to the nearest byte
// exactly.
Result<std::uint64_t> read_size(const Context& ctx, const Value& v, int size_unit);

TimeUnit duration_unit(int unit_index);
std::string_view unit_name(UnitFamily family, int unit_index);

// The element `i` of the list under `v` as a Value with path "path[i]".
Value element(const Value& list, std::size_t i);
// The value of `f` (convenience).
inline const Value& value_of(const Field& f) { return f.value; }

}  // namespace aegisrt::workload
