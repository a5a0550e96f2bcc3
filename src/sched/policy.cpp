#include "aegisrt/sched/policy.hpp"

namespace aegisrt::sched {
namespace {

bool is_edf(Policy p) { return p == Policy::kNpEdf || p == Policy::kLpEdf; }
bool is_fp(Policy p) { return p == Policy::kNpFp || p == Policy::kLpFp; }

struct BestTwo {
  std::int32_t best = -1;
  std::int32_t second = -1;
  bool any_high = false;  // an unshed high-criticality candidate exists
};

// The best and second-best candidates not marked shed, in one pass (-1 where there is none).
BestTwo best_two(Policy policy, std::span<const Candidate> c) {
  BestTwo r;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c[i].shed) continue;
    r.any_high = r.any_high || c[i].criticality == Criticality::kHigh;
    const auto idx = static_cast<std::int32_t>(i);
    if (r.best < 0 || precedes(policy, c[i], c[static_cast<std::size_t>(r.best)])) {
      r.second = r.best;
      r.best = idx;
    } else if (r.second < 0 || precedes(policy, c[i], c[static_cast<std::size_t>(r.second)])) {
      r.second = idx;
    }
  }
  return r;
}

// The load-shedding rule (docs/design/0001-scheduler-core.md): running `j` now threatens a
// high-criticality candidate h when h, run after j and after the high candidates the policy
// puts before it, would finish after its deadline, and would not without j:
//     now + W(h) <= d(h) < now + rem(j) + W(h),
// where W(h) is the remaining WCET of h plus that of every unshed high candidate preceding h.
// O(h^2) in the number of high candidates, allocation-free.
bool threatens_high_work(Policy policy, TimePoint now, std::span<const Candidate> c,
                         std::size_t j) {
  for (std::size_t h = 0; h < c.size(); ++h) {
    if (h == j || c[h].shed || c[h].criticality != Criticality::kHigh) continue;
    Duration ahead = c[h].remaining;
    for (std::size_t k = 0; k < c.size(); ++k) {
      if (k == h || k == j || c[k].shed || c[k].criticality != Criticality::kHigh) continue;
      if (precedes(policy, c[k], c[h])) ahead += c[k].remaining;
    }
    const TimePoint finish_without = now + ahead;
    if (finish_without <= c[h].deadline && finish_without + c[j].remaining > c[h].deadline) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool precedes(Policy policy, const Candidate& a, const Candidate& b) {
  if (is_edf(policy) && a.deadline != b.deadline) return a.deadline < b.deadline;
  if (is_fp(policy) && a.priority != b.priority) return a.priority > b.priority;
  if (a.release != b.release) return a.release < b.release;
  if (a.task != b.task) return a.task < b.task;
  return a.job < b.job;
}

DecisionReason separating_key(Policy policy, const Candidate& a, const Candidate& b) {
  if (is_edf(policy) && a.deadline != b.deadline) return DecisionReason::kEarliestDeadline;
  if (is_fp(policy) && a.priority != b.priority) return DecisionReason::kHighestPriority;
  if (a.release != b.release) return DecisionReason::kEarliestRelease;
  if (a.task != b.task) return DecisionReason::kLowestTaskId;
  return DecisionReason::kLowestJob;
}

Decision decide(Policy policy, bool load_shedding, TimePoint now, std::span<Candidate> candidates) {
  for (Candidate& c : candidates) c.shed = false;
  Decision d;
  BestTwo top;
  for (;;) {
    top = best_two(policy, candidates);
    d.chosen = top.best;
    if (d.chosen < 0) break;
    const auto j = static_cast<std::size_t>(d.chosen);
    if (!load_shedding || !top.any_high || candidates[j].criticality == Criticality::kHigh ||
        !threatens_high_work(policy, now, candidates, j)) {
      break;
    }
    candidates[j].shed = true;
    ++d.shed_count;
  }
  if (d.chosen < 0) {
    d.reason = d.shed_count > 0 ? DecisionReason::kAllShed : DecisionReason::kOnlyCandidate;
    return d;
  }
  d.runner_up = top.second;
  d.reason = d.runner_up < 0
                 ? DecisionReason::kOnlyCandidate
                 : separating_key(policy, candidates[static_cast<std::size_t>(d.chosen)],
                                  candidates[static_cast<std::size_t>(d.runner_up)]);
  return d;
}

const char* to_string(DecisionReason r) {
  switch (r) {
    case DecisionReason::kOnlyCandidate:
      return "only_candidate";
    case DecisionReason::kEarliestDeadline:
      return "earliest_deadline";
    case DecisionReason::kHighestPriority:
      return "highest_priority";
    case DecisionReason::kEarliestRelease:
      return "earliest_release";
    case DecisionReason::kLowestTaskId:
      return "lowest_task_id";
    case DecisionReason::kLowestJob:
      return "lowest_job";
    case DecisionReason::kAllShed:
      return "all_shed";
  }
  return "?";
}

}  // namespace aegisrt::sched
