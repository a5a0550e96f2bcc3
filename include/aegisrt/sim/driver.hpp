// The virtual-time driver of the scheduler state machine: what `aegisrt simulate`, the
// experiments and the tests run. It asks the scheduler for the next action, charges the action's
// modelled overhead on the virtual clock, runs segments on a backend (the `sim` backend advances
// the clock by the drawn execution time), and jumps the clock over idle time.
#pragma once

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/sched/scheduler.hpp"

namespace aegisrt::sim {

// Runs a prepared `scheduler` to the end of its calendar (the horizon, then the drain) on the
// calling thread, in virtual time, and stops it. `backend` must be prepared for the scheduler's
// workload; it moves `clock` forward as segments run. The run is deterministic for a given
// backend and options, and allocates nothing when the scheduler, the backend and the trace sink do
// not. Every action's overhead (dispatch, release, preemption, docs/design/0010) is charged
// before the segment starts, exactly as the analysis assumes it.
void drive(sched::Scheduler& scheduler, VirtualClock& clock, backend::Backend& backend);

// Prepares `scheduler` for `opts` and `backend` for `workload` (the scheduler's), then drives the
// run: the one call most callers want. Returns the scheduler's error, then the backend's.
Status run(const Workload& workload, sched::Scheduler& scheduler, const sched::RunOptions& opts,
           VirtualClock& clock, backend::Backend& backend);

}  // namespace aegisrt::sim
