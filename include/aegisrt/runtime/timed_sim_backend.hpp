// The `sim` timing model in real time: each segment blocks the dispatcher thread for the time the
// `sim` backend would draw for it (sim::draw_segment_time), spinning on the steady clock. For
// running the real-time driver without models: its tests, and `aegisrt run` on a sim workload.
#pragma once

#include <cstdint>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"

namespace aegisrt::runtime {

class TimedSimBackend final : public backend::Backend {
 public:
  TimedSimBackend(const SteadyClock& clock, std::uint64_t seed) : clock_(clock), seed_(seed) {}
  const char* name() const override { return "sim (real time)"; }
  Status prepare(const Workload& workload) override;
  // Spins until the drawn time has passed since the call: a busy device, not a sleeping one, so
  // that the dispatcher's own costs add to it as they would on a real engine.
  backend::SegmentStatus run_segment(const backend::JobRef& job, std::uint32_t segment) override;

 private:
  const SteadyClock& clock_;
  std::uint64_t seed_;
};

}  // namespace aegisrt::runtime
