// WCET profiles: what `aegisrt profile` measured for one task, the bounds it derived, the tests
// behind them and the platform they hold on, as one versioned JSON file per task
// (`<dir>/<task>.profile.json`; schema in docs/design/0011-wcet-profiler.md).
//
// A profile is a value: to_json / parse_profile round-trip it exactly (the raw samples included),
// and load_profile / save_profile add the file. Pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/stats.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"
#include "aegisrt/profile/evt.hpp"

namespace aegisrt::profile {

// The schema this build writes and reads. A file with another version is refused with the reason.
inline constexpr int kSchemaVersion = 1;

// Where a profile was measured: enough to tell whether its numbers apply to the machine and engine
// that will run the task (platform_mismatches). Read off /proc and /sys (platform.cpp); a field
// this machine does not expose is empty.
struct Platform {
  std::string cpu_model;                       // /proc/cpuinfo "model name"
  std::uint32_t cores = 0;                     // online logical CPUs
  std::optional<bool> smt;                     // /sys/devices/system/cpu/smt/active
  std::string kernel;                          // uname -r
  std::string governor;                        // cpufreq scaling_governor of the measured core
  std::optional<std::uint64_t> frequency_khz;  // its scaling_cur_freq when measured
  std::string backend;                         // "sim", "cpu", "opencv"
  std::string engine;                          // "oneDNN 2.6.3", "OpenCV DNN 4.6.0", "sim"
  std::string isa;            // the engine's CPU ISA ("avx2", ...), empty if not told
  std::uint32_t threads = 1;  // compute threads of the measured runner
  std::uint32_t core = 0;     // the core it was pinned to
  bool isolated = false;      // that core is in /sys/devices/system/cpu/isolated
  std::string gpu;            // GPU name, clocks and power mode (GPU backends)
};

// This machine's stamp for `backend` / `engine` / `isa` measured with `threads` threads on `core`.
Platform current_platform(std::string backend, std::string engine, std::string isa,
                          std::uint32_t threads, std::uint32_t core);

// The fields of `profiled` that differ from `here` and change execution times (CPU model, cores,
// SMT, kernel, governor, backend, engine, ISA, threads, GPU): one line each, "cpu_model: `A` in
// the profile, `B` here". Frequency and isolation are reported in the profile but not compared
// (the current frequency moves by itself).
std::vector<std::string> platform_mismatches(const Platform& profiled, const Platform& here);

// What was profiled: the model file and how it was loaded (a sim task: its sim parameters).
// A profile applies to a task only while these match (stale_reasons).
struct Subject {
  std::string kind;                       // "model" or "sim"
  std::string model_path;                 // as the workload resolved it (absolute)
  std::string model_sha256;               // of the file's bytes
  std::vector<std::int64_t> input_shape;  // as declared in the workload (empty: the model's own)
  std::uint32_t max_segments = 0;         // the workload's model.segments (0: one per node)
  std::uint32_t threads = 1;              // the workload's model.threads
  // sim: the task's declared segment WCETs and distribution, as `aegisrt check` prints them.
  std::string sim_spec;
};

// The canonical text of a sim task's timing (its segment WCETs and distribution parameters):
// Subject::sim_spec.
std::string sim_spec_text(const Task& t);

// One measured series: the whole job or one segment.
struct Series {
  std::string name;                       // "job", or the segment's name
  std::vector<Duration> samples;          // in measurement order, every run in turn
  std::vector<std::uint64_t> run_starts;  // index of each run's first sample (run 0 starts at 0)
  Summary observed;                       // core/stats.hpp (nearest-rank percentiles)
  // The empirical bound: ceil(observed max x margin).
  Duration empirical;
  double margin = 1.0;
  // The pWCET bound, or none (`pwcet_reason`). Only when every precondition holds.
  std::optional<Duration> pwcet;
  std::string pwcet_reason;
  PwcetEstimate estimate;           // the fit, its stability, the tests of estimate_pwcet
  TestResult ks_runs;               // first run against the later ones
  bool preconditions_hold = false;  // estimate.preconditions_hold && ks_runs.passed
  Convergence convergence;
  // Contention mode: the bound (pWCET, else empirical) measured alone, and bound / alone.
  std::optional<Duration> alone_bound;
  std::optional<double> contention_factor;

  // The bound admission should take for `pwcet`: the pWCET, else the empirical bound (flagged).
  Duration bound() const { return pwcet ? *pwcet : empirical; }
};

struct Profile {
  int schema = kSchemaVersion;
  std::string task;
  std::string workload;     // the workload's name
  std::string created_utc;  // ISO 8601
  std::string tool;         // "aegisrt 0.1.0"
  Subject subject;
  Platform platform;
  std::string contention = "none";      // "none" or "others" (the other tasks' models, other cores)
  std::vector<std::string> contenders;  // the tasks that ran as contention
  std::uint32_t warmup = 0;             // inferences discarded before each run
  double exceedance = 1e-9;             // per-job exceedance probability of every pWCET
  double confidence = 0.95;
  std::string method;  // how the bounds were obtained, in words
  Series job;
  std::vector<Series> segments;
};

// The JSON document (pretty-printed, samples as integer nanoseconds).
std::string to_json(const Profile& p);

// Parses a profile. Errors: kParse (not JSON, a field missing or of the wrong type: the message
// names the field; `name_for_errors` names the file), kUnsupported (another schema version).
Result<Profile> parse_profile(const std::string& text, const std::string& name_for_errors);

// `<dir>/<task>.profile.json`.
std::string profile_path(const std::string& dir, const std::string& task);

// Writes `p` to profile_path(dir, p.task), creating `dir`. Errors: kNotFound / kInternal from
// the file system, with the path.
Status save_profile(const Profile& p, const std::string& dir);

// Reads and parses a file. Errors: kNotFound, and those of parse_profile.
Result<Profile> load_profile(const std::string& path);

// The SHA-256 of a file's bytes, as 64 lowercase hex digits. Errors: kNotFound.
Result<std::string> file_sha256(const std::string& path);
// The SHA-256 of `bytes` (FIPS 180-4), for the tests.
std::string sha256_hex(const std::string& bytes);

}  // namespace aegisrt::profile
