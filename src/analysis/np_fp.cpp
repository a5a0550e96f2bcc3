// Non-preemptive fixed priority: response-time analysis over the whole level-i active period, with
// release jitter.
//
// Sources:
//   - R. I. Davis, A. Burns, R. J. Bril, J. J. Lukkien, "Controller Area Network (CAN)
//     schedulability analysis: refuted, revisited and revised", Real-Time Systems 35(3), 2007,
//     section 5 (every job of the level-i busy period, eqs. for t_i, Q_i, w_{i,q}, R_i, with
//     jitter);
//   - G. Buttazzo, "Hard Real-Time Computing Systems", 3rd ed., eqs. 8.2-8.6 (the same in the form
//     used here) and Fig. 8.6 (self-pushing: a later job of the period misses).
// The run-to-completion part q_i^last is a parameter so that lp_fp.cpp (Yao, Buttazzo & Bertogna)
// reuses this with the limited-preemption start time; under np policies q_i^last = C_i.
#include <algorithm>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

// Work limits: beyond them the analysis reports "inconclusive" and the set is rejected (sound).
constexpr std::uint64_t kMaxIterations = 200'000;  // fixed-point steps of one equation
constexpr std::uint64_t kMaxJobs = 200'000;        // K_i

}  // namespace

// hp(i) with ties: a task of equal priority is counted as higher (sound for any tie-break, and the
// FIFO analysis relies on it).
bool fp_higher_or_equal(const TaskSetModel& m, std::size_t h, std::size_t i) {
  return h != i && m.tasks[h].priority >= m.tasks[i].priority;
}

// B_i = max_{j in lp(i)} (q_j^max - 1) (Buttazzo eq. 8.2 / 8.24 in discrete time).
std::int64_t fp_blocking(const TaskSetModel& m, std::size_t i) {
  std::int64_t b = 0;
  for (std::size_t j = 0; j < m.tasks.size(); ++j) {
    if (m.tasks[j].priority < m.tasks[i].priority) {
      b = std::max(b, m.region_blocking(m.tasks[j].q_max));
    }
  }
  return b;
}

