#include "analysis/analysis_support.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/random.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"

namespace aegisrt::analysis::testing {

Task make_task(const std::string& name, std::vector<std::int64_t> segments, std::int64_t period,
               std::int64_t deadline, std::int32_t priority, std::int64_t jitter) {
  Task t;
  t.name = name;
  t.period = Duration::ns(period);
  t.deadline = Duration::ns(deadline == 0 ? period : deadline);
  t.priority = priority;
  t.jitter = Duration::ns(jitter);
  for (std::size_t k = 0; k < segments.size(); ++k) {
    t.segments.push_back(Segment{"seg" + std::to_string(k), Duration::ns(segments[k])});
  }
  return t;
}

Workload make_workload(Policy policy, std::vector<Task> tasks) {
  Workload w;
  w.name = "test";
  w.scheduler.policy = policy;
  w.scheduler.load_shedding = false;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    tasks[i].id = static_cast<TaskId>(i);
    tasks[i].queue.capacity = 1024;
    tasks[i].on_miss = OnMiss::kComplete;
  }
  w.tasks = std::move(tasks);
  return w;
}

namespace {

class ScriptedBackend final : public backend::Backend {
 public:
  ScriptedBackend(VirtualClock& clock, const Scenario& s) : clock_(clock), s_(s) {}
  const char* name() const override { return "scripted"; }
  Status prepare(const Workload&) override { return Ok{}; }
  backend::SegmentStatus run_segment(const backend::JobRef& job, std::uint32_t segment) override {
    std::int64_t d = job.task->segments[segment].wcet.count();
    const TaskId t = job.task->id;
    if (t < s_.exec.size() && job.job < s_.exec[t].size() && segment < s_.exec[t][job.job].size()) {
      d = s_.exec[t][job.job][segment];
    }
    clock_.advance(Duration::ns(d));
    return backend::SegmentStatus::kOk;
  }

 private:
  VirtualClock& clock_;
  const Scenario& s_;
};

}  // namespace

std::string describe(const Scenario& s) {
  std::ostringstream o;
  for (std::size_t t = 0; t < s.arrivals.size(); ++t) {
    o << "task " << t << " arrivals:";
    for (std::int64_t a : s.arrivals[t]) o << ' ' << a;
    if (t < s.jitter.size() && !s.jitter[t].empty()) {
      o << " jitter:";
      for (std::int64_t j : s.jitter[t]) o << ' ' << j;
    }
    if (t < s.exec.size()) {
      o << " exec:";
      for (const auto& job : s.exec[t]) {
        o << " [";
        for (std::size_t k = 0; k < job.size(); ++k) o << (k ? "," : "") << job[k];
        o << ']';
      }
    }
    o << '\n';
  }
  return o.str();
}

namespace {

// Busy period with every task's longest segment as blocking: a horizon that covers the windows
// the analyses reason about. Capped.
std::int64_t horizon_for(const Workload& w) {
  std::int64_t max_t = 0;
  std::int64_t max_q = 0;
  std::int64_t sum_c = 0;
  for (const Task& t : w.tasks) {
    max_t = std::max(max_t, t.period.count());
    max_q = std::max(max_q, t.wcet().count());
    sum_c += t.wcet().count();
  }
  std::int64_t l = max_q + sum_c;
  for (int it = 0; it < 10'000 && l < 2'000; ++it) {
    std::int64_t next = max_q;
    for (const Task& t : w.tasks) {
      next += (l + t.period.count() - 1) / t.period.count() * t.wcet().count();
    }
    if (next == l) break;
    l = next;
  }
  return std::min<std::int64_t>(2 * l + 2 * max_t, 2'000);
}

}  // namespace

RunOutcome simulate(const Workload& w, const Scenario& s, std::int64_t horizon) {
  VirtualClock clock;
  ScriptedBackend backend(clock, s);
  sched::Scheduler sut(w, nullptr);
  sched::RunOptions opts;
  opts.horizon = Duration::ns(horizon);
  for (const auto& list : s.arrivals) {
    std::vector<TimePoint> tp;
    for (std::int64_t a : list) tp.push_back(TimePoint::from_ns(a));
    opts.arrivals.push_back(std::move(tp));
  }
  if (!s.jitter.empty()) {
    for (std::size_t i = 0; i < s.arrivals.size(); ++i) {
      std::vector<Duration> js(s.arrivals[i].size(), Duration::zero());
      if (i < s.jitter.size()) {
        for (std::size_t k = 0; k < std::min(js.size(), s.jitter[i].size()); ++k) {
          js[k] = Duration::ns(s.jitter[i][k]);
        }
      }
      opts.jitters.push_back(std::move(js));
    }
  }
  RunOutcome out;
  const Status st = sut.prepare(opts);
  AEGISRT_ASSERT(st.ok());
  sim::drive(sut, clock, backend);
  const sched::RunStats& stats = sut.stats();
  out.max_response.assign(w.tasks.size(), 0);
  out.missed.assign(w.tasks.size(), 0);
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    const sched::TaskStats& ts = stats.tasks[i];
    out.missed[i] = ts.missed;
    if (ts.missed > 0) out.miss = true;
    out.dropped += ts.dropped_total();
    for (Duration r : ts.responses) out.max_response[i] = std::max(out.max_response[i], r.count());
  }
  return out;
}

