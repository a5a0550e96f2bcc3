// Counter-based random numbers: a draw is a pure function of (seed, stream, a, b, c), so the value
// for job 7 of task 2 does not depend on how many draws happened before it, and adding a task to a
// workload does not change the draws of the others. Deterministic across compilers and platforms.
#pragma once

#include <cstdint>

namespace aegisrt {

enum class RandomStream : std::uint64_t {
  kExecutionTime = 1,
  kJitter = 2,
  kSporadicGap = 3,
  kGenerator = 4,  // task-set generators
  kBootstrap = 5,  // profile/evt.hpp: the resamples of the pWCET bound
};

// A 64-bit hash of the inputs (splitmix64 finaliser applied to each word in turn).
std::uint64_t random_bits(std::uint64_t seed, RandomStream stream, std::uint64_t a,
                          std::uint64_t b = 0, std::uint64_t c = 0);

// Uniform in [0, 1), with 53 bits of precision.
double random_unit(std::uint64_t seed, RandomStream stream, std::uint64_t a, std::uint64_t b = 0,
                   std::uint64_t c = 0);

// Uniform integer in [lo, hi] (inclusive); lo <= hi.
std::int64_t random_between(std::int64_t lo, std::int64_t hi, std::uint64_t seed,
                            RandomStream stream, std::uint64_t a, std::uint64_t b = 0,
                            std::uint64_t c = 0);

}  // namespace aegisrt
