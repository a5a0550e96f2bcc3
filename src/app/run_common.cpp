#include "run_common.hpp"

#include "aegisrt/app/admission.hpp"

namespace aegisrt::app::detail {

Result<analysis::Verdict> admit_before_run(Workload& admitted, std::vector<std::string>& notes) {
  // Every bound: the verdict's slack goes into the summary and the trace metadata (the full EDF
  // verdict with every bound takes about 0.5 ms at 30 tasks).
  analysis::AdmitOptions admit_options;
  admit_options.scaling_precision = 0;
  admit_options.advise = true;
  admit_options.response_bounds = true;
  admit_options.preemption_advice = false;
  auto applied = apply_profiles(admitted, admit_options);
  if (!applied.ok()) return applied.error();
  for (const std::string& warning : applied->warnings) notes.push_back(warning);
  if (Status st = add_planned_memory(admitted, admit_options); !st.ok()) return st.error();
  return analysis::admit(admitted, admit_options);
}

Result<std::unique_ptr<trace::TraceBuffer>> trace_for_run(const Workload& w,
                                                          const sched::RunOptions& run,
                                                          std::uint64_t max_bytes) {
  const trace::TraceCapacity size = trace::trace_capacity(w, run);
  const std::uint64_t bytes =
      size.records * sizeof(sched::TraceRecord) + size.candidates * sizeof(sched::Candidate);
  if (bytes > max_bytes) {
    return make_error(ErrorCode::kResourceExhausted,
                      "a trace of this run could need " + std::to_string(bytes >> 20) +
                          " MiB of memory (limit " + std::to_string(max_bytes >> 20) + " MiB)",
                      "shorten the duration or run without a trace");
  }
  return std::make_unique<trace::TraceBuffer>(size.records, size.candidates);
}

trace::TraceMeta trace_meta(const Workload& w, const std::string& backend, std::uint64_t seed,
                            Duration horizon, const std::string& admission,
                            const analysis::Verdict& verdict) {
  trace::TraceMeta meta;
  meta.workload = w.name;
  meta.backend = backend;
  meta.policy = w.scheduler.policy;
  meta.load_shedding = w.scheduler.load_shedding;
  meta.seed = seed;
  meta.horizon = horizon;
  meta.admission = admission;
  meta.admission_detail = verdict.test + (verdict.advice.empty() ? "" : ": " + verdict.advice);
  for (const Task& t : w.tasks) meta.task_names.push_back(t.name);
  return meta;
}

}  // namespace aegisrt::app::detail
