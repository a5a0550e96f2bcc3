// The scheduler core: releases jobs, keeps per-task bounded queues, asks the policy which job runs,
// hands it to a driver segment by segment, and detects misses. One code path for virtual and real
// time: it knows time only as the driver passes it in.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/stats.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/sched/policy.hpp"
#include "aegisrt/sched/record.hpp"

namespace aegisrt::sched {

struct RunOptions {
  // Jobs whose nominal arrival is at or after `horizon` are not released; the run then drains the
  // queues (bounded, so the drain is finite) and stops.
  Duration horizon = Duration::s(10);
  // Seeds release jitter and sporadic gaps (the sim backend has its own seed for execution times).
  std::uint64_t seed = 1;
  // Optional explicit arrival pattern, by task id: when non-empty, task i's jobs arrive exactly at
  // arrivals[i] (sorted, each gap >= its period; phase and the seeded jitter draws are ignored).
  // For oracles and worst-case release patterns.
  std::vector<std::vector<TimePoint>> arrivals;
  // Optional explicit release jitter, only with `arrivals`: when non-empty, job k of task i is
  // released at arrivals[i][k] + jitters[i][k] (its deadline still counts from the arrival). Must
  // have the shape of `arrivals` and every value in [0, task.jitter]; prepare() returns
  // kInvalidArgument otherwise. Empty: every job is released at its arrival.
  std::vector<std::vector<Duration>> jitters;
  // Tasks whose jobs come only from Scheduler::release() (event-driven: a frame arrives), by id.
  // The calendar releases none of their jobs. Empty: every task releases from the calendar.
  std::vector<TaskId> external;
};

struct TaskStats {
  std::uint64_t released = 0;
  std::uint64_t completed = 0;  // on time or late
  std::uint64_t missed = 0;     // completed after the deadline, or aborted at it
  std::array<std::uint64_t, static_cast<std::size_t>(sched::DropReason::kCount)> dropped{};
  std::vector<Duration> responses;  // finish - arrival of each completed job; reserved up front
  // Jobs that overran their time budget (a segment past its WCET, or the job past the task's
  // WCET), whatever the task's on_overrun did with them.
  std::uint64_t overruns = 0;

  std::uint64_t dropped_total() const;
  // min, mean, nearest-rank percentiles where the sample supports them, max, CV
  // (core/stats.hpp); fields are empty for a task that completed nothing. Allocates.
  Summary summary() const;
};

struct RunStats {
  std::vector<TaskStats> tasks;  // by task id
  Duration busy;                 // time the device spent running segments
  Duration overhead;             // modelled dispatcher time of every step (Action::overhead)
  TimePoint end;                 // when the last job finished (or the horizon, if later)
  std::uint64_t decisions = 0;
  double utilisation() const;  // busy / (end - 0)
};

// What the driver does next, as next() returns it.
struct Action {
  enum class Kind : std::uint8_t {
    kRun,   // run segment `segment` of `job` on the device, then call finished()
    kIdle,  // nothing can run before `until` (the next calendar release) or an outside release
    kDone,  // nothing waiting, running or left to release: the run is over
  };
  Kind kind = Kind::kDone;
  backend::JobRef job;  // kRun
  std::uint32_t segment = 0;
  // kIdle: the next calendar release or, when only outside releases can come, the horizon (after
  // which next() says kDone); always finite.
  TimePoint until;
  // The dispatcher time this step stands for in the analysis model (docs/design/0010): one
  // `release` overhead per job released since the last step, one `dispatch` per segment run
  // after a decision, one `preemption` when the job resumes after another ran. A virtual-time
  // driver advances its clock by it before the segment starts (or before idling); a real-time
  // driver spends it for real and ignores the figure.
  Duration overhead;
};

// The scheduler as a state machine. It keeps the queues, the policy, the release calendar of the
// periodic and sporadic tasks and the statistics, and owns no loop and no clock: a driver asks
// next(now) what to do, runs it, and reports back with finished(). The virtual-time driver is
// sim::drive(); the real-time runtime and a GPU completion path are other drivers. Every call
// comes from one thread at a time (the driver's); none allocates after prepare() returns.
class Scheduler {
 public:
  // `workload` must be valid (as workload::load returns it) and outlive the scheduler; so must
  // `trace` (which may be null: no trace).
  Scheduler(const Workload& workload, TraceSink* trace);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Reserves every queue, candidate array and statistics buffer the run needs and sets the
  // release calendar at time 0. Returns kInvalidArgument for options that do not fit the
  // workload, kResourceExhausted when the statistics for `opts` would not fit in memory. The
  // backend is prepared by the driver, not here.
  Status prepare(const RunOptions& opts);

  // An outside release (a camera frame arrived): a job of `task` arrives at `arrival` and is
  // released now, through the task's queue policy. For the tasks named in RunOptions::external,
  // whose jobs the calendar never releases. `arrival` must not be earlier than the previous
  // call's time. Returns false (and releases nothing) for a task the calendar releases.
  bool release(TaskId task, TimePoint arrival);

  // Releases every calendar job due at or before `now`, drops what its task's rules drop, runs
  // the policy when the device is free to switch, and says what to do. After a kRun the next
  // call must be finished(); after kIdle or kDone, next() may be called again with a later time.
  Action next(TimePoint now);

  // The device finished segment `segment` of `job` (the last kRun), which ran in [start, end].
  // `status` other than kOk drops the job (kBackendFailure).
  void finished(const backend::JobRef& job, std::uint32_t segment, backend::SegmentStatus status,
                TimePoint start, TimePoint end);

  // Ends the run at `now`: drops every job not finished yet (DropReason::kStopped, traced) and
  // fixes RunStats::end (the later of `now` and the horizon).
  void stop(TimePoint now);

  const RunStats& stats() const;
  // The run's horizon (RunOptions::horizon), after prepare().
  Duration horizon() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Upper bound on the jobs a task releases in [0, horizon): used to reserve statistics.
std::uint64_t max_releases(const Task& task, Duration horizon);

}  // namespace aegisrt::sched
