// Admission as the front ends run it (`aegisrt admit`, `simulate`, the runtime later): the
// analysis given the memory planner's figure for the tasks that run models, the weights + arena for
// the policy analysed (docs/design/0004), counted against device.memory_budget instead of the
// tasks' declared memory.
#pragma once

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/memory/workload_memory.hpp"
#include "aegisrt/profile/apply.hpp"

namespace aegisrt::app {

// Sets opts.planned_model_bytes and its source. Plans only when there is something to compare
// with (a budget and at least one model task). The figure is what the run reserves: on a backend
// this build can run (cpu, opencv), every task's model is loaded as the runtime's adapter loads it
// (backend::RunnerBackend: one runner per task, its weights, the arena carved for the policy) and
// the engine's own sizes are counted, which exceed the graph-level estimate (padded layouts,
// scratchpads); on `sim` or an engine not built in, the graph-level plan (memory::
// admission_memory) is counted. The rationale names which. Errors: a model that does not import
// or that the engine cannot load (admission cannot count its memory). Blocks for the loads (about
// a second per model on cpu); any thread.
Status add_planned_memory(const Workload& w, analysis::AdmitOptions& opts);

// Takes every task's segment WCETs from its profile as its wcet_source says
// (profile::apply_profiles, which rewrites w's segments) and writes where each came from into
// opts.wcet_sources for the rationale. Call it before add_planned_memory and admit. Errors: those
// of profile::apply_profiles (no profile, a stale one, another platform under strict).
Result<profile::Applied> apply_profiles(Workload& w, analysis::AdmitOptions& opts,
                                        const profile::ApplyOptions& options = {});

// What a run of `w` under `policy` reserves on its engine: every model task loaded as the runtime's
// adapter loads it (one runner per task, its own weights, the engine's own segmentation) and the
// arena the adapter carves for the policy, plus the activations of runners the engine keeps in its
// own memory. nullopt when this build has no engine for the workload's backend (`sim`, or not
// compiled in). Errors: a model the engine cannot load. Blocks for the loads; any thread.
Result<std::optional<memory::AdmissionMemory>> reserved_memory(const Workload& w, Policy policy);

}  // namespace aegisrt::app
