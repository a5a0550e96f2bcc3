// The memory figure `admit` and `simulate` give admission for a workload whose tasks run models:
// the memory planner's weights + arena for the policy analysed (docs/design/0004), counted against
// device.memory_budget instead of the tasks' declared memory.
#pragma once

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/memory/workload_memory.hpp"

namespace aegisrt::cli {

// Plans only when there is something to compare with (a budget and at least one model task).
// Errors: a model that does not import (admission cannot count its memory).
inline Status add_planned_memory(const Workload& w, analysis::AdmitOptions& opts) {
  auto planned = memory::admission_memory(w, opts.policy.value_or(w.scheduler.policy));
  if (!planned) return planned.error();
  if (*planned) {
    opts.planned_model_bytes = (*planned)->bytes;
    opts.planned_memory_source = (*planned)->source;
  }
  return Ok{};
}

}  // namespace aegisrt::cli
