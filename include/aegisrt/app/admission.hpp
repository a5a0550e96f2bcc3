// Admission as the front ends run it (`aegisrt admit`, `simulate`, the runtime later): the
// analysis given the memory planner's figure for the tasks that run models, the weights + arena for
// the policy analysed (docs/design/0004), counted against device.memory_budget instead of the
// tasks' declared memory.
#pragma once

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/result.hpp"

namespace aegisrt::app {

// Sets opts.planned_model_bytes and its source from the planner. Plans only when there is
// something to compare with (a budget and at least one model task). Errors: a model that does not
// import (admission cannot count its memory). Any thread.
Status add_planned_memory(const Workload& w, analysis::AdmitOptions& opts);

}  // namespace aegisrt::app
