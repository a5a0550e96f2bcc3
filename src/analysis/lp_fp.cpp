// Limited-preemptive fixed priority with fixed preemption points (segment boundaries; the last
// segment runs to completion).
//
// Sources:
//   - G. Yao, G. Buttazzo, M. Bertogna, "Bounding the maximum length of non-preemptive regions
//     under fixed priority scheduling", RTCSA 2009, and "Feasibility analysis under fixed priority
//     scheduling with limited preemptions", Real-Time Systems 47(3), 2011;
//   - G. Buttazzo, "Hard Real-Time Computing Systems", 3rd ed., eqs. 8.24-8.33 (response time with
//     fixed preemption points) and eqs. 8.22-8.23 (blocking tolerance beta_i, longest admissible
//     non-preemptive region Q_i = min_{h in hp(i)} beta_h).
// The response time itself is np_fp.cpp's level-i active-period analysis with
//   B_i = max_{j in lp(i)} (q_j^max - 1),  s_{i,k} = B_i + (k-1) C_i + C_i - q_i^last +
//   hp(s_{i,k}), f_{i,k} = s_{i,k} + q_i^last,
// which the model provides by carrying each task's regions (overheads.cpp charges the
// per-preemption overhead to every region after the first).
#include <algorithm>

#include "model.hpp"

namespace aegisrt::analysis {

// beta_i: the largest blocking with which task i still meets its deadline in every job of its
// level-i active period, or -1 when it misses even without blocking. R_i is non-decreasing in the
// blocking, so a bisection over [0, D_i] is exact.
std::int64_t fp_blocking_tolerance(const TaskSetModel& m, std::size_t i, Arith& a) {
  auto ok = [&](std::int64_t b) {
    const FpResponse r = fp_response_time(m, i, a, b, true);
    return r.schedulable && !r.inconclusive;
  };
  if (!ok(0)) return -1;
  // ok(0) holds; ok(D_i) fails since R_i >= B + C_i > D_i.
  return last_inside(0, m.tasks[i].deadline, ok);
}

// Q_j = min over tasks i of strictly higher priority of the region that blocks i by at most
// beta_i (q - 1 <= beta_i in discrete time); C_j when no task has higher priority.
std::vector<std::int64_t> fp_max_np_regions(const TaskSetModel& m, Arith& a) {
  const std::size_t n = m.tasks.size();
  std::vector<std::int64_t> beta(n);
  for (std::size_t i = 0; i < n; ++i) beta[i] = fp_blocking_tolerance(m, i, a);
  std::vector<std::int64_t> q(n);
  for (std::size_t j = 0; j < n; ++j) {
    std::int64_t limit = m.tasks[j].wcet;
    for (std::size_t i = 0; i < n; ++i) {
      if (m.tasks[i].priority > m.tasks[j].priority) {
        limit = std::min(limit, m.region_for_blocking(beta[i]));
      }
    }
    q[j] = std::max<std::int64_t>(limit, 0);
  }
  return q;
}

}  // namespace aegisrt::analysis
