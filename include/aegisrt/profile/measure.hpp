// Measuring a task for its profile: the samples (`measure_task`) and the bounds derived from them
// (`build_profile`), which `aegisrt profile` runs for every task of a workload.
//
// A model task (cpu, opencv) is loaded into its engine as the runtime loads it (its
// model.segments, model.threads, the compute thread pinned to `core`), fed its seeded input
// (backend/seeded_input.hpp, the input `aegisrt infer --seed` feeds), and run segment by segment
// on the steady clock, `warmup` inferences discarded first. The samples are taken in `runs` runs,
// each on a freshly loaded runner, so that the profile can test that a later run draws from the
// distribution of the first (ks_runs). A sim task draws its segment times from its `sim`
// distribution (sim::draw_segment_time), job after job, in virtual time.
//
// Contention (`others`): while the task is measured, every other model task of the workload runs
// back to back, round robin, on each other core (one thread per core, each its own runners): the
// memory-bandwidth and cache contention the task meets at run time on a multi-core machine.
// Contention `interleaved`: the task measured as the run executes it, through the runtime's
// adapter with every task's activations carved from one arena, and another task's whole job run
// on the same core before each of its segments where the run may switch jobs (else before each of
// its jobs), untimed: the cold caches and the adapter's copies a job meets in a mixed schedule.
//
// Blocks the calling thread for the measurement (samples x the model's inference time); one call
// at a time per process (the engines' thread settings are per thread, the pinning is not shared).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/profile/profile.hpp"

namespace aegisrt::profile {

enum class Contention : std::uint8_t {
  kNone,
  kOthers,  // the other model tasks back to back on the other cores
  // The other model tasks' segments run on the measured core between the task's own segments,
  // as a limited-preemptive schedule interleaves them: each of the task's segments starts with
  // caches another model left, which a back-to-back profile never sees.
  kInterleaved,
};
const char* to_string(Contention c);

// Where a measurement stands, for a progress display.
struct Progress {
  std::string phase;       // "warm-up", "run 1 of 2", "contention: run 1 of 2", ...
  std::uint64_t done = 0;  // samples taken in this measurement
  std::uint64_t total = 0;
  Duration running_max;               // of whole jobs so far
  std::optional<Duration> estimate;   // the current pWCET point estimate (every block of samples)
  Duration elapsed;                   // wall time of this measurement (virtual for sim: 0)
  std::optional<Duration> remaining;  // estimated from the rate so far
};

struct MeasureOptions {
  std::uint32_t samples = 1000;  // per measurement, every run together
  std::uint32_t warmup = 50;     // per run, discarded
  std::uint32_t runs = 4;        // at least 1; ks_runs needs 2
  Contention contention = Contention::kNone;
  std::uint32_t core = 0;    // the measured compute thread's core
  std::uint64_t seed = 1;    // sim draws; seeded input of model tasks: task_input_seed
  double exceedance = 1e-9;  // of the running estimate shown by the progress display
  // Model tasks: an idle gap before every sample, drawn uniformly in [0, gap] (seeded), so that
  // consecutive samples do not share the platform's short-lived state (the last inference's
  // caches, a frequency step, a neighbour's burst): what the independence tests check. Zero:
  // back to back.
  Duration gap;
  // Called after every sample on the measuring thread; may be empty. Must be cheap (a terminal
  // line at most): it runs between two timed inferences, never inside one.
  std::function<void(const Progress&)> on_progress;
  // Every `progress_block` samples the pWCET point estimate is refitted for the display.
  std::uint32_t progress_block = 100;
};

// The raw samples of one measurement.
struct Samples {
  std::vector<Duration> job;                    // per sample, sum of its segments
  std::vector<std::vector<Duration>> segments;  // [segment][sample]
  std::vector<std::string> segment_names;
  std::vector<std::uint64_t> run_starts;
  Platform platform;
  Subject subject;
  std::vector<std::string> contenders;        // tasks that ran as contention
  Contention contention = Contention::kNone;  // how they ran
};

// Measures task `id` of `w` on the workload's backend. Errors: kInvalidArgument (no such task; a
// sim task under --contention others is fine: it has no contention, and the caller says so; a
// contention run with no other model task), and the engine's load errors, naming the task.
Result<Samples> measure_task(const Workload& w, TaskId id, const MeasureOptions& options);

struct BoundOptions {
  TailOptions tail;     // exceedance, confidence, bootstrap, thresholds, alpha
  double margin = 1.2;  // of the empirical bound (docs/design/0011, "Bounds")
  std::uint64_t convergence_block = 50;
  double convergence_epsilon = 0.01;
  std::uint32_t convergence_blocks = 3;
};

// One series' statistics and bounds from its samples (in order) and its runs.
Series analyse_series(std::string name, std::vector<Duration> samples,
                      std::vector<std::uint64_t> run_starts, const BoundOptions& options);

// The profile of `measured` (and, in contention mode, `alone`, the same task measured without
// contention, for the contention factors). Fills platform, subject, job and segments.
Profile build_profile(const Workload& w, TaskId id, const Samples& measured,
                      const std::optional<Samples>& alone, const MeasureOptions& measure,
                      const BoundOptions& bounds);

// ---- Validation: fresh jobs against a profile's bounds (`aegisrt profile --validate N`).

// One bound checked against fresh jobs.
struct BoundCheck {
  std::string name;  // "job pwcet", "job empirical", "sum of segment bounds", ...
  Duration bound;
  std::uint64_t trials = 0;       // values compared (jobs, or jobs x segments)
  std::uint64_t exceedances = 0;  // values above the bound
  double tightness = 0;           // bound / the largest value seen
  // Probabilistic bounds: the stated exceedance probability per trial and the binomial
  // probability of seeing at least `exceedances` under it; a value below alpha says the bound is
  // optimistic at its stated probability.
  std::optional<double> probability;
  std::optional<double> p_value;
  bool optimistic = false;
  // Not a bound AegisRT states (the pWCET that failed tests would have given): shown to measure
  // what the refusal protects against, never counted as a failure of the profile.
  bool informational = false;
};

struct Validation {
  std::uint64_t jobs = 0;
  Summary fresh;  // of the fresh jobs
  std::vector<BoundCheck> checks;
};

// P(X >= k) for X ~ Binomial(n, p) (Boost.Math's incomplete beta; 1 for k = 0).
double binomial_upper_tail(std::uint64_t k, std::uint64_t n, double p);

// Runs `jobs` fresh jobs of task `id` (a new measurement: one run on a freshly loaded runner, or
// sim draws with seed + 1, so none of the profile's own samples) and counts how many exceed each
// bound of `profile`: the job's pWCET and empirical bound, the sum of the segment bounds, and
// every segment's own bounds. Errors: those of measure_task.
Result<Validation> validate_profile(const Workload& w, TaskId id, const Profile& profile,
                                    std::uint64_t jobs, const MeasureOptions& options,
                                    double alpha = 0.01);

}  // namespace aegisrt::profile
