// What happened to each job, as it happens: the completion path of the embedding API.
//
// The embedding API's trace sink (app::Runtime) turns each kComplete and kDrop record into a
// JobOutcome and calls the application's callback with it. The callback runs on the dispatcher
// thread inside the scheduler's step, right after the job's last segment (when a model's outputs
// are still the job's): it must be short, must not block or throw, and may call only submit and
// stop.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/sched/record.hpp"

namespace aegisrt::runtime {

struct JobOutcome {
  enum class Status : std::uint8_t { kCompleted, kDropped };
  TaskId task = 0;
  std::uint64_t job = 0;  // the job's sequence number within its task
  Status status = Status::kCompleted;
  sched::DropReason reason = sched::DropReason::kNone;  // kDropped: why
  TimePoint arrival;
  TimePoint at;         // completion or drop time
  Duration response;    // kCompleted: at - arrival
  bool missed = false;  // completed after its deadline, or dropped at it (on_miss: abort)
  // kCompleted, under the embedding API with keep_outputs: the job's outputs in the runner's
  // memory, one span per model output, valid during the callback only. Empty otherwise.
  std::span<const std::span<const float>> outputs;
};

// The outcome a kComplete or kDrop record states (its `outputs` empty). Any other record: a
// broken invariant (an assertion).
JobOutcome outcome_of(const sched::TraceRecord& r);

using OutcomeCallback = std::function<void(const JobOutcome&)>;

}  // namespace aegisrt::runtime
