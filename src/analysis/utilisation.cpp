// The utilisation test: U = sum_i C_i / T_i <= 1 is necessary for every policy on one device
// (Liu & Layland, JACM 20(1), 1973); the demand and busy-period analyses assume it.
#include <cmath>
#include <numeric>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

using u128 = UInt128;

u128 gcd128(u128 a, u128 b) {
  while (b != 0) {
    const u128 r = a % b;
    a = b;
    b = r;
  }
  return a;
}

bool in_subset(const std::vector<bool>* subset, std::size_t i) {
  return subset == nullptr || (*subset)[i];
}

}  // namespace

double utilisation(const TaskSetModel& m, const std::vector<bool>* subset) {
  long double u = 0;
  for (std::size_t i = 0; i < m.tasks.size(); ++i) {
    if (!in_subset(subset, i)) continue;
    u += static_cast<long double>(m.tasks[i].wcet) / static_cast<long double>(m.tasks[i].period);
  }
  return static_cast<double>(u);
}

std::optional<int> compare_utilisation_with_one(const TaskSetModel& m,
                                                const std::vector<bool>* subset) {
  // Exact: num / den as reduced 128-bit fractions; the common denominator is an lcm of periods.
  constexpr u128 kLimit = static_cast<u128>(1) << 120;
  u128 num = 0;
  u128 den = 1;
  bool exact = true;
  for (std::size_t i = 0; i < m.tasks.size() && exact; ++i) {
    if (!in_subset(subset, i)) continue;
    const u128 c = static_cast<u128>(m.tasks[i].wcet);
    const u128 t = static_cast<u128>(m.tasks[i].period);
    const u128 g = gcd128(den, t);
    const u128 scale_den = t / g;  // lcm = den * scale_den
    if (den > kLimit / scale_den) {
      exact = false;
      break;
    }
    const u128 lcm = den * scale_den;
    const u128 scale_c = lcm / t;
    if (num > kLimit / scale_den || (scale_c != 0 && c > kLimit / scale_c)) {
      exact = false;
      break;
    }
    num = num * scale_den + c * scale_c;
    den = lcm;
    if (num > kLimit) {
      exact = false;
      break;
    }
    const u128 r = gcd128(num, den);
    if (r > 1) {
      num /= r;
      den /= r;
    }
  }
  if (exact) return num < den ? -1 : (num == den ? 0 : 1);
  const long double u = utilisation(m, subset);
  if (u < 1.0L - 1e-15L) return -1;
  if (u > 1.0L + 1e-15L) return 1;
  return std::nullopt;
}

}  // namespace aegisrt::analysis
