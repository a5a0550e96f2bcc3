// `aegisrt run FILE [--duration 10s] [--policy P] [--seed N] [--trace out.json]
//   [--telemetry out.json] [--force] [--json]`: admission on the tasks' profiles, then the workload
// in real time on its backend (docs/design/0012-runtime.md). SIGINT / SIGTERM end the run cleanly:
// the running segment finishes, the statistics and the trace are written.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "aegisrt/app/run.hpp"
#include "aegisrt/trace/chrome.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct RunArgs {
  std::string file;
  std::string duration = "10s";
  std::uint64_t seed = 1;
  std::string policy;
  std::string trace_path;
  std::string telemetry_path;
  bool json = false;
  bool force = false;
  int core = 0;
  int rt_priority = 0;
  bool no_lock = false;
};

std::atomic<int> g_signal{0};
extern "C" void on_signal(int sig) { g_signal.store(sig); }

std::string ms(std::optional<Duration> d) {
  return format_duration(d, {.unit = TimeUnit::kMs, .decimals = 3, .suffix = false});
}

nlohmann::json ns_or_null(const std::optional<Duration>& d) {
  return d ? nlohmann::json(d->count()) : nlohmann::json(nullptr);
}

// The admission's response bound of task `id` (none when not computed), and whether the observed
// maximum stayed within it.
Duration bound_or_max(const app::RealtimeReport& r, TaskId id) {
  if (id >= r.verdict.tasks.size() || !r.verdict.tasks[id].response_bound) return Duration::max();
  return r.verdict.tasks[id].response_bound.value_or(Duration::max());
}

bool within_bound(const app::RealtimeReport& r, TaskId id, const Summary& s) {
  return s.max.value_or(Duration::zero()) <= bound_or_max(r, id);
}

// Log-linear buckets of the responses (core/stats.hpp): [lower_ns, upper_ns, count] each.
nlohmann::json histogram_json(std::span<const Duration> responses) {
  nlohmann::json out = nlohmann::json::array();
  for (const HistogramBucket& b : log_linear_histogram(responses, 8)) {
    out.push_back({b.lower.count(), b.upper.count(), b.count});
  }
  return out;
}

// Per task: the outcome counts, the observed responses beside the admission bound.
nlohmann::json telemetry_json(const app::RealtimeReport& r, Duration duration) {
  const Workload& w = r.workload;
  nlohmann::json out;
  out["workload"] = w.name;
  out["backend"] = w.device.backend;
  out["policy"] = to_string(w.scheduler.policy);
  out["duration_ns"] = duration.count();
  out["wall_ns"] = r.wall.count();
  out["admission"] = r.trace_meta.admission;
  out["stopped_early"] = r.dispatcher.stopped_early;
  out["missed"] = r.misses();
  out["unexpected_misses"] = r.unexpected_misses();
  out["tasks"] = nlohmann::json::array();
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = r.stats.tasks[t.id];
    const Summary s = st.summary();
    nlohmann::json dropped = nlohmann::json::object();
    for (std::size_t k = 1; k < static_cast<std::size_t>(sched::DropReason::kCount); ++k) {
      dropped[sched::to_string(static_cast<sched::DropReason>(k))] = st.dropped[k];
    }
    const Duration bound = bound_or_max(r, t.id);
    // The runtime's view of the task (app::RuntimeTelemetry): when its jobs started after their
    // arrival, its longest queue, its execution context's faults, its refused submits.
    nlohmann::json runtime = nullptr;
    if (t.id < r.telemetry.tasks.size()) {
      const app::RuntimeTelemetry::Task& rt = r.telemetry.tasks[t.id];
      const Summary start = summarize(rt.start_latency);
      runtime = {{"start_latency_ns",
                  {{"p50", ns_or_null(start.p50)},
                   {"p99", ns_or_null(start.p99)},
                   {"max", ns_or_null(start.max)}}},
                 {"start_latency_histogram", histogram_json(rt.start_latency)},
                 {"max_queue", rt.max_queue},
                 {"faults",
                  {{"non_finite", rt.faults.non_finite},
                   {"engine", rt.faults.engine},
                   {"bad_input", rt.faults.bad_input},
                   {"lost", rt.faults.lost}}},
                 {"submit_refused", rt.submit_refused}};
    }
    out["tasks"].push_back(
        {{"name", t.name},
         {"released", st.released},
         {"completed", st.completed},
         {"missed", st.missed},
         {"overruns", st.overruns},
         {"dropped", dropped},
         {"response_ns",
          {{"min", ns_or_null(s.min)},
           {"p50", ns_or_null(s.p50)},
           {"p99", ns_or_null(s.p99)},
           {"max", ns_or_null(s.max)}}},
         {"cv", s.cv ? nlohmann::json(*s.cv) : nlohmann::json(nullptr)},
         {"histogram", histogram_json(st.responses)},
         {"response_bound_ns",
          bound == Duration::max() ? nlohmann::json(nullptr) : nlohmann::json(bound.count())},
         {"max_within_bound", within_bound(r, t.id, s)},
         {"runtime", runtime}});
  }
  out["completions_lost"] = r.telemetry.completions_lost;
  const Summary wake = summarize(r.dispatcher.wake_late);
  out["dispatcher"] = {{"timed_wakeups", r.dispatcher.wakeups},
                       {"wake_late_ns",
                        {{"p50", ns_or_null(wake.p50)},
                         {"p99", ns_or_null(wake.p99)},
                         {"max", ns_or_null(wake.max)}}},
                       {"submitted", r.dispatcher.submitted},
                       {"submit_refused", r.dispatcher.submit_refused},
                       {"pinning", r.dispatcher.pinning},
                       {"priority", r.dispatcher.priority}};
  out["notes"] = r.notes;
  out["device"] = {{"busy_ns", r.stats.busy.count()}, {"decisions", r.stats.decisions}};
  // The process during the run: CPU time used, peak memory, temperatures at the end.
  const runtime::ResourceSnapshot& a = r.resources_before;
  const runtime::ResourceSnapshot& b = r.resources_after;
  nlohmann::json temps = nlohmann::json::array();
  for (const auto& t : b.temperatures) temps.push_back({{"zone", t.zone}, {"celsius", t.celsius}});
  out["resources"] = {{"cpu_user_ns", (b.cpu_user - a.cpu_user).count()},
                      {"cpu_system_ns", (b.cpu_system - a.cpu_system).count()},
                      {"max_rss_bytes", b.max_rss_bytes},
                      {"temperatures", temps}};
  return out;
}

