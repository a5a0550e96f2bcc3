// Workload files: YAML (or JSON) in, a validated Workload out, with errors that name the file,
// line, column and field. Also reads InferEdgeOrchestrator task configs (docs/workload-format.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"

namespace aegisrt::workload {

// How a file in a foreign format was mapped onto AegisRT tasks: one line per decision, for
// `aegisrt check` to print.
struct Mapping {
  std::string format;  // "aegisrt" or "inferedge-orchestrator"
  std::vector<std::string> notes;
};

struct Loaded {
  Workload workload;
  Mapping mapping;
  std::vector<std::string> warnings;  // valid but suspicious (e.g. samples above the WCET)
};

// Reads and validates a workload file. Relative paths inside it (models, sample files) resolve
// against the file's folder. Errors: kNotFound (no such file), kParse (not YAML/JSON),
// kInvalidArgument (a field is wrong: the error's `where` names file, line, column and field path,
// its hint says what would be valid, and an unknown key gets the nearest valid key suggested).
Result<Loaded> load_file(const std::string& path);

// Same, from text; `name_for_errors` stands in for the file name in messages.
Result<Loaded> load_text(std::string_view text, const std::string& name_for_errors,
                         const std::string& base_dir = ".");

// Checks a workload built in code (the rules load_* apply): ids match positions, names are unique
// and non-empty, 0 < deadline <= period, segments positive, queue capacity >= 1, jitter <= period.
Status validate(const Workload& w);

// The normalised workload, as printed by `aegisrt check`: durations in integer nanoseconds.
std::string to_yaml(const Workload& w);
std::string to_json(const Workload& w);  // pretty-printed JSON object

}  // namespace aegisrt::workload
