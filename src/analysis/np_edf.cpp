// Non-preemptive EDF: the exact processor-demand test with blocking, and response-time bounds.
//
// Sources (docs/design/0002-admission.md has the derivations in our time convention):
//   - K. Jeffay, D. F. Stanat, C. U. Martel, "On non-preemptive scheduling of periodic and sporadic
//     tasks", RTSS 1991 (implicit deadlines);
//   - L. George, N. Rivierre, M. Spuri, "Preemptive and non-preemptive real-time uniprocessor
//     scheduling", INRIA RR-2966, 1996, section 5 (constrained deadlines, response times);
//   - F. Zhang, A. Burns, "Schedulability analysis for real-time systems with EDF scheduling",
//     IEEE Trans. Computers 58(9), 2009 (QPA, Theorem 6), applied piecewise where B(t) is constant;
//   - S. Baruah, A. Mok, L. Rosier, "Preemptively scheduling hard-real-time sporadic tasks on one
//     processor", RTSS 1990 (synchronous busy period L and the bound L_a);
//   - the response-time bound is abstract response-time analysis instantiated for fully
//     non-preemptive EDF (Bozhko & Brandenburg, ECRTS 2020), equal to George et al.'s construction.
// The regions come from the model, so lp_edf.cpp reuses everything here with q^max and q^last.
#include <algorithm>
#include <cmath>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

// Work limits: beyond them the analysis reports "inconclusive" and the set is rejected (sound).
// A busy period that needs more fixed-point steps than this is near U = 1 with a huge hyperperiod.
constexpr std::uint64_t kMaxIterations = 200'000;
constexpr std::uint64_t kMaxPoints = 2'000'000;  // QPA steps
constexpr std::uint64_t kMaxOffsets = 400'000;

// rbf_j(delta) = ceil((delta + J_j) / T_j) * C_j for delta > 0, 0 otherwise (ANALYSIS.md).
std::int64_t request_bound(const TaskParams& p, std::int64_t delta, Arith& a) {
  if (delta <= 0) return 0;
  return a.mul(ceil_div(a.add(delta, p.jitter), p.period), p.wcet);
}

// Largest absolute deadline d = k T_j + D_j - J_j (k >= 0, d >= 0) of the synchronous pattern with
// d < x, over all tasks; -1 when none.
std::int64_t last_deadline_before(const TaskSetModel& m, std::int64_t x) {
  std::int64_t best = -1;
  for (const TaskParams& p : m.tasks) {
    const std::int64_t first = p.deadline - p.jitter;  // k = 0
    const std::int64_t k0 = first >= 0 ? 0 : ceil_div(-first, p.period);
    const std::int64_t d0 = first + k0 * p.period;
    if (x <= d0) continue;
    const std::int64_t k = floor_div(x - 1 - first, p.period);
    best = std::max(best, first + k * p.period);
  }
  return best;
}

// Smallest absolute deadline d >= x of the synchronous pattern (d >= 0); -1 when x is beyond int64.
std::int64_t first_deadline_at_or_after(const TaskSetModel& m, std::int64_t x) {
  std::int64_t best = -1;
  for (const TaskParams& p : m.tasks) {
    const std::int64_t first = p.deadline - p.jitter;
    const std::int64_t k = std::max<std::int64_t>(0, ceil_div(x - first, p.period));
    const std::int64_t d = first + k * p.period;
    if (d >= 0 && (best < 0 || d < best)) best = d;
  }
  return best;
}

// Synchronous busy period L = sum_j rbf_j(L) (Baruah, Mok & Rosier 1990, with release jitter as
// in Spuri 1996), iterated from sum C_j. Stops early (returning `cap`) once L > cap.
std::optional<std::int64_t> synchronous_busy_period(const TaskSetModel& m, std::int64_t extra,
                                                    std::int64_t cap, Arith& a) {
  std::int64_t l = extra;
  for (const TaskParams& p : m.tasks) l = a.add(l, p.wcet);
  for (std::uint64_t it = 0; it < kMaxIterations; ++it) {
    if (l > cap) return cap;
    std::int64_t next = extra;
    for (const TaskParams& p : m.tasks) next = a.add(next, request_bound(p, l, a));
    if (a.overflow()) return std::nullopt;
    if (next == l) return l;
    l = next;
  }
  return std::nullopt;
}

}  // namespace

