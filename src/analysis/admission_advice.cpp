// The advice sentence of a verdict (admission_advice.hpp): what would admit a rejected set, found
// by re-running the test on modified copies (sensitivity.cpp, lp_fp.cpp, lp_edf.cpp), or the
// margin of an admitted one.
#include "admission_advice.hpp"

#include <optional>
#include <string>
#include <vector>

namespace aegisrt::analysis {
namespace {

// The task the advice sentence is about.
std::size_t advice_task(const TaskSetModel& m, const Witness& wit) {
  if (wit.kind == Witness::Kind::kResponseTime) return wit.task;
  if (wit.kind == Witness::Kind::kDemand) {
    const std::int64_t t = wit.interval.count();
    for (const TaskParams& p : m.tasks) {
      const std::int64_t x = t - (p.deadline - p.jitter);
      if (x >= 0 && x % p.period == 0) return p.id;
    }
  }
  std::size_t best = 0;  // the largest utilisation
  for (std::size_t i = 1; i < m.tasks.size(); ++i) {
    const auto& a = m.tasks[i];
    const auto& b = m.tasks[best];
    if (static_cast<Int128>(a.wcet) * b.period > static_cast<Int128>(b.wcet) * a.period) {
      best = i;
    }
  }
  return best;
}

// Blocking in the witness: the largest non-preemptive region of the blocking task that would
// remove it, as "; or cut ..."; empty when the witness has no blocking or no such region exists.
std::string region_advice(const TaskSetModel& m, const std::vector<std::string>& names,
                          const Witness& witness, Policy policy) {
  if (!((witness.kind == Witness::Kind::kDemand || witness.kind == Witness::Kind::kResponseTime) &&
        witness.blocking > Duration::zero())) {
    return {};
  }
  std::optional<std::size_t> blocker;
  for (std::size_t j = 0; j < m.tasks.size(); ++j) {
    if (m.region_blocking(m.tasks[j].q_max) != witness.blocking.count()) continue;
    if (is_edf(policy) ? m.tasks[j].deadline - m.tasks[j].jitter > witness.interval.count()
                       : m.tasks[j].priority < m.tasks[witness.task].priority) {
      blocker = j;
      break;
    }
  }
  if (!blocker) return {};
  bool complete = true;
  Arith qa;
  const std::vector<std::int64_t> q =
      is_edf(policy) ? edf_max_np_regions(m, qa, &complete) : fp_max_np_regions(m, qa);
  if (complete && q[*blocker] > 0 && q[*blocker] < m.tasks[*blocker].q_max) {
    return "; or cut " + names[*blocker] + "'s longest non-preemptive region from " +
           fmt_ns(m.tasks[*blocker].q_max) + " to at most " + fmt_ns(q[*blocker]) +
           (preempts_at_segment_boundaries(policy) ? " (shorter segments)"
                                                   : " (segments and a limited-preemptive policy)");
  }
  return {};
}

// A rejected set: the WCET or the deadline of the witness's task that would admit it, and a
// shorter region of the task that blocks it.
std::string rejection_advice(const Workload& workload, const TaskSetModel& m,
                             const Setting& setting, const std::vector<std::string>& names,
                             const Witness& witness, Policy policy) {
  const std::size_t x = advice_task(m, witness);
  const std::string& name = names[x];
  const std::int64_t c = workload.tasks[x].wcet().count();
  const std::int64_t d = workload.tasks[x].deadline.count();
  const std::optional<std::int64_t> c_ok = max_admissible_wcet(workload, setting, x);
  const std::optional<std::int64_t> d_ok = min_admissible_deadline(workload, setting, x);
  std::string s = "task " + name;
  if (c_ok) {
    s += " needs " + fmt_ns(c - *c_ok) + " less WCET (C <= " + fmt_ns(*c_ok) + ")";
  } else {
    s += " cannot be admitted by a smaller WCET alone";
  }
  if (d_ok) {
    s += std::string(c_ok ? " or" : ", but by") + " a deadline " + fmt_ns(*d_ok - d) +
         " longer (D >= " + fmt_ns(*d_ok) + ")";
  } else {
    s += std::string(c_ok ? "; no" : " and no") + " deadline up to its period (" +
         fmt_ns(workload.tasks[x].period.count()) + ") admits the set";
  }
  s += region_advice(m, names, witness, policy);
  return s;
}

// An admitted set: the task with the least slack, and the critical scaling factor when computed.
std::string admission_margin(const Verdict& v, const std::vector<std::string>& names) {
  std::string advice;
  std::optional<std::size_t> tight;
  for (std::size_t i = 0; i < v.tasks.size(); ++i) {
    if (v.tasks[i].slack && (!tight || *v.tasks[i].slack < *v.tasks[*tight].slack)) tight = i;
  }
  if (tight) {
    advice = "admitted; the tightest task is " + names[*tight] + " with " +
             fmt_ns(v.tasks[*tight].slack->count()) + " of slack";
  } else {
    advice = "admitted";
  }
  if (v.critical_scaling_factor) {
    advice += "; all WCETs can grow by a factor " + fmt_double(*v.critical_scaling_factor, 5);
  }
  return advice;
}

}  // namespace

std::string verdict_advice(const Workload& workload, const TaskSetModel& m, const Setting& setting,
                           const AdmitOptions& options, const std::vector<std::string>& names,
                           const Verdict& v) {
  if (!v.schedulable && v.witness) {
    if (v.witness->kind == Witness::Kind::kMemory) {
      return "reduce the tasks' memory by " +
             std::to_string(v.memory.total_bytes - v.memory.budget_bytes) +
             " B or raise device.memory_budget";
    }
    if (options.advise) return rejection_advice(workload, m, setting, names, *v.witness, v.policy);
    return {};
  }
  if (v.schedulable) return admission_margin(v, names);
  return {};
}

}  // namespace aegisrt::analysis
