// `aegisrt profile FILE [--task NAME] [--samples N] [--warmup N] [--runs N]
//   [--contention none|others] [--exceedance P] [--margin M] [--out DIR] [--validate N] [--json]`:
// measures every task (or one) of a workload on its backend and writes one profile per task
// (docs/design/0011). Exit 0 written, 2 bad input, 1 a measurement failed, 3 --validate found a
// bound that is optimistic at its stated probability.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aegisrt/profile/apply.hpp"
#include "aegisrt/profile/measure.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct ProfileArgs {
  std::string file;
  std::string task;
  std::uint32_t samples = 1000;
  std::uint32_t warmup = 50;
  std::uint32_t runs = 4;
  std::string contention = "none";
  double exceedance = 1e-9;
  double confidence = 0.95;
  double margin = 1.2;
  std::uint32_t bootstrap = 200;
  std::uint64_t seed = 1;
  std::uint32_t core = 0;
  std::string out;
  std::string gap = "0ms";
  std::uint64_t validate = 0;
  bool json = false;
  bool quiet = false;
};

std::string ms(std::optional<Duration> d) {
  return format_duration(d, {.unit = TimeUnit::kMs, .decimals = 3, .suffix = false});
}

// The progress display: one line rewritten in place on a terminal, plain lines every 10% (or
// 10 s) otherwise. Written to `stream` (stderr under --json, so stdout stays JSON).
class Display {
 public:
  Display(std::FILE* stream, bool quiet) : stream_(stream), quiet_(quiet) {
    terminal_ = isatty(fileno(stream)) != 0;
  }

  void begin(const std::string& task) {
    task_ = task;
    last_decile_ = -1;
    last_line_ = std::chrono::steady_clock::now();
  }

  void update(const profile::Progress& p) {
    if (quiet_) return;
    const std::string line =
        task_ + ": " + p.phase + ": " + std::to_string(p.done) + "/" + std::to_string(p.total) +
        " samples, max " + format_duration(p.running_max) + ", estimate " +
        (p.estimate ? format_duration(*p.estimate) : std::string("-")) + ", left " +
        (p.remaining ? format_duration(Duration::ms(p.remaining->count() / 1'000'000))
                     : std::string("-"));
    if (terminal_) {
      std::fprintf(stream_, "\r\033[K%s", line.c_str());
      if (p.done == p.total) std::fputc('\n', stream_);
      std::fflush(stream_);
      return;
    }
    const int decile = p.total > 0 ? static_cast<int>(p.done * 10 / p.total) : 10;
    const auto now = std::chrono::steady_clock::now();
    if (decile != last_decile_ || now - last_line_ > std::chrono::seconds(10)) {
      last_decile_ = decile;
      last_line_ = now;
      std::fprintf(stream_, "%s\n", line.c_str());
      std::fflush(stream_);
    }
  }

 private:
  std::FILE* stream_;
  bool quiet_;
  bool terminal_ = false;
  std::string task_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point last_line_;
};

std::string pwcet_cell(const profile::Series& s) {
  return s.pwcet ? ms(*s.pwcet) : std::string("-");
}

std::string tests_cell(const profile::Series& s) {
  std::string failed;
  for (const profile::TestResult& t : s.estimate.tests) {
    if (!t.passed) failed += (failed.empty() ? "" : ",") + t.name;
  }
  if (!s.ks_runs.passed) failed += (failed.empty() ? "" : ",") + s.ks_runs.name;
  if (!s.estimate.stable && s.estimate.fit.ok)
    failed += (failed.empty() ? "" : ",") + std::string("unstable");
  return failed.empty() ? "pass" : "FAIL " + failed;
}

void print_series_row(const profile::Series& s, const std::string& label) {
  std::printf("  %-22s %7llu %9s %9s %9s %9s %10s %10s %7s %-s\n", label.substr(0, 22).c_str(),
              static_cast<unsigned long long>(s.observed.count), ms(s.observed.p50).c_str(),
              ms(s.observed.p99).c_str(), ms(s.observed.max).c_str(), ms(s.empirical).c_str(),
              pwcet_cell(s).c_str(),
              s.contention_factor ? std::to_string(*s.contention_factor).substr(0, 5).c_str() : "-",
              s.estimate.fit.ok ? std::to_string(s.estimate.fit.shape).substr(0, 6).c_str() : "-",
              tests_cell(s).c_str());
}

