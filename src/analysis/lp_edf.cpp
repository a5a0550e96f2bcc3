// Limited-preemptive EDF with fixed preemption points (segment boundaries; the last segment runs to
// completion).
//
// Sources:
//   - S. Baruah, "The limited-preemption uniprocessor scheduling of sporadic task systems",
//     ECRTS 2005 (the demand test with B(t) = max{ q_j^max : D_j > t } and the largest
//     non-preemptive chunk each task may run);
//   - M. Bertogna, S. Baruah, "Limited preemption EDF scheduling of sporadic task systems",
//     IEEE Trans. Industrial Informatics 6(4), 2010 (fixed preemption points, Q_j).
// The demand test and the response bound are np_edf.cpp's, run on a model whose regions are the
// segments: B(t) = max{ q_j^max - 1 : D_j > t }, and the response bound's run-to-completion part is
// q_i^last - 1 in place of C_i - 1 (ANALYSIS.md, "LP-EDF").
#include <algorithm>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

constexpr std::size_t kMaxPoints = 4'000'000;

}  // namespace

// Q_j = 1 + min{ t - dbf(t) : t an absolute deadline of the synchronous pattern, t < D_j - J_j }
// (Bertogna & Baruah 2010, Theorem 3, in discrete time): the longest region of task j that keeps
// dbf(t) + B(t) <= t at every t where task j can block. Capped at C_j; 0 when none is admissible.
std::vector<std::int64_t> edf_max_np_regions(const TaskSetModel& m, Arith& a, bool* complete) {
  if (complete != nullptr) *complete = true;
  std::int64_t d_max = 0;
  for (const TaskParams& p : m.tasks) d_max = std::max(d_max, p.deadline);
  // Deadlines due at the window start (J_j >= D_j) leave no room for any blocking.
  if (demand_bound(m, 0, a) > 0) return std::vector<std::int64_t>(m.tasks.size(), 0);
  const std::int64_t rho_n = a.mul(m.release_overhead, static_cast<std::int64_t>(m.tasks.size()));
  std::vector<std::int64_t> points;
  for (const TaskParams& p : m.tasks) {
    const std::int64_t first = p.deadline - p.jitter;  // both in [0, int64 max]: no overflow
    const std::int64_t k0 = first >= 0 ? 0 : ceil_div(-first, p.period);
    // d < d_max <= int64 max, and d + T_j is compared before it is formed.
    for (std::int64_t d = first + k0 * p.period; d < d_max;) {
      points.push_back(d);
      if (points.size() > kMaxPoints) {
        if (complete != nullptr) *complete = false;
        return std::vector<std::int64_t>(m.tasks.size(), 0);
      }
      if (d > d_max - p.period) break;
      d += p.period;
    }
  }
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<std::int64_t> slack(points.size());  // running min of t - dbf(t) - rho n
  std::int64_t running = Arith::kInf;
  for (std::size_t k = 0; k < points.size(); ++k) {
    running = std::min(running, a.sub(a.sub(points[k], demand_bound(m, points[k], a)), rho_n));
    slack[k] = running;
  }
  std::vector<std::int64_t> q(m.tasks.size());
  for (std::size_t j = 0; j < m.tasks.size(); ++j) {
    const TaskParams& p = m.tasks[j];
    // Task j blocks windows shorter than D_j - J_j (np_edf.cpp, edf_blocking).
    const auto it = std::lower_bound(points.begin(), points.end(), p.deadline - p.jitter);
    std::int64_t limit = p.wcet;
    if (it != points.begin()) {
      const std::int64_t tol = slack[static_cast<std::size_t>(it - points.begin()) - 1];
      limit = std::min(limit, m.region_for_blocking(tol));
    }
    q[j] = std::max<std::int64_t>(limit, 0);
  }
  return q;
}

}  // namespace aegisrt::analysis
