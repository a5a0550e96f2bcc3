// The `sim` backend: a deterministic timing model in virtual time. It does no work; it draws each
// segment's execution time from the task's distribution and advances the virtual clock by it.
#pragma once

#include <cstdint>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/task.hpp"

namespace aegisrt::sim {

// The execution time of segment `segment` of job `job` of `task` under `seed`: a pure function.
// Tasks without a SimSpec run each segment for its WCET.
Duration draw_segment_time(const Task& task, std::uint64_t seed, std::uint64_t job,
                           std::uint32_t segment);

class SimBackend final : public backend::Backend {
 public:
  SimBackend(VirtualClock& clock, std::uint64_t seed) : clock_(clock), seed_(seed) {}
  const char* name() const override { return "sim"; }
  Status prepare(const Workload& workload) override;
  backend::SegmentStatus run_segment(const backend::JobRef& job, std::uint32_t segment) override;

 private:
  VirtualClock& clock_;
  std::uint64_t seed_;
};

}  // namespace aegisrt::sim