// dbf(t) = sum_j max(0, floor((t + J_j - D_j) / T_j) + 1) * C_j (George et al. 1996, eq. for the
// processor demand; jitter moves the first release late by J_j).
std::int64_t demand_bound(const TaskSetModel& m, std::int64_t t, Arith& a) {
  std::int64_t sum = 0;
  for (const TaskParams& p : m.tasks) {
    const std::int64_t x = t + p.jitter - p.deadline;
    if (x < 0) continue;
    sum = a.add(sum, a.mul(floor_div(x, p.period) + 1, p.wcet));
  }
  return sum;
}

// B(t) = max{ q_j - 1 : D_j > t } (0 if none): a job with a later deadline that started one tick
// before the window (ANALYSIS.md; Buttazzo 3rd ed. eq. 8.19 for the q - 1).
std::int64_t edf_blocking(const TaskSetModel& m, std::int64_t t, TaskId* blocker) {
  std::int64_t b = 0;
  for (const TaskParams& p : m.tasks) {
    if (p.deadline <= t) continue;
    const std::int64_t bj = m.region_blocking(p.q_max);
    if (bj > b) {
      b = bj;
      if (blocker != nullptr) *blocker = p.id;
    }
  }
  return b;
}

DemandOutcome edf_demand_test(const TaskSetModel& m, Arith& a) {
  DemandOutcome out;
  const std::optional<int> u = compare_utilisation_with_one(m);
  if (!u.has_value() || *u > 0) {
    out.inconclusive = !u.has_value();
    return out;  // the caller reports the utilisation witness
  }
  std::int64_t d_max = 0;
  for (const TaskParams& p : m.tasks) d_max = std::max(d_max, p.deadline);

  // Testing interval: deadlines up to max(D_max, min(L, L_a)). Beyond D_max, B(t) = 0 and dbf(t)
  // <= t holds for every t >= L (Baruah et al. 1990) and every t >= L_a when U < 1.
  std::int64_t cap = Arith::kInf;
  if (*u < 0) {
    long double sum = 0;
    long double util = 0;
    for (const TaskParams& p : m.tasks) {
      const long double ui = static_cast<long double>(p.wcet) / static_cast<long double>(p.period);
      util += ui;
      sum += static_cast<long double>(p.period - p.deadline + p.jitter) * ui;
    }
    const long double la = std::ceil(sum / (1.0L - util)) + 1.0L;
    if (la < 4.0e18L) cap = std::max<std::int64_t>(static_cast<std::int64_t>(la), 0);
  }
  Arith window_arith;  // a busy period beyond int64 (U = 1, huge hyperperiod) is inconclusive
  const std::optional<std::int64_t> l = synchronous_busy_period(m, 0, cap, window_arith);
  if (!l.has_value() || window_arith.overflow()) {
    out.inconclusive = true;
    return out;
  }
  const std::int64_t t_max = std::max(d_max, *l);
  out.testing_bound = t_max;

  // Pieces of [0, t_max] on which B(t) is constant: boundaries at the distinct deadlines D_j.
  std::vector<std::int64_t> bounds;
  for (const TaskParams& p : m.tasks) bounds.push_back(p.deadline);
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::vector<std::pair<std::int64_t, std::int64_t>> pieces;  // [lo, hi)
  std::int64_t lo = 0;
  for (std::int64_t b : bounds) {
    pieces.emplace_back(lo, b);
    lo = b;
  }
  pieces.emplace_back(lo, a.add(t_max, 1));

  for (const auto& [piece_lo, piece_hi] : pieces) {
    // On [lo, hi) every task with D_j > t has D_j >= hi.
    const std::int64_t beta = edf_blocking(m, piece_hi - 1);
    // QPA (Zhang & Burns 2009, Theorem 6) on the piece, with h(t) = dbf(t) + beta, which is
    // non-decreasing there: if h(t) < t, no point in [h(t), t] can fail.
    std::int64_t t = last_deadline_before(m, piece_hi);
    while (t >= piece_lo && t >= 0) {
      if (++out.points_checked > kMaxPoints) {
        out.inconclusive = true;
        return out;
      }
      const std::int64_t dbf = demand_bound(m, t, a);
      if (dbf == 0) break;  // no deadline at or before t
      const std::int64_t h = a.add(dbf, beta);
      if (h > t) {
        // The largest deadline d <= t has dbf(d) = dbf(t) and B(d) >= beta: it fails too. For a
        // readable witness, look for the earliest failing deadline of the piece (bounded scan).
        out.t = last_deadline_before(m, t + 1);
        std::uint64_t scanned = 0;
        for (std::int64_t d = first_deadline_at_or_after(m, piece_lo); d >= 0 && d < out.t;
             d = first_deadline_at_or_after(m, d + 1)) {
          if (++scanned > 100'000) break;
          if (a.add(demand_bound(m, d, a), edf_blocking(m, d)) > d) {
            out.t = d;
            break;
          }
        }
        out.demand = demand_bound(m, out.t, a);
        out.blocking = edf_blocking(m, out.t, &out.blocker);
        return out;
      }
      if (h < t) {
        t = h;
      } else {
        t = last_deadline_before(m, t);
      }
    }
  }
  if (a.overflow()) {
    out.inconclusive = true;
    return out;
  }
  out.schedulable = true;
  return out;
}

// Response-time bound of task i (ANALYSIS.md, "NP-EDF response-time bound"): over release offsets A
// of the job under analysis in its busy window, the least fixed point
//   AF = blocking(A) + rbf_i(A + 1) - (q_i^last - 1) + sum_{j != i} rbf_j(min(AF, A + 1 + D_i -
//   D_j))
// is when the run-to-completion part has received its first tick; then
//   R_i = max_A (AF - A) + (q_i^last - 1) + J_i,
// with blocking(A) = max{ q_j - 1 : D_j > A + D_i - J_i } (J_i: the job may be released late, which
// only shortens its deadline relative to its release).
EdfResponse edf_response_bound(const TaskSetModel& m, std::size_t i, Arith& a) {
  EdfResponse out;
  const TaskParams& ti = m.tasks[i];
  std::int64_t b_all = 0;
  for (const TaskParams& p : m.tasks) b_all = std::max(b_all, m.region_blocking(p.q_max));
  // The busy window with blocking closes only when U < 1, or U = 1 without blocking. Its own
  // arithmetic: a window that does not close is "no bound", not an input overflow.
  const std::optional<int> u = compare_utilisation_with_one(m);
  Arith window_arith;
  const std::optional<std::int64_t> l =
      (!u.has_value() || *u > 0 || (*u == 0 && b_all > 0))
          ? std::nullopt
          : synchronous_busy_period(m, b_all, Arith::kInf, window_arith);
  if (!l.has_value() || window_arith.overflow()) {
    out.inconclusive = true;
    out.bound = Arith::kInf;
    return out;
  }
  // Offsets where some term of the fixed point steps (steps of rbf_i(A + 1) and of
  // rbf_j(A + 1 + D_i - D_j)); between them AF is constant and AF - A is largest at the left end.
  std::vector<std::int64_t> offsets{0};
  for (const TaskParams& p : m.tasks) {
    const std::int64_t shift = p.id == ti.id ? -p.jitter : p.deadline - ti.deadline - p.jitter;
    const std::int64_t k0 = shift >= 0 ? 0 : ceil_div(-shift, p.period);
    for (std::int64_t k = std::max<std::int64_t>(k0, p.id == ti.id ? 1 : 0);; ++k) {
      const std::int64_t off = a.add(a.mul(k, p.period), shift);
      if (off >= *l || a.overflow()) break;
      offsets.push_back(off);
      if (offsets.size() > kMaxOffsets) {
        out.inconclusive = true;
        out.bound = Arith::kInf;
        return out;
      }
    }
  }
  std::sort(offsets.begin(), offsets.end());
  offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());

  const std::int64_t own_rest = ti.q_last - 1;  // the run-to-completion part after its first tick
  out.bound = 0;
  for (std::int64_t off : offsets) {
    std::int64_t blocking = 0;
    for (const TaskParams& p : m.tasks) {
      if (p.id == ti.id) continue;
      if (p.deadline > off + ti.deadline - ti.jitter) {
        blocking = std::max(blocking, m.region_blocking(p.q_max));
      }
    }
    const std::int64_t base = a.sub(a.add(blocking, request_bound(ti, off + 1, a)), own_rest);
    std::int64_t af = base;
    for (std::uint64_t it = 0;; ++it) {
      std::int64_t next = base;
      for (const TaskParams& p : m.tasks) {
        if (p.id == ti.id) continue;
        const std::int64_t window = std::min(af, off + 1 + ti.deadline - p.deadline);
        next = a.add(next, request_bound(p, window, a));
      }
      if (next == af || a.overflow()) break;
      af = next;
      if (it > kMaxIterations) {
        out.inconclusive = true;
        out.bound = Arith::kInf;
        return out;
      }
    }
    const std::int64_t r = a.add(a.add(std::max(af, off + 1) - off, own_rest), ti.jitter);
    if (r > out.bound) {
      out.bound = r;
      out.blocking = blocking;
      out.offset = off;
    }
  }
  if (a.overflow()) out.inconclusive = true;
  return out;
}

}  // namespace aegisrt::analysis
