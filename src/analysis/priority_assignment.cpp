// Fixed priorities for np-fp and lp-fp: from the workload, deadline-monotonic, or Audsley's
// optimal priority assignment.
//
// Sources:
//   - J. Y.-T. Leung, J. Whitehead, "On the complexity of fixed-priority scheduling of periodic,
//     real-time tasks", Performance Evaluation 2(4), 1982 (deadline-monotonic); it is not optimal
//     for non-preemptive scheduling (George et al. 1996, section 4);
//   - N. C. Audsley, "On priority assignment in fixed priority scheduling", Information Processing
//     Letters 79(1), 2001; R. I. Davis, A. Burns, "Improved priority assignment for global fixed
//     priority pre-emptive scheduling in multiprocessor real-time systems", Real-Time Systems
//     47(1), 2011, section 3 (the three conditions under which OPA is optimal for a test). The
//     np-fp / lp-fp analysis meets them: task i's verdict depends on the set of higher-priority
//     tasks (interference) and the set of lower-priority tasks (blocking), not on their order.
#include <algorithm>
#include <numeric>

#include "model.hpp"

namespace aegisrt::analysis {

bool is_fixed_priority(Policy p) {
  return p == Policy::kNpFp || p == Policy::kLpFp || p == Policy::kFifo;
}

namespace {

// Task ids in deadline-monotonic order, most urgent first (ties: smaller id first).
std::vector<std::size_t> deadline_monotonic_order(const Workload& w) {
  std::vector<std::size_t> order(w.tasks.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return w.tasks[x].deadline < w.tasks[y].deadline;
  });
  return order;
}

}  // namespace

Result<PriorityOutcome> compute_priorities(const Workload& w, Policy policy,
                                           const AdmitOptions& options) {
  PriorityOutcome out;
  const std::size_t n = w.tasks.size();
  out.priorities.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.priorities[i] = w.tasks[i].priority;
  if (!is_fixed_priority(policy) || policy == Policy::kFifo ||
      options.priorities == PriorityAssignment::kFromWorkload) {
    return out;
  }
  const auto dm = deadline_monotonic_order(w);
  const auto level_of_rank = [n](std::size_t rank) { return static_cast<std::int32_t>(n - rank); };
  if (options.priorities == PriorityAssignment::kDeadlineMonotonic) {
    for (std::size_t r = 0; r < n; ++r) out.priorities[dm[r]] = level_of_rank(r);
    return out;
  }
  // Audsley: fill levels from the lowest (1) up; at each level, try the unassigned tasks (the ones
  // with the longest deadline first) with all other unassigned tasks above it.
  Result<TaskSetModel> model =
      build_model(w, policy, resolve_time_model(w, options), out.priorities);
  if (!model.ok()) return model.error();
  TaskSetModel& m = *model;
  const auto top = static_cast<std::int32_t>(n + 1);
  for (TaskParams& p : m.tasks) p.priority = top;
  std::vector<bool> assigned(n, false);
  Arith a;
  for (std::size_t level = 1; level <= n; ++level) {
    bool placed = false;
    for (std::size_t r = n; r-- > 0;) {
      const std::size_t c = dm[r];
      if (assigned[c]) continue;
      m.tasks[c].priority = static_cast<std::int32_t>(level);
      const FpResponse resp = fp_response_time(m, c, a, std::nullopt, true);
      if (resp.schedulable && !resp.inconclusive) {
        assigned[c] = true;
        placed = true;
        break;
      }
      m.tasks[c].priority = top;
    }
    if (!placed) {
      // No task can take this level: no assignment passes. Fill the rest deadline-monotonically.
      out.audsley_failed = true;
      out.failed_level = level;
      std::size_t next = level;
      for (std::size_t r = n; r-- > 0;) {
        const std::size_t c = dm[r];
        if (assigned[c]) continue;
        m.tasks[c].priority = static_cast<std::int32_t>(next++);
        assigned[c] = true;
      }
      break;
    }
  }
  if (a.overflow()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "arithmetic overflow (int64 ns) while assigning priorities");
  }
  for (std::size_t i = 0; i < n; ++i) out.priorities[i] = m.tasks[i].priority;
  return out;
}

}  // namespace aegisrt::analysis
