// The task model: a workload is a device, a scheduler configuration and a list of tasks; a task
// releases jobs periodically or sporadically, and each job runs the task's model as a sequence of
// non-preemptive segments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/core/time.hpp"

namespace aegisrt {

// Position of a task in its workload file; the final tie-break of every policy.
using TaskId = std::uint32_t;

enum class ArrivalKind : std::uint8_t { kPeriodic, kSporadic };

enum class Criticality : std::uint8_t { kLow, kNormal, kHigh };  // `high` tasks are never shed

// What a full per-task queue does with a new release. The queue holds jobs waiting to start;
// the job running on the device does not occupy a slot.
enum class OnFull : std::uint8_t {
  kDropOldest,  // evict the oldest waiting job, enqueue the new one
  kDropNewest,  // drop the arriving job
  kReject,      // refuse the arriving job and report back-pressure to its submitter
};

// What happens to a job that reaches its absolute deadline unfinished.
enum class OnMiss : std::uint8_t {
  kComplete,  // it runs on, completes late and is counted as missed
  kAbort,     // it is dropped at its deadline (a running job at its next segment boundary)
};

// What happens to a job that overruns its time budget: a segment that ran longer than the WCET
// admission used for it (the job's budget is their sum). The check is made at each segment
// boundary; an overrun in a job's last segment can only be counted.
enum class OnOverrun : std::uint8_t {
  kContinue,  // the job runs on; the overrun is counted and reported
  kAbort,     // the job is dropped at the boundary (DropReason::kOverrun): the device is freed
  kSkipNext,  // the job runs on and the task's next release is dropped (DropReason::kSkipped)
};

struct QueueConfig {
  std::uint32_t capacity = 1;
  OnFull on_full = OnFull::kDropOldest;
};

// How the `sim` backend draws a segment's execution time. Every draw lies in [bcet, wcet] except
// for empirical samples, which are replayed as measured.
enum class Distribution : std::uint8_t { kConstant, kUniform, kNormal, kEmpirical };

struct SimSpec {
  Distribution distribution = Distribution::kConstant;
  // bcet_k = round(bcet_fraction * wcet_k). Used by uniform and normal.
  double bcet_fraction = 1.0;
  // Truncated normal: mean and standard deviation as fractions of each segment's WCET.
  double mean_fraction = 0.8;
  double stddev_fraction = 0.1;
  // Empirical: whole-job execution times; a job draws one sample and each segment gets the share
  // wcet_k / sum(wcet) of it.
  std::string samples_file{};
  std::vector<Duration> samples{};
};

// A model as the scheduler sees it: an ordered list of non-preemptive segments.
struct Segment {
  std::string name;  // e.g. "seg0", or the first node's name once models are imported
  Duration wcet;
};

struct ModelSpec {
  std::string path;                       // ONNX file (model-import issue), empty for sim tasks
  std::vector<std::int64_t> input_shape;  // for models with dynamic input dimensions
  // How the engine cuts the model (model::SegmentOptions::max_segments): at most this many
  // segments of similar FLOPs; 0: the engine's own (one per node on cpu). A profile holds only
  // for the segmentation it measured.
  std::uint32_t max_segments = 0;
  std::uint32_t threads = 1;  // compute threads of the task's runner
  // The standing input of every job the task releases itself: one `.npy` file (float32) per model
  // input, in input order, absolute once loaded. Empty: seeded uniform values (RunnerBackend).
  // A job submitted with its own inputs (the embedding API) uses those instead.
  std::vector<std::string> inputs{};
};

// Where admission takes a task's segment WCETs from (docs/design/0011, "Admission").
enum class WcetSource : std::uint8_t {
  kAuto,         // declared segments if the task has any, else its profile's pwcet
  kDeclared,     // the segments the workload declares (`sim`)
  kObservedMax,  // the profile's empirical bounds: observed maximum x margin
  kPwcet,        // the profile's pWCET bounds; the empirical bound, flagged, where it has none
};

// Where a workload's profiles live and how they are used.
struct ProfilesConfig {
  // Folder of `<task>.profile.json` files, absolute once loaded; empty: `profiles/<workload
  // name>` beside the workload file (what `aegisrt profile` writes by default).
  std::string dir;
  WcetSource wcet_source = WcetSource::kAuto;  // for every task without its own
  bool strict = false;  // a profile stamped with another platform is refused, not warned about
};

struct Task {
  std::string name;
  TaskId id = 0;
  ArrivalKind arrival = ArrivalKind::kPeriodic;
  Duration period;            // period, or minimum inter-arrival time for sporadic tasks
  Duration max_interarrival;  // sporadic only: simulation draws gaps uniformly in [period, max]
  Duration deadline;          // relative, constrained: 0 < deadline <= period
  Duration phase;             // first nominal arrival
  Duration jitter;            // release jitter: a job is released in [arrival, arrival + jitter]
  std::int32_t priority = 0;  // larger = more urgent (np-fp)
  Criticality criticality = Criticality::kNormal;
  QueueConfig queue;
  OnMiss on_miss = OnMiss::kComplete;
  OnOverrun on_overrun = OnOverrun::kContinue;
  std::vector<Segment>
      segments;  // at least one to be scheduled; empty for a model not yet profiled
  std::uint64_t memory_bytes =
      0;  // declared memory (weights + arena) until the planner provides it
  std::optional<SimSpec> sim;
  std::optional<ModelSpec> model;
  std::optional<WcetSource> wcet_source;  // empty: the workload's profiles.wcet_source

  // Sum of the segments' WCETs.
  Duration wcet() const;
  // Largest segment WCET (q_max in docs/design/0002).
  Duration max_segment() const;
};

// np-*: a job runs to completion once started. lp-*: limited preemption, a job can be switched out
// only at a segment boundary (its last segment runs to completion). fifo: arrival order.
enum class Policy : std::uint8_t { kNpEdf, kNpFp, kFifo, kLpEdf, kLpFp };

// True for the policies that may switch jobs at segment boundaries.
bool preempts_at_segment_boundaries(Policy p);

// Platform overheads charged by the analysis (from the workload file now, `aegisrt probe` later).
struct Overheads {
  Duration dispatch;    // per dispatch of a job (or of a resumed segment run)
  Duration release;     // per job release
  Duration preemption;  // per preemption at a segment boundary (lp policies)
};

struct SchedulerConfig {
  Policy policy = Policy::kNpEdf;
  bool load_shedding = true;  // see docs/design/0001-scheduler-core.md, "Load shedding"
  Overheads overheads;
};

struct DeviceConfig {
  std::string backend = "sim";
  std::uint64_t memory_budget_bytes = 0;  // 0: no budget declared
};

struct Workload {
  std::string name;
  std::string source_file;  // where it was read from; empty when built in code
  DeviceConfig device;
  SchedulerConfig scheduler;
  ProfilesConfig profiles;
  std::vector<Task> tasks;  // task i has id i
};

// Canonical spellings used in files, on the command line and in traces.
const char* to_string(Policy p);
const char* to_string(OnFull f);
const char* to_string(OnMiss m);
const char* to_string(OnOverrun o);  // continue, abort, skip_next
const char* to_string(Criticality c);
const char* to_string(ArrivalKind a);
const char* to_string(Distribution d);
const char* to_string(WcetSource s);  // auto, declared, observed_max, pwcet
std::optional<Policy> parse_policy(std::string_view s);

}  // namespace aegisrt
