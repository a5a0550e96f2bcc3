#include "aegisrt/sim/sim_backend.hpp"

#include <algorithm>
#include <cmath>

#include "aegisrt/core/random.hpp"

namespace aegisrt::sim {
namespace {

constexpr int kNormalAttempts = 64;

std::int64_t round_ns(double v) { return static_cast<std::int64_t>(std::llround(v)); }

// Truncated normal on [lo, hi] by rejection (Box-Muller), falling back to the clamped mean after
// kNormalAttempts draws so that the cost is bounded.
std::int64_t truncated_normal(double mean, double stddev, std::int64_t lo, std::int64_t hi,
                              std::uint64_t seed, std::uint64_t task, std::uint64_t job,
                              std::uint64_t segment) {
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  for (int attempt = 0; attempt < kNormalAttempts; ++attempt) {
    const std::uint64_t salt = (segment << 8) | static_cast<std::uint64_t>(attempt);
    const double u1 = 1.0 - random_unit(seed, RandomStream::kExecutionTime, task, job, salt << 1);
    const double u2 = random_unit(seed, RandomStream::kExecutionTime, task, job, (salt << 1) | 1);
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
    const std::int64_t v = round_ns(mean + stddev * z);
    if (v >= lo && v <= hi) return v;
  }
  return std::clamp(round_ns(mean), lo, hi);
}

}  // namespace

Duration draw_segment_time(const Task& task, std::uint64_t seed, std::uint64_t job,
                           std::uint32_t segment) {
  const Duration wcet = task.segments.at(segment).wcet;
  if (!task.sim) return wcet;
  const SimSpec& spec = *task.sim;
  const std::int64_t hi = wcet.count();
  const std::int64_t lo =
      std::clamp<std::int64_t>(round_ns(spec.bcet_fraction * static_cast<double>(hi)), 1, hi);
  switch (spec.distribution) {
    case Distribution::kConstant:
      return wcet;
    case Distribution::kUniform:
      return Duration::ns(
          random_between(lo, hi, seed, RandomStream::kExecutionTime, task.id, job, segment));
    case Distribution::kNormal:
      return Duration::ns(truncated_normal(spec.mean_fraction * static_cast<double>(hi),
                                           spec.stddev_fraction * static_cast<double>(hi), lo, hi,
                                           seed, task.id, job, segment));
    case Distribution::kEmpirical: {
      if (spec.samples.empty()) return wcet;
      // One sample per job, shared out over the segments in proportion to their WCETs.
      const auto pick = static_cast<std::size_t>(
          random_between(0, static_cast<std::int64_t>(spec.samples.size()) - 1, seed,
                         RandomStream::kExecutionTime, task.id, job, ~std::uint64_t{0}));
      const long double share =
          static_cast<long double>(hi) / static_cast<long double>(task.wcet().count());
      const auto v = static_cast<std::int64_t>(
          std::llround(static_cast<long double>(spec.samples[pick].count()) * share));
      return Duration::ns(std::max<std::int64_t>(v, 1));
    }
  }
  return wcet;
}

Status SimBackend::prepare(const Workload& workload) {
  for (const Task& t : workload.tasks) {
    if (t.segments.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task `" + t.name + "` has no segments for the sim backend",
                        "give it `sim: {segments_ms: [...]}`");
    }
  }
  return Ok{};
}

backend::SegmentStatus SimBackend::run_segment(const backend::JobRef& job, std::uint32_t segment) {
  clock_.advance(draw_segment_time(*job.task, seed_, job.job, segment));
  return backend::SegmentStatus::kOk;
}

}  // namespace aegisrt::sim
