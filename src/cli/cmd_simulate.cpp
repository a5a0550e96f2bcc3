// aegisrt simulate FILE: runs a workload in virtual time on the `sim` backend.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "admission_memory.hpp"
#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "aegisrt/trace/buffer.hpp"
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
};

// Milliseconds with three decimals and no unit: the column headers and the sentence name it.
std::string ms(Duration d) {
  return format_duration(d, {.unit = TimeUnit::kMs, .decimals = 3, .suffix = false});
}

// Jobs of the run that missed their deadline (completed late or aborted at it), over all tasks.
std::uint64_t total_misses(const Workload& w, const sched::RunStats& stats) {
  std::uint64_t n = 0;
  for (const Task& t : w.tasks) n += stats.tasks[t.id].missed;
  return n;
}

// What a gating script needs to hear when admission said schedulable and the run still missed.
std::string unexpected_misses_sentence(std::uint64_t misses) {
  return "admitted, but " + std::to_string(misses) + (misses == 1 ? " miss" : " misses") +
         ": the analysis or the model is wrong";
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
  if (admitted && misses > 0) out["outcome"] = unexpected_misses_sentence(misses);
  out["tasks"] = nlohmann::json::array();
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = stats.tasks[t.id];
    const sched::ResponseSummary r = st.summary();
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
         {{"min", r.min.count()},
          {"p50", r.p50.count()},
          {"p99", r.p99.count()},
          {"max", r.max.count()}}},
        {"cv", r.cv},
    });
  }
  out["device"] = {{"utilisation", stats.utilisation()},
                   {"busy_ns", stats.busy.count()},
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
    const sched::ResponseSummary r = st.summary();
    std::printf("%-20s %9llu %9llu %7llu %8llu %10s %10s %10s %10s %6.3f\n", t.name.c_str(),
                static_cast<unsigned long long>(st.released),
                static_cast<unsigned long long>(st.completed),
                static_cast<unsigned long long>(st.missed),
                static_cast<unsigned long long>(st.dropped_total()), ms(r.min).c_str(),
                ms(r.p50).c_str(), ms(r.p99).c_str(), ms(r.max).c_str(), r.cv);
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
  if (const std::uint64_t misses = total_misses(w, stats); admitted && misses > 0) {
    std::printf("\n%s\n", unexpected_misses_sentence(misses).c_str());
  }
}

