// Memory feasibility: the memory every task needs must fit in the device's memory_budget from the
// workload file. Tasks that run a model count the memory planner's figure for the whole set
// (weights of each distinct model plus the shared or isolated arena, docs/design/0004) when the
// caller planned it (AdmitOptions::planned_model_bytes); every other task, and every task when
// nothing was planned, counts its declared `memory_*`. All of it is resident at once, so the check
// is a plain sum.
#include "model.hpp"

namespace aegisrt::analysis {
namespace {

bool add(std::uint64_t& sum, std::uint64_t v) { return !__builtin_add_overflow(sum, v, &sum); }

}  // namespace

MemoryCheck check_memory(const Workload& w, const AdmitOptions& options) {
  MemoryCheck out;
  out.budget_bytes = w.device.memory_budget_bytes;
  const bool planned = options.planned_model_bytes.has_value();
  bool ok = true;
  for (const Task& t : w.tasks) {
    if (planned && t.model && !t.model->path.empty()) continue;
    ok = ok && add(out.declared_bytes, t.memory_bytes);
  }
  if (planned) out.planned_bytes = *options.planned_model_bytes;
  out.total_bytes = out.declared_bytes;
  ok = ok && add(out.total_bytes, out.planned_bytes);
  if (!ok) out.total_bytes = UINT64_MAX;
  out.fits = out.budget_bytes == 0 || (ok && out.total_bytes <= out.budget_bytes);
  if (planned) {
    out.source = std::to_string(out.planned_bytes) + " B planned for the model tasks (" +
                 (options.planned_memory_source.empty() ? std::string("memory planner")
                                                        : options.planned_memory_source) +
                 ") + " + std::to_string(out.declared_bytes) + " B declared by the others";
  } else {
    out.source = std::to_string(out.declared_bytes) + " B declared";
  }
  return out;
}

}  // namespace aegisrt::analysis
