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
//   - M. Spuri, "Analysis of deadline scheduled real-time systems", INRIA RR-2772, 1996 (EDF
//     response times with release jitter: the job under analysis arrives at offset A >= -J_i from
//     the start of its busy window, and another task's jobs count when they arrive in
//     [-J_j, A + D_i - D_j], i.e. with a deadline no later than its own, even before the window
//     starts: jitter lets them be released at its start);
//   - for the non-preemptive form, the busy-window argument of George et al. 1996, section 5, and
//     abstract response-time analysis instantiated for fully non-preemptive EDF (Bozhko &
//     Brandenburg, ECRTS 2020). docs/design/0002-admission.md derives the bound used here.
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

std::int64_t saturate(Int128 v) {
  if (v > static_cast<Int128>(Arith::kInf)) return Arith::kInf;
  if (v < -static_cast<Int128>(Arith::kInf)) return -Arith::kInf;
  return static_cast<std::int64_t>(v);
}

// The jobs of task p that arrive in [-J_p, delta - 1] relative to a window start, i.e. every job
// that can be released at or after the start and arrives before `delta`:
// ceil((delta + J_p) / T_p) when delta + J_p > 0, else 0. With jitter this is positive even for
// delta <= 0: a job that arrived up to J_p before the window can be released at its start
// (ANALYSIS.md's rbf, extended to non-positive windows as Spuri 1996 does).
std::int64_t arrivals_before(const TaskParams& p, std::int64_t delta, Arith& a) {
  const std::int64_t x = a.add(delta, p.jitter);
  if (x <= 0) return 0;
  return ceil_div(x, p.period);
}

// rbf_p(delta) = arrivals_before(p, delta) * C_p.
std::int64_t request_bound(const TaskParams& p, std::int64_t delta, Arith& a) {
  return a.mul(arrivals_before(p, delta, a), p.wcet);
}

// Largest absolute deadline d = k T_j + D_j - J_j (k >= 0, d >= 0) of the synchronous pattern with
// d < x, over all tasks; -1 when none. In 128 bits: x may be near int64 max.
std::int64_t last_deadline_before(const TaskSetModel& m, Int128 x) {
  Int128 best = -1;
  for (const TaskParams& p : m.tasks) {
    const Int128 first = static_cast<Int128>(p.deadline) - p.jitter;  // k = 0
    const Int128 k0 = first >= 0 ? 0 : (-first + p.period - 1) / p.period;
    const Int128 d0 = first + k0 * p.period;
    if (x <= d0) continue;
    const Int128 k = (x - 1 - first) / p.period;  // >= k0 >= 0
    best = std::max(best, first + k * p.period);
  }
  return saturate(best);
}

// Smallest absolute deadline d >= x of the synchronous pattern (d >= 0); -1 when none fits int64.
std::int64_t first_deadline_at_or_after(const TaskSetModel& m, std::int64_t x) {
  Int128 best = -1;
  for (const TaskParams& p : m.tasks) {
    const Int128 first = static_cast<Int128>(p.deadline) - p.jitter;
    const Int128 diff = static_cast<Int128>(x) - first;
    const Int128 k = diff <= 0 ? 0 : (diff + p.period - 1) / p.period;
    const Int128 d = first + k * p.period;
    if (d >= 0 && d <= Arith::kInf && (best < 0 || d < best)) best = d;
  }
  return saturate(best);
}

// Synchronous busy period L = extra + sum_j rbf_j(L) (Baruah, Mok & Rosier 1990, with release
// jitter as in Spuri 1996), iterated from extra + sum C_j. Stops early (returning `cap`) once
// L > cap; nullopt when it does not close within the limits or leaves int64.
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

// rho times the number of tasks: each may release one job inside a window whose deadline lies
// beyond it (D_j <= T_j), which dbf does not count but whose release the device still processes.
std::int64_t window_release_interference(const TaskSetModel& m, Arith& a) {
  return a.mul(m.release_overhead, static_cast<std::int64_t>(m.tasks.size()));
}

}  // namespace

// dbf(t) = sum_j max(0, floor((t + J_j - D_j) / T_j) + 1) * C_j: the jobs released at or after
// the window start (arrivals from -J_j) with deadlines inside the window of length t (George et
// al. 1996; Spuri 1996 with jitter). For t = 0 it counts the jobs due the instant they can be
// released (J_j >= D_j).
std::int64_t demand_bound(const TaskSetModel& m, std::int64_t t, Arith& a) {
  std::int64_t sum = 0;
  for (const TaskParams& p : m.tasks) {
    const std::int64_t x = a.sub(a.add(t, p.jitter), p.deadline);
    if (x < 0) continue;
    sum = a.add(sum, a.mul(floor_div(x, p.period) + 1, p.wcet));
  }
  return sum;
}

