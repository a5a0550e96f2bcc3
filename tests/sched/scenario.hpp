// Hand-built workloads for scheduler tests. Times are integer ticks (1 tick = 1 ns).
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/sched/record.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"

namespace aegisrt::testing {

inline Duration ticks(std::int64_t n) { return Duration::ns(n); }
inline TimePoint at(std::int64_t n) { return TimePoint::from_ns(n); }

struct TaskSpec {
  std::string name;
  std::int64_t period = 100;
  std::int64_t deadline = 0;  // 0: the period
  std::vector<std::int64_t> segments = {1};
  std::int32_t priority = 0;
  std::int64_t phase = 0;
  std::uint32_t capacity = 4;
  OnFull on_full = OnFull::kDropOldest;
  OnMiss on_miss = OnMiss::kComplete;
  Criticality criticality = Criticality::kNormal;
};

inline Workload make_workload(Policy policy, std::initializer_list<TaskSpec> specs,
                              bool load_shedding = false) {
  Workload w;
  w.name = "scenario";
  w.scheduler.policy = policy;
  w.scheduler.load_shedding = load_shedding;
  for (const TaskSpec& s : specs) {
    Task t;
    t.name = s.name;
    t.id = static_cast<TaskId>(w.tasks.size());
    t.period = ticks(s.period);
    t.deadline = ticks(s.deadline > 0 ? s.deadline : s.period);
    t.phase = ticks(s.phase);
    t.priority = s.priority;
    t.criticality = s.criticality;
    t.queue = {s.capacity, s.on_full};
    t.on_miss = s.on_miss;
    for (std::size_t k = 0; k < s.segments.size(); ++k) {
      t.segments.push_back({"seg" + std::to_string(k), ticks(s.segments[k])});
    }
    w.tasks.push_back(t);
  }
  return w;
}

// Keeps every record (allocates: not for the allocation test).
class RecordingSink final : public sched::TraceSink {
 public:
  struct Entry {
    sched::TraceRecord record;
    std::vector<sched::Candidate> candidates;
  };
  void record(const sched::TraceRecord& r, std::span<const sched::Candidate> c) override {
    entries.push_back({r, {c.begin(), c.end()}});
  }
  std::vector<const Entry*> of_kind(sched::EventKind kind) const {
    std::vector<const Entry*> out;
    for (const Entry& e : entries) {
      if (e.record.kind == kind) out.push_back(&e);
    }
    return out;
  }
  std::vector<Entry> entries;
};

// Runs `w` in virtual time on the sim backend (constant times: each segment takes its WCET).
struct SimRun {
  explicit SimRun(const Workload& workload, std::int64_t horizon, std::uint64_t seed = 1)
      : w(workload), backend(clock, seed), sut(w, &sink) {
    sched::RunOptions opts;
    opts.horizon = ticks(horizon);
    opts.seed = seed;
    status_ok = sut.prepare(opts).ok();
    if (status_ok) sim::drive(sut, clock, backend);
  }
  const sched::TaskStats& task(TaskId id) const { return sut.stats().tasks[id]; }
  // Start time of the first segment of job `job` of task `task`, or -1.
  std::int64_t start_of(TaskId task, std::uint64_t job, std::uint16_t segment = 0) const {
    for (const auto& e : sink.entries) {
      const auto& r = e.record;
      if (r.kind == sched::EventKind::kSegmentStart && r.task == task && r.job == job &&
          r.segment == segment) {
        return r.time.ns();
      }
    }
    return -1;
  }

  Workload w;
  VirtualClock clock;
  sim::SimBackend backend;
  RecordingSink sink;
  sched::Scheduler sut;
  bool status_ok = false;
};

}  // namespace aegisrt::testing
