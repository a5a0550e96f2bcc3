// Admission on profiles: each task's segment WCETs taken from its profile as its `wcet_source`
// says (docs/design/0011, "Admission"), with one line per task for the verdict's rationale.
//
// apply_profiles() reads `<dir>/<task>.profile.json` for every task whose source needs a profile,
// refuses a stale one (another model file, input shape, segmentation, thread count or sim
// timing), warns about, or with `strict` refuses, one stamped with another platform, and refuses a
// profile in the folder for a task the workload does not have. Blocks for the reads; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/profile/profile.hpp"

namespace aegisrt::profile {

struct ApplyOptions {
  std::optional<std::string> dir;         // overrides workload.profiles.dir
  std::optional<WcetSource> wcet_source;  // overrides every task's source
  std::optional<bool> strict;             // overrides workload.profiles.strict
  // The platform the workload will run on, for the stale-platform check; empty: this machine
  // (current_platform with the backend registry's engine and ISA for the workload's backend).
  std::optional<Platform> here;
};

// Per task: where its WCET came from.
struct WcetOrigin {
  WcetSource source = WcetSource::kDeclared;  // resolved (never kAuto)
  std::string profile_file;                   // empty for declared
  // One line for the rationale: the source, the file, the exceedance probability and the
  // preconditions' verdict, e.g. "pwcet from profiles/x/face.profile.json (1e-09 per job, 3 of 3
  // segments; preconditions hold)".
  std::string text;
  bool flagged = false;  // a pwcet source fell back to an empirical bound somewhere
};

struct Applied {
  std::vector<WcetOrigin> tasks;      // by task id
  std::vector<std::string> warnings;  // platform mismatches (not strict)
  std::string dir;                    // the folder read ("" when no task needed one)
};

// The folder a workload's profiles live in: workload.profiles.dir, or `profiles/<name>` beside the
// workload file (the current folder for a workload built in code).
std::string profiles_dir(const Workload& w);

// Replaces the segments of every task whose source is a profile by the profile's bounds (one
// segment per profiled segment, named as profiled). Errors (kInvalidArgument unless said): a task
// needs a profile and there is none (kNotFound, hint: the `aegisrt profile` command to run); a
// stale profile (the reason); another platform under `strict`; a profile file for a task not in
// the workload; a `declared` source on a task with no segments; those of load_profile.
Result<Applied> apply_profiles(Workload& w, const ApplyOptions& options = {});

// Why `p` does not describe task `t` as the workload would run it ("model file changed: sha256 ...
// in the profile, ... now"), or empty when it does. Reads the model file to hash it.
std::vector<std::string> stale_reasons(const Profile& p, const Task& t);

}  // namespace aegisrt::profile
