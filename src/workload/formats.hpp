// The two file formats the loader reads (AegisRT's own and InferEdgeOrchestrator task configs) and
// what they share. Internal to the workload module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aegisrt/workload/workload.hpp"
#include "reader.hpp"
#include "rules.hpp"

namespace aegisrt::workload {

// AegisRT's format (docs/workload-format.md). `root` is a mapping.
Result<Loaded> load_aegisrt(const Context& ctx, const YAML::Node& root);

// InferEdgeOrchestrator's task config: {run: {...}, tasks: [{name, model_path, target_fps, ...}]}.
Result<Loaded> load_ieo(const Context& ctx, const YAML::Node& root);

// True when `root` (a mapping) is an InferEdgeOrchestrator config: it has a `run` object, or it
// has none of AegisRT's top-level keys (name, device, scheduler) and its first task uses IEO keys
// (target_fps, latency_budget_ms, queue_size, model_path, ...).
bool looks_like_ieo(const YAML::Node& root);

// Parses a samples file: one duration with its unit per line ("1.25ms"), `#` comments, blank lines.
// Errors are kParse and name `file`, the line and the column of the offending text.
Result<std::vector<Duration>> parse_samples(std::string_view text, const std::string& file);

// `p` relative to the workload file's folder (absolute paths stay), made absolute and normal.
std::filesystem::path resolve_path(const Context& ctx, const std::string& p);

// True when `p` names an existing regular file.
bool is_existing_file(const std::filesystem::path& p);

// Field names and positions as read from a file, so that rule violations (rules.hpp) are reported
// with the key as written ("deadline_ms 40") at its line and column.
class RecordedNames final : public FieldNames {
 public:
  // Records where task `task`'s logical field `field` came from. Sections ("", "sim", "queue")
  // serve as fallback positions for fields that took their default.
  void put(std::size_t task, std::string field, Value v);
  std::string key(std::size_t task, std::string_view field) const override;
  std::string value(std::size_t task, std::string_view field, std::string fallback) const override;

  // The error for `v`: at the recorded field, or the nearest recorded section.
  Error to_error(const Context& ctx, const Violation& v) const;

 private:
  const Value* find(std::size_t task, std::string_view field) const;
  std::map<std::pair<std::size_t, std::string>, Value> fields_;
};

// Runs check_task on every task and check_names_unique, reporting the first violation.
Status check_all(const Context& ctx, const Workload& w, const RecordedNames& names);

}  // namespace aegisrt::workload
