#include "aegisrt/app/run.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "aegisrt/app/admission.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/runtime/timed_sim_backend.hpp"
#include "run_common.hpp"

namespace aegisrt::app {

std::uint64_t RealtimeReport::misses() const {
  std::uint64_t n = 0;
  for (const sched::TaskStats& t : stats.tasks) n += t.missed;
  return n;
}

std::uint64_t RealtimeReport::unexpected_misses() const {
  return admission == AdmissionOutcome::kAdmitted ? misses() : 0;
}

Result<RealtimeReport> run_realtime(Workload workload, const RealtimeOptions& opts) {
  RealtimeReport report;
  report.workload = std::move(workload);
  Workload& w = report.workload;

  auto verdict = detail::admit_before_run(w, report.notes);
  if (!verdict.ok()) return verdict.error();
  report.verdict = std::move(*verdict);
  if (report.verdict.schedulable) {
    report.admission = AdmissionOutcome::kAdmitted;
  } else if (opts.force) {
    report.admission = AdmissionOutcome::kForced;
  } else {
    return report;
  }

  sched::RunOptions run;
  run.horizon = opts.duration;
  run.seed = opts.seed;
  run.external = opts.external;
  if (opts.keep_trace) {
    auto buffer = detail::trace_for_run(w, run, opts.max_trace_bytes);
    if (!buffer.ok()) return buffer.error();
    report.trace = std::move(*buffer);
  }

  SteadyClock clock;
  std::unique_ptr<backend::Backend> backend;
  if (w.device.backend == "sim") {
    backend = std::make_unique<runtime::TimedSimBackend>(clock, opts.seed);
  } else {
    backend::RunnerBackendOptions o;
    o.seed = static_cast<std::uint32_t>(opts.seed);
    auto made = backend::make_backend(w.device.backend, o);
    if (!made.ok()) return made.error();
    backend = std::move(*made);
  }
  if (Status st = backend->prepare(w); !st.ok()) return st.error();
  runtime::OutcomeSink outcomes(report.trace.get(), opts.on_outcome);
  sched::Scheduler scheduler(
      w, opts.on_outcome ? static_cast<sched::TraceSink*>(&outcomes) : report.trace.get());
  if (Status st = scheduler.prepare(run); !st.ok()) return st.error();

  if (opts.lock_memory) {
    // After the models and arenas are loaded and reserved: MCL_CURRENT faults them in and locks
    // them, MCL_FUTURE locks what the run maps later (it should map nothing).
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
      report.notes.push_back("memory locked (mlockall): no page faults on the run's memory");
    } else {
      report.notes.push_back(std::string("could not lock memory (mlockall: ") +
                             std::strerror(errno) +
                             "): pages may fault during the run; raise RLIMIT_MEMLOCK or run with "
                             "CAP_IPC_LOCK");
    }
  }
  runtime::DispatcherOptions dopts;
  dopts.core = opts.dispatcher_core;
  dopts.rt_priority = opts.rt_priority;
  report.resources_before = runtime::resource_snapshot();
  runtime::Dispatcher dispatcher(scheduler, *backend, opts.external, dopts);
  if (Status st = dispatcher.start(); !st.ok()) return st.error();
  if (opts.on_started) opts.on_started(dispatcher);
  dispatcher.join();
  report.wall = dispatcher.clock().now().since_epoch();
  report.resources_after = runtime::resource_snapshot();
  report.stats = scheduler.stats();
  report.dispatcher = dispatcher.stats();
  if (opts.lock_memory) munlockall();
  report.notes.push_back(report.dispatcher.pinning + "; " + report.dispatcher.priority);

  report.trace_meta = detail::trace_meta(
      w, w.device.backend, opts.seed, opts.duration,
      report.admission == AdmissionOutcome::kAdmitted ? "schedulable" : "not schedulable (forced)",
      report.verdict);
  return report;
}

}  // namespace aegisrt::app