void print_text(const app::RealtimeReport& r) {
  const Workload& w = r.workload;
  std::printf("workload %s: policy %s on %s (%s), %s ms of real time\n\n", w.name.c_str(),
              to_string(w.scheduler.policy), w.device.backend.c_str(),
              r.trace_meta.admission.c_str(), ms(r.wall).c_str());
  std::printf("%-16s %9s %9s %7s %8s %8s %10s %10s %10s %10s %s\n", "task", "released", "completed",
              "missed", "dropped", "overruns", "p50 ms", "p99 ms", "max ms", "bound ms", "");
  for (const Task& t : w.tasks) {
    const sched::TaskStats& st = r.stats.tasks[t.id];
    const Summary s = st.summary();
    const Duration bound = bound_or_max(r, t.id);
    const bool within = within_bound(r, t.id, s);
    std::printf("%-16s %9llu %9llu %7llu %8llu %8llu %10s %10s %10s %10s %s\n", t.name.c_str(),
                static_cast<unsigned long long>(st.released),
                static_cast<unsigned long long>(st.completed),
                static_cast<unsigned long long>(st.missed),
                static_cast<unsigned long long>(st.dropped_total()),
                static_cast<unsigned long long>(st.overruns), ms(s.p50).c_str(), ms(s.p99).c_str(),
                ms(s.max).c_str(), bound == Duration::max() ? "-" : ms(bound).c_str(),
                within ? "" : "ABOVE THE BOUND");
  }
  const Summary wake = summarize(r.dispatcher.wake_late);
  std::printf(
      "\ntimed wake-ups %llu, late by p50 %s us, p99 %s us, max %s us; %s; %s\n",
      static_cast<unsigned long long>(r.dispatcher.wakeups),
      format_duration(wake.p50, {.unit = TimeUnit::kUs, .decimals = 1, .suffix = false}).c_str(),
      format_duration(wake.p99, {.unit = TimeUnit::kUs, .decimals = 1, .suffix = false}).c_str(),
      format_duration(wake.max, {.unit = TimeUnit::kUs, .decimals = 1, .suffix = false}).c_str(),
      r.dispatcher.pinning.c_str(), r.dispatcher.priority.c_str());
  if (r.dispatcher.stopped_early)
    std::printf("stopped early by a signal: the counts are partial\n");
}

