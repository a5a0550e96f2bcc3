// Memory of a whole workload: every task's model imported, segmented and planned, and the set's
// shared arena. What `aegisrt plan-memory` prints, and what admission compares with the device's
// memory budget (docs/design/0004).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/memory/planner.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/segment.hpp"

namespace aegisrt::memory {

// One model to plan: a task's model, or a bare path on the command line.
struct ModelRef {
  std::string name;          // the task's name, or the model's file stem
  std::string path;          // ONNX file
  model::Shape input_shape;  // for a model with dynamic input dimensions; empty: the file's
  std::optional<std::int64_t> level;  // preemption level (see SharedTask)
};

struct ModelMemoryReport {
  std::string name;
  std::string path;
  std::uint64_t weights_bytes = 0;
  std::uint64_t naive_bytes = 0;
  std::uint64_t lower_bound_bytes = 0;
  std::uint64_t arena_bytes = 0;
  std::uint64_t preserved_bytes = 0;  // largest boundary between its segments
  std::uint32_t segments = 0;
  std::uint64_t flops = 0;
};

struct WorkloadMemory {
  Preemption preemption = Preemption::kNone;
  std::vector<ModelMemoryReport> models;
  SharedPlan shared;
  // Weights of every distinct model file plus the shared arena: the device memory the set needs.
  std::uint64_t total_bytes = 0;
  std::uint64_t budget_bytes = 0;  // from the workload's device; 0: none declared
  bool fits_budget = true;         // total_bytes <= budget_bytes, or no budget
};

// How a policy lets jobs share one arena: limited preemption for lp-* (a job may be preempted at
// its segment boundaries), none otherwise.
Preemption preemption_of(Policy policy);

// Task `t`'s preemption level under `policy` (SharedTask::level): the priority for lp-fp / np-fp,
// minus the relative deadline for lp-edf / np-edf (Baker's levels), nullopt (unknown) for fifo.
std::optional<std::int64_t> preemption_level(const Task& t, Policy policy);

// Imports, segments and plans each model, then the set. Errors: the first model that does not
// import (its Error names the model and the node).
Result<WorkloadMemory> plan_models(std::span<const ModelRef> models, Preemption preemption,
                                   const model::SegmentOptions& segments = {});

// The models of a workload's tasks (tasks without a model are skipped). Preemption defaults to the
// policy's (lp-* limited, otherwise none); preemption levels follow the policy: priority for
// lp-fp / np-fp, minus the relative deadline for lp-edf / np-edf, unknown for fifo.
// Errors: kInvalidArgument when no task names a model; import errors as above.
Result<WorkloadMemory> plan_workload(const Workload& w, std::optional<Preemption> preemption = {},
                                     const model::SegmentOptions& segments = {});

// What admission counts for a workload's model tasks against the device budget
// (analysis::AdmitOptions::planned_model_bytes): the set planned for `policy`'s preemption.
struct AdmissionMemory {
  std::uint64_t bytes = 0;  // weights of every distinct model + the shared (or isolated) arena
  std::string source;       // the figure in words, for the verdict's rationale
};

// nullopt when nothing needs planning: no device.memory_budget is declared, or no task names a
// model. Errors: the first model that does not import, with a hint that admission needs it.
Result<std::optional<AdmissionMemory>> admission_memory(const Workload& w, Policy policy);

}  // namespace aegisrt::memory
