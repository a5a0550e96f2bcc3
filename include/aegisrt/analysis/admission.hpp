// Admission control: schedulability analysis of a workload, with the reasoning written out.
//
// `admit()` decides whether every job of every task meets its deadline under the workload's policy
// on one device, and returns a Verdict: a value (an admission decision is not an error) that names
// the test, the bound of every task and, for a rejection, the witness and one sentence a user can
// act on. The formulas, their sources and the time convention are in docs/design/0002-admission.md.
//
// All analysis arithmetic is in integer nanoseconds (one tick = 1 ns). A computation that would
// overflow int64 is reported as an error (kInvalidArgument), never wrapped.
//
// Thread-safety: every function here is pure (reads only its arguments) and may be called from any
// thread concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::analysis {

// How a non-preemptive region of length q blocks a job released while it runs.
enum class TimeModel : std::uint8_t {
  // Integer time, one tick = 1 ns: a region that started at least one tick before the release
  // blocks for at most q - 1 (Buttazzo, 3rd ed., section 8.3, eq. 8.19). Exact for the scheduler.
  kDiscrete,
  // Conservative margin: blocking = q, as if time were dense. Never exact; always sound.
  kDense,
};

// Where fixed priorities come from (np-fp, lp-fp; ignored by the EDF policies).
enum class PriorityAssignment : std::uint8_t {
  kFromWorkload,       // task.priority (larger = more urgent); equal priorities are analysed
                       // as interfering with each other, which is sound for any tie-break
  kDeadlineMonotonic,  // shorter deadline = more urgent; ties by task id
  kAudsley,            // Audsley's optimal priority assignment for the chosen test
};

struct AdmitOptions {
  // The policy to analyse; empty: the workload's scheduler.policy. fifo is analysed as np-fp with
  // all priorities equal (FIFO is np-fp's order when priorities tie), which is sufficient only.
  std::optional<Policy> policy;
  PriorityAssignment priorities = PriorityAssignment::kFromWorkload;
  // Empty: from the workload's backend. The `sim` backend decides at integer nanoseconds aligned
  // with releases, so the discrete form (q - 1) is exact for it; every other backend runs on a
  // real clock, where a region can start any fraction of a tick before a release, so it gets the
  // dense form (q). The verdict's rationale says which form was used and why.
  std::optional<TimeModel> time_model;
  // Bisection for the critical scaling factor (relative precision, see `sensitivity`); <= 0 skips
  // it (critical_scaling_factor stays empty).
  double scaling_precision = 1e-3;
  // For a rejection: search the WCET reduction / deadline extension that would admit the set
  // (the `advice` sentence). Costs about 60 analyses; off for bulk experiments.
  bool advise = true;
  // Compute every task's response-time bound. Off: only the test runs (EDF: the demand test;
  // FP: each task's analysis stops at its first late job); for bulk experiments.
  bool response_bounds = true;
  // lp policies: blocking tolerances, largest admissible non-preemptive region per task and the
  // merged preemption-point plan.
  bool preemption_advice = true;
  // Device memory of the tasks that run models, from the memory planner: weights of every distinct
  // model plus the set's shared (or isolated) arena for the policy's preemption
  // (memory::admission_memory, docs/design/0004). Empty: not planned; every task's declared
  // `memory_*` is counted. When set, tasks with a model count this figure instead of their
  // declared memory, and `planned_memory_source` names it in the rationale.
  std::optional<std::uint64_t> planned_model_bytes;
  std::string planned_memory_source;
  // Where each task's segment WCETs came from (by task id; profile::apply_profiles writes them):
  // a non-empty entry becomes the task's `wcet_source` and a line of the rationale. Empty or
  // shorter than the task list: "declared in the workload".
  std::vector<std::string> wcet_sources;
};

// Per task: the numbers that the verdict rests on.
struct TaskVerdict {
  std::string name;
  TaskId id = 0;
  std::int32_t priority = 0;  // the priority analysed (fp policies; after any assignment)
  Duration declared_wcet;     // sum of the declared segment WCETs
  Duration wcet;              // analysed C: declared plus the overheads charged to the task
  std::string wcet_source;    // e.g. "declared in the workload (3 segments) + overheads"
  Duration longest_region;    // longest non-preemptive region analysed (C for np policies)
  Duration last_region;       // the run-to-completion part (C for np policies)
  Duration blocking;          // blocking term from lower-priority regions (critical instant)
  std::optional<Duration> response_bound;  // empty: unbounded or not computed
  Duration deadline;
  std::optional<Duration> slack;          // deadline - response bound
  std::optional<Duration> max_np_region;  // lp: largest admissible non-preemptive region
  bool meets_deadline = false;            // response_bound <= deadline
};

// One term of a fixed point, as printed in a witness: e.g. "hp tau2: 3 jobs x 2ms".
struct Term {
  std::string name;
  std::int64_t count = 0;  // jobs (0 for a plain term)
  Duration each;
  Duration total;
};

