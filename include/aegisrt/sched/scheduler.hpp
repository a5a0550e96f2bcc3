// The scheduler core: releases jobs, keeps per-task bounded queues, asks the policy which job runs,
// dispatches it segment by segment on a Backend, and detects misses. One code path for virtual and
// real time: everything it knows about time comes from the injected Clock.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/result.hpp"
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
};

struct ResponseSummary {
  std::uint64_t count = 0;
  Duration min, p50, p99, max;  // nearest-rank percentiles over all completed jobs
  double mean_ns = 0;
  double cv = 0;  // coefficient of variation: standard deviation / mean (0 when count < 2)
};

struct TaskStats {
  std::uint64_t released = 0;
  std::uint64_t completed = 0;  // on time or late
  std::uint64_t missed = 0;     // completed after the deadline, or aborted at it
  std::array<std::uint64_t, static_cast<std::size_t>(sched::DropReason::kCount)> dropped{};
  std::vector<Duration> responses;  // finish - arrival of each completed job; reserved up front

  std::uint64_t dropped_total() const;
  ResponseSummary summary() const;
};

struct RunStats {
  std::vector<TaskStats> tasks;  // by task id
  Duration busy;                 // time the device spent running segments
  TimePoint end;                 // when the last job finished (or the horizon, if later)
  std::uint64_t decisions = 0;
  double utilisation() const;  // busy / (end - 0)
};

class Scheduler {
 public:
  // `workload` must be valid (as workload::load returns it) and outlive the scheduler; so must
  // `clock`, `backend` and `trace` (which may be null: no trace).
  Scheduler(const Workload& workload, Clock& clock, backend::Backend& backend,
            sched::TraceSink* trace);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Reserves every queue, candidate array and statistics buffer the run needs and prepares the
  // backend. Returns the backend's error, or kResourceExhausted when the statistics for `opts`
  // would not fit in memory. After it returns ok, run() does not allocate.
  Status prepare(const RunOptions& opts);

  // The dispatch loop, on the calling thread. Returns when the horizon is reached and drained.
  void run();

  const RunStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Upper bound on the jobs a task releases in [0, horizon): used to reserve statistics.
std::uint64_t max_releases(const Task& task, Duration horizon);

}  // namespace aegisrt::sched
