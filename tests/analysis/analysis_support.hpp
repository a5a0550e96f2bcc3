// Builders for task sets in code (one tick = 1 ns unless a test says otherwise), and the
// brute-force oracle that drives the real scheduler core in virtual time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/core/task.hpp"

namespace aegisrt::analysis::testing {

// A task with WCET segments `segments` (ticks), period T, deadline D (0: D = T), priority, jitter.
Task make_task(const std::string& name, std::vector<std::int64_t> segments, std::int64_t period,
               std::int64_t deadline = 0, std::int32_t priority = 0, std::int64_t jitter = 0);

// Tasks get ids by position; the queue is deep enough that no job is ever dropped, misses run on,
// and load shedding is off, so the scheduler's outcome is exactly the policy's.
Workload make_workload(Policy policy, std::vector<Task> tasks);

// One run of the scheduler: explicit arrivals per task, per (task, job) the release jitter
// (missing entries: 0; each within [0, task.jitter]), and per (task, job, segment) the execution
// time (missing entries: the segment's WCET).
struct Scenario {
  std::vector<std::vector<std::int64_t>> arrivals;
  std::vector<std::vector<std::vector<std::int64_t>>> exec;
  std::vector<std::vector<std::int64_t>> jitter;
};

// The scenario, one line per task, for failure messages.
std::string describe(const Scenario& s);

struct RunOutcome {
  bool miss = false;
  std::uint64_t dropped = 0;
  std::vector<std::int64_t> max_response;  // per task, over completed jobs
  std::vector<std::uint64_t> missed;       // per task: jobs that completed after their deadline
};

// Runs `w` (its policy and priorities as given) on the scenario until the arrivals are exhausted
// and the queues drained.
RunOutcome simulate(const Workload& w, const Scenario& s, std::int64_t horizon);

struct OracleConfig {
  std::uint64_t seed = 1;
  std::size_t random_scenarios = 40;  // random sporadic arrivals and execution times
  std::size_t exec_variants = 2;      // per structured release pattern, random execution times
};

struct OracleResult {
  bool miss = false;
  std::vector<std::int64_t> max_response;  // witnessed, per task, over every scenario
  std::size_t runs = 0;
  std::string miss_scenario;  // the first scenario with a miss, printed
  std::int64_t horizon = 0;
};

// Explores release patterns (every task's first release at each offset in a small window, then
// as fast as its period allows; plus random sporadic gaps) and execution times within [1, q] per
// segment, over a horizon that covers the busy period with blocking. Returns whether any run
// missed a deadline and the largest response witnessed per task.
OracleResult explore(const Workload& w, const OracleConfig& cfg);

// The policy's name as a test-name part ("np-edf" -> "np_edf") for parameterised tests.
std::string policy_identifier(Policy p);

// Every policy, and the name generator for INSTANTIATE_TEST_SUITE_P over them:
//   INSTANTIATE_TEST_SUITE_P(Admission, X, ::testing::ValuesIn(kAllPolicies), PolicyTestName());
inline constexpr Policy kAllPolicies[] = {Policy::kNpEdf, Policy::kNpFp, Policy::kFifo,
                                          Policy::kLpEdf, Policy::kLpFp};
struct PolicyTestName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return policy_identifier(info.param);
  }
};

// A random small integer task set: n tasks, periods in [min_period, max_period], total
// utilisation about `u`, deadlines in [C, T], up to `max_segments` segments per task, distinct
// random priorities.
Workload random_small_set(Policy policy, std::size_t n, double u, std::int64_t min_period,
                          std::int64_t max_period, std::size_t max_segments, std::uint64_t seed);

}  // namespace aegisrt::analysis::testing
