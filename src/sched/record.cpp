#include "aegisrt/sched/record.hpp"

namespace aegisrt::sched {

const char* to_string(EventKind k) {
  switch (k) {
    case EventKind::kRelease:
      return "release";
    case EventKind::kDecision:
      return "decision";
    case EventKind::kSegmentStart:
      return "segment_start";
    case EventKind::kSegmentEnd:
      return "segment_end";
    case EventKind::kComplete:
      return "complete";
    case EventKind::kDrop:
      return "drop";
    case EventKind::kMiss:
      return "miss";
  }
  return "?";
}

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::kNone:
      return "none";
    case DropReason::kQueueFullOldest:
      return "queue_full_oldest";
    case DropReason::kQueueFullNewest:
      return "queue_full_newest";
    case DropReason::kRejected:
      return "rejected";
    case DropReason::kShed:
      return "shed";
    case DropReason::kDeadlineAbort:
      return "deadline_abort";
    case DropReason::kBackendFailure:
      return "backend_failure";
    case DropReason::kOverrun:
      return "overrun";
    case DropReason::kSkipped:
      return "skipped_after_overrun";
    case DropReason::kTooEarly:
      return "too_early";
    case DropReason::kStopped:
      return "run_stopped";
    case DropReason::kCount:
      break;
  }
  return "?";
}

}  // namespace aegisrt::sched
