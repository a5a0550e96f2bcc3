// Admission: runs the test of the policy, gathers per-task bounds, and writes the rationale and the
// witness of a rejection; the advice sentence is admission_advice.cpp. The tests themselves live
// one per file (utilisation.cpp, np_edf.cpp, np_fp.cpp, lp_edf.cpp, lp_fp.cpp); this file only
// orchestrates.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "admission_advice.hpp"
#include "model.hpp"

namespace aegisrt::analysis {

bool is_edf(Policy p) { return p == Policy::kNpEdf || p == Policy::kLpEdf; }

std::string fmt_ns(std::int64_t v) {
  if (v == Arith::kInf) return "unbounded";
  return format_duration(Duration::ns(v));
}

std::string fmt_double(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

namespace {

std::string test_name(Policy p, TimeModel tm) {
  std::string s;
  switch (p) {
    case Policy::kNpEdf:
      s = "np-edf processor demand with blocking (George, Rivierre & Spuri 1996; QPA, Zhang & "
          "Burns 2009)";
      break;
    case Policy::kLpEdf:
      s = "lp-edf processor demand with segment blocking (Baruah 2005; Bertogna & Baruah 2010)";
      break;
    case Policy::kNpFp:
      s = "np-fp response time over the level-i active period (Davis, Burns, Bril & Lukkien 2007)";
      break;
    case Policy::kLpFp:
      s = "lp-fp response time with fixed preemption points (Yao, Buttazzo & Bertogna 2009)";
      break;
    case Policy::kFifo:
      s = "fifo as np-fp with equal priorities (Davis et al. 2007; sufficient only)";
      break;
  }
  s += tm == TimeModel::kDiscrete ? ", discrete time" : ", dense-time blocking";
  return s;
}

// What the analysis assumes, in the rationale: the policy and its test, how blocking is charged,
// periodic tasks as sporadic, the overheads, and where fixed priorities come from.
void explain_assumptions(const Workload& workload, const AdmitOptions& options,
                         const PriorityOutcome& prio, Verdict& v) {
  v.rationale.push_back("policy " + std::string(to_string(v.policy)) + "; test: " + v.test);
  v.rationale.push_back(
      v.time_model == TimeModel::kDiscrete
          ? std::string("blocking by a non-preemptive region of length q is charged as q - 1 "
                        "(discrete time: backend `") +
                workload.device.backend +
                "` decides at integer nanoseconds aligned with releases, so a region that "
                "blocks a job started at least one tick before its release)"
          : std::string("blocking by a non-preemptive region of length q is charged as q "
                        "(dense time: backend `") +
                workload.device.backend +
                "` runs on a real clock, where a region may start any fraction of a tick "
                "before a release)");
  {
    std::size_t periodic = 0;
    for (const Task& t : workload.tasks) periodic += t.arrival == ArrivalKind::kPeriodic ? 1 : 0;
    if (periodic > 0) {
      v.rationale.push_back(
          std::to_string(periodic) +
          " periodic task(s) analysed as sporadic with minimum inter-arrival = period (their "
          "phases are not used: safe, possibly pessimistic)");
    }
  }
  const Overheads& oh = workload.scheduler.overheads;
  if (oh.release != Duration::zero() || oh.dispatch != Duration::zero() ||
      oh.preemption != Duration::zero()) {
    v.rationale.push_back(
        "overheads charged to every job: release " + fmt_ns(oh.release.count()) + " + dispatch " +
        fmt_ns(oh.dispatch.count()) + " in the first region" +
        (preempts_at_segment_boundaries(v.policy)
             ? "; dispatch + preemption " +
                   fmt_ns(Arith().add(oh.dispatch.count(), oh.preemption.count())) +
                   " in every later region (a decision at every segment "
                   "boundary)"
             : ""));
    if (oh.release != Duration::zero()) {
      v.rationale.push_back(
          "releases are processed between segments whichever job runs, so every release the "
          "test does not count as work (later deadlines, lower priorities, own later jobs) is "
          "added as " +
          fmt_ns(oh.release.count()) + " of interference");
    }
  }
  if (is_fixed_priority(v.policy)) {
    if (v.policy == Policy::kFifo) {
      v.rationale.push_back(
          "fifo is np-fp's order with all priorities equal: every other task's jobs released up "
          "to a job's start are counted as interference");
    } else {
      v.rationale.push_back(std::string("priorities: ") + to_string(options.priorities) +
                            (prio.audsley_failed
                                 ? " found no assignment that passes: at level " +
                                       std::to_string(prio.failed_level) +
                                       " (1 = lowest) no remaining task meets its deadline; "
                                       "the rest are deadline-monotonic"
                                 : ""));
    }
  }
}

// Per-task numbers that do not depend on the test: the declared and charged WCET, the regions,
// the deadline.
std::vector<TaskVerdict> declared_task_numbers(const Workload& workload, const TaskSetModel& m,
                                               const AdmitOptions& options) {
  std::vector<TaskVerdict> tasks(m.tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskVerdict& tv = tasks[i];
    const Task& t = workload.tasks[i];
    const TaskParams& p = m.tasks[i];
    tv.name = t.name;
    tv.id = p.id;
    tv.priority = p.priority;
    tv.declared_wcet = t.wcet();
    tv.wcet = Duration::ns(p.wcet);
    const bool profiled = i < options.wcet_sources.size() && !options.wcet_sources[i].empty() &&
                          options.wcet_sources[i] != "declared in the workload";
    tv.wcet_source =
        (profiled ? options.wcet_sources[i] + ", " : std::string("declared in the workload (")) +
        std::to_string(t.segments.size()) + (t.segments.size() == 1 ? " segment" : " segments") +
        (profiled ? "" : ")") + (p.wcet != t.wcet().count() ? " + overheads" : "");
    tv.longest_region = Duration::ns(p.q_max);
    tv.last_region = Duration::ns(p.q_last);
    tv.deadline = Duration::ns(p.deadline);
  }
  return tasks;
}

Witness utilisation_witness(double u) {
  Witness w;
  w.kind = Witness::Kind::kUtilisation;
  w.detail = "U = " + fmt_double(u, 6) + " > 1";
  w.explanation = "the tasks need more than the whole device: " + w.detail;
  return w;
}

// The EDF demand test did not pass: the interval, the demand by task, the blocking and the
// releases, or the job that is due the instant it is released. `a` is the admission's arithmetic
// (its overflow flag counts).
Witness demand_witness(const TaskSetModel& m, const DemandOutcome& d,
                       const std::vector<std::string>& names, Arith& a) {
  Witness w;
  w.kind = Witness::Kind::kDemand;
  w.interval = Duration::ns(d.t);
  w.demand = Duration::ns(d.demand);
  w.blocking = Duration::ns(d.blocking);
  for (const TaskParams& p : m.tasks) {
    const std::int64_t x = d.t + p.jitter - p.deadline;
    if (x < 0) continue;
    const std::int64_t jobs = floor_div(x, p.period) + 1;
    w.terms.push_back(
        {"demand of " + names[p.id], jobs, Duration::ns(p.wcet), Duration::ns(jobs * p.wcet)});
  }
  if (d.blocking > 0) {
    w.terms.push_back({"blocking by " + names[d.blocker] + " (region - 1)", 0,
                       Duration::ns(d.blocking), Duration::ns(d.blocking)});
  }
  if (d.release_interference > 0 && !d.due_at_start) {
    w.terms.push_back({"releases of later-deadline jobs (one per task)",
                       static_cast<std::int64_t>(m.tasks.size()), Duration::ns(m.release_overhead),
                       Duration::ns(d.release_interference)});
  }
  if (d.due_at_start) {
    std::string who;
    for (const TaskParams& p : m.tasks) {
      if (p.jitter < p.deadline) continue;
      if (!who.empty()) who += ", ";
      who +=
          names[p.id] + " (jitter " + fmt_ns(p.jitter) + " >= deadline " + fmt_ns(p.deadline) + ")";
    }
    w.explanation = "a job can be released at or after its own deadline: " + who +
                    "; it cannot finish in time whatever else runs";
  } else {
    const std::int64_t need = a.add(a.add(d.demand, d.blocking), d.release_interference);
    w.explanation =
        "in an interval of length t = " + fmt_ns(d.t) +
        " the jobs with deadlines inside it need dbf(t) = " + fmt_ns(d.demand) +
        ", plus blocking B(t) = " + fmt_ns(d.blocking) +
        (d.release_interference > 0 ? ", plus releases " + fmt_ns(d.release_interference)
                                    : std::string()) +
        ": " + fmt_ns(need) + " > t by " + fmt_ns(a.sub(need, d.t));
  }
  return w;
}

// Per task under EDF: the blocking at the critical instant, the response bound (with
// options.response_bounds) and whether the deadline is met.
void edf_task_bounds(const TaskSetModel& m, const AdmitOptions& options, bool timing_ok,
                     std::vector<TaskVerdict>& tasks) {
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskVerdict& tv = tasks[i];
    EdfResponse r;
    r.inconclusive = true;  // not computed
    // Own arithmetic: a bound that leaves int64 is "no bound" (D_i when the test passed).
    Arith ra;
    if (options.response_bounds) {
      r = edf_response_bound(m, i, ra, timing_ok ? m.tasks[i].deadline : Arith::kInf);
      if (ra.overflow()) r.inconclusive = true;
    }
    // Blocking at the critical instant A = -J_i: max{ q_j - 1 : D_j - J_j > D_i - J_i }.
    std::int64_t b = 0;
    for (const TaskParams& p : m.tasks) {
      if (p.id != i && p.deadline - p.jitter > m.tasks[i].deadline - m.tasks[i].jitter) {
        b = std::max(b, m.region_blocking(p.q_max));
      }
    }
    tv.blocking = Duration::ns(b);
    if (!r.inconclusive) {
      // When the demand test passes every job meets its deadline, so D_i is a bound too.
      const std::int64_t bound = timing_ok ? std::min(r.bound, m.tasks[i].deadline) : r.bound;
      tv.response_bound = Duration::ns(bound);
    } else if (timing_ok) {
      tv.response_bound = tv.deadline;
    }
    if (tv.response_bound) tv.slack = tv.deadline - *tv.response_bound;
    tv.meets_deadline = timing_ok || (tv.response_bound && *tv.response_bound <= tv.deadline);
  }
}

// The EDF policies: the processor-demand test (unless `witness` already rejects the set), its
// witness or the rationale of its pass, then the per-task bounds. Returns whether the timing test
// passed.
bool edf_timing(const TaskSetModel& m, const std::vector<std::string>& names,
                const AdmitOptions& options, double u, Arith& a, std::optional<Witness>& witness,
                Verdict& v) {
  bool timing_ok = false;
  DemandOutcome d;
  if (!witness) d = edf_demand_test(m, a);
  if (!witness && d.inconclusive) {
    Witness w;
    w.kind = Witness::Kind::kInconclusive;
    w.detail = "U = " + fmt_double(u, 8);
    w.explanation = "the synchronous busy period did not close within the analysis limits (" +
                    w.detail + "); rejected to be safe";
    witness = w;
  } else if (!witness && !d.schedulable) {
    witness = demand_witness(m, d, names, a);
  } else if (!witness) {
    timing_ok = true;
    v.rationale.push_back(
        "checked dbf(t) + B(t)" + std::string(d.release_interference > 0 ? " + releases" : "") +
        " <= t at t = 0 and " + std::to_string(d.points_checked) + " points (QPA) of [0, " +
        fmt_ns(d.testing_bound) + "] = [0, max(D_max, min(L, L_a))]: all hold");
  }
  if (options.response_bounds) {
    v.rationale.push_back(
        "response bounds: the busy-window analysis with release jitter (Spuri 1996; George et "
        "al. 1996), every arrival offset A in [-J_i, L) where a term steps" +
        std::string(timing_ok ? "; reported as min(R_i, D_i), since every deadline is met" : ""));
  }
  edf_task_bounds(m, options, timing_ok, v.tasks);
  return timing_ok;
}

// The fixed-priority test missed task i (the highest priority that misses): its level is
// overloaded or did not close, or the fixed point of the job that misses.
Witness fp_witness(const TaskSetModel& m, std::size_t i, const FpResponse& r,
                   const std::vector<std::string>& names) {
  const std::size_t n = m.tasks.size();
  Witness w;
  if (r.inconclusive || r.bound == Arith::kInf) {
    w.kind = r.inconclusive ? Witness::Kind::kInconclusive : Witness::Kind::kUtilisation;
    w.task = static_cast<TaskId>(i);
    std::vector<bool> hep(n, false);
    for (std::size_t h = 0; h < n; ++h) hep[h] = h == i || fp_higher_or_equal(m, h, i);
    w.detail = "utilisation of " + names[i] +
               " and the tasks at or above its priority = " + fmt_double(utilisation(m, &hep), 6);
    w.explanation = "the level-" + names[i] + " busy period " +
                    (r.inconclusive ? "did not close within the analysis limits"
                                    : "never closes (its level is overloaded)") +
                    "; rejected";
  } else {
    w.kind = Witness::Kind::kResponseTime;
    w.task = static_cast<TaskId>(i);
    w.job = r.job;
    w.blocking = Duration::ns(r.blocking);
    w.start = Duration::ns(r.start);
    w.finish = Duration::ns(r.finish);
    w.response = Duration::ns(r.response);
    w.deadline = Duration::ns(m.tasks[i].deadline);
    w.terms = fp_terms(m, i, r, names);
    w.explanation = "job " + std::to_string(r.job) + " of " + std::to_string(r.jobs) +
                    " in the level-" + names[i] + " active period (L = " + fmt_ns(r.busy_period) +
                    ") starts its last region at s = " + fmt_ns(r.start) +
                    " and finishes at f = " + fmt_ns(r.finish) + ": response " +
                    fmt_ns(r.response) + " > deadline " + fmt_ns(m.tasks[i].deadline) + " by " +
                    fmt_ns(r.response - m.tasks[i].deadline);
    if (r.job > 1) w.explanation += " (self-pushing: an earlier job of the period was fine)";
  }
  return w;
}

// The fixed-priority policies (and fifo): the response time of every task, the witness of the
// highest-priority miss (unless `witness` already rejects the set) or the rationale of the pass.
// Returns whether the timing test passed.
bool fp_timing(const TaskSetModel& m, const std::vector<std::string>& names,
               const AdmitOptions& options, Arith& a, std::optional<Witness>& witness, Verdict& v) {
  const std::size_t n = m.tasks.size();
  std::vector<FpResponse> rs(n);
  std::optional<std::size_t> failing;
  for (std::size_t i = 0; i < n; ++i) {
    rs[i] = fp_response_time(m, i, a, std::nullopt, !options.response_bounds);
    TaskVerdict& tv = v.tasks[i];
    tv.blocking = Duration::ns(rs[i].blocking);
    if (!rs[i].inconclusive && rs[i].bound != Arith::kInf) {
      tv.response_bound = Duration::ns(rs[i].bound);
      tv.slack = tv.deadline - *tv.response_bound;
    }
    tv.meets_deadline = rs[i].schedulable && !rs[i].inconclusive;
    if (!tv.meets_deadline && (!failing || m.tasks[i].priority > m.tasks[*failing].priority)) {
      failing = i;
    }
  }
  if (!witness && failing) {
    witness = fp_witness(m, *failing, rs[*failing], names);
    return false;
  }
  if (!witness) {
    v.rationale.push_back(
        "every job of every level-i active period finishes by its deadline (R_i <= D_i)");
    return true;
  }
  return false;
}

Witness overflow_witness() {
  Witness w;
  w.kind = Witness::Kind::kInconclusive;
  w.detail = "int64 overflow";
  w.explanation =
      "a quantity of the test (a demand, a busy period or a job count) exceeds int64 "
      "nanoseconds (about 292 years); rejected to be safe: use shorter periods and WCETs";
  return w;
}

// The memory check, in the rationale, and its witness when the set does not fit (unless `witness`
// already rejects it).
void check_memory_budget(const Workload& workload, const AdmitOptions& options,
                         std::optional<Witness>& witness, Verdict& v) {
  v.memory = check_memory(workload, options);
  if (v.memory.budget_bytes != 0) {
    v.rationale.push_back("memory: " + v.memory.source + " = " +
                          std::to_string(v.memory.total_bytes) + " B, budget " +
                          std::to_string(v.memory.budget_bytes) +
                          " B: " + (v.memory.fits ? "fits" : "does not fit"));
  } else if (options.planned_model_bytes) {
    v.rationale.push_back("memory: " + v.memory.source + "; no device.memory_budget declared");
  }
  if (!v.memory.fits && !witness) {
    Witness w;
    w.kind = Witness::Kind::kMemory;
    w.detail = std::to_string(v.memory.total_bytes) + " B > " +
               std::to_string(v.memory.budget_bytes) + " B";
    w.explanation =
        "the tasks' memory (" + v.memory.source + ") exceeds the device budget: " + w.detail;
    witness = w;
  }
}

// Limited preemption (lp policies with options.preemption_advice): the largest admissible
// non-preemptive region of every task and the merged preemption-point plan.
void advise_preemption_points(const Workload& workload, const TaskSetModel& m,
                              const Setting& setting, Arith& a, Verdict& v) {
  bool complete = true;
  const std::vector<std::int64_t> q =
      v.policy == Policy::kLpFp ? fp_max_np_regions(m, a) : edf_max_np_regions(m, a, &complete);
  if (complete) {
    for (std::size_t i = 0; i < v.tasks.size(); ++i) v.tasks[i].max_np_region = Duration::ns(q[i]);
  }
  const PreemptionPlan plan = plan_preemption_points(workload, setting);
  v.preemption_points = plan.plans;
  v.preemption_points_schedulable = plan.schedulable;
}
}  // namespace

SetOutcome model_schedulable(const TaskSetModel& m, Arith& a) {
  SetOutcome out;
  if (is_edf(m.policy)) {
    const DemandOutcome d = edf_demand_test(m, a);
    out.schedulable = d.schedulable;
    out.inconclusive = d.inconclusive;
    return out;
  }
  out.schedulable = true;
  for (std::size_t i = 0; i < m.tasks.size(); ++i) {
    const FpResponse r = fp_response_time(m, i, a, std::nullopt, true);
    if (r.inconclusive) out.inconclusive = true;
    if (!r.schedulable || r.inconclusive) {
      out.schedulable = false;
      return out;
    }
  }
  return out;
}

Result<std::vector<std::int32_t>> assign_priorities(const Workload& workload, Policy policy,
                                                    const AdmitOptions& options) {
  Result<PriorityOutcome> p = compute_priorities(workload, policy, options);
  if (!p.ok()) return p.error();
  return std::move(p->priorities);
}

Result<Verdict> admit(const Workload& workload, const AdmitOptions& options) {
  Verdict v;
  v.policy = options.policy.value_or(workload.scheduler.policy);
  v.time_model = resolve_time_model(workload, options);
  v.test = test_name(v.policy, v.time_model);
  if (workload.tasks.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the workload has no tasks to admit");
  }
  Result<PriorityOutcome> prio = compute_priorities(workload, v.policy, options);
  if (!prio.ok()) return prio.error();
  Result<TaskSetModel> built = build_model(workload, v.policy, v.time_model, prio->priorities);
  if (!built.ok()) return built.error();
  const TaskSetModel& m = *built;
  const std::size_t n = m.tasks.size();
  std::vector<std::string> names(n);
  for (std::size_t i = 0; i < n; ++i) names[i] = workload.tasks[i].name;
  Arith a;

  explain_assumptions(workload, options, *prio, v);
  for (std::size_t i = 0; i < n && i < options.wcet_sources.size(); ++i) {
    if (options.wcet_sources[i].empty()) continue;
    v.rationale.push_back("WCET of " + names[i] + ": " + options.wcet_sources[i]);
  }

  // Utilisation (necessary for every policy).
  const std::optional<int> ucmp = compare_utilisation_with_one(m);
  const double u = utilisation(m);
  v.rationale.push_back("U = sum C_i/T_i = " + fmt_double(u, 6) +
                        (ucmp.has_value() && *ucmp > 0 ? " > 1: overloaded" : " <= 1"));

  v.tasks = declared_task_numbers(workload, m, options);

  // The timing test of the policy.
  std::optional<Witness> witness;
  if (ucmp.has_value() && *ucmp > 0) witness = utilisation_witness(u);
  bool timing_ok = is_edf(v.policy) ? edf_timing(m, names, options, u, a, witness, v)
                                    : fp_timing(m, names, options, a, witness, v);
  if (a.overflow()) {
    // A quantity the test needs left int64 nanoseconds: no verdict can rest on it.
    timing_ok = false;
    for (TaskVerdict& tv : v.tasks) tv.meets_deadline = false;
    witness = overflow_witness();
  }

  const Overheads& oh = workload.scheduler.overheads;
  v.exact = v.policy == Policy::kNpEdf && v.time_model == TimeModel::kDiscrete &&
            oh.release == Duration::zero() && oh.dispatch == Duration::zero() &&
            std::all_of(m.tasks.begin(), m.tasks.end(),
                        [](const TaskParams& p) { return p.jitter == 0; });
  v.rationale.push_back(
      v.exact ? "this test is exact (necessary and sufficient) for the scheduler as documented"
              : "this test is sufficient: an admitted set meets every deadline; a rejected one "
                "may still be schedulable");

  check_memory_budget(workload, options, witness, v);

  v.schedulable = timing_ok && v.memory.fits;
  v.witness = witness;
  Setting setting{v.policy, v.time_model, prio->priorities};

  // Sensitivity.
  if (options.scaling_precision > 0) {
    v.scaling_precision = options.scaling_precision;
    v.critical_scaling_factor =
        critical_scaling_factor(workload, setting, options.scaling_precision);
  }

  // Limited preemption: largest admissible regions and the merged plan.
  if (preempts_at_segment_boundaries(v.policy) && options.preemption_advice) {
    advise_preemption_points(workload, m, setting, a, v);
  }

  v.advice = verdict_advice(workload, m, setting, options, names, v);
  if (witness) v.rationale.push_back("rejected: " + witness->explanation);
  return v;
}

Result<Verdict> admit_task(const Workload& admitted, const Task& candidate,
                           const AdmitOptions& options) {
  Workload w = admitted;
  Task t = candidate;
  t.id = static_cast<TaskId>(w.tasks.size());
  w.tasks.push_back(std::move(t));
  Result<Verdict> v = admit(w, options);
  if (!v.ok()) return v;
  v->rationale.insert(v->rationale.begin(), "task " + candidate.name + " asks to join " +
                                                std::to_string(admitted.tasks.size()) +
                                                " admitted tasks; the union is analysed");
  return v;
}

TimeModel resolve_time_model(const Workload& workload, const AdmitOptions& options) {
  if (options.time_model) return *options.time_model;
  return workload.device.backend == "sim" ? TimeModel::kDiscrete : TimeModel::kDense;
}

const char* to_string(TimeModel m) { return m == TimeModel::kDiscrete ? "discrete" : "dense"; }

const char* to_string(PriorityAssignment p) {
  switch (p) {
    case PriorityAssignment::kFromWorkload:
      return "from the workload";
    case PriorityAssignment::kDeadlineMonotonic:
      return "deadline-monotonic";
    case PriorityAssignment::kAudsley:
      return "Audsley's optimal assignment";
  }
  return "?";
}

const char* to_string(Witness::Kind k) {
  switch (k) {
    case Witness::Kind::kUtilisation:
      return "utilisation";
    case Witness::Kind::kDemand:
      return "demand";
    case Witness::Kind::kResponseTime:
      return "response_time";
    case Witness::Kind::kMemory:
      return "memory";
    case Witness::Kind::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

}  // namespace aegisrt::analysis
