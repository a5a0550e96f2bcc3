#include "aegisrt/runtime/outcomes.hpp"

#include "aegisrt/core/result.hpp"

namespace aegisrt::runtime {

JobOutcome outcome_of(const sched::TraceRecord& r) {
  AEGISRT_ASSERT(r.kind == sched::EventKind::kComplete || r.kind == sched::EventKind::kDrop);
  JobOutcome o;
  o.task = r.task;
  o.job = r.job;
  o.arrival = r.arrival;
  o.at = r.time;
  if (r.kind == sched::EventKind::kComplete) {
    o.status = JobOutcome::Status::kCompleted;
    o.response = Duration::ns(r.value);
    o.missed = r.time > r.deadline;
  } else {
    o.status = JobOutcome::Status::kDropped;
    o.reason = r.drop;
    o.missed = r.drop == sched::DropReason::kDeadlineAbort;
  }
  return o;
}

}  // namespace aegisrt::runtime