int run(const RunArgs& args) {
  const auto duration = positive_duration_option("--duration", args.duration);
  if (!duration) return kExitBadInput;
  if (reject_directory(args.file, "a workload file")) return kExitBadInput;
  std::optional<Workload> w = load_workload_to_run(args.file, args.policy);
  if (!w) return kExitBadInput;
  app::RealtimeOptions opts;
  opts.duration = *duration;
  opts.seed = args.seed;
  opts.force = args.force;
  opts.keep_trace = !args.trace_path.empty();
  if (args.core >= 0) opts.dispatcher_core = args.core;
  if (args.rt_priority > 0) opts.rt_priority = args.rt_priority;
  opts.lock_memory = !args.no_lock;
  // SIGINT / SIGTERM: a watcher asks the dispatcher to stop (a handler may only set a flag).
  g_signal.store(0);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::atomic<bool> done{false};
  std::thread watcher;
  opts.on_started = [&](runtime::Dispatcher& d) {
    watcher = std::thread([&d, &done] {
      while (!done.load()) {
        if (g_signal.load() != 0) {
          d.request_stop();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  };
  auto report = app::run_realtime(std::move(*w), opts);
  done.store(true);
  if (watcher.joinable()) watcher.join();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!report.ok()) {
    print_error(args.file + ": " + report.error().to_string());
    return report.error().code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
  }
  const analysis::Verdict& verdict = report->verdict;
  if (report->admission == app::AdmissionOutcome::kRefused) {
    const std::string why = verdict.witness ? verdict.witness->explanation : verdict.advice;
    print_error(args.file + ": not schedulable under " +
                to_string(report->workload.scheduler.policy) + " (" + verdict.test + "): " + why +
                "\nsee `aegisrt admit " + args.file +
                "` for the analysis, or pass --force to run "
                "it anyway");
    return kExitUnschedulable;
  }
  for (const std::string& note : report->notes)
    std::fprintf(stderr, "aegisrt: note: %s\n", note.c_str());
  if (report->trace) {
    if (Status st = trace::write_chrome_json(args.trace_path, report->trace_meta, *report->trace);
        !st.ok()) {
      print_error(st.error().to_string());
      return kExitBadInput;
    }
  }
  const nlohmann::json telemetry = telemetry_json(*report, *duration);
  if (!args.telemetry_path.empty()) {
    std::ofstream out(args.telemetry_path, std::ios::binary | std::ios::trunc);
    out << telemetry.dump(2) << "\n";
    if (!out) {
      print_error("cannot write the telemetry to `" + args.telemetry_path + "`");
      return kExitBadInput;
    }
  }
  if (args.json) {
    std::printf("%s\n", telemetry.dump(2).c_str());
  } else {
    print_text(*report);
    if (report->trace) std::printf("trace written to %s\n", args.trace_path.c_str());
    if (!args.telemetry_path.empty())
      std::printf("telemetry written to %s\n", args.telemetry_path.c_str());
  }
  if (const std::uint64_t misses = report->unexpected_misses(); misses > 0) {
    print_error(args.file + ": " + app::unexpected_misses_sentence(misses));
    return kExitUnexpectedMiss;
  }
  return kExitOk;
}

void register_run(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Admit a workload on its profiles, then run it in real time on its backend and report "
      "every task's outcomes beside its bound");
  cmd->add_option("FILE", args->file, "workload file (YAML or JSON)")->required();
  cmd->add_option("--duration", args->duration, "releases stop after this (then the queues drain)")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of jitter, sporadic gaps, sim draws and inputs")
      ->capture_default_str();
  cmd->add_option("--policy", args->policy,
                  "override the file's policy: np-edf, np-fp, fifo, lp-edf, lp-fp");
  cmd->add_option("--trace", args->trace_path, "write a Chrome/Perfetto trace JSON here");
  cmd->add_option("--telemetry", args->telemetry_path, "write the run's telemetry JSON here");
  cmd->add_flag("--json", args->json, "print the telemetry as JSON");
  cmd->add_flag("--force", args->force, "run a set that admission rejects (recorded as forced)");
  cmd->add_option("--core", args->core,
                  "pin the dispatcher thread (which runs one-thread engines) to this core; -1: "
                  "do not pin")
      ->capture_default_str();
  cmd->add_option("--rt-priority", args->rt_priority,
                  "SCHED_FIFO priority 1-99 for the dispatcher (0: the default scheduler; mind "
                  "the kernel's real-time throttling, docs/design/0012)")
      ->check(CLI::Range(0, 99));
  cmd->add_flag("--no-mlock", args->no_lock, "do not lock the process's memory for the run");
  cmd->footer(
      "Exit codes: 0 ok; 1 internal error; 2 bad input; 3 not schedulable (use --force); 5 the "
      "set was admitted but a deadline was missed: a bound or the platform did not hold.");
  cmd->callback([args, &exit] { exit.value = run(*args); });
}

const CommandRegistration kRegistration(25, &register_run);

}  // namespace
}  // namespace aegisrt::cli
