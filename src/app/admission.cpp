#include "aegisrt/app/admission.hpp"

#include "aegisrt/memory/workload_memory.hpp"

namespace aegisrt::app {

Status add_planned_memory(const Workload& w, analysis::AdmitOptions& opts) {
  auto planned = memory::admission_memory(w, opts.policy.value_or(w.scheduler.policy));
  if (!planned) return planned.error();
  if (*planned) {
    opts.planned_model_bytes = (*planned)->bytes;
    opts.planned_memory_source = (*planned)->source;
  }
  return Ok{};
}

}  // namespace aegisrt::app
