// `aegisrt experiment acceptance ...`: acceptance ratio of the admission tests on random task sets,
// with every admitted set simulated on the scheduler core (its miss ratio must be zero).
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "aegisrt/report/acceptance_svg.hpp"
#include "aegisrt/sim/experiment.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct AcceptanceArgs {
  std::string policies = "np-edf,np-fp,lp-edf,lp-fp";
  std::size_t tasks = 10;
  std::string utilisation = "0.05:1.0:0.05";
  std::size_t sets = 1000;
  std::uint64_t seed = 1;
  std::size_t segments = 1;
  std::string out = ".";
  std::int64_t simulate_periods = 5;
  std::string min_period = "10ms";
  std::string max_period = "1000ms";
  bool implicit_deadlines = false;
};

// The most utilisation points one run makes (FROM:TO:STEP).
constexpr std::size_t kMaxPoints = 1000;

bool write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  return static_cast<bool>(f);
}

int run_acceptance_cmd(const AcceptanceArgs& a) {
  sim::AcceptanceConfig cfg;
  cfg.policies.clear();
  std::stringstream ps(a.policies);
  for (std::string item; std::getline(ps, item, ',');) {
    const std::optional<Policy> p = parse_policy(item);
    if (!p || *p == Policy::kFifo) {
      print_error("unknown policy '" + item + "' (use np-edf, np-fp, lp-edf, lp-fp)");
      return kExitBadInput;
    }
    cfg.policies.push_back(*p);
  }
  double from = 0, to = 0, step = 0;
  if (std::sscanf(a.utilisation.c_str(), "%lf:%lf:%lf", &from, &to, &step) != 3) {
    print_error("--utilisation wants FROM:TO:STEP, e.g. 0.05:1.0:0.05");
    return kExitBadInput;
  }
  if (!(step > 0) || !std::isfinite(step)) {
    print_error("--utilisation `" + a.utilisation +
                "`: the step must be a positive number, e.g. 0.05:1.0:0.05");
    return kExitBadInput;
  }
  // As many points as run_acceptance makes; more than kMaxPoints would run for hours.
  if (to >= from && (to - from) / step + 1 > static_cast<double>(kMaxPoints)) {
    print_error("--utilisation `" + a.utilisation + "` makes more than " +
                std::to_string(kMaxPoints) + " utilisation points; use a step of at least " +
                fmt::format("{:.3g}", (to - from) / static_cast<double>(kMaxPoints - 1)));
    return kExitBadInput;
  }
  if (a.sets == 0) {
    print_error("--sets 0: give at least 1 task set per utilisation point");
    return kExitBadInput;
  }
  if (a.segments == 0) {
    print_error("--segments 0: give at least 1 segment per task");
    return kExitBadInput;
  }
  cfg.u_from = from;
  cfg.u_to = to;
  cfg.u_step = step;
  cfg.sets = a.sets;
  cfg.seed = a.seed;
  cfg.simulate_periods = a.simulate_periods;
  cfg.generator.tasks = a.tasks;
  cfg.generator.segments = a.segments;
  cfg.generator.constrained_deadlines = !a.implicit_deadlines;
  const std::optional<Duration> lo = positive_duration_option("--min-period", a.min_period);
  if (!lo) return kExitBadInput;
  const std::optional<Duration> hi = positive_duration_option("--max-period", a.max_period);
  if (!hi) return kExitBadInput;
  if (*hi < *lo) {
    print_error("--min-period / --max-period want durations with units, min <= max");
    return kExitBadInput;
  }
  cfg.generator.min_period = *lo;
  cfg.generator.max_period = *hi;
  const Result<std::vector<sim::AcceptancePoint>> points = sim::run_acceptance(cfg);
  if (!points.ok()) {
    print_error(points.error().to_string());
    return kExitBadInput;
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out, ec);
  const std::filesystem::path dir(a.out);
  const std::string title = "acceptance, " + std::to_string(a.tasks) + " tasks, " +
                            std::to_string(cfg.generator.segments) + " segment(s) per task, " +
                            std::to_string(a.sets) + " sets per point, seed " +
                            std::to_string(a.seed);
  if (!write_file(dir / "acceptance.csv", sim::acceptance_csv(*points)) ||
      !write_file(dir / "acceptance.svg", report::acceptance_svg(*points, title))) {
    print_error("cannot write into " + a.out);
    return kExitBadInput;
  }
  std::size_t missed = 0;
  for (const auto& p : *points) missed += p.missed_jobs;
  std::printf("wrote %s and %s (%zu points); simulated misses of admitted sets: %zu\n",
              (dir / "acceptance.csv").c_str(), (dir / "acceptance.svg").c_str(), points->size(),
              missed);
  return missed == 0 ? kExitOk : kExitInternal;
}

void register_experiment(CLI::App& app, ExitCode& exit) {
  CLI::App* cmd = app.add_subcommand("experiment", "Experiments over random task sets.");
  cmd->require_subcommand(1);
  auto a = std::make_shared<AcceptanceArgs>();
  CLI::App* acc = cmd->add_subcommand(
      "acceptance",
      "Acceptance ratio per utilisation per test (UUniFast-discard utilisations, log-uniform "
      "periods, deadlines in [C, T]); every admitted set is simulated and must not miss. Writes "
      "acceptance.csv and acceptance.svg.");
  acc->add_option("--policies", a->policies, "comma-separated tests")->capture_default_str();
  acc->add_option("--tasks", a->tasks, "tasks per set")->capture_default_str();
  acc->add_option("--utilisation", a->utilisation, "FROM:TO:STEP (at most 1000 points)")
      ->capture_default_str();
  acc->add_option("--sets", a->sets, "task sets per utilisation point")->capture_default_str();
  acc->add_option("--seed", a->seed, "generator seed")->capture_default_str();
  acc->add_option("--segments", a->segments, "segments per task (random cut points)")
      ->capture_default_str();
  acc->add_option("--out", a->out, "output folder")->capture_default_str();
  acc->add_option("--simulate-periods", a->simulate_periods,
                  "simulate each admitted set for this many of its longest periods (0: off)")
      ->capture_default_str();
  acc->add_option("--min-period", a->min_period, "shortest period")->capture_default_str();
  acc->add_option("--max-period", a->max_period, "longest period")->capture_default_str();
  acc->add_flag("--implicit-deadlines", a->implicit_deadlines, "D = T instead of D in [C, T]");
  acc->footer(
      "Exit codes: 0 the curves were written and no admitted set missed a deadline in simulation; "
      "1 an admitted set missed a deadline (the analysis is wrong), or an internal error; 2 bad "
      "input or usage (e.g. --sets 0, --segments 0, a utilisation step that is not positive or "
      "makes more than 1000 points).");
  acc->callback([a, &exit] { exit.value = run_acceptance_cmd(*a); });
}

CommandRegistration reg(60, &register_experiment);

}  // namespace
}  // namespace aegisrt::cli
