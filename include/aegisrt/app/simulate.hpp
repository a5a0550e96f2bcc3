// Simulation as every front end runs it (`aegisrt simulate`, the HTTP layer, the Python bindings,
// reports): admit the workload, size the trace, run it on the scheduler state machine in virtual
// time on the `sim` backend, and return plain values that the caller prints or serves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"

namespace aegisrt::app {

struct SimulateOptions {
  Duration horizon = Duration::s(10);  // simulated time; jobs arriving later are not released
  std::uint64_t seed = 1;              // execution times, release jitter, sporadic gaps
  bool force = false;                  // run a set that admission rejects (recorded as forced)
  bool keep_trace = false;             // record every decision into SimulationReport::trace
  std::uint64_t max_trace_bytes = 4ULL << 30;  // refuse a trace that could need more memory
};

// How the run relates to admission.
enum class AdmissionOutcome : std::uint8_t {
  kAdmitted,  // schedulable: every deadline is guaranteed, a miss is a fault of the model
  kForced,    // not schedulable, run anyway (SimulateOptions::force)
  kRefused,   // not schedulable and not forced: nothing ran
};

struct SimulationReport {
  Workload workload;  // as simulated
  analysis::Verdict verdict;
  AdmissionOutcome admission = AdmissionOutcome::kRefused;
  // Things the caller should tell the user, one sentence each (e.g. a workload for another
  // backend simulated on `sim`).
  std::vector<std::string> notes;
  SimulateOptions options;
  sched::RunStats stats;                      // empty when refused
  std::unique_ptr<trace::TraceBuffer> trace;  // set when keep_trace and the run happened
  trace::TraceMeta trace_meta;                // what the trace file's metadata says

  bool ran() const { return admission != AdmissionOutcome::kRefused; }
  // "schedulable", "not schedulable (forced)" or "not schedulable".
  std::string admission_text() const;
  // Jobs that missed their deadline (completed late or aborted at it), over all tasks.
  std::uint64_t misses() const;
  // Misses of an admitted set: the analysis or the task model (WCETs, overheads) does not hold.
  std::uint64_t unexpected_misses() const;
};

// Admits `workload` (with the planner's memory figure for model tasks, app/admission.hpp), then,
// unless it is refused, runs it for opts.horizon. Errors, all with the file and field where they
// apply: kInvalidArgument / kNotFound for a workload admission or the planner cannot read (a
// model that does not import), kResourceExhausted for a trace or statistics too large for
// memory. A refusal is not an error: the report says kRefused with the verdict. Any thread; the
// run is deterministic for (workload, options).
Result<SimulationReport> simulate(Workload workload, const SimulateOptions& opts);

// "admitted, but N misses: the analysis or the model is wrong": what a gating script needs to
// hear when admission said schedulable and the run still missed.
std::string unexpected_misses_sentence(std::uint64_t misses);

}  // namespace aegisrt::app
