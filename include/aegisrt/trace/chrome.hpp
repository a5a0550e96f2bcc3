// Chrome trace-event JSON export: opens in the Perfetto UI (ui.perfetto.dev) and chrome://tracing,
// and carries every decision's inputs so that `aegisrt explain` can replay them.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/trace/buffer.hpp"

namespace aegisrt::trace {

struct TraceMeta {
  std::string workload;  // workload name
  std::string backend;   // "sim", ...
  Policy policy = Policy::kNpEdf;
  bool load_shedding = true;
  std::uint64_t seed = 0;  // the run's seed
  Duration horizon;
  std::vector<std::string> task_names;  // by task id
  std::string node;                     // host name / device identity, may be empty
  // The admission verdict the run started under: "schedulable", "not schedulable (forced)" or
  // "not analysed", with the test and the one-sentence advice (may be empty).
  std::string admission;
  std::string admission_detail;
};

// Writes the trace as one JSON object {"traceEvents": [...], "metadata": {...}}. Deterministic:
// the same records and meta give the same bytes.
void write_chrome_json(std::ostream& out, const TraceMeta& meta, const TraceBuffer& buffer);

// Same, to a file. Errors: kNotFound / kInternal when the file cannot be written.
Status write_chrome_json(const std::string& path, const TraceMeta& meta, const TraceBuffer& buffer);

}  // namespace aegisrt::trace
