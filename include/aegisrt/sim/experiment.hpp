// Acceptance-ratio experiments: random task sets, the admission tests, and a simulation of every
// admitted set on the scheduler core in virtual time (which must never miss a deadline). The
// curves are drawn by report/acceptance_svg.hpp.
//
// Task sets (docs/design/0002-admission.md, "Experiments"; ANALYSIS.md "Task-set generation"):
// utilisations by UUniFast-discard (Bini & Buttazzo, Real-Time Systems 30, 2005), periods
// log-uniform in [min_period, max_period] rounded to `granularity`, deadlines uniform in [C, T],
// and each WCET cut into `segments` segments at uniformly random points.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::sim {

struct GeneratorConfig {
  std::size_t tasks = 10;
  double utilisation = 0.5;
  Duration min_period = Duration::ms(10);
  Duration max_period = Duration::ms(1000);
  Duration granularity = Duration::us(100);
  std::size_t segments = 1;
  bool constrained_deadlines = true;  // D uniform in [C, T]; false: D = T
};

// One random task set; a pure function of (config, seed, index). Every task has priority by
// deadline-monotonic order (so np-fp and lp-fp analyse DM), no jitter, no overheads.
Workload generate_task_set(const GeneratorConfig& cfg, std::uint64_t seed, std::uint64_t index);

struct AcceptanceConfig {
  std::vector<Policy> policies{Policy::kNpEdf, Policy::kNpFp, Policy::kLpEdf, Policy::kLpFp};
  GeneratorConfig generator;
  double u_from = 0.05;
  double u_to = 1.0;
  double u_step = 0.05;
  std::size_t sets = 1000;
  std::uint64_t seed = 1;
  // Simulate every admitted set for this many of its longest periods (0: no simulation), with
  // execution times uniform in [bcet_fraction * WCET, WCET] and sporadic gaps in [T, 1.5 T].
  std::int64_t simulate_periods = 5;
  double bcet_fraction = 0.5;
};

struct AcceptancePoint {
  double utilisation = 0;
  Policy policy = Policy::kNpEdf;
  std::size_t sets = 0;
  std::size_t admitted = 0;
  std::size_t simulated_jobs = 0;  // jobs of admitted sets run on the scheduler
  std::size_t missed_jobs = 0;     // among them, deadline misses (must be 0)
  double acceptance_ratio() const {
    return sets ? static_cast<double>(admitted) / static_cast<double>(sets) : 0.0;
  }
  double miss_ratio() const {
    return simulated_jobs ? static_cast<double>(missed_jobs) / static_cast<double>(simulated_jobs)
                          : 0.0;
  }
};

// Runs the experiment. Errors: kInvalidArgument for an empty utilisation range or no policies.
Result<std::vector<AcceptancePoint>> run_acceptance(const AcceptanceConfig& cfg);

// "utilisation,policy,sets,admitted,acceptance_ratio,simulated_jobs,missed_jobs,miss_ratio".
std::string acceptance_csv(const std::vector<AcceptancePoint>& points);

}  // namespace aegisrt::sim
