// aegisrt simulate FILE: runs a workload in virtual time on the `sim` backend.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/simulate.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/trace/chrome.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct SimulateArgs {
  std::string file;
  std::string duration = "10s";
  std::uint64_t seed = 1;
  std::string policy;
  std::string trace_path;
  bool json = false;
  bool force = false;
};

constexpr sched::DropReason kReportedDrops[] = {
    sched::DropReason::kQueueFullOldest, sched::DropReason::kQueueFullNewest,
    sched::DropReason::kRejected,        sched::DropReason::kShed,
    sched::DropReason::kDeadlineAbort,   sched::DropReason::kBackendFailure,
    sched::DropReason::kOverrun,         sched::DropReason::kSkipped,
    sched::DropReason::kTooEarly,        sched::DropReason::kStopped,
};

// Milliseconds with three decimals and no unit: the column headers and the sentence name it.
// An empty value (no sample, or too few for the percentile) prints `-`.
std::string ms(std::optional<Duration> d) {
  return format_duration(d, {.unit = TimeUnit::kMs, .decimals = 3, .suffix = false});
}

nlohmann::json ns_or_null(const std::optional<Duration>& d) {
  return d ? nlohmann::json(d->count()) : nlohmann::json(nullptr);
}

// Jobs of the run that missed their deadline (completed late or aborted at it), over all tasks.
std::uint64_t total_misses(const Workload& w, const sched::RunStats& stats) {
  std::uint64_t n = 0;
  for (const Task& t : w.tasks) n += stats.tasks[t.id].missed;
  return n;
}

nlohmann::json to_json(const Workload& w, const sched::RunStats& stats, Duration horizon,
                       std::uint64_t seed, const std::string& admission, bool admitted) {
  nlohmann::json out;
  out["workload"] = w.name;
  out["policy"] = to_string(w.scheduler.policy);
  out["load_shedding"] = w.scheduler.load_shedding;
  out["duration_ns"] = horizon.count();
  out["seed"] = seed;
  out["decisions"] = stats.decisions;
  out["admission"] = admission;
  // `admitted` is false for a --force run of a rejected set, whose misses are expected.
  const std::uint64_t misses = total_misses(w, stats);
  out["admitted"] = admitted;
  out["missed"] = misses;
  out["unexpected_misses"] = admitted ? misses : 0;
  if (admitted && misses > 0) out["outcome"] = app::unexpected_misses_sentence(misses);
  out["tasks"] = nlohmann::json::array();
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = stats.tasks[t.id];
    const Summary r = st.summary();
    nlohmann::json dropped = nlohmann::json::object();
    for (sched::DropReason why : kReportedDrops) {
      dropped[sched::to_string(why)] = st.dropped[static_cast<std::size_t>(why)];
    }
    out["tasks"].push_back({
        {"name", t.name},
        {"released", st.released},
        {"completed", st.completed},
        {"missed", st.missed},
        {"dropped", dropped},
        {"response_ns",
         {{"min", ns_or_null(r.min)},
          {"mean", ns_or_null(r.mean)},
          {"p50", ns_or_null(r.p50)},
          {"p90", ns_or_null(r.p90)},
          {"p95", ns_or_null(r.p95)},
          {"p99", ns_or_null(r.p99)},
          {"p99.9", ns_or_null(r.p999)},
          {"max", ns_or_null(r.max)}}},
        {"cv", r.cv ? nlohmann::json(*r.cv) : nlohmann::json(nullptr)},
    });
  }
  out["device"] = {{"utilisation", stats.utilisation()},
                   {"busy_ns", stats.busy.count()},
                   {"overhead_ns", stats.overhead.count()},
                   {"end_ns", stats.end.ns()}};
  return out;
}

void print_text(const Workload& w, const sched::RunStats& stats, Duration horizon,
                std::uint64_t seed, const std::string& admission, bool admitted) {
  std::printf("workload %s: policy %s (%s), load shedding %s, %s simulated, seed %llu\n\n",
              w.name.c_str(), to_string(w.scheduler.policy), admission.c_str(),
              w.scheduler.load_shedding ? "on" : "off", format_duration(horizon).c_str(),
              static_cast<unsigned long long>(seed));
  std::printf("%-20s %9s %9s %7s %8s %10s %10s %10s %10s %6s\n", "task", "released", "completed",
              "missed", "dropped", "min ms", "p50 ms", "p99 ms", "max ms", "cv");
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = stats.tasks[t.id];
    const Summary r = st.summary();
    char cv[16] = "-";
    if (r.cv) std::snprintf(cv, sizeof cv, "%.3f", *r.cv);
    std::printf("%-20s %9llu %9llu %7llu %8llu %10s %10s %10s %10s %6s\n", t.name.c_str(),
                static_cast<unsigned long long>(st.released),
                static_cast<unsigned long long>(st.completed),
                static_cast<unsigned long long>(st.missed),
                static_cast<unsigned long long>(st.dropped_total()), ms(r.min).c_str(),
                ms(r.p50).c_str(), ms(r.p99).c_str(), ms(r.max).c_str(), cv);
  }
  bool any_drop = false;
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = stats.tasks[t.id];
    if (st.dropped_total() == 0) continue;
    if (!any_drop) std::printf("\ndropped jobs by reason:\n");
    any_drop = true;
    std::printf("  %-20s", t.name.c_str());
    for (sched::DropReason why : kReportedDrops) {
      const auto n = st.dropped[static_cast<std::size_t>(why)];
      if (n > 0) std::printf(" %s %llu", sched::to_string(why), static_cast<unsigned long long>(n));
    }
    std::printf("\n");
  }
  std::printf("\ndevice utilisation %.1f%% (busy %s ms of %s ms), %llu scheduling decisions\n",
              100.0 * stats.utilisation(), ms(stats.busy).c_str(),
              ms(stats.end.since_epoch()).c_str(),
              static_cast<unsigned long long>(stats.decisions));
  if (stats.overhead > Duration::zero()) {
    std::printf(
        "dispatcher overheads charged: %s ms (release, dispatch and preemption, as admission "
        "charges them)\n",
        ms(stats.overhead).c_str());
  }
  if (const std::uint64_t misses = total_misses(w, stats); admitted && misses > 0) {
    std::printf("\n%s\n", app::unexpected_misses_sentence(misses).c_str());
  }
}

