#include "aegisrt/app/run.hpp"

#include "aegisrt/app/runtime.hpp"

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
  auto rt = Runtime::create(std::move(workload), opts);
  if (!rt.ok()) return rt.error();
  if ((*rt)->admission() != AdmissionOutcome::kRefused) {
    if (Status st = (*rt)->start(); !st.ok()) return st.error();
    if (opts.on_started) opts.on_started(*(*rt)->dispatcher());
  }
  return (*rt)->finish();
}

}  // namespace aegisrt::app
