// Memory feasibility: the memory every task needs (declared per task until the memory planner
// provides weights + arenas) must fit in the device's memory_budget from the workload file. All
// tasks' memory is resident at once (no sharing is assumed), so the check is a plain sum.
#include "model.hpp"

namespace aegisrt::analysis {

MemoryCheck check_memory(const Workload& w) {
  MemoryCheck out;
  out.budget_bytes = w.device.memory_budget_bytes;
  bool overflow = false;
  for (const Task& t : w.tasks) {
    std::uint64_t sum = 0;
    if (__builtin_add_overflow(out.total_bytes, t.memory_bytes, &sum)) {
      overflow = true;
      out.total_bytes = UINT64_MAX;
      break;
    }
    out.total_bytes = sum;
  }
  out.fits = out.budget_bytes == 0 || (!overflow && out.total_bytes <= out.budget_bytes);
  return out;
}

}  // namespace aegisrt::analysis
