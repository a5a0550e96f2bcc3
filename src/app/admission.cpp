#include "aegisrt/app/admission.hpp"

#include <fmt/format.h>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/memory/workload_memory.hpp"

namespace aegisrt::app {
namespace {

std::string mib(std::uint64_t bytes) {
  return fmt::format("{:.2f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

}  // namespace

Result<std::optional<memory::AdmissionMemory>> reserved_memory(const Workload& w, Policy policy) {
  const auto entry = backend::find_backend(w.device.backend);
  if (!entry.ok() || !entry->runs_models() || !entry->compiled_in()) {
    return std::optional<memory::AdmissionMemory>();
  }
  backend::RunnerBackendOptions options;
  options.load.pin = false;  // admission must not move the calling thread
  auto adapter = backend::make_backend(w.device.backend, options);
  if (!adapter.ok()) return adapter.error();
  // The model tasks, as the adapter will load them (tasks without a model hold no engine memory),
  // at the engine's own segmentation: the declared segments are the analysis's, and the run's
  // segments come from the model (a finer cut only adds boundaries, so the bytes kept across one
  // can only grow: a bound for any coarser cut).
  Workload as_run = w;
  as_run.scheduler.policy = policy;
  as_run.tasks.clear();
  for (const Task& t : w.tasks) {
    if (!t.model) continue;
    as_run.tasks.push_back(t);
    as_run.tasks.back().id = static_cast<TaskId>(as_run.tasks.size() - 1);
    as_run.tasks.back().segments.clear();
  }
  if (Status st = (*adapter)->prepare(as_run); !st.ok()) {
    Error e = st.error();
    e.hint = "admission loads every model on `" + w.device.backend +
             "` to count the memory the run reserves; " + e.hint;
    return e;
  }
  const backend::Carving& carving = (*adapter)->carving();
  std::uint64_t weights = 0;
  std::uint64_t own = 0;  // activations of runners that were not carved
  for (const Task& t : as_run.tasks) {
    const backend::ModelRunner* r = (*adapter)->runner(t.id);
    if (r == nullptr) continue;
    weights += r->info().weights_bytes;
    if (t.id >= carving.by_task.size() || !carving.by_task[t.id].carved)
      own += r->info().arena_bytes;
  }
  memory::AdmissionMemory m;
  m.bytes = weights + carving.arena_bytes + own;
  m.source = "what the run reserves on `" + w.device.backend + "`: weights " + mib(weights) +
             " (one copy per task) + the carved arena " + mib(carving.arena_bytes) +
             (own > 0 ? " + engine-owned activations " + mib(own) : "") + " for " +
             to_string(policy);
  return std::optional<memory::AdmissionMemory>(std::move(m));
}

Status add_planned_memory(const Workload& w, analysis::AdmitOptions& opts) {
  const Policy policy = opts.policy.value_or(w.scheduler.policy);
  auto planned = memory::admission_memory(w, policy);
  if (!planned) return planned.error();
  if (!*planned) return Ok{};
  auto engine = reserved_memory(w, policy);
  if (!engine) return engine.error();
  if (*engine) {
    opts.planned_model_bytes = (*engine)->bytes;
    opts.planned_memory_source = (*engine)->source +
                                 " (the graph-level plan, `aegisrt plan-memory`, estimates " +
                                 mib((*planned)->bytes) + ")";
  } else {
    opts.planned_model_bytes = (*planned)->bytes;
    opts.planned_memory_source = (*planned)->source;
  }
  return Ok{};
}

Result<profile::Applied> apply_profiles(Workload& w, analysis::AdmitOptions& opts,
                                        const profile::ApplyOptions& options) {
  auto applied = profile::apply_profiles(w, options);
  if (!applied) return applied.error();
  opts.wcet_sources.assign(w.tasks.size(), std::string());
  for (std::size_t i = 0; i < applied->tasks.size(); ++i) {
    if (applied->tasks[i].source != WcetSource::kDeclared) {
      opts.wcet_sources[i] = applied->tasks[i].text;
    }
  }
  return applied;
}

}  // namespace aegisrt::app
