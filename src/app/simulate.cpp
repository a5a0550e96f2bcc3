#include "aegisrt/app/simulate.hpp"

#include <utility>

#include "aegisrt/app/admission.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "run_common.hpp"

namespace aegisrt::app {

std::string SimulationReport::admission_text() const {
  switch (admission) {
    case AdmissionOutcome::kAdmitted:
      return "schedulable";
    case AdmissionOutcome::kForced:
      return "not schedulable (forced)";
    case AdmissionOutcome::kRefused:
      break;
  }
  return "not schedulable";
}

std::uint64_t SimulationReport::misses() const {
  std::uint64_t n = 0;
  for (const sched::TaskStats& st : stats.tasks) n += st.missed;
  return n;
}

std::uint64_t SimulationReport::unexpected_misses() const {
  return admission == AdmissionOutcome::kAdmitted ? misses() : 0;
}

std::string unexpected_misses_sentence(std::uint64_t misses) {
  return "admitted, but " + std::to_string(misses) + (misses == 1 ? " miss" : " misses") +
         ": the analysis or the model is wrong";
}

Result<SimulationReport> simulate(Workload workload, const SimulateOptions& opts) {
  SimulationReport report;
  report.options = opts;
  report.workload = std::move(workload);
  const Workload& w = report.workload;

  // Admitted as `aegisrt admit` would: on the profiles where the tasks' wcet_source says so (the
  // simulation itself draws from the declared `sim` timing).
  Workload admitted = w;
  auto verdict = detail::admit_before_run(admitted, report.notes);
  if (!verdict.ok()) return verdict.error();
  report.verdict = std::move(*verdict);
  if (report.verdict.schedulable) {
    report.admission = AdmissionOutcome::kAdmitted;
  } else if (opts.force) {
    report.admission = AdmissionOutcome::kForced;
  } else {
    report.admission = AdmissionOutcome::kRefused;
    return report;
  }

  if (w.device.backend != "sim") {
    report.notes.push_back(
        "names backend `" + w.device.backend +
        "`; simulate runs it on the sim backend in virtual time, with the declared segment WCETs "
        "and sim timings (admission as for `" +
        w.device.backend + "`: " + analysis::to_string(report.verdict.time_model) + " time)");
  }

  sched::RunOptions run;
  run.horizon = opts.horizon;
  run.seed = opts.seed;
  if (opts.keep_trace) {
    auto buffer = detail::trace_for_run(w, run, opts.max_trace_bytes);
    if (!buffer.ok()) return buffer.error();
    report.trace = std::move(*buffer);
  }

  VirtualClock clock;
  sim::SimBackend backend(clock, opts.seed);
  sched::Scheduler scheduler(w, report.trace.get());
  if (Status st = sim::run(w, scheduler, run, clock, backend); !st.ok()) return st.error();
  report.stats = scheduler.stats();

  report.trace_meta = detail::trace_meta(w, "sim", opts.seed, opts.horizon, report.admission_text(),
                                         report.verdict);
  return report;
}

}  // namespace aegisrt::app