void print_profile(const profile::Profile& p, const std::string& path) {
  std::printf("%s: %s on %s (%s%s), %llu samples in %zu run(s), contention %s -> %s\n",
              p.task.c_str(), p.subject.kind.c_str(), p.platform.backend.c_str(),
              p.platform.engine.c_str(),
              p.platform.isa.empty() ? "" : (", " + p.platform.isa).c_str(),
              static_cast<unsigned long long>(p.job.observed.count), p.job.run_starts.size(),
              p.contention.c_str(), path.c_str());
  std::printf("  %-22s %7s %9s %9s %9s %9s %10s %10s %7s %s\n", "series (ms)", "samples", "p50",
              "p99", "max", "empirical", "pwcet", "contention", "xi", "preconditions");
  print_series_row(p.job, "job");
  constexpr std::size_t kShown = 16;
  for (std::size_t k = 0; k < p.segments.size() && k < kShown; ++k)
    print_series_row(p.segments[k], std::to_string(k) + " " + p.segments[k].name);
  if (p.segments.size() > kShown) {
    std::printf("  ... %zu more segments (in the profile)\n", p.segments.size() - kShown);
  }
  if (!p.job.pwcet) std::printf("  no job pWCET: %s\n", p.job.pwcet_reason.c_str());
  if (p.job.convergence.converged_at) {
    std::printf(
        "  job estimate converged at %llu samples (relative change below %g over %u "
        "blocks of %llu)\n",
        static_cast<unsigned long long>(*p.job.convergence.converged_at), p.job.convergence.epsilon,
        p.job.convergence.blocks, static_cast<unsigned long long>(p.job.convergence.block));
  } else {
    std::printf("  job estimate did not converge within the sample\n");
  }
}

nlohmann::json validation_json(const profile::Validation& v) {
  nlohmann::json checks = nlohmann::json::array();
  for (const profile::BoundCheck& c : v.checks) {
    checks.push_back({{"name", c.name},
                      {"bound_ns", c.bound.count()},
                      {"trials", c.trials},
                      {"exceedances", c.exceedances},
                      {"tightness", c.tightness},
                      {"probability", c.probability ? nlohmann::json(*c.probability) : nullptr},
                      {"p_value", c.p_value ? nlohmann::json(*c.p_value) : nullptr},
                      {"optimistic", c.optimistic},
                      {"informational", c.informational}});
  }
  return {{"jobs", v.jobs},
          {"fresh_max_ns", v.fresh.max ? nlohmann::json(v.fresh.max->count()) : nullptr},
          {"checks", checks}};
}

