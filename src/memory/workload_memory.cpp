#include "aegisrt/memory/workload_memory.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "aegisrt/model/import.hpp"

namespace aegisrt::memory {

Result<WorkloadMemory> plan_models(std::span<const ModelRef> models, Preemption preemption,
                                   const model::SegmentOptions& segments) {
  WorkloadMemory out;
  out.preemption = preemption;
  std::vector<SharedTask> tasks;
  std::set<std::pair<std::string, model::Shape>> seen;
  std::uint64_t weights = 0;
  for (const ModelRef& ref : models) {
    model::ImportOptions options;
    if (!ref.input_shape.empty()) options.input_shapes.push_back({"", ref.input_shape});
    auto graph = model::import_file(ref.path, options);
    if (!graph) return graph.error();
    const auto segs = model::make_segments(*graph, segments);
    const ModelMemoryPlan plan = plan_model(*graph, segs);
    ModelMemoryReport r;
    r.name = ref.name.empty() ? graph->name : ref.name;
    r.path = ref.path;
    r.weights_bytes = plan.weights_bytes;
    r.naive_bytes = plan.arena.naive_bytes;
    r.lower_bound_bytes = plan.arena.lower_bound_bytes;
    r.arena_bytes = plan.arena.arena_bytes;
    r.preserved_bytes = plan.max_preserved_bytes;
    r.segments = static_cast<std::uint32_t>(segs.size());
    r.flops = graph->total_flops();
    if (seen.emplace(ref.path, ref.input_shape).second) weights += r.weights_bytes;
    tasks.push_back({r.name, r.arena_bytes, r.preserved_bytes, ref.level});
    out.models.push_back(std::move(r));
  }
  out.shared = plan_shared(tasks, preemption);
  out.total_bytes = weights + out.shared.shared_bytes;
  return out;
}

Preemption preemption_of(Policy policy) {
  return preempts_at_segment_boundaries(policy) ? Preemption::kLimited : Preemption::kNone;
}

std::optional<std::int64_t> preemption_level(const Task& t, Policy policy) {
  switch (policy) {
    case Policy::kLpFp:
    case Policy::kNpFp:
      return t.priority;
    case Policy::kLpEdf:
    case Policy::kNpEdf:
      return -t.deadline.count();
    case Policy::kFifo:
      break;
  }
  return std::nullopt;
}

Result<WorkloadMemory> plan_workload(const Workload& w, std::optional<Preemption> preemption,
                                     const model::SegmentOptions& segments) {
  const Policy policy = w.scheduler.policy;
  const Preemption p = preemption.value_or(preemption_of(policy));
  std::vector<ModelRef> refs;
  for (const Task& t : w.tasks) {
    if (!t.model || t.model->path.empty()) continue;
    ModelRef ref;
    ref.name = t.name;
    ref.path = t.model->path;
    ref.input_shape = t.model->input_shape;
    ref.level = preemption_level(t, policy);
    refs.push_back(std::move(ref));
  }
  if (refs.empty()) {
    Error e = make_error(ErrorCode::kInvalidArgument, "no task of the workload names a model",
                         "give tasks a `model:` with an ONNX path");
    e.where.file = w.source_file;
    return e;
  }
  auto out = plan_models(refs, p, segments);
  if (!out) return out;
  out->budget_bytes = w.device.memory_budget_bytes;
  out->fits_budget = out->budget_bytes == 0 || out->total_bytes <= out->budget_bytes;
  return out;
}

Result<std::optional<AdmissionMemory>> admission_memory(const Workload& w, Policy policy) {
  if (w.device.memory_budget_bytes == 0) return std::optional<AdmissionMemory>{};
  const bool any_model = std::any_of(w.tasks.begin(), w.tasks.end(), [](const Task& t) {
    return t.model.has_value() && !t.model->path.empty();
  });
  if (!any_model) return std::optional<AdmissionMemory>{};
  Workload copy = w;
  copy.scheduler.policy = policy;
  auto planned = plan_workload(copy);
  if (!planned) {
    Error e = planned.error();
    if (e.hint.empty()) {
      e.hint = "admission plans the models' memory to compare it with device.memory_budget";
    }
    return e;
  }
  AdmissionMemory out;
  out.bytes = planned->total_bytes;
  const std::uint64_t arena = planned->shared.shared_bytes;
  out.source = "plan-memory, preemption " + std::string(to_string(planned->preemption)) +
               ": weights " + std::to_string(out.bytes - std::min(out.bytes, arena)) + " B + " +
               (planned->shared.isolated_layout ? "isolated arenas " : "shared arena ") +
               std::to_string(arena) + " B";
  return std::optional<AdmissionMemory>{std::move(out)};
}

}  // namespace aegisrt::memory
