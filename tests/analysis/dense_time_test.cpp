// The dense-time form (blocking q instead of q - 1) checked where it matters: off the integer grid.
// A real clock lets releases, decisions and segment ends fall between nanoseconds. Scaling every
// duration of a set by k and running the exhaustive adversary on the scaled set explores the same
// workload on a clock k times finer (releases and execution times in steps of 1/k). The dense
// verdict of the original set must hold there: no reachable miss when admitted, and no scaled
// worst response above k times the bound. The discrete form (q - 1) is exact only on the integer
// grid; the sweep also counts the sets where it admits a set that misses on the finer clock, which
// is why every real backend is analysed in dense time (docs/design/0002-admission.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/random.hpp"
#include "analysis/adversary.hpp"
#include "analysis/analysis_support.hpp"

namespace aegisrt::analysis {
namespace {

using testing::AdversaryResult;

// AEGISRT_DENSE_SETS=N sets per policy (CI: 400) and AEGISRT_DENSE_SCALE=k (CI: 3, a clock with
// steps of 1/3 of the set's unit) run the longer sweep.
std::int64_t scale() {
  if (const char* env = std::getenv("AEGISRT_DENSE_SCALE")) return std::stol(env);
  return 3;
}

std::size_t sets_per_policy() {
  if (const char* env = std::getenv("AEGISRT_DENSE_SETS")) return std::stoul(env);
  return 400;
}

// 2-3 tasks, periods 2-8, deadlines in [C, T], 1-2 segments, jitter on some tasks.
Workload small_set(Policy policy, std::uint64_t seed) {
  std::uint64_t draw = 0;
  auto between = [&](std::int64_t lo, std::int64_t hi) {
    return random_between(lo, hi, seed, RandomStream::kGenerator, 0xDE5, ++draw);
  };
  const auto n = static_cast<std::size_t>(between(2, 3));
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = between(2, n == 2 ? 8 : 6);
    const std::int64_t c = between(1, std::max<std::int64_t>(1, t / 2));
    const std::int64_t d = between(c, t);
    const std::int64_t m = between(1, std::min<std::int64_t>(2, c));
    std::vector<std::int64_t> segs(static_cast<std::size_t>(m), c / m);
    segs[0] += c % m;
    const std::int64_t j = between(0, 2) == 0 ? between(0, d - c) : 0;
    tasks.push_back(testing::make_task("t" + std::to_string(i), segs, t, d,
                                       static_cast<std::int32_t>(between(1, 4)), j));
  }
  return testing::make_workload(policy, std::move(tasks));
}

Workload scaled(const Workload& w, std::int64_t k) {
  Workload out = w;
  for (Task& t : out.tasks) {
    t.period = Duration::ns(t.period.count() * k);
    t.deadline = Duration::ns(t.deadline.count() * k);
    t.jitter = Duration::ns(t.jitter.count() * k);
    for (Segment& s : t.segments) s.wcet = Duration::ns(s.wcet.count() * k);
  }
  return out;
}

std::string dump(const Workload& w) {
  std::string s;
  for (const Task& t : w.tasks) {
    s += t.name + ": T=" + std::to_string(t.period.count()) +
         " D=" + std::to_string(t.deadline.count()) + " J=" + std::to_string(t.jitter.count()) +
         " prio=" + std::to_string(t.priority) + " segs=";
    for (const Segment& g : t.segments) s += std::to_string(g.wcet.count()) + ",";
    s += "\n";
  }
  return s;
}

class DenseTime : public ::testing::TestWithParam<Policy> {};

TEST_P(DenseTime, DenseVerdictsHoldOnAFinerClock) {
  const Policy policy = GetParam();
  const std::size_t sets = sets_per_policy();
  const std::int64_t kScale = scale();
  AdmitOptions dense;
  dense.policy = policy;
  dense.time_model = TimeModel::kDense;
  dense.scaling_precision = 0;
  dense.advise = false;
  dense.preemption_advice = false;
  AdmitOptions discrete = dense;
  discrete.time_model = TimeModel::kDiscrete;
  std::size_t admitted = 0, checked = 0, incomplete = 0, discrete_unsafe = 0;
  for (std::size_t k = 0; k < sets; ++k) {
    const Workload w = small_set(policy, 91'000 + k);
    const Result<Verdict> vd = admit(w, dense);
    const Result<Verdict> vq = admit(w, discrete);
    ASSERT_TRUE(vd.ok() && vq.ok());
    if (!vd->schedulable && !vq->schedulable) continue;  // nothing to check on the finer clock
    const AdversaryResult fine = testing::adversary(scaled(w, kScale), 3'000'000);
    if (!fine.complete) {
      ++incomplete;
      continue;
    }
    ++checked;
    if (vq->schedulable && fine.miss) ++discrete_unsafe;
    if (!vd->schedulable) continue;
    ++admitted;
    ASSERT_FALSE(fine.miss) << "dense verdict admitted a set that misses on a clock " << kScale
                            << "x finer\n"
                            << dump(w) << to_text(*vd) << fine.describe();
    for (std::size_t i = 0; i < w.tasks.size(); ++i) {
      ASSERT_TRUE(vd->tasks[i].response_bound.has_value());
      ASSERT_LE(fine.worst_response[i], kScale * vd->tasks[i].response_bound->count())
          << "task " << i << " on the finer clock\n"
          << dump(w) << to_text(*vd) << fine.describe();
    }
  }
  std::printf(
      "%s: %zu sets, %zu admitted in dense time and checked, %zu explored, %zu incomplete, "
      "%zu admitted in discrete time but missing on the finer clock\n",
      to_string(policy), sets, admitted, checked, incomplete, discrete_unsafe);
  EXPECT_GT(admitted, sets / 20);
  EXPECT_LE(incomplete, sets / 10);
}

INSTANTIATE_TEST_SUITE_P(Admission, DenseTime, ::testing::ValuesIn(testing::kAllPolicies),
                         testing::PolicyTestName());

}  // namespace
}  // namespace aegisrt::analysis
