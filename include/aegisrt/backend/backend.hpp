// The seam between the scheduler and whatever executes a model: `sim`, `cpu`, `opencv`, `cuda`.
//
// The scheduler's dispatch loop calls run_segment() for one non-preemptive segment at a time and
// measures it with its own Clock, so virtual and real time share one code path: the `sim` backend
// advances a VirtualClock by the drawn execution time, a real backend does the work.
#pragma once

#include <cstdint>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"

namespace aegisrt::backend {

struct JobRef {
  const Task* task = nullptr;
  std::uint64_t job = 0;  // sequence number within the task
};

enum class SegmentStatus : std::uint8_t {
  kOk,
  kFailed,  // the backend could not run it (e.g. NaN or Inf in the outputs); the job is dropped
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Called once before the dispatch loop starts, with every task it will see. Loads models and
  // reserves memory; after it returns, run_segment() must not allocate.
  virtual Status prepare(const Workload& workload) = 0;
  // Called on the dispatcher thread before its first run_segment() when that thread is not the
  // one that called prepare(): per-thread setup (compute threads, pools, warm-up).
  virtual Status prepare_thread() { return Ok{}; }
  // Runs segment `segment` of `job` to completion. Blocks the dispatcher thread for the segment's
  // execution time (a virtual clock is advanced instead). Must not allocate or throw.
  virtual SegmentStatus run_segment(const JobRef& job, std::uint32_t segment) = 0;
};

}  // namespace aegisrt::backend
