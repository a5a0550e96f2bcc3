// Preemption-point advice for the lp policies: merge adjacent segments into the fewest, longest
// non-preemptive regions that keep the set schedulable.
//
// Sources: M. Bertogna, O. Xhani, M. Marinoni, F. Esposito, G. Buttazzo, "Optimal selection of
// preemption points to minimize preemption overhead", ECRTS 2011 (the greedy placement under a
// maximum region length Q_i is optimal for the number of preemption points); Buttazzo 3rd ed.,
// eqs. 8.22-8.37 (blocking tolerance and Q_i).
//
// Merging two segments removes one preemption point: the task loses one dispatch + preemption
// overhead and gains a longer region, which only hurts the tasks it can block. So:
//   - lp-fp: tasks in decreasing priority; task j may use regions up to Q_j = min over strictly
//     higher-priority tasks h of the region that blocks h by at most beta_h (their tolerances are
//     final once they are processed); then beta_j is computed on j's merged regions;
//   - lp-edf: Q_j from the demand slack below D_j (lp_edf.cpp); merging lowers the demand, which
//     raises every Q, so merge and recompute until nothing changes.
// Within a task, greedy packing from the last segment backwards gives the fewest regions and the
// longest run-to-completion part. The plan is then checked with the full test.
#include <algorithm>
#include <numeric>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

// Regions [first, last] of `t` packed backwards so that each merged region, charged the larger of
// the two per-region overheads, is at most `limit`. A segment longer than `limit` stays alone.
std::vector<std::pair<std::uint32_t, std::uint32_t>> pack(const Task& t, std::int64_t limit,
                                                          std::int64_t charge) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> regions;
  const auto m = static_cast<std::uint32_t>(t.segments.size());
  std::uint32_t last = m - 1;
  std::int64_t length = 0;
  for (std::uint32_t k = m; k-- > 0;) {
    const std::int64_t q = t.segments[k].wcet.count();
    Arith a;  // saturating: a region that overflows int64 is certainly over the limit
    if (k != last && a.add(a.add(length, q), charge) > limit) {
      regions.emplace_back(k + 1, last);
      last = k;
      length = 0;
    }
    length += q;
  }
  regions.emplace_back(0, last);
  std::reverse(regions.begin(), regions.end());
  return regions;
}

Task merged(const Task& t, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& regions) {
  Task out = t;
  out.segments.clear();
  for (const auto& [first, last] : regions) {
    Segment s;
    s.name = t.segments[first].name + (first == last ? "" : ".." + t.segments[last].name);
    for (std::uint32_t k = first; k <= last; ++k) s.wcet += t.segments[k].wcet;
    out.segments.push_back(std::move(s));
  }
  return out;
}

}  // namespace

PreemptionPlan plan_preemption_points(const Workload& w, const Setting& s) {
  PreemptionPlan plan;
  const std::size_t n = w.tasks.size();
  const Overheads& oh = w.scheduler.overheads;
  Arith sum;
  const std::int64_t charge = std::max(sum.add(oh.release.count(), oh.dispatch.count()),
                                       sum.add(oh.dispatch.count(), oh.preemption.count()));
  Workload work = w;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> regions(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::uint32_t k = 0; k < w.tasks[i].segments.size(); ++k) regions[i].emplace_back(k, k);
  }

  if (s.policy == Policy::kLpFp) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return s.priorities[x] > s.priorities[y];
    });
    std::vector<std::int64_t> beta(n, Arith::kInf);
    std::vector<bool> done(n, false);
    for (std::size_t j : order) {
      Result<TaskSetModel> m = build_model(work, s.policy, s.time_model, s.priorities);
      if (!m.ok()) return plan;
      std::int64_t limit = Arith::kInf;
      for (std::size_t h = 0; h < n; ++h) {
        if (done[h] && s.priorities[h] > s.priorities[j] && beta[h] != Arith::kInf) {
          limit = std::min(limit, m->region_for_blocking(beta[h]));
        }
      }
      regions[j] = pack(w.tasks[j], limit, charge);
      work.tasks[j] = merged(w.tasks[j], regions[j]);
      Result<TaskSetModel> m2 = build_model(work, s.policy, s.time_model, s.priorities);
      if (!m2.ok()) return plan;
      Arith a;
      beta[j] = fp_blocking_tolerance(*m2, j, a);
      done[j] = true;
    }
  } else {
    for (std::size_t round = 0; round < 64; ++round) {
      Result<TaskSetModel> m = build_model(work, s.policy, s.time_model, s.priorities);
      if (!m.ok()) return plan;
      Arith a;
      bool complete = true;
      const std::vector<std::int64_t> q = edf_max_np_regions(*m, a, &complete);
      if (!complete) break;
      bool changed = false;
      for (std::size_t j = 0; j < n; ++j) {
        auto next = pack(w.tasks[j], q[j], charge);
        if (next.size() < regions[j].size()) {
          regions[j] = std::move(next);
          work.tasks[j] = merged(w.tasks[j], regions[j]);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    RegionPlan rp;
    rp.task = static_cast<TaskId>(i);
    rp.regions = regions[i];
    for (const Segment& seg : work.tasks[i].segments) rp.lengths.push_back(seg.wcet);
    plan.plans.push_back(std::move(rp));
  }
  plan.schedulable = passes(work, s);
  return plan;
}

}  // namespace aegisrt::analysis
