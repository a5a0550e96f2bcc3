// `aegisrt explain`: replays the decision inputs recorded in a trace through sched::decide() and
// reports how many recorded choices it reproduces.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"

namespace aegisrt::trace {

// What a mismatch is about.
enum class MismatchKind : std::uint8_t {
  kChoice,    // decide() on the recorded inputs gives another choice, runner-up, reason or shed set
  kInputs,    // a candidate's arrival or deadline differs from its job's release event
  kDispatch,  // the next segment started on the device is not the recorded choice's
  kCount,     // the number of decide events differs from metadata.decisions
};

struct Mismatch {
  std::uint64_t decision = 0;  // index of the decision in the trace, from 0
  TimePoint time;
  std::string recorded;  // e.g. "detector#12 (shed: none)"
  std::string replayed;
  MismatchKind kind = MismatchKind::kChoice;
};

// One decision as the trace explains it (for `aegisrt explain --verbose`).
struct ExplainedDecision {
  std::uint64_t decision = 0;
  TimePoint time;
  std::string reason_text;  // the recorded sentence, e.g. "detector#12: earliest deadline 33ms"
  bool reproduced = false;
};

struct ExplainReport {
  std::string workload;
  Policy policy = Policy::kNpEdf;
  std::uint64_t decisions = 0;
  std::uint64_t reproduced = 0;  // decisions that passed every check (choice, inputs, dispatch)
  std::vector<Mismatch> mismatches;
  std::uint64_t lost_records = 0;  // records the run could not store: the trace is truncated
  std::string backend;
  bool load_shedding = false;
  std::vector<ExplainedDecision> details;  // every decision, in trace order
  bool all_reproduced() const {
    return decisions == reproduced && lost_records == 0 && mismatches.empty();
  }
};

const char* to_string(MismatchKind k);

// Reads a trace written by write_chrome_json and checks every "decide" event: the replayed choice
// (chosen, runner-up, reason, shed flags), the candidates' arrival and deadline against their
// jobs' release events, and that the chosen job's segment is the next one on the device track
// (docs/design/0005-traces.md). Errors: kNotFound (no such file), kParse (not JSON, not an AegisRT
// trace, or a malformed decide event: the message names the event index, `where.field` the
// missing or mistyped field), kUnsupported (another aegisrt_trace_version). Thread-compatible.
Result<ExplainReport> explain_file(const std::string& path);
Result<ExplainReport> explain_text(std::string_view json, const std::string& name_for_errors);

}  // namespace aegisrt::trace
