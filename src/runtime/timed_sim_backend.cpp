#include "aegisrt/runtime/timed_sim_backend.hpp"

#include "aegisrt/sim/sim_backend.hpp"

namespace aegisrt::runtime {

Status TimedSimBackend::prepare(const Workload& workload) {
  for (const Task& t : workload.tasks) {
    if (t.segments.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task `" + t.name + "` has no segments to time on the sim backend",
                        "give it sim: {segments_ms: [...]}, or run it on a model backend");
    }
  }
  return Ok{};
}

backend::SegmentStatus TimedSimBackend::run_segment(const backend::JobRef& job,
                                                    std::uint32_t segment) {
  const TimePoint until = clock_.now() + sim::draw_segment_time(*job.task, seed_, job.job, segment);
  while (clock_.now() < until) {
  }
  return backend::SegmentStatus::kOk;
}

}  // namespace aegisrt::runtime
