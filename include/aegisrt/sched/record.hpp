// Trace records: what the scheduler did and why, as plain values.
//
// The scheduler emits records to a TraceSink; it never formats text on the dispatch path. A
// decision record carries every input of sched::decide(), so `aegisrt explain` can replay it.
#pragma once

#include <cstdint>
#include <span>

#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/sched/policy.hpp"

namespace aegisrt::sched {

enum class EventKind : std::uint8_t {
  kRelease,       // a job arrived (value: queue length after it was handled)
  kDecision,      // sched::decide() ran (candidates attached)
  kSegmentStart,  // value: queue length of the task after the job left the queue (first segment)
  kSegmentEnd,    // value: executed time of the segment in ns
  kComplete,      // value: response time in ns (finish - arrival)
  kDrop,          // a job was dropped; `drop` says why (value: queue length after)
  kMiss,          // a job passed its deadline unfinished; time = the deadline, value = lateness
};

// Why a job was dropped. Every dropped job has exactly one.
enum class DropReason : std::uint8_t {
  kNone,
  kQueueFullOldest,  // evicted by a newer release (on_full: drop_oldest)
  kQueueFullNewest,  // the arriving job found the queue full (on_full: drop_newest)
  kRejected,         // refused at a full queue (on_full: reject)
  kShed,             // load shedding, to protect high-criticality work
  kDeadlineAbort,    // reached its deadline unfinished, and its task says on_miss: abort
  kBackendFailure,   // the backend failed a segment
  kOverrun,          // overran its time budget, and its task says on_overrun: abort
  kSkipped,          // released after its task's previous job overran (on_overrun: skip_next)
  kTooEarly,         // an outside release before the task's minimum inter-arrival time allows
  kStopped,          // still queued or unfinished when the run was stopped
  kCount,
};

struct TraceRecord {
  TimePoint time;
  EventKind kind = EventKind::kRelease;
  DropReason drop = DropReason::kNone;
  std::uint16_t segment = 0;
  TaskId task = 0;
  std::uint64_t job = 0;
  std::int64_t value = 0;
  TimePoint arrival;   // of the job (release records: nominal arrival; others: for flows)
  TimePoint deadline;  // of the job
  // kDecision only:
  Decision decision;
  // Filled by TraceBuffer: where this record's candidates sit in its candidate pool.
  std::uint32_t candidate_offset = 0;
  std::uint32_t candidate_count = 0;
};

// Receives records as they happen. Called on the dispatch path: implementations must not block,
// allocate or throw. Decision records come with the candidates decide() saw (after it ran, so the
// `shed` flags are its output).
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void record(const TraceRecord& r, std::span<const Candidate> candidates) = 0;
};

const char* to_string(EventKind k);
const char* to_string(DropReason r);

}  // namespace aegisrt::sched
