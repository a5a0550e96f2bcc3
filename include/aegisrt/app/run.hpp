// `aegisrt run` as a library call: admission on the tasks' profiles, then the workload in real time
// on its backend through the real-time dispatcher (runtime/dispatcher.hpp), and the report.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/simulate.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/runtime/dispatcher.hpp"
#include "aegisrt/runtime/outcomes.hpp"
#include "aegisrt/runtime/resources.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"

namespace aegisrt::app {

// Writes the inputs of `job` of a self-releasing task: one span per model input, each the input's
// element count. On the dispatcher thread at the job's first segment, inside the measured
// segment: it must be short and must not block, allocate or throw.
using InputCallback =
    std::function<void(std::uint64_t job, std::span<const std::span<float>> inputs)>;

struct RealtimeOptions {
  Duration duration = Duration::s(10);  // jobs arriving later are not released; then it drains
  std::uint64_t seed = 1;               // jitter, sporadic gaps, sim draws, seeded inputs
  bool force = false;                   // run a set admission rejects (recorded as forced)
  bool keep_trace = false;
  std::uint64_t max_trace_bytes = 4ULL << 30;
  // Tasks released only by submit() (event-driven: a frame arrives), by name; sporadic tasks
  // (their period is the minimum inter-arrival time submit() enforces). The embedding API's
  // Runtime::submit gives each job its inputs.
  std::vector<std::string> submitted;
  // Self-releasing tasks whose inputs an application writes for each job, by task name.
  std::vector<std::pair<std::string, InputCallback>> input_callbacks;
  // Results kept for Runtime::poll / wait_completion: the queue's capacity (0: no queue). A result
  // that finds it full is counted (RuntimeTelemetry::completions_lost), never waited for.
  std::uint32_t completion_capacity = 0;
  // Copy each completed job's outputs into its Completion (and pass them to on_outcome, as views).
  bool keep_outputs = true;
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

struct RuntimeTelemetry {
  struct Task {
    // Start latency of each started job: its first segment's start minus its arrival (release
    // jitter, timer overshoot, queueing and blocking behind other jobs), in order, reserved for
    // the run's releases.
    std::vector<Duration> start_latency;
    std::uint32_t max_queue = 0;       // the longest its queue was after a release
    backend::TaskFaults faults;        // its execution context's error state
    std::uint64_t submit_refused = 0;  // submit() calls refused (kFull, kBadInput, kStopped)
  };
  std::vector<Task> tasks;             // by task id
  std::uint64_t completions_lost = 0;  // results that found the completion queue full
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
  RuntimeTelemetry telemetry;

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
