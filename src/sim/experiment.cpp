// Acceptance-ratio experiments (include/aegisrt/sim/experiment.hpp).
#include "aegisrt/sim/experiment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/random.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"

namespace aegisrt::sim {
namespace {

// Counter-based draws: (seed, set index, draw number).
struct Draws {
  std::uint64_t seed;
  std::uint64_t index;
  std::uint64_t n = 0;
  double unit() { return random_unit(seed, RandomStream::kGenerator, index, ++n); }
};

}  // namespace

Workload generate_task_set(const GeneratorConfig& cfg, std::uint64_t seed, std::uint64_t index) {
  Draws d{seed, index};
  const std::size_t n = cfg.tasks;
  // UUniFast-discard: u_i = sumU - sumU * r^(1/(n-i)); discard the set if any u_i > 1.
  std::vector<double> u(n);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    double sum = cfg.utilisation;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const double next = sum * std::pow(d.unit(), 1.0 / static_cast<double>(n - 1 - i));
      u[i] = sum - next;
      sum = next;
    }
    u[n - 1] = sum;
    if (std::all_of(u.begin(), u.end(), [](double x) { return x <= 1.0; })) break;
  }
  Workload w;
  w.name = "generated";
  w.scheduler.load_shedding = false;
  const double lo = std::log(static_cast<double>(cfg.min_period.count()));
  const double hi = std::log(static_cast<double>(cfg.max_period.count()));
  const auto g = cfg.granularity.count();
  for (std::size_t i = 0; i < n; ++i) {
    Task t;
    t.name = "t" + std::to_string(i);
    t.id = static_cast<TaskId>(i);
    const double raw = std::exp(lo + (hi - lo) * d.unit());
    const std::int64_t period =
        std::max<std::int64_t>(g, std::llround(raw / static_cast<double>(g)) * g);
    const std::int64_t c =
        std::clamp<std::int64_t>(std::llround(u[i] * static_cast<double>(period)),
                                 static_cast<std::int64_t>(cfg.segments), period);
    const std::int64_t deadline = cfg.constrained_deadlines
                                      ? c + std::llround(d.unit() * static_cast<double>(period - c))
                                      : period;
    t.period = Duration::ns(period);
    t.deadline = Duration::ns(std::clamp<std::int64_t>(deadline, c, period));
    // Cut points uniform in (0, c), at least 1 ns per segment.
    std::vector<std::int64_t> cuts{0, c};
    for (std::size_t k = 1; k < cfg.segments; ++k) {
      cuts.push_back(1 + std::llround(d.unit() * static_cast<double>(c - 2)));
    }
    std::sort(cuts.begin(), cuts.end());
    std::vector<std::int64_t> len;
    for (std::size_t k = 1; k < cuts.size(); ++k) len.push_back(cuts[k] - cuts[k - 1]);
    // Repair empty segments (equal cuts) by taking 1 ns from the longest.
    for (std::int64_t& q : len) {
      if (q > 0) continue;
      auto longest = std::max_element(len.begin(), len.end());
      --*longest;
      q = 1;
    }
    for (std::size_t k = 0; k < len.size(); ++k) {
      t.segments.push_back(Segment{"seg" + std::to_string(k), Duration::ns(len[k])});
    }
    t.queue.capacity = 64;
    w.tasks.push_back(std::move(t));
  }
  // Deadline-monotonic priorities (larger = more urgent), ties by id.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return w.tasks[a].deadline < w.tasks[b].deadline;
  });
  for (std::size_t r = 0; r < n; ++r) w.tasks[order[r]].priority = static_cast<std::int32_t>(n - r);
  return w;
}

namespace {

// Runs an admitted set on the scheduler core with random execution times and sporadic gaps.
void simulate_admitted(const Workload& set, Policy policy, const AcceptanceConfig& cfg,
                       std::uint64_t sim_seed, AcceptancePoint& point) {
  Workload w = set;
  w.scheduler.policy = policy;
  w.scheduler.load_shedding = false;
  Duration max_period;
  for (Task& t : w.tasks) {
    t.arrival = ArrivalKind::kSporadic;
    t.max_interarrival = t.period + Duration::ns(t.period.count() / 2);
    SimSpec spec;
    spec.distribution = Distribution::kUniform;
    spec.bcet_fraction = cfg.bcet_fraction;
    t.sim = spec;
    max_period = std::max(max_period, t.period);
  }
  VirtualClock clock;
  sim::SimBackend backend(clock, sim_seed);
  sched::Scheduler scheduler(w, nullptr);
  sched::RunOptions opts;
  opts.horizon = max_period * cfg.simulate_periods;
  opts.seed = sim_seed;
  if (!scheduler.prepare(opts).ok()) return;
  sim::drive(scheduler, clock, backend);
  for (const sched::TaskStats& ts : scheduler.stats().tasks) {
    point.simulated_jobs += ts.released;
    point.missed_jobs += ts.missed;
  }
}

}  // namespace

Result<std::vector<AcceptancePoint>> run_acceptance(const AcceptanceConfig& cfg) {
  if (cfg.policies.empty()) return make_error(ErrorCode::kInvalidArgument, "no policies given");
  if (!(cfg.u_step > 0) || cfg.u_from > cfg.u_to || cfg.u_from <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "empty utilisation range",
                      "give FROM:TO:STEP with 0 < FROM <= TO and STEP > 0");
  }
  if (cfg.generator.tasks == 0) {
    return make_error(ErrorCode::kInvalidArgument, "--tasks must be at least 1");
  }
  std::vector<AcceptancePoint> points;
  analysis::AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  opts.response_bounds = false;
  const auto steps =
      static_cast<std::size_t>(std::floor((cfg.u_to - cfg.u_from) / cfg.u_step + 1e-9)) + 1;
  for (std::size_t s = 0; s < steps; ++s) {
    const double u = cfg.u_from + static_cast<double>(s) * cfg.u_step;
    std::vector<AcceptancePoint> row(cfg.policies.size());
    for (std::size_t p = 0; p < cfg.policies.size(); ++p) {
      row[p].utilisation = u;
      row[p].policy = cfg.policies[p];
    }
    GeneratorConfig g = cfg.generator;
    g.utilisation = u;
    for (std::size_t k = 0; k < cfg.sets; ++k) {
      const std::uint64_t index = s * 1'000'000 + k;
      const Workload set = generate_task_set(g, cfg.seed, index);
      for (std::size_t p = 0; p < cfg.policies.size(); ++p) {
        opts.policy = cfg.policies[p];
        const Result<analysis::Verdict> v = analysis::admit(set, opts);
        ++row[p].sets;
        if (!v.ok() || !v->schedulable) continue;
        ++row[p].admitted;
        if (cfg.simulate_periods > 0) {
          simulate_admitted(set, cfg.policies[p], cfg, cfg.seed ^ index, row[p]);
        }
      }
    }
    points.insert(points.end(), row.begin(), row.end());
  }
  return points;
}

std::string acceptance_csv(const std::vector<AcceptancePoint>& points) {
  std::string out =
      "utilisation,policy,sets,admitted,acceptance_ratio,simulated_jobs,missed_jobs,miss_ratio\n";
  char line[256];
  for (const AcceptancePoint& p : points) {
    std::snprintf(line, sizeof line, "%.4f,%s,%zu,%zu,%.4f,%zu,%zu,%.6f\n", p.utilisation,
                  to_string(p.policy), p.sets, p.admitted, p.acceptance_ratio(), p.simulated_jobs,
                  p.missed_jobs, p.miss_ratio());
    out += line;
  }
  return out;
}

}  // namespace aegisrt::sim
