// `aegisrt run` as a library call: admission on the tasks' profiles, then the workload in real time
// on its backend through the real-time dispatcher (runtime/dispatcher.hpp), and the report.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/simulate.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/runtime/dispatcher.hpp"
#include "aegisrt/runtime/outcomes.hpp"
#include "aegisrt/runtime/resources.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"

namespace aegisrt::app {

struct RealtimeOptions {
  Duration duration = Duration::s(10);  // jobs arriving later are not released; then it drains
  std::uint64_t seed = 1;               // jitter, sporadic gaps, sim draws, seeded inputs
  bool force = false;                   // run a set admission rejects (recorded as forced)
  bool keep_trace = false;
  std::uint64_t max_trace_bytes = 4ULL << 30;
  std::vector<TaskId> external;        // tasks released only by Dispatcher::submit
  std::optional<int> dispatcher_core;  // pin the dispatcher thread
  std::optional<int> rt_priority;      // SCHED_FIFO priority of the dispatcher (empty: none)
  // mlockall(MCL_CURRENT | MCL_FUTURE) before the run, so that no page of the models, arenas or
  // stacks faults during it; a failure is reported in the notes and the run goes on.
  bool lock_memory = false;
  // Called on the calling thread once the dispatcher runs (to submit frames, or to stop it on a
  // signal); it may keep the reference until run_realtime returns.
  std::function<void(runtime::Dispatcher&)> on_started;
  // Every job's outcome (completed with its response, or dropped with its reason), on the
  // dispatcher thread as it happens (runtime/outcomes.hpp says what the callback may do).
  runtime::OutcomeCallback on_outcome;
};

struct RealtimeReport {
  Workload workload;  // as run: segments from the profiles where the tasks' wcet_source says so
  analysis::Verdict verdict;
  AdmissionOutcome admission = AdmissionOutcome::kRefused;
  std::vector<std::string> notes;  // warnings of the profiles; what the hygiene steps achieved
  sched::RunStats stats;
  runtime::DispatcherStats dispatcher;
  std::unique_ptr<trace::TraceBuffer> trace;
  trace::TraceMeta trace_meta;
  Duration wall;                               // from the dispatcher's start to its end
  runtime::ResourceSnapshot resources_before;  // after loading, before the dispatcher starts
  runtime::ResourceSnapshot resources_after;   // after it ended

  bool ran() const { return admission != AdmissionOutcome::kRefused; }
  std::uint64_t misses() const;
  // Misses of an admitted set (the bounds or the platform did not hold).
  std::uint64_t unexpected_misses() const;
};

// Admits `workload` as `aegisrt admit` does (profiles, the planner's memory), and unless refused
// runs it in real time for opts.duration and the drain. Blocks for the run. Errors: those of
// admission (a stale or missing profile, a model that does not load), of the backend's prepare
// and of the dispatcher's start; a refusal is a report with kRefused.
Result<RealtimeReport> run_realtime(Workload workload, const RealtimeOptions& opts);

}  // namespace aegisrt::app