struct Witness {
  enum class Kind : std::uint8_t {
    kUtilisation,   // sum C/T > 1 (or > 1 at a priority level)
    kDemand,        // EDF: dbf(t) + B(t) > t at interval length t
    kResponseTime,  // FP: job `job` of `task` finishes after its deadline (fixed-point terms)
    kMemory,        // declared memory exceeds the device budget
    kInconclusive,  // the busy period did not close within the analysis limits: rejected to be safe
  };
  Kind kind = Kind::kDemand;
  // kDemand
  Duration interval;  // t
  Duration demand;    // dbf(t)
  Duration blocking;  // B(t), or B_i for kResponseTime
  // kResponseTime
  TaskId task = 0;
  std::uint64_t job = 0;  // 1-based index of the job in the level-i active period
  Duration start;         // s_{i,k}: start of the job's last (run-to-completion) region
  Duration finish;        // f_{i,k}
  Duration response;      // f_{i,k} - (k - 1) T_i + J_i
  Duration deadline;
  std::vector<Term> terms;  // the fixed point (kResponseTime) or the demand (kDemand) by task
  // kUtilisation / kMemory: the exact comparison in words, e.g. "U = 1.0125 > 1".
  std::string detail;
  // Everything above in one or two sentences.
  std::string explanation;
};

// Preemption-point advice for one task (lp policies): which adjacent segments to merge.
struct RegionPlan {
  TaskId task = 0;
  // Each region is [first, last] segment index (inclusive); regions cover all segments in order.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> regions;
  std::vector<Duration> lengths;  // declared WCET of each merged region
};

struct MemoryCheck {
  std::uint64_t total_bytes = 0;
  std::uint64_t budget_bytes = 0;  // 0: no budget declared (always fits)
  bool fits = true;
  std::uint64_t planned_bytes = 0;   // of total: the planner's figure for the model tasks
  std::uint64_t declared_bytes = 0;  // of total: declared `memory_*` of the other tasks
  std::string source;                // how the total was obtained, for the rationale
};

struct Verdict {
  bool schedulable = false;  // admitted: the timing test passed and memory fits
  Policy policy = Policy::kNpEdf;
  TimeModel time_model = TimeModel::kDiscrete;
  std::string test;  // which test decided, with its source
  // The timing test is necessary and sufficient for the scheduler as documented: np-edf in discrete
  // time without jitter and without overheads. Every other verdict is sufficient only.
  bool exact = false;
  std::vector<TaskVerdict> tasks;  // by task id
  std::optional<Witness> witness;  // set iff !schedulable
  // Largest factor by which every declared WCET can be multiplied and the set stay schedulable
  // (overheads not scaled), a lower bound within the stated precision; empty when not computed.
  std::optional<double> critical_scaling_factor;
  double scaling_precision = 0;
  MemoryCheck memory;
  std::vector<RegionPlan> preemption_points;   // lp policies with preemption_advice
  bool preemption_points_schedulable = false;  // the merged plan passes the test
  // One sentence a user can act on (rejection), or the tightest margin (admission).
  std::string advice;
  // Steps of the reasoning, in order, one line each (which test, which bound, which inequality).
  std::vector<std::string> rationale;
};

// Analyses `workload` under `options`. Errors (the verdict is then not available):
//   kInvalidArgument: a task without segments, a non-positive period/WCET, deadline > period,
//                     or arithmetic that would overflow int64 nanoseconds (message says where);
// A set that is not schedulable is not an error: it is a Verdict with schedulable == false.
Result<Verdict> admit(const Workload& workload, const AdmitOptions& options = {});

// Incremental admission: `admitted` is a set that was admitted before, `candidate` the task that
// asks to join (its id is set to admitted.tasks.size()). The verdict is for the union and its
// rationale starts with which task asked. Removing a task never needs analysis: every test here is
// sustainable with respect to removing a task (a property that tests/analysis checks).
Result<Verdict> admit_task(const Workload& admitted, const Task& candidate,
                           const AdmitOptions& options = {});

// The priorities `options.priorities` produces for `workload` under `policy` (by task id). For
// kAudsley, the assignment found, or, when none passes the test, deadline-monotonic for the levels
// Audsley could not fill (the verdict then says so). Errors as admit().
Result<std::vector<std::int32_t>> assign_priorities(const Workload& workload, Policy policy,
                                                    const AdmitOptions& options = {});

// The time model `admit` analyses `workload` with under `options` (see AdmitOptions::time_model).
TimeModel resolve_time_model(const Workload& workload, const AdmitOptions& options = {});

// The verdict as the JSON object `aegisrt admit --json` prints (fields in docs/design/0002).
std::string to_json(const Verdict& v);

// The verdict for people: the table of tasks, the witness, the advice and the rationale.
std::string to_text(const Verdict& v);

const char* to_string(TimeModel m);
const char* to_string(PriorityAssignment p);
const char* to_string(Witness::Kind k);

}  // namespace aegisrt::analysis
