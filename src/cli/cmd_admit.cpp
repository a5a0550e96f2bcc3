// `aegisrt admit FILE`: schedulability analysis of a workload file, with the rationale.
// Exit 0 schedulable, 3 not schedulable, 2 bad input or usage.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/admission.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct AdmitArgs {
  std::string file;
  std::string policy;
  std::string priorities;
  bool json = false;
  bool dense = false;
  bool no_sensitivity = false;
  std::string profiles;
  std::string wcet_source;
  bool strict = false;
};

// The command that repeats this analysis: the file and the options that override it, so that a
// rejection's advice can say what to re-run after the change ("" when none were given).
std::string rerun_command(const AdmitArgs& args) {
  std::string flags;
  if (!args.policy.empty()) flags += " --policy " + args.policy;
  if (!args.priorities.empty()) flags += " --assign-priorities " + args.priorities;
  if (args.dense) flags += " --dense-time";
  if (!args.profiles.empty()) flags += " --profiles " + args.profiles;
  if (!args.wcet_source.empty()) flags += " --wcet-source " + args.wcet_source;
  if (args.strict) flags += " --strict";
  if (flags.empty()) return {};
  const bool plain = std::all_of(args.file.begin(), args.file.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+,:=@", c) != nullptr;
  });
  return "aegisrt admit " + (plain ? args.file : "'" + args.file + "'") + flags;
}

int run_admit(const AdmitArgs& args) {
  Result<workload::Loaded> loaded = workload::load_file(args.file);
  if (!loaded.ok()) {
    print_error(loaded.error().to_string());
    return kExitBadInput;
  }
  for (const std::string& w : loaded->warnings)
    std::fprintf(stderr, "aegisrt: warning: %s\n", w.c_str());
  analysis::AdmitOptions opts;
  if (!args.policy.empty()) opts.policy = parse_policy(args.policy);
  if (args.priorities == "dm") opts.priorities = analysis::PriorityAssignment::kDeadlineMonotonic;
  if (args.priorities == "opa") opts.priorities = analysis::PriorityAssignment::kAudsley;
  if (args.dense) opts.time_model = analysis::TimeModel::kDense;
  if (args.no_sensitivity) opts.scaling_precision = 0;
  profile::ApplyOptions apply;
  if (!args.profiles.empty()) apply.dir = args.profiles;
  if (!args.wcet_source.empty()) {
    for (const WcetSource s :
         {WcetSource::kAuto, WcetSource::kDeclared, WcetSource::kObservedMax, WcetSource::kPwcet}) {
      if (args.wcet_source == to_string(s)) apply.wcet_source = s;
    }
  }
  if (args.strict) apply.strict = true;
  auto applied = app::apply_profiles(loaded->workload, opts, apply);
  if (!applied.ok()) {
    print_error(applied.error().to_string());
    return kExitBadInput;
  }
  for (const std::string& w : applied->warnings)
    std::fprintf(stderr, "aegisrt: warning: %s\n", w.c_str());
  if (Status st = app::add_planned_memory(loaded->workload, opts); !st.ok()) {
    print_error(st.error().to_string());
    return kExitBadInput;
  }
  Result<analysis::Verdict> v = analysis::admit(loaded->workload, opts);
  if (!v.ok()) {
    print_error(v.error().to_string());
    return v.error().code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
  }
  if (const std::string rerun = rerun_command(args); !v->schedulable && !rerun.empty()) {
    v->advice += (v->advice.empty() ? "" : "; ") + std::string("then re-run `") + rerun + "`";
  }
  const std::string out = args.json ? analysis::to_json(*v) + "\n" : analysis::to_text(*v);
  std::fputs(out.c_str(), stdout);
  return v->schedulable ? kExitOk : kExitUnschedulable;
}

void register_admit(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<AdmitArgs>();
  CLI::App* cmd = app.add_subcommand(
      "admit",
      "Schedulability analysis of a workload: a verdict with its rationale (which test, the bound "
      "of every task, the witness of a rejection).");
  cmd->add_option("file", args->file, "workload file (YAML or JSON)")->required();
  cmd->add_option("--policy", args->policy,
                  "policy to analyse (default: the workload's); fifo is analysed as np-fp with "
                  "equal priorities (sufficient only)")
      ->check(CLI::IsMember({"np-edf", "np-fp", "lp-edf", "lp-fp", "fifo"}));
  cmd->add_option("--assign-priorities", args->priorities,
                  "fixed-priority policies: dm = deadline-monotonic, opa = Audsley's optimal "
                  "assignment (default: the priorities in the file)")
      ->check(CLI::IsMember({"dm", "opa"}));
  cmd->add_flag("--json", args->json, "print the verdict as JSON");
  cmd->add_option("--profiles", args->profiles,
                  "folder of the tasks' profiles (default: the workload's profiles.dir, else "
                  "profiles/<workload name> beside the file)");
  cmd->add_option("--wcet-source", args->wcet_source,
                  "where every task's WCETs come from, overriding the file: declared, "
                  "observed_max (profile: observed maximum x margin), pwcet (profile: the "
                  "probabilistic bound; the empirical one, flagged, where there is none), auto")
      ->check(CLI::IsMember({"auto", "declared", "observed_max", "pwcet"}));
  cmd->add_flag("--strict", args->strict,
                "refuse a profile measured on another platform (default: warn)");
  cmd->add_flag("--dense-time", args->dense,
                "blocking = q instead of q - 1 also on the sim backend (every real backend is "
                "analysed so already; see docs/design/0002-admission.md)");
  cmd->add_flag("--no-sensitivity", args->no_sensitivity,
                "skip the critical scaling factor (a bisection of about 20 analyses)");
  cmd->footer(
      "Exit codes: 0 schedulable; 3 not schedulable (the witness and advice say why); 2 bad "
      "input or usage; 1 internal error.");
  cmd->callback([args, &exit] { exit.value = run_admit(*args); });
}

CommandRegistration reg(40, &register_admit);

}  // namespace
}  // namespace aegisrt::cli
