// Internal: the task set as the analyses see it (integers in ns, overheads already charged) and the
// checked arithmetic they share. Not part of the public API; tests include it from src/.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/task.hpp"

namespace aegisrt::analysis {

// 128-bit integers for exact products of two int64 values (GCC and Clang both provide them).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Saturating int64 arithmetic with a sticky overflow flag. A saturated value compares as "too
// large", so an overflowing computation can only push an analysis towards rejection; admit() turns
// the flag into an error so the user is told instead of getting a verdict built on it.
class Arith {
 public:
  static constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max();

  std::int64_t add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return saturate();
    return r;
  }
  std::int64_t sub(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return saturate();
    return r;
  }
  std::int64_t mul(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) return saturate();
    return r;
  }
  bool overflow() const { return overflow_; }
  void set_overflow() { overflow_ = true; }

 private:
  std::int64_t saturate() {
    overflow_ = true;
    return kInf;
  }
  bool overflow_ = false;
};

// floor(a / b) and ceil(a / b) for b > 0 and any sign of a. Never overflow: no intermediate
// a + b - 1 (which wraps for a near int64 max, as a period of 9e18 ns showed).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a > 0) ? q + 1 : q;
}

// One sporadic task: C, T, D, J in ns and its non-preemptive regions (overheads included).
struct TaskParams {
  TaskId id = 0;
  std::int64_t wcet = 0;              // C_i: sum of `regions`
  std::int64_t period = 0;            // T_i
  std::int64_t deadline = 0;          // D_i
  std::int64_t jitter = 0;            // J_i
  std::int32_t priority = 0;          // larger = more urgent
  std::vector<std::int64_t> regions;  // q_{i,1..m_i}; one region (= C_i) under np policies
  std::int64_t q_max = 0;             // q_i^max: longest region, what task i can block others with
  std::int64_t q_last = 0;            // q_i^last: the run-to-completion part
};

struct TaskSetModel {
  Policy policy = Policy::kNpEdf;  // fifo is carried as np-fp with equal priorities
  TimeModel time_model = TimeModel::kDiscrete;
  std::vector<TaskParams> tasks;
  // rho: the device time one release costs. Every job's own release is in its first region (so in
  // C); a release of a job that a test does not count as demand or interference (a later deadline,
  // a lower priority) still costs rho on the device timeline, since releases are processed between
  // segments whichever job runs; each test adds those as an interference term (overheads.cpp).
  std::int64_t release_overhead = 0;

  // Blocking a region of length q causes to a job released while it runs (ANALYSIS.md, "Time
  // convention"; Buttazzo 3rd ed. eq. 8.19): q - 1 in discrete time, q in the dense-time option.
  std::int64_t region_blocking(std::int64_t q) const {
    return time_model == TimeModel::kDiscrete ? q - 1 : q;
  }
  // The largest region that causes at most `blocking` (inverse of region_blocking).
  std::int64_t region_for_blocking(std::int64_t blocking) const {
    return time_model == TimeModel::kDiscrete ? blocking + 1 : blocking;
  }
};

// Builds the analysis model: validates the tasks, charges overheads (overheads.cpp) and sets the
// regions according to `policy`. `priorities` overrides task.priority when non-empty.
Result<TaskSetModel> build_model(const Workload& w, Policy policy, TimeModel time_model,
                                 const std::vector<std::int32_t>& priorities);

// The same, with every declared segment WCET multiplied by `factor` (rounded up) before the
// overheads are charged; for the critical scaling factor and WCET advice.
Result<TaskSetModel> build_scaled_model(const Workload& w, Policy policy, TimeModel time_model,
                                        const std::vector<std::int32_t>& priorities, double factor);

// ---------------------------------------------------------------------------------------------
// Utilisation (utilisation.cpp).

// Exact comparison of U = sum C_i / T_i with 1 over `tasks` (all of the set when empty mask):
// -1 (U < 1), 0 (U = 1), +1 (U > 1). Uses 128-bit fractions; when those would overflow, decides
// with long double and a margin, and reports undecidable (nullopt) only within 1e-15 of 1.
std::optional<int> compare_utilisation_with_one(const TaskSetModel& m,
                                                const std::vector<bool>* subset = nullptr);
double utilisation(const TaskSetModel& m, const std::vector<bool>* subset = nullptr);

// ---------------------------------------------------------------------------------------------
// EDF processor-demand analysis (np_edf.cpp), parameterised by the regions in the model so that
// lp_edf.cpp reuses it with q^max / q^last.

struct DemandOutcome {
  bool schedulable = false;
  bool inconclusive = false;       // busy period or iteration limits exceeded
  std::int64_t t = 0;              // witness interval when !schedulable
  std::int64_t demand = 0;         // dbf(t)
  std::int64_t blocking = 0;       // B(t)
  TaskId blocker = 0;              // the task whose region gives B(t)
  std::int64_t testing_bound = 0;  // largest interval that had to be checked
  std::uint64_t points_checked = 0;
  // rho times the tasks that may release a job inside the window whose deadline lies beyond it
  // (at most one each, D <= T): device time the window loses to those releases.
  std::int64_t release_interference = 0;
  bool due_at_start = false;  // the witness is t = 0: a job is due the instant it is released
};

std::int64_t demand_bound(const TaskSetModel& m, std::int64_t t, Arith& a);
std::int64_t edf_blocking(const TaskSetModel& m, std::int64_t t, TaskId* blocker = nullptr);
DemandOutcome edf_demand_test(const TaskSetModel& m, Arith& a);

