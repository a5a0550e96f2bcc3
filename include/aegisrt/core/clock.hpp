// Clocks are injected: the scheduler reads time only through a Clock, so the same code runs in
// virtual time (tests, `aegisrt simulate`) and in real time (the runtime).
#pragma once

#include "aegisrt/core/time.hpp"

namespace aegisrt {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current instant. Monotonic: never decreases.
  virtual TimePoint now() const = 0;
  // Blocks the calling thread until `t` (returns at once if `t` has passed). A virtual clock jumps.
  virtual void sleep_until(TimePoint t) = 0;
};

// Virtual time: starts at 0 and moves only when told. Not thread-safe: one driver thread owns it.
class VirtualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void sleep_until(TimePoint t) override {
    if (t > now_) now_ = t;
  }
  void advance(Duration d) { now_ += d; }

 private:
  TimePoint now_;
};

// Real time: CLOCK_MONOTONIC, with time 0 at construction. Thread-safe.
class SteadyClock final : public Clock {
 public:
  SteadyClock();
  TimePoint now() const override;
  void sleep_until(TimePoint t) override;

 private:
  std::int64_t origin_ns_;
};

}  // namespace aegisrt