int simulate(const SimulateArgs& args) {
  const auto horizon = positive_duration_option("--duration", args.duration);
  if (!horizon) return kExitBadInput;
  auto loaded = workload::load_file(args.file);
  if (!loaded.ok()) {
    print_error(loaded.error().to_string());
    return kExitBadInput;
  }
  for (const std::string& warning : loaded->warnings) {
    std::fprintf(stderr, "aegisrt: warning: %s\n", warning.c_str());
  }
  Workload& w = loaded->workload;
  if (!args.policy.empty()) {
    const auto policy = parse_policy(args.policy);
    if (!policy) {
      print_error("--policy `" + args.policy +
                  "` is not one of np-edf, np-fp, fifo, lp-edf, lp-fp");
      return kExitBadInput;
    }
    w.scheduler.policy = *policy;
  }

  // Admission first: an unschedulable set is refused unless --force, and the trace says which.
  analysis::AdmitOptions admit_options;
  admit_options.scaling_precision = 0;
  admit_options.advise = true;
  // Bounds on: the verdict's slack goes into the summary and the trace metadata (the full EDF
  // verdict with every bound takes about 0.5 ms at 30 tasks).
  admit_options.response_bounds = true;
  admit_options.preemption_advice = false;
  if (Status st = add_planned_memory(w, admit_options); !st.ok()) {
    print_error(args.file + ": " + st.error().to_string());
    return kExitBadInput;
  }
  const auto verdict = analysis::admit(w, admit_options);
  if (!verdict.ok()) {
    print_error(args.file + ": " + verdict.error().to_string());
    return kExitBadInput;
  }
  std::string admission = "schedulable";
  if (!verdict->schedulable) {
    const std::string why = verdict->witness ? verdict->witness->explanation : verdict->advice;
    if (!args.force) {
      print_error(args.file + ": not schedulable under " + to_string(w.scheduler.policy) + " (" +
                  verdict->test + "): " + why +
                  (verdict->advice.empty() ? "" : " " + verdict->advice) + "\nsee `aegisrt admit " +
                  args.file + "` for the analysis, or pass --force to simulate it anyway");
      return kExitUnschedulable;
    }
    admission = "not schedulable (forced)";
    std::fprintf(
        stderr, "aegisrt: warning: %s is not schedulable under %s; simulating because of --force\n",
        args.file.c_str(), to_string(w.scheduler.policy));
  }

  if (w.device.backend != "sim") {
    std::fprintf(stderr,
                 "aegisrt: note: %s names backend `%s`; simulate runs it on the sim backend in "
                 "virtual time, with the declared segment WCETs and sim timings (admission as for "
                 "`%s`: %s time)\n",
                 args.file.c_str(), w.device.backend.c_str(), w.device.backend.c_str(),
                 analysis::to_string(verdict->time_model));
  }

  std::unique_ptr<trace::TraceBuffer> buffer;
  if (!args.trace_path.empty()) {
    sched::RunOptions sizing;
    sizing.horizon = *horizon;
    const trace::TraceCapacity size = trace::trace_capacity(w, sizing);
    constexpr std::uint64_t kMaxTraceBytes = 4ULL << 30;
    const std::uint64_t bytes =
        size.records * sizeof(sched::TraceRecord) + size.candidates * sizeof(sched::Candidate);
    if (bytes > kMaxTraceBytes) {
      print_error("a trace of this run could need " + std::to_string(bytes >> 20) +
                  " MiB of memory (limit 4096 MiB): shorten --duration or drop --trace");
      return kExitBadInput;
    }
    buffer = std::make_unique<trace::TraceBuffer>(size.records, size.candidates);
  }

  VirtualClock clock;
  sim::SimBackend backend(clock, args.seed);
  sched::Scheduler scheduler(w, clock, backend, buffer.get());
  sched::RunOptions opts;
  opts.horizon = *horizon;
  opts.seed = args.seed;
  if (Status st = scheduler.prepare(opts); !st.ok()) {
    print_error(args.file + ": " + st.error().to_string());
    return kExitBadInput;
  }
  scheduler.run();
  const sched::RunStats& stats = scheduler.stats();

  if (buffer) {
    trace::TraceMeta meta;
    meta.workload = w.name;
    meta.backend = "sim";
    meta.policy = w.scheduler.policy;
    meta.load_shedding = w.scheduler.load_shedding;
    meta.seed = args.seed;
    meta.horizon = *horizon;
    meta.admission = admission;
    meta.admission_detail = verdict->test + (verdict->advice.empty() ? "" : ": " + verdict->advice);
    for (const Task& t : w.tasks) meta.task_names.push_back(t.name);
    if (Status st = trace::write_chrome_json(args.trace_path, meta, *buffer); !st.ok()) {
      print_error(st.error().to_string());
      return kExitBadInput;
    }
  }
  const bool admitted = verdict->schedulable;
  if (args.json) {
    std::printf("%s\n",
                to_json(w, stats, *horizon, args.seed, admission, admitted).dump(2).c_str());
  } else {
    print_text(w, stats, *horizon, args.seed, admission, admitted);
    if (buffer) std::printf("trace written to %s\n", args.trace_path.c_str());
  }
  // Admission promised no misses: a miss means the analysis or the task model (WCETs, overheads)
  // does not hold, which a gating script must not take for success. A forced run of a rejected set
  // is expected to miss and keeps exit code 0.
  if (const std::uint64_t misses = total_misses(w, stats); admitted && misses > 0) {
    print_error(args.file + ": " + unexpected_misses_sentence(misses));
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
