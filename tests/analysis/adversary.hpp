// An exhaustive adversary for the scheduler core: a breadth-first search over the finite state
// graph of sched::Scheduler in virtual time (one tick = 1 ns) for a small integer task set, over
// every sporadic arrival pattern, every release jitter and every segment execution time in
// [1, WCET]. It returns a shortest witness schedule to a deadline miss or, when no miss is
// reachable, every task's exact worst-case response time with a witness schedule for each. The
// semantics it models are written down at the top of adversary.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/core/task.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis::testing {

inline constexpr std::size_t kAdversaryDefaultMaxStates = 2'000'000;

struct AdversaryResult {
  // True when the search reached a verdict: a miss was found, or every reachable state was
  // explored. False when the state limit was hit or the set is outside the model (`unsupported`
  // says why); then nothing below may be used.
  bool complete = false;
  std::string unsupported;
  bool miss = false;
  // The miss (when `miss`): the job of `miss_task` with index `miss_job` (in the witness's
  // arrivals) has work left at its absolute deadline `miss_deadline` (ticks).
  TaskId miss_task = 0;
  std::size_t miss_job = 0;
  std::int64_t miss_deadline = 0;
  // The miss witness (when `miss`): a shortest schedule (in ticks) that reaches it.
  Scenario witness;
  // When complete and no miss: per task, the exact worst-case response time (finish - arrival)
  // over every behaviour, and one shortest schedule in which some job of that task reaches it.
  std::vector<std::int64_t> worst_response;
  std::vector<Scenario> worst_witness;
  std::size_t states = 0;  // distinct states stored

  std::string describe() const;
};

struct AdversaryOptions {
  std::size_t max_states = kAdversaryDefaultMaxStates;
  // Every segment runs exactly its WCET (no shorter execution times): for showing that a miss
  // needs a shorter execution (non-sustainability), never for checking an analysis.
  bool wcet_only = false;
};

// Explores `w` (its policy, priorities, T, D, J and segment WCETs; arrival kind, phase and
// max_interarrival are ignored: every task is explored as sporadic). Requires D <= T, WCETs >= 1,
// at most 8 tasks, load shedding off and on_miss: complete (as make_workload sets them); anything
// else is reported `unsupported`. Stops with complete = false after `max_states` states.
AdversaryResult adversary(const Workload& w, const AdversaryOptions& opts);
inline AdversaryResult adversary(const Workload& w,
                                 std::size_t max_states = kAdversaryDefaultMaxStates) {
  return adversary(w, AdversaryOptions{.max_states = max_states});
}

// Runs a witness on the real scheduler (testing::simulate) with a horizon just past its last
// arrival, so that exactly its jobs are released and then drained.
RunOutcome replay(const Workload& w, const Scenario& s);

}  // namespace aegisrt::analysis::testing
