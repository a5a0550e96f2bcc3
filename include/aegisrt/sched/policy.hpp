// Dispatch policies as a pure function: candidates in, choice (and shed jobs) out.
//
// `decide` is the only place where a policy's order is written down. The scheduler calls it on the
// dispatch path; `aegisrt explain` calls it again on the inputs recorded in a trace and checks that
// it reproduces every recorded choice. It therefore reads nothing but its arguments.
#pragma once

#include <cstdint>
#include <span>

#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::sched {

// One job that could be dispatched now: the head of a task's queue. Under every policy a task's
// own jobs run in release order, so only queue heads compete (docs/design/0001).
struct Candidate {
  TaskId task = 0;
  std::uint64_t job = 0;  // job sequence number within its task, from 0
  TimePoint arrival;      // nominal arrival; the deadline counts from here
  TimePoint release;      // arrival + release jitter
  TimePoint deadline;     // absolute
  std::int32_t priority = 0;
  Criticality criticality = Criticality::kNormal;
  Duration remaining;  // WCET of the segments it has still to run
  bool shed = false;   // output of decide(): dropped by load shedding
};

// Which key separated the choice from the runner-up.
enum class DecisionReason : std::uint8_t {
  kOnlyCandidate,
  kEarliestDeadline,  // np-edf
  kHighestPriority,   // np-fp
  kEarliestRelease,   // fifo, or the first tie-break of edf/fp
  kLowestTaskId,      // tie-break
  kLowestJob,         // tie-break (never needed with per-task FIFO queues, kept for totality)
  kAllShed,           // every candidate was shed; nothing runs
};

struct Decision {
  std::int32_t chosen = -1;     // index into the candidates, -1 when none runs
  std::int32_t runner_up = -1;  // next-best unshed candidate, -1 when none
  DecisionReason reason = DecisionReason::kOnlyCandidate;
  std::uint32_t shed_count = 0;
};

// True when `a` goes before `b` under `policy`: a strict total order on distinct jobs.
//   np-edf, lp-edf: (deadline, release, task, job); np-fp, lp-fp: (-priority, release, task, job);
//   fifo: (release, task, job).
bool precedes(Policy policy, const Candidate& a, const Candidate& b);

// The key that separates `a` (first) from `b` (second) under `policy`.
DecisionReason separating_key(Policy policy, const Candidate& a, const Candidate& b);

// Chooses the job to dispatch at `now`. With `load_shedding`, first marks `shed` on each non-high
// candidate that the policy would run next but whose remaining WCET would push a high-criticality
// candidate past its deadline that it would otherwise meet (the rule in docs/design/0001); the
// choice is then the best unshed candidate. Clears and rewrites every `shed` flag. Allocation-free.
Decision decide(Policy policy, bool load_shedding, TimePoint now, std::span<Candidate> candidates);

const char* to_string(DecisionReason r);

}  // namespace aegisrt::sched