std::string general(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void print_validation(const profile::Validation& v) {
  std::printf("  validation on %llu fresh jobs (max %s ms):\n",
              static_cast<unsigned long long>(v.jobs), ms(v.fresh.max).c_str());
  for (const profile::BoundCheck& c : v.checks) {
    const bool pooled = c.bound == Duration::zero();  // each segment against its own bound
    std::printf("    %-26s %s: %llu of %llu above%s%s\n", c.name.c_str(),
                pooled ? "bounds per segment" : ("bound " + ms(c.bound) + " ms").c_str(),
                static_cast<unsigned long long>(c.exceedances),
                static_cast<unsigned long long>(c.trials),
                pooled ? "" : (", tightness " + std::to_string(c.tightness).substr(0, 5)).c_str(),
                c.p_value ? (", binomial p " + general(*c.p_value) +
                             (c.optimistic ? " OPTIMISTIC" : " (not optimistic)") +
                             (c.informational ? " [not a stated bound: its tests failed]" : ""))
                                .c_str()
                          : "");
  }
}

int run_profile(const ProfileArgs& args) {
  if (reject_directory(args.file, "a workload file")) return kExitBadInput;
  Result<workload::Loaded> loaded = workload::load_file(args.file);
  if (!loaded.ok()) {
    print_error(loaded.error().to_string());
    return kExitBadInput;
  }
  for (const std::string& w : loaded->warnings)
    std::fprintf(stderr, "aegisrt: warning: %s\n", w.c_str());
  const Workload& w = loaded->workload;
  std::vector<TaskId> ids;
  for (const Task& t : w.tasks) {
    if (args.task.empty() || t.name == args.task) ids.push_back(t.id);
  }
  if (ids.empty()) {
    std::string names;
    for (const Task& t : w.tasks) names += (names.empty() ? "" : ", ") + t.name;
    print_error("--task " + args.task + ": workload `" + w.name + "` has no such task (it has " +
                names + ")");
    return kExitBadInput;
  }
  if (!(args.exceedance > 0 && args.exceedance < 1) ||
      !(args.confidence > 0 && args.confidence < 1) || !(args.margin >= 1)) {
    print_error("--exceedance and --confidence must lie in (0, 1) and --margin be at least 1");
    return kExitBadInput;
  }
  const std::string dir = args.out.empty() ? profile::profiles_dir(w) : args.out;
  profile::MeasureOptions measure;
  measure.samples = args.samples;
  measure.warmup = args.warmup;
  measure.runs = args.runs;
  measure.contention = args.contention == "others"        ? profile::Contention::kOthers
                       : args.contention == "interleaved" ? profile::Contention::kInterleaved
                                                          : profile::Contention::kNone;
  measure.seed = args.seed;
  measure.core = args.core;
  measure.exceedance = args.exceedance;
  if (args.gap != "0ms" && args.gap != "0") {
    const std::optional<Duration> gap = positive_duration_option("--gap", args.gap);
    if (!gap) return kExitBadInput;
    measure.gap = *gap;
  }
  profile::BoundOptions bounds;
  bounds.tail.exceedance = args.exceedance;
  bounds.tail.confidence = args.confidence;
  bounds.tail.bootstrap = args.bootstrap;
  bounds.tail.seed = args.seed;
  bounds.margin = args.margin;

  Display display(args.json ? stderr : stdout, args.quiet);
  measure.on_progress = [&display](const profile::Progress& p) { display.update(p); };
  nlohmann::json out = nlohmann::json::array();
  bool optimistic = false;
  for (const TaskId id : ids) {
    const Task& t = w.tasks[id];
    display.begin(t.name);
    const bool sim = w.device.backend == "sim";
    if (sim && measure.contention != profile::Contention::kNone) {
      std::fprintf(args.json ? stderr : stdout,
                   "%s: sim draws take no time and share nothing: no contention to measure\n",
                   t.name.c_str());
    }
    profile::MeasureOptions m = measure;
    if (sim) m.contention = profile::Contention::kNone;
    std::optional<profile::Samples> alone;
    if (m.contention != profile::Contention::kNone) {
      profile::MeasureOptions a = m;
      a.contention = profile::Contention::kNone;
      auto s = profile::measure_task(w, id, a);
      if (!s) {
        print_error(s.error().to_string());
        return s.error().code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
      }
      alone = std::move(*s);
    }
    auto samples = profile::measure_task(w, id, m);
    if (!samples) {
      print_error(samples.error().to_string());
      return samples.error().code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
    }
    const profile::Profile p = profile::build_profile(w, id, *samples, alone, m, bounds);
    if (Status st = profile::save_profile(p, dir); !st) {
      print_error(st.error().to_string());
      return kExitBadInput;
    }
    const std::string path = profile::profile_path(dir, p.task);
    nlohmann::json entry = nlohmann::json::parse(profile::to_json(p));
    entry.erase("job");
    entry.erase("segments");
    entry["file"] = path;
    entry["job"] = {{"observed_max_ns", p.job.observed.max ? p.job.observed.max->count() : 0},
                    {"empirical_ns", p.job.empirical.count()},
                    {"pwcet_ns", p.job.pwcet ? nlohmann::json(p.job.pwcet->count()) : nullptr},
                    {"pwcet_reason", p.job.pwcet_reason},
                    {"contention_factor",
                     p.job.contention_factor ? nlohmann::json(*p.job.contention_factor) : nullptr}};
    if (!args.json) print_profile(p, path);
    if (args.validate > 0) {
      display.begin(t.name + " (validation)");
      profile::MeasureOptions v = m;
      auto checked = profile::validate_profile(w, id, p, args.validate, v);
      if (!checked) {
        print_error(checked.error().to_string());
        return kExitInternal;
      }
      for (const profile::BoundCheck& c : checked->checks)
        optimistic = optimistic || (c.optimistic && !c.informational);
      entry["validation"] = validation_json(*checked);
      if (!args.json) print_validation(*checked);
    }
    out.push_back(entry);
  }
  if (args.json) std::printf("%s\n", out.dump(2).c_str());
  return optimistic ? kExitUnschedulable : kExitOk;
}

void register_profile(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* cmd = app.add_subcommand(
      "profile",
      "Measure every task of a workload on its backend and write its WCET profile: the samples, "
      "their statistics, an empirical and a probabilistic (EVT) bound, and the tests behind "
      "them.");
  cmd->add_option("file", args->file, "workload file (YAML or JSON)")->required();
  cmd->add_option("--task", args->task, "profile only this task");
  cmd->add_option("--samples", args->samples, "samples per task (every run together)")
      ->check(CLI::Range(10u, 10'000'000u));
  cmd->add_option("--warmup", args->warmup, "inferences discarded before each run")
      ->check(CLI::Range(0u, 1'000'000u));
  cmd->add_option("--runs", args->runs,
                  "runs, each on a freshly loaded model; the first is tested against the others "
                  "(at least 2 for a pWCET; default 4)")
      ->check(CLI::Range(1u, 100u));
  cmd->add_option("--contention", args->contention,
                  "others: run the workload's other models back to back on the other cores "
                  "while measuring; interleaved: run one segment of another model before each "
                  "of the task's segments on the same core (the cold caches of a mixed "
                  "schedule); both report bound under contention / bound alone")
      ->check(CLI::IsMember({"none", "others", "interleaved"}));
  cmd->add_option("--exceedance", args->exceedance,
                  "per-job exceedance probability of the pWCET bound (default 1e-9)");
  cmd->add_option("--confidence", args->confidence,
                  "confidence of the pWCET's bootstrap upper limit (default 0.95)");
  cmd->add_option("--margin", args->margin,
                  "empirical bound = observed maximum x margin (default 1.2)");
  cmd->add_option("--bootstrap", args->bootstrap, "bootstrap resamples (0: the point estimate)");
  cmd->add_option("--seed", args->seed, "seed of the inputs, the sim draws and the bootstrap");
  cmd->add_option("--gap", args->gap,
                  "model tasks: an idle gap drawn uniformly in [0, GAP] before every sample "
                  "(e.g. 5ms), so that consecutive samples share less platform state");
  cmd->add_option("--core", args->core, "core the measured compute thread is pinned to");
  cmd->add_option("--out", args->out,
                  "folder for <task>.profile.json (default: the workload's profiles.dir, else "
                  "profiles/<workload name> beside the file)");
  cmd->add_option("--validate", args->validate,
                  "then run N fresh jobs and count how many exceed each bound (binomial test of "
                  "the pWCET at its stated probability)");
  cmd->add_flag("--json", args->json, "print a JSON summary on stdout (progress goes to stderr)");
  cmd->add_flag("--quiet", args->quiet, "no progress display");
  cmd->footer(
      "Exit codes: 0 profiles written; 3 --validate found a bound optimistic at its stated "
      "probability; 2 bad input or usage; 1 a measurement failed.");
  cmd->callback([args, &exit] { exit.value = run_profile(*args); });
}

CommandRegistration reg(38, &register_profile);

}  // namespace
}  // namespace aegisrt::cli