struct EdfResponse {
  std::int64_t bound = 0;     // R_i
  std::int64_t blocking = 0;  // blocking at the offset that gave the bound
  std::int64_t offset = 0;    // A
  bool inconclusive = false;
};
// `stop_at`: once the bound reaches it the search ends (the caller reports min(R_i, D_i) when the
// demand test passed, so nothing above D_i is needed).
EdfResponse edf_response_bound(const TaskSetModel& m, std::size_t i, Arith& a,
                               std::int64_t stop_at = Arith::kInf);

// ---------------------------------------------------------------------------------------------
// Fixed-priority response-time analysis over the level-i active period (np_fp.cpp), with the
// run-to-completion part q_last so that lp_fp.cpp reuses it.

struct FpResponse {
  bool schedulable = false;
  bool inconclusive = false;
  std::int64_t bound = 0;        // R_i = max_k R_{i,k} (up to the first failing job)
  std::int64_t blocking = 0;     // B_i
  std::int64_t busy_period = 0;  // L_i
  std::uint64_t jobs = 0;        // K_i
  // The job that gave the bound (or failed first): 1-based, with its fixed point.
  std::uint64_t job = 0;
  std::int64_t start = 0;
  std::int64_t finish = 0;
  std::int64_t response = 0;
};

// Analyses task i with blocking `blocking` (nullopt: B_i from the lower-priority tasks). `stop_at_
// miss` ends at the first job whose response exceeds D_i.
FpResponse fp_response_time(const TaskSetModel& m, std::size_t i, Arith& a,
                            std::optional<std::int64_t> blocking = std::nullopt,
                            bool stop_at_miss = true);
std::int64_t fp_blocking(const TaskSetModel& m, std::size_t i);
bool fp_higher_or_equal(const TaskSetModel& m, std::size_t h, std::size_t i);

// The witness terms of job k of task i: blocking, own previous jobs, own non-final part, and per
// higher-priority task the jobs released in [0, s].
std::vector<Term> fp_terms(const TaskSetModel& m, std::size_t i, const FpResponse& r,
                           const std::vector<std::string>& names);

// ---------------------------------------------------------------------------------------------
// Schedulability of the whole model under its policy (used by sensitivity, advice, OPA).
struct SetOutcome {
  bool schedulable = false;
  bool inconclusive = false;
};
SetOutcome model_schedulable(const TaskSetModel& m, Arith& a);

// Blocking tolerance of task i under fp: the largest blocking with R_i <= D_i, or -1 when it misses
// even without blocking (lp_fp.cpp, Buttazzo eq. 8.22-8.23).
std::int64_t fp_blocking_tolerance(const TaskSetModel& m, std::size_t i, Arith& a);

// Largest admissible non-preemptive region of each task (lp_fp.cpp / lp_edf.cpp); capped at C_i,
// 0 when none is admissible.
std::vector<std::int64_t> fp_max_np_regions(const TaskSetModel& m, Arith& a);
std::vector<std::int64_t> edf_max_np_regions(const TaskSetModel& m, Arith& a, bool* complete);

// Memory (memory.cpp).
MemoryCheck check_memory(const Workload& w, const AdmitOptions& options);

// ---------------------------------------------------------------------------------------------
// Priority assignment (priority_assignment.cpp).
struct PriorityOutcome {
  std::vector<std::int32_t> priorities;  // by task id; larger = more urgent
  bool audsley_failed = false;           // no assignment passes the test
  std::size_t failed_level = 0;          // 1-based level (1 = lowest) Audsley could not fill
};
Result<PriorityOutcome> compute_priorities(const Workload& w, Policy policy,
                                           const AdmitOptions& options);
bool is_fixed_priority(Policy p);  // np-fp, lp-fp and fifo (analysed as np-fp)

// ---------------------------------------------------------------------------------------------
// Sensitivity (sensitivity.cpp). All run the full test of `policy` on modified copies.
struct Setting {
  Policy policy = Policy::kNpEdf;
  TimeModel time_model = TimeModel::kDiscrete;
  std::vector<std::int32_t> priorities;
};
// True when `w` passes (inconclusive counts as failing).
bool passes(const Workload& w, const Setting& s);
// Critical scaling factor, bisection to relative precision `precision`; 0 when even 2^-30 fails.
double critical_scaling_factor(const Workload& w, const Setting& s, double precision);
// The largest total declared WCET of task x (segments scaled proportionally, rounded up) that
// admits the set; nullopt when even the smallest does not.
std::optional<std::int64_t> max_admissible_wcet(const Workload& w, const Setting& s, std::size_t x);
// The smallest deadline (<= period) of task x that admits the set; nullopt when none does.
std::optional<std::int64_t> min_admissible_deadline(const Workload& w, const Setting& s,
                                                    std::size_t x);
// Task x's segments scaled so that they sum to about `total` (each rounded up, at least 1).
std::vector<Segment> scaled_segments(const Task& t, std::int64_t total);

// ---------------------------------------------------------------------------------------------
// Preemption-point advice (preemption_points.cpp), lp policies.
struct PreemptionPlan {
  std::vector<RegionPlan> plans;  // by task id
  bool schedulable = false;
};
PreemptionPlan plan_preemption_points(const Workload& w, const Setting& s);

// Integer bisection on a monotone predicate: `inside(lo)` holds and `inside(out)` does not (either
// side may be the larger one). Narrows the two until they are adjacent and returns the last value
// where `inside` holds. O(log |out - lo|) calls of `inside`.
template <typename Predicate>
std::int64_t last_inside(std::int64_t lo, std::int64_t out, Predicate inside) {
  while (out - lo > 1 || lo - out > 1) {
    const std::int64_t mid = lo + (out - lo) / 2;
    if (inside(mid)) {
      lo = mid;
    } else {
      out = mid;
    }
  }
  return lo;
}

}  // namespace aegisrt::analysis
