// Sensitivity analysis: how far the set is from the border of schedulability.
//
//   - Critical scaling factor alpha*: the largest factor by which every declared WCET can be
//     multiplied with the set still schedulable (J. Lehoczky, L. Sha, Y. Ding, "The rate monotonic
//     scheduling algorithm: exact characterization and average case behavior", RTSS 1989; as a
//     sensitivity measure: E. Bini, M. Di Natale, G. Buttazzo, "Sensitivity analysis for
//     fixed-priority real-time systems", Real-Time Systems 39, 2008). Every test here is
//     sustainable in the WCETs (a larger C never helps), so schedulability is monotone in the
//     factor and a bisection converges to alpha* from below; segments are scaled and rounded up,
//     overheads are platform costs and are not scaled.
//   - Per task: the largest WCET of one task, or the smallest deadline, that admits the set (the
//     advice sentence of a rejection), by integer bisection on the same monotone predicate.
#include <algorithm>
#include <cmath>

#include "model.hpp"

namespace aegisrt::analysis {

bool passes(const Workload& w, const Setting& s) {
  Result<TaskSetModel> m = build_model(w, s.policy, s.time_model, s.priorities);
  if (!m.ok()) return false;
  Arith a;
  const SetOutcome o = model_schedulable(*m, a);
  return o.schedulable && !o.inconclusive && !a.overflow();
}

double critical_scaling_factor(const Workload& w, const Setting& s, double precision) {
  auto ok = [&](double f) {
    Result<TaskSetModel> m = build_scaled_model(w, s.policy, s.time_model, s.priorities, f);
    if (!m.ok()) return false;
    Arith a;
    const SetOutcome o = model_schedulable(*m, a);
    return o.schedulable && !o.inconclusive && !a.overflow();
  };
  double lo = 1.0;
  double hi = 1.0;
  if (ok(1.0)) {
    do {
      lo = hi;
      hi *= 2;
    } while (hi < 0x1p40 && ok(hi));
    if (hi >= 0x1p40) return lo;
  } else {
    do {
      hi = lo;
      lo /= 2;
    } while (lo > 0x1p-30 && !ok(lo));
    if (lo <= 0x1p-30) return 0;
  }
  // Invariant: ok(lo), !ok(hi).
  while ((hi - lo) > precision * lo) {
    const double mid = (lo + hi) / 2;
    if (ok(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::vector<Segment> scaled_segments(const Task& t, std::int64_t total) {
  const std::int64_t c = t.wcet().count();
  std::vector<Segment> out = t.segments;
  for (Segment& seg : out) {
    // ceil(q * total / c) in 128 bits: non-decreasing in `total`, so the predicate stays monotone.
    const Int128 num = static_cast<Int128>(seg.wcet.count()) * total;
    const auto q = static_cast<std::int64_t>((num + c - 1) / c);
    seg.wcet = Duration::ns(std::max<std::int64_t>(q, 1));
  }
  return out;
}

std::optional<std::int64_t> max_admissible_wcet(const Workload& w, const Setting& s,
                                                std::size_t x) {
  Workload copy = w;
  const Task original = w.tasks[x];
  auto ok = [&](std::int64_t total) {
    copy.tasks[x].segments = scaled_segments(original, total);
    return passes(copy, s);
  };
  const std::int64_t c = original.wcet().count();
  const auto m = static_cast<std::int64_t>(original.segments.size());
  if (!ok(m)) return std::nullopt;
  // ok(m) holds; ok(c) fails (the set was rejected).
  const std::int64_t lo = last_inside(m, c, ok);
  std::int64_t actual = 0;
  for (const Segment& seg : scaled_segments(original, lo)) actual += seg.wcet.count();
  return actual;
}

std::optional<std::int64_t> min_admissible_deadline(const Workload& w, const Setting& s,
                                                    std::size_t x) {
  Workload copy = w;
  auto ok = [&](std::int64_t d) {
    copy.tasks[x].deadline = Duration::ns(d);
    return passes(copy, s);
  };
  const std::int64_t period = w.tasks[x].period.count();
  if (!ok(period)) return std::nullopt;
  // ok(period) holds; ok(deadline) fails (the set was rejected).
  return last_inside(period, w.tasks[x].deadline.count(), ok);
}

}  // namespace aegisrt::analysis
