#include "aegisrt/app/simulate.hpp"

#include <utility>

#include "aegisrt/app/admission.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"

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

  // Admission first, with every bound: the verdict's slack goes into the summary and the trace
  // metadata (the full EDF verdict with every bound takes about 0.5 ms at 30 tasks).
  analysis::AdmitOptions admit_options;
  admit_options.scaling_precision = 0;
  admit_options.advise = true;
  admit_options.response_bounds = true;
  admit_options.preemption_advice = false;
  // Admitted as `aegisrt admit` would: on the profiles where the tasks' wcet_source says so (the
  // simulation itself draws from the declared `sim` timing).
  Workload admitted = w;
  auto applied = apply_profiles(admitted, admit_options);
  if (!applied.ok()) return applied.error();
  for (const std::string& warning : applied->warnings) report.notes.push_back(warning);
  if (Status st = add_planned_memory(admitted, admit_options); !st.ok()) return st.error();
  auto verdict = analysis::admit(admitted, admit_options);
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
    const trace::TraceCapacity size = trace::trace_capacity(w, run);
    const std::uint64_t bytes =
        size.records * sizeof(sched::TraceRecord) + size.candidates * sizeof(sched::Candidate);
    if (bytes > opts.max_trace_bytes) {
      return make_error(ErrorCode::kResourceExhausted,
                        "a trace of this run could need " + std::to_string(bytes >> 20) +
                            " MiB of memory (limit " + std::to_string(opts.max_trace_bytes >> 20) +
                            " MiB)",
                        "shorten the duration or run without a trace");
    }
    report.trace = std::make_unique<trace::TraceBuffer>(size.records, size.candidates);
  }

  VirtualClock clock;
  sim::SimBackend backend(clock, opts.seed);
  sched::Scheduler scheduler(w, report.trace.get());
  if (Status st = sim::run(w, scheduler, run, clock, backend); !st.ok()) return st.error();
  report.stats = scheduler.stats();

  trace::TraceMeta& meta = report.trace_meta;
  meta.workload = w.name;
  meta.backend = "sim";
  meta.policy = w.scheduler.policy;
  meta.load_shedding = w.scheduler.load_shedding;
  meta.seed = opts.seed;
  meta.horizon = opts.horizon;
  meta.admission = report.admission_text();
  meta.admission_detail =
      report.verdict.test + (report.verdict.advice.empty() ? "" : ": " + report.verdict.advice);
  for (const Task& t : w.tasks) meta.task_names.push_back(t.name);
  return report;
}

}  // namespace aegisrt::app
