#include "aegisrt/sim/driver.hpp"

namespace aegisrt::sim {

void drive(sched::Scheduler& scheduler, VirtualClock& clock, backend::Backend& backend) {
  for (;;) {
    const sched::Action a = scheduler.next(clock.now());
    clock.advance(a.overhead);
    if (a.kind == sched::Action::Kind::kDone) break;
    if (a.kind == sched::Action::Kind::kIdle) {
      // Outside releases never come in virtual time: with only external tasks left the scheduler
      // idles until the horizon, then says kDone.
      clock.sleep_until(a.until);
      continue;
    }
    const TimePoint start = clock.now();
    const backend::SegmentStatus status = backend.run_segment(a.job, a.segment);
    scheduler.finished(a.job, a.segment, status, start, clock.now());
  }
  scheduler.stop(clock.now());
}

Status run(const Workload& workload, sched::Scheduler& scheduler, const sched::RunOptions& opts,
           VirtualClock& clock, backend::Backend& backend) {
  if (Status st = scheduler.prepare(opts); !st.ok()) return st;
  if (Status st = backend.prepare(workload); !st.ok()) return st;
  drive(scheduler, clock, backend);
  return Ok{};
}

}  // namespace aegisrt::sim
