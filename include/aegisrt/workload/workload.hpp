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

// Reads and validates a workload file (format and defaults: docs/workload-format.md). Relative
// paths inside it (models, sample files) resolve against the file's folder and are stored absolute;
// empirical samples are read into SimSpec::samples. Task i gets id i. Errors: kNotFound (no such
// workload, model or samples file), kParse (not YAML/JSON, or a bad samples file),
// kInvalidArgument (a field is wrong: the error's `where` names file, line, column and field path,
// its hint says what would be valid, and an unknown key gets the nearest valid key suggested),
// kInternal (a bug: never expected). Never throws. Safe to call from any thread.
Result<Loaded> load_file(const std::string& path);

// Same, from text; `name_for_errors` stands in for the file name in messages.
Result<Loaded> load_text(std::string_view text, const std::string& name_for_errors,
                         const std::string& base_dir = ".");

// Checks a workload built in code (the rules load_* apply): ids match positions, names are unique
// and match [A-Za-z0-9_.-]+, 0 < deadline <= period, 0 <= jitter <= period, phase >= 0, segments
// positive (empty only for a task with a model), queue capacity 1..1e6, sporadic max >= min, sim
// fractions in range, a known backend. The error's `where.field` names the member
// ("tasks[1].deadline"); file, line and column are empty.
Status validate(const Workload& w);

// The normalised workload, as printed by `aegisrt check`: every default filled in, durations as
// integer `_ns` keys, sizes in bytes, and of the sim parameters those the distribution uses. It is
// a valid workload file: loading it gives back `w` (except source_file, and segment names, which
// are always seg0, seg1, ...). A task's segments are written only through its `sim`.
std::string to_yaml(const Workload& w);
std::string to_json(const Workload& w);  // pretty-printed JSON object

}  // namespace aegisrt::workload