int simulate(const SimulateArgs& args) {
  const auto horizon = positive_duration_option("--duration", args.duration);
  if (!horizon) return kExitBadInput;
  std::optional<Workload> w = load_workload_to_run(args.file, args.policy);
  if (!w) return kExitBadInput;
  app::SimulateOptions options;
  options.horizon = *horizon;
  options.seed = args.seed;
  options.force = args.force;
  options.keep_trace = !args.trace_path.empty();
  auto report = app::simulate(std::move(*w), options);
  if (!report.ok()) {
    print_error(args.file + ": " + report.error().to_string());
    return kExitBadInput;
  }
  const analysis::Verdict& verdict = report->verdict;
  const Workload& run = report->workload;
  if (report->admission == app::AdmissionOutcome::kRefused) {
    const std::string why = verdict.witness ? verdict.witness->explanation : verdict.advice;
    print_error(args.file + ": not schedulable under " + to_string(run.scheduler.policy) + " (" +
                verdict.test + "): " + why + (verdict.advice.empty() ? "" : " " + verdict.advice) +
                "\nsee `aegisrt admit " + args.file +
                "` for the analysis, or pass --force to simulate it anyway");
    return kExitUnschedulable;
  }
  if (report->admission == app::AdmissionOutcome::kForced) {
    std::fprintf(
        stderr, "aegisrt: warning: %s is not schedulable under %s; simulating because of --force\n",
        args.file.c_str(), to_string(run.scheduler.policy));
  }
  for (const std::string& note : report->notes) {
    std::fprintf(stderr, "aegisrt: note: %s %s\n", args.file.c_str(), note.c_str());
  }
  if (report->trace) {
    if (Status st = trace::write_chrome_json(args.trace_path, report->trace_meta, *report->trace);
        !st.ok()) {
      print_error(st.error().to_string());
      return kExitBadInput;
    }
  }
  const std::string admission = report->admission_text();
  const bool admitted = report->admission == app::AdmissionOutcome::kAdmitted;
  if (args.json) {
    std::printf(
        "%s\n",
        to_json(run, report->stats, *horizon, args.seed, admission, admitted).dump(2).c_str());
  } else {
    print_text(run, report->stats, *horizon, args.seed, admission, admitted);
    if (report->trace) std::printf("trace written to %s\n", args.trace_path.c_str());
  }
  // Admission promised no misses: a miss means the analysis or the task model (WCETs, overheads)
  // does not hold, which a gating script must not take for success. A forced run of a rejected set
  // is expected to miss and keeps exit code 0.
  if (const std::uint64_t misses = report->unexpected_misses(); misses > 0) {
    print_error(args.file + ": " + app::unexpected_misses_sentence(misses));
    return kExitUnexpectedMiss;
  }
  return kExitOk;
}

void register_simulate(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Run a workload in virtual time on the sim backend and report per-task outcomes");
  cmd->add_option("FILE", args->file, "workload file (YAML or JSON)")->required();
  cmd->add_option("--duration", args->duration, "simulated time, with a unit (250ms, 10s)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of execution times, jitter and sporadic gaps")
      ->capture_default_str();
  cmd->add_option("--policy", args->policy,
                  "override the file's policy: np-edf, np-fp, fifo, lp-edf, lp-fp");
  cmd->add_option("--trace", args->trace_path, "write a Chrome/Perfetto trace JSON here");
  cmd->add_flag("--json", args->json, "print the statistics as JSON");
  cmd->add_flag(
      "--force", args->force,
      "simulate a set that admission control rejects (the trace records that it was forced)");
  cmd->footer(
      "Exit codes: 0 ok (admitted and no deadline missed, or --force); 1 internal error; 2 bad "
      "input; 3 the set is not schedulable (use --force to run it); 5 the set was admitted but a "
      "deadline was missed: the analysis or the model is wrong.");
  cmd->callback([args, &exit] { exit.value = simulate(*args); });
}

const CommandRegistration kRegistration(20, &register_simulate);

}  // namespace
}  // namespace aegisrt::cli