FpResponse fp_response_time(const TaskSetModel& m, std::size_t i, Arith& a,
                            std::optional<std::int64_t> blocking, bool stop_at_miss) {
  FpResponse out;
  const TaskParams& ti = m.tasks[i];
  const std::int64_t b = blocking.value_or(fp_blocking(m, i));
  out.blocking = b;

  std::vector<bool> hep(m.tasks.size(), false);
  for (std::size_t h = 0; h < m.tasks.size(); ++h) hep[h] = h == i || fp_higher_or_equal(m, h, i);
  const std::optional<int> u = compare_utilisation_with_one(m, &hep);
  if (!u.has_value() || *u > 0) {
    // Level-i overload: the hep demand alone exceeds the device; the response is unbounded.
    out.inconclusive = !u.has_value();
    out.bound = Arith::kInf;
    return out;
  }

  // Level-i active period: L_i = B_i + sum_{h in hep(i)} ceil((L_i + J_h) / T_h) C_h
  // (Davis et al. 2007, eq. 16; Buttazzo eq. 8.3), starting from B_i + C_i.
  // Releases of lower-priority jobs inside the period still cost rho each on the device (they
  // are processed between segments whoever runs); their jobs' work does not interfere.
  const std::int64_t rho = m.release_overhead;
  bool lp_releases = false;
  for (std::size_t j = 0; j < m.tasks.size(); ++j)
    lp_releases = lp_releases || (!hep[j] && rho > 0);
  if (*u == 0 && (b > 0 || lp_releases)) {
    // U_hep = 1 with blocking: L = B + sum ceil(L/T_h) C_h >= B + L has no solution, the active
    // period never closes, and the analysis cannot bound the response.
    out.inconclusive = true;
    out.bound = Arith::kInf;
    return out;
  }
  // With U_hep = 1 and blocking the period never closes; its own arithmetic, so that a period that
  // does not close is reported as inconclusive, not as an input overflow.
  Arith window;
  std::int64_t l = window.add(b, ti.wcet);
  for (std::uint64_t it = 0;; ++it) {
    std::int64_t next = b;
    for (std::size_t h = 0; h < m.tasks.size(); ++h) {
      if (!hep[h]) continue;
      const TaskParams& p = m.tasks[h];
      const std::int64_t jobs = ceil_div(window.add(l, p.jitter), p.period);
      next = window.add(next, window.mul(jobs, p.wcet));
    }
    if (lp_releases) {
      for (std::size_t j = 0; j < m.tasks.size(); ++j) {
        if (hep[j]) continue;
        const TaskParams& p = m.tasks[j];
        next = window.add(next, window.mul(ceil_div(window.add(l, p.jitter), p.period), rho));
      }
    }
    if (window.overflow() || it > kMaxIterations) {
      out.inconclusive = true;
      out.bound = Arith::kInf;
      return out;
    }
    if (next == l) break;
    l = next;
  }
  out.busy_period = l;
  // K_i = ceil((L_i + J_i) / T_i) jobs of task i are released in the active period.
  out.jobs = static_cast<std::uint64_t>(ceil_div(a.add(l, ti.jitter), ti.period));
  if (out.jobs > kMaxJobs) {
    out.inconclusive = true;
    out.bound = Arith::kInf;
    return out;
  }

  out.schedulable = true;
  std::int64_t s = 0;
  for (std::uint64_t k = 1; k <= out.jobs; ++k) {
    // s_{i,k} = B_i + (k - 1) C_i + (C_i - q_i^last) + sum_{h in hp(i)} (floor((s + J_h)/T_h) + 1)
    // C_h (Buttazzo eq. 8.4 / 8.28; Davis et al. eq. 15): the start of job k's last region. hp jobs
    // released at s itself win the decision at s, hence the + 1.
    const std::int64_t base =
        a.add(a.add(b, a.mul(static_cast<std::int64_t>(k - 1), ti.wcet)), ti.wcet - ti.q_last);
    s = std::max(s, base);
    for (std::uint64_t it = 0;; ++it) {
      std::int64_t next = base;
      for (std::size_t h = 0; h < m.tasks.size(); ++h) {
        if (!fp_higher_or_equal(m, h, i)) continue;
        const TaskParams& p = m.tasks[h];
        next = a.add(next, a.mul(floor_div(a.add(s, p.jitter), p.period) + 1, p.wcet));
      }
      if (rho > 0) {
        // Releases up to s of lower-priority tasks and of this task's own later jobs.
        std::int64_t releases = std::max<std::int64_t>(
            0, floor_div(a.add(s, ti.jitter), ti.period) + 1 - static_cast<std::int64_t>(k));
        for (std::size_t j = 0; j < m.tasks.size(); ++j) {
          if (hep[j]) continue;
          const TaskParams& p = m.tasks[j];
          releases = a.add(releases, floor_div(a.add(s, p.jitter), p.period) + 1);
        }
        next = a.add(next, a.mul(releases, rho));
      }
      if (a.overflow() || it > kMaxIterations) {
        out.inconclusive = true;
        out.schedulable = false;
        out.bound = Arith::kInf;
        return out;
      }
      if (next == s) break;
      s = next;
    }
    // f_{i,k} = s_{i,k} + q_i^last; R_{i,k} = f_{i,k} - (k - 1) T_i + J_i (eq. 8.5-8.6).
    const std::int64_t f = a.add(s, ti.q_last);
    const std::int64_t r =
        a.add(a.sub(f, a.mul(static_cast<std::int64_t>(k - 1), ti.period)), ti.jitter);
    const bool miss = r > ti.deadline;
    if (r > out.bound) {
      out.bound = r;
      if (out.schedulable) {  // the witness job: the largest response, or the first miss
        out.job = k;
        out.start = s;
        out.finish = f;
        out.response = r;
      }
    }
    if (miss && out.schedulable) {
      out.schedulable = false;
      out.job = k;
      out.start = s;
      out.finish = f;
      out.response = r;
      if (stop_at_miss) break;
    }
  }
  if (a.overflow()) {
    out.inconclusive = true;
    out.schedulable = false;
  }
  return out;
}

std::vector<Term> fp_terms(const TaskSetModel& m, std::size_t i, const FpResponse& r,
                           const std::vector<std::string>& names) {
  const TaskParams& ti = m.tasks[i];
  std::vector<Term> terms;
  auto ns = [](std::int64_t v) { return Duration::ns(v); };
  terms.push_back({"blocking B_i", 0, ns(r.blocking), ns(r.blocking)});
  if (r.job > 1) {
    const auto k = static_cast<std::int64_t>(r.job - 1);
    terms.push_back({"own earlier jobs (k-1) C_i", k, ns(ti.wcet), ns(k * ti.wcet)});
  }
  if (ti.wcet != ti.q_last) {
    terms.push_back({"own regions before the last, C_i - q_last", 0, ns(ti.wcet - ti.q_last),
                     ns(ti.wcet - ti.q_last)});
  }
  for (std::size_t h = 0; h < m.tasks.size(); ++h) {
    if (!fp_higher_or_equal(m, h, i)) continue;
    const TaskParams& p = m.tasks[h];
    const std::int64_t count = floor_div(r.start + p.jitter, p.period) + 1;
    terms.push_back({"higher-priority " + names[h], count, ns(p.wcet), ns(count * p.wcet)});
  }
  if (m.release_overhead > 0) {
    std::int64_t releases = std::max<std::int64_t>(
        0, floor_div(r.start + ti.jitter, ti.period) + 1 - static_cast<std::int64_t>(r.job));
    for (std::size_t j = 0; j < m.tasks.size(); ++j) {
      if (j == i || fp_higher_or_equal(m, j, i)) continue;
      const TaskParams& p = m.tasks[j];
      releases += floor_div(r.start + p.jitter, p.period) + 1;
    }
    if (releases > 0) {
      terms.push_back({"releases of lower-priority and own later jobs", releases,
                       ns(m.release_overhead), ns(releases * m.release_overhead)});
    }
  }
  return terms;
}

}  // namespace aegisrt::analysis
