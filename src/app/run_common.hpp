// What `simulate` and `run` share (private to app): admission before a run, the trace buffer
// sized for it, and the trace's metadata.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"

namespace aegisrt::app::detail {

// Admits `admitted` as `aegisrt admit` would, with every response bound and the advice (no
// scaling factor, no preemption points): on the profiles where the tasks' wcet_source says so
// (rewriting `admitted`'s segments) and the planner's memory. The profiles' warnings are appended
// to `notes`. Errors: those of apply_profiles, add_planned_memory and admit.
Result<analysis::Verdict> admit_before_run(Workload& admitted, std::vector<std::string>& notes);

// A trace buffer for `run` of `w`, or kResourceExhausted when it could need more than
// `max_bytes`.
Result<std::unique_ptr<trace::TraceBuffer>> trace_for_run(const Workload& w,
                                                          const sched::RunOptions& run,
                                                          std::uint64_t max_bytes);

// The metadata a trace of `w`'s run carries.
trace::TraceMeta trace_meta(const Workload& w, const std::string& backend, std::uint64_t seed,
                            Duration horizon, const std::string& admission,
                            const analysis::Verdict& verdict);

}  // namespace aegisrt::app::detail