OracleResult explore(const Workload& w, const OracleConfig& cfg) {
  OracleResult out;
  const std::size_t n = w.tasks.size();
  out.max_response.assign(n, 0);
  out.horizon = horizon_for(w);
  const std::int64_t h = out.horizon;
  std::uint64_t draw = 0;
  auto rnd = [&](std::int64_t lo, std::int64_t hi) {
    return random_between(lo, hi, cfg.seed, RandomStream::kGenerator, 0xABCD, ++draw);
  };
  auto run = [&](const Scenario& s) {
    const RunOutcome r = simulate(w, s, h);
    AEGISRT_ASSERT(r.dropped == 0);
    ++out.runs;
    for (std::size_t i = 0; i < n; ++i) {
      out.max_response[i] = std::max(out.max_response[i], r.max_response[i]);
    }
    if (r.miss && !out.miss) {
      out.miss = true;
      out.miss_scenario = describe(s);
    }
  };
  // Random execution times: each segment of each job in [1, q] (half of them at q).
  auto random_exec = [&](Scenario& s) {
    s.exec.assign(n, {});
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < s.arrivals[i].size(); ++j) {
        std::vector<std::int64_t> job;
        for (const Segment& seg : w.tasks[i].segments) {
          const std::int64_t q = seg.wcet.count();
          job.push_back(rnd(0, 1) == 0 ? q : rnd(1, q));
        }
        s.exec[i].push_back(std::move(job));
      }
    }
  };
  // Structured: first releases at every offset in [0, window] per task, then periodic (densest).
  const std::int64_t window = n == 2 ? 6 : (n == 3 ? 2 : 1);
  std::vector<std::int64_t> offset(n, 0);
  for (;;) {
    Scenario s;
    s.arrivals.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::int64_t a = offset[i]; a < h; a += w.tasks[i].period.count()) {
        s.arrivals[i].push_back(a);
      }
    }
    run(s);
    for (std::size_t v = 0; v < cfg.exec_variants; ++v) {
      random_exec(s);
      run(s);
    }
    std::size_t k = 0;
    while (k < n && ++offset[k] > window) offset[k++] = 0;
    if (k == n) break;
  }
  // Random sporadic patterns.
  for (std::size_t r = 0; r < cfg.random_scenarios; ++r) {
    Scenario s;
    s.arrivals.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t t = w.tasks[i].period.count();
      for (std::int64_t a = rnd(0, t); a < h; a += t + (rnd(0, 3) == 0 ? rnd(1, t) : 0)) {
        s.arrivals[i].push_back(a);
      }
    }
    if (r % 2 == 0) random_exec(s);
    run(s);
  }
  return out;
}

std::string policy_identifier(Policy p) {
  std::string s = to_string(p);
  for (char& c : s) c = c == '-' ? '_' : c;
  return s;
}

Workload random_small_set(Policy policy, std::size_t n, double u, std::int64_t min_period,
                          std::int64_t max_period, std::size_t max_segments, std::uint64_t seed) {
  std::uint64_t draw = 0;
  auto unit = [&] { return random_unit(seed, RandomStream::kGenerator, 0x5E7, ++draw); };
  auto between = [&](std::int64_t lo, std::int64_t hi) {
    return random_between(lo, hi, seed, RandomStream::kGenerator, 0x5E8, ++draw);
  };
  // UUniFast (Bini & Buttazzo 2005).
  std::vector<double> us(n);
  double sum = u;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const double next = sum * std::pow(unit(), 1.0 / static_cast<double>(n - 1 - i));
    us[i] = sum - next;
    sum = next;
  }
  us[n - 1] = sum;
  std::vector<Task> tasks;
  std::vector<std::int32_t> prio(n);
  for (std::size_t i = 0; i < n; ++i) prio[i] = static_cast<std::int32_t>(i + 1);
  for (std::size_t i = n; i > 1; --i) {
    std::swap(prio[i - 1],
              prio[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(i - 1)))]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = between(min_period, max_period);
    const std::int64_t c =
        std::clamp<std::int64_t>(std::llround(us[i] * static_cast<double>(t)), 1, t);
    const std::int64_t d = between(c, t);
    const std::size_t m =
        static_cast<std::size_t>(between(1, static_cast<std::int64_t>(std::min<std::size_t>(
                                                max_segments, static_cast<std::size_t>(c)))));
    std::vector<std::int64_t> segs(m, c / static_cast<std::int64_t>(m));
    for (std::int64_t r = 0; r < c % static_cast<std::int64_t>(m); ++r)
      segs[static_cast<std::size_t>(r)] += 1;
    // Shuffle some weight between segments so that they differ.
    if (m > 1) {
      const std::size_t from =
          static_cast<std::size_t>(between(0, static_cast<std::int64_t>(m - 1)));
      const std::size_t to = static_cast<std::size_t>(between(0, static_cast<std::int64_t>(m - 1)));
      const std::int64_t move = between(0, segs[from] - 1);
      segs[from] -= move;
      segs[to] += move;
    }
    tasks.push_back(make_task("t" + std::to_string(i), segs, t, d, prio[i]));
  }
  return make_workload(policy, std::move(tasks));
}

}  // namespace aegisrt::analysis::testing
