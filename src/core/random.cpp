#include "aegisrt/core/random.hpp"

namespace aegisrt {
namespace {

constexpr std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t random_bits(std::uint64_t seed, RandomStream stream, std::uint64_t a, std::uint64_t b,
                          std::uint64_t c) {
  std::uint64_t h = mix(seed);
  h = mix(h ^ static_cast<std::uint64_t>(stream));
  h = mix(h ^ a);
  h = mix(h ^ b);
  return mix(h ^ c);
}

double random_unit(std::uint64_t seed, RandomStream stream, std::uint64_t a, std::uint64_t b,
                   std::uint64_t c) {
  return static_cast<double>(random_bits(seed, stream, a, b, c) >> 11) * 0x1.0p-53;
}

std::int64_t random_between(std::int64_t lo, std::int64_t hi, std::uint64_t seed,
                            RandomStream stream, std::uint64_t a, std::uint64_t b,
                            std::uint64_t c) {
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(random_bits(seed, stream, a, b, c));
  // 128-bit multiply-shift: unbiased enough for simulation (bias < span / 2^64).
  __extension__ using U128 = unsigned __int128;
  const U128 product = static_cast<U128>(random_bits(seed, stream, a, b, c)) * span;
  return lo + static_cast<std::int64_t>(product >> 64);
}

}  // namespace aegisrt
