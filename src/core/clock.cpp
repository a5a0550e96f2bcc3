#include "aegisrt/core/clock.hpp"

#include <cerrno>
#include <ctime>

namespace aegisrt {
namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

SteadyClock::SteadyClock() : origin_ns_(monotonic_ns()) {}

TimePoint SteadyClock::now() const { return TimePoint::from_ns(monotonic_ns() - origin_ns_); }

void SteadyClock::sleep_until(TimePoint t) {
  const std::int64_t target = origin_ns_ + t.ns();
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(target / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(target % 1'000'000'000);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

}  // namespace aegisrt
