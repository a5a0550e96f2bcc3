// What the two halves of the profile statistics share (evt_tests.cpp, evt_tail.cpp): the Boost.Math
// error policy and small sample helpers. Private to src/profile/.
#pragma once

#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <span>

namespace aegisrt::profile::detail {

// Boost.Math reports a domain, overflow or evaluation error through errno and a NaN or infinity
// instead of throwing: the statistics never throw, and a NaN p-value fails its test (p >= alpha is
// false). The inputs are checked before every call, so none is expected.
using MathPolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::errno_on_error>,
    boost::math::policies::pole_error<boost::math::policies::errno_on_error>,
    boost::math::policies::overflow_error<boost::math::policies::errno_on_error>,
    boost::math::policies::evaluation_error<boost::math::policies::errno_on_error>,
    boost::math::policies::rounding_error<boost::math::policies::errno_on_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::errno_on_error>>;

// Sorting needs a strict weak order, which a NaN breaks: every function that sorts checks first.
inline bool all_finite(std::span<const double> x) {
  for (const double v : x) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace aegisrt::profile::detail