// B(t) = max{ q_j - 1 : D_j - J_j > t } (0 if none): a job with a later deadline whose region
// started one tick before the window (ANALYSIS.md; Buttazzo 3rd ed. eq. 8.19 for the q - 1; q in
// the dense-time form). Without jitter this is D_j > t. With jitter a task with D_j - J_j <= t <
// D_j already has a job in dbf(t) (one arriving J_j before the window); its blocking job would be a
// later one, arriving at least T_j >= J_j after that, so after the window started: it cannot block
// as well. Leaving it out stays sound even when the job counted in dbf is not there: its C_j in
// dbf(t) covers the q_j - 1 of the blocker instead.
std::int64_t edf_blocking(const TaskSetModel& m, std::int64_t t, TaskId* blocker) {
  std::int64_t b = 0;
  for (const TaskParams& p : m.tasks) {
    if (p.deadline - p.jitter <= t) continue;
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
  const std::int64_t rho_n = window_release_interference(m, a);
  out.release_interference = rho_n;
  // The window of length 0: a job released at its deadline (J_j >= D_j) misses whatever else
  // runs. Points k T_j + D_j - J_j < 0 all fold into this one (defect: they were never checked).
  if (const std::int64_t due = demand_bound(m, 0, a); due > 0) {
    out.t = 0;
    out.demand = due;
    out.blocking = edf_blocking(m, 0, &out.blocker);
    out.due_at_start = true;
    return out;
  }
  std::int64_t d_max = 0;
  for (const TaskParams& p : m.tasks) d_max = std::max(d_max, p.deadline);

  // Testing interval: deadlines up to max(D_max, min(L, L_a)). Beyond D_max, B(t) = 0, and a
  // violation needs a busy window at least t long, so t < L (the synchronous busy period, whose
  // C_j include every job's own release); L_a bounds it too when U < 1 and no release term is
  // added: dbf(t) <= t U + sum (T_j - D_j + J_j) U_j.
  std::int64_t cap = Arith::kInf;
  if (*u < 0 && rho_n == 0) {
    long double sum = 0;
    long double util = 0;
    for (const TaskParams& p : m.tasks) {
      const long double ui = static_cast<long double>(p.wcet) / static_cast<long double>(p.period);
      util += ui;
      sum += (static_cast<long double>(p.period) - static_cast<long double>(p.deadline) +
              static_cast<long double>(p.jitter)) *
             ui;
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

  // Pieces of [0, t_max] on which B(t) is constant: boundaries at the distinct D_j - J_j > 0.
  std::vector<std::int64_t> bounds;
  for (const TaskParams& p : m.tasks) {
    if (p.deadline - p.jitter > 0) bounds.push_back(p.deadline - p.jitter);
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  std::vector<std::pair<std::int64_t, Int128>> pieces;  // [lo, hi); hi may be int64 max + 1
  std::int64_t lo = 0;
  for (std::int64_t b : bounds) {
    if (b > t_max) break;
    pieces.emplace_back(lo, b);
    lo = b;
  }
  pieces.emplace_back(lo, static_cast<Int128>(t_max) + 1);

  for (const auto& [piece_lo, piece_hi] : pieces) {
    // On [lo, hi) every task with D_j - J_j > t has D_j - J_j >= hi.
    const std::int64_t beta =
        a.add(edf_blocking(m, static_cast<std::int64_t>(piece_hi - 1)), rho_n);
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
        out.t = last_deadline_before(m, static_cast<Int128>(t) + 1);
        std::uint64_t scanned = 0;
        for (std::int64_t d = first_deadline_at_or_after(m, piece_lo); d >= 0 && d < out.t;
             d = first_deadline_at_or_after(m, d + 1)) {
          if (++scanned > 100'000) break;
          if (a.add(a.add(demand_bound(m, d, a), edf_blocking(m, d)), rho_n) > d) {
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

// Response-time bound of task i (docs/design/0002-admission.md, "EDF response bound").
// A job J* of task i arrives at a*, is released at r* in [a*, a* + J_i], has deadline d* = a* +
// D_i. Let t0 <= r* be the last instant at which no job with deadline <= d* released before t0 is
// pending. Then [t0, s*) is busy, where s* is when J*'s last region starts: at most one region
// of a later-deadline job, started before t0, blocks (it arrived before t0, so its D_j > A + D_i
// where A = a* - t0 >= -J_i; and D_j - J_j > A + D_i unless task j has a job counted below, see
// edf_blocking), and every other tick runs a job with deadline <= d* released at or after t0. The
// least fixed point
//   AF = B(A) + (floor((A + J_i)/T_i) + 1) C_i - (q_i^last - 1)
//        + sum_{j != i} ceil((min(AF, A + 1 + D_i - D_j) + J_j) / T_j)^+ C_j   [+ releases, below]
// bounds s* + 1 - t0 (the first tick of the last region), so R_i = max_A AF(A) - A + q_i^last - 1.
// A job of task j counts when it arrives in [t0 - J_j, t0 + min(AF - 1, A + D_i - D_j)]: the
// arrival window starts J_j before t0, which is where jobs released at the window start with
// earlier deadlines come from. A ranges over [-J_i, L): below -J_i J* could not be released at or
// after t0, and [t0, r*] lies in a busy period of length <= L. AF(A) - A is largest at the left
// ends of the intervals where no term steps: A = -J_i, k T_i - J_i, and k T_j + D_j - D_i - J_j.
// Releases the fixed point does not count as work (later deadlines, own later jobs) still cost
// rho each: rho * (ceil((AF + J_j)/T_j)^+ - counted_j) per task.
EdfResponse edf_response_bound(const TaskSetModel& m, std::size_t i, Arith& a,
                               std::int64_t stop_at) {
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
  // Candidate offsets, grouped below by blocking value (B(A) is non-increasing in A).
  std::vector<std::int64_t> offsets{-ti.jitter};
  for (const TaskParams& p : m.tasks) {
    const std::int64_t shift =
        p.id == ti.id ? -p.jitter : a.sub(a.sub(p.deadline, ti.deadline), p.jitter);
    // First k >= 0 with k T + shift >= -J_i.
    const std::int64_t gap = a.sub(-ti.jitter, shift);
    std::int64_t k = gap <= 0 ? 0 : ceil_div(gap, p.period);
    for (;; ++k) {
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
  const std::int64_t rho = m.release_overhead;
  // (D_j, blocking of j) for j != i by deadline, with the maximum blocking from each entry on.
  std::vector<std::pair<std::int64_t, std::int64_t>> by_deadline;
  by_deadline.reserve(m.tasks.size());
  for (const TaskParams& p : m.tasks) {
    if (p.id != ti.id) {
      by_deadline.emplace_back(p.deadline - p.jitter, m.region_blocking(p.q_max));
    }
  }
  std::sort(by_deadline.begin(), by_deadline.end());
  std::vector<std::int64_t> suffix_max(by_deadline.size() + 1, 0);
  for (std::size_t k = by_deadline.size(); k-- > 0;) {
    suffix_max[k] = std::max(suffix_max[k + 1], by_deadline[k].second);
  }
  out.bound = 0;
  std::int64_t group_blocking = -1;
  std::int64_t af = 0;  // warm start: within one blocking value AF(A) is non-decreasing in A
  // Pruning: for A + 1 <= L every term of the fixed point is at most its share of the busy
  // period, so AF(A) <= L and R(A) <= L - A + q_i^last - 1 (and R(A) < q_i^last when AF <= A).
  // Offsets are visited in increasing order, so once that ceiling is no higher than the bound
  // found, no later offset can raise it.
  for (std::int64_t off : offsets) {
    if (out.bound >= ti.q_last && a.add(a.sub(*l, off), own_rest) <= out.bound) break;
    // B(A) = max{ q_j - 1 : j != i, D_j - J_j > A + D_i }: the suffix maximum past A + D_i. A task
    // with D_j - J_j <= A + D_i has a job counted below, so it cannot also block (edf_blocking).
    const auto first_later = std::upper_bound(
        by_deadline.begin(), by_deadline.end(), a.add(off, ti.deadline),
        [](std::int64_t x, const std::pair<std::int64_t, std::int64_t>& e) { return x < e.first; });
    const std::int64_t blocking =
        first_later == by_deadline.end()
            ? 0
            : suffix_max[static_cast<std::size_t>(first_later - by_deadline.begin())];
    const std::int64_t own_jobs = floor_div(a.add(off, ti.jitter), ti.period) + 1;
    const std::int64_t base = a.sub(a.add(blocking, a.mul(own_jobs, ti.wcet)), own_rest);
    if (blocking != group_blocking) {
      group_blocking = blocking;
      af = base;
    }
    af = std::max(af, base);
    for (std::uint64_t it = 0;; ++it) {
      std::int64_t next = base;
      std::int64_t releases = 0;  // releases in the window that `next` does not count as work
      for (const TaskParams& p : m.tasks) {
        if (p.id == ti.id) {
          if (rho > 0) {
            releases =
                a.add(releases, std::max<std::int64_t>(0, arrivals_before(p, af, a) - own_jobs));
          }
          continue;
        }
        const std::int64_t cap = a.add(a.sub(off, p.deadline), a.add(ti.deadline, 1));
        const std::int64_t counted = arrivals_before(p, std::min(af, cap), a);
        next = a.add(next, a.mul(counted, p.wcet));
        if (rho > 0) {
          releases =
              a.add(releases, std::max<std::int64_t>(0, arrivals_before(p, af, a) - counted));
        }
      }
      next = a.add(next, a.mul(releases, rho));
      if (next == af || a.overflow()) break;
      af = next;
      if (it > kMaxIterations) {
        out.inconclusive = true;
        out.bound = Arith::kInf;
        return out;
      }
    }
    const std::int64_t r = a.add(a.sub(af, off), own_rest);
    if (r > out.bound) {
      out.bound = r;
      out.blocking = blocking;
      out.offset = off;
      if (r >= stop_at) break;
    }
  }
  if (a.overflow()) out.inconclusive = true;
  return out;
}

}  // namespace aegisrt::analysis
