// Scheduler core benchmarks.
//   BM_Decision/<tasks>/<trace>: thread CPU time per scheduling decision of a simulated run
//   (releases
//     handled, candidates collected, sched::decide(), the decision recorded, the segment dispatched
//     on the sim backend). trace 0 = no sink, 1 = a TraceBuffer.
//   BM_DecideOnly/<tasks>: sched::decide() alone over <tasks> candidates (the policy's own cost).
//   BM_SimulatedJobs/<tasks>: jobs per second through the whole simulator.
// Run: ./build/bench/sched_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>

#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/random.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "aegisrt/trace/buffer.hpp"

namespace aegisrt {
namespace {

// n tasks, total utilisation 0.9 split evenly, periods log-uniform in [10 ms, 1 s] (seeded),
// two segments each, uniform execution times in [0.6, 1] x WCET, np-edf.
Workload bench_workload(std::size_t n, Policy policy = Policy::kNpEdf) {
  Workload w;
  w.name = "bench";
  w.scheduler.policy = policy;
  for (std::size_t i = 0; i < n; ++i) {
    Task t;
    t.id = static_cast<TaskId>(i);
    t.name = "t" + std::to_string(i);
    const double u = random_unit(7, RandomStream::kGenerator, i);
    const auto period_ns = static_cast<std::int64_t>(1e7 * std::pow(100.0, u));
    t.period = Duration::ns(period_ns);
    t.deadline = t.period;
    t.priority = static_cast<std::int32_t>(n - i);
    t.queue.capacity = 2;
    const auto wcet =
        static_cast<std::int64_t>(0.9 / static_cast<double>(n) * static_cast<double>(period_ns));
    t.segments = {{"seg0", Duration::ns(wcet / 2)}, {"seg1", Duration::ns(wcet - wcet / 2)}};
    t.sim = SimSpec{};
    t.sim->distribution = Distribution::kUniform;
    t.sim->bcet_fraction = 0.6;
    w.tasks.push_back(std::move(t));
  }
  return w;
}

Duration horizon_for(std::size_t n) {
  // About 4000 jobs whatever n: the mean period is ~215 ms.
  return Duration::ms(static_cast<std::int64_t>(4000 * 215 / n));
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Totals {
  std::uint64_t decisions = 0;
  std::uint64_t jobs = 0;
  double seconds = 0;  // inside run() only
};

void run_once(const Workload& w, Duration horizon, trace::TraceBuffer* buffer,
              benchmark::State& state, Totals& totals) {
  VirtualClock clock;
  sim::SimBackend backend(clock, 1);
  sched::Scheduler sut(w, buffer);
  sched::RunOptions opts;
  opts.horizon = horizon;
  if (!sut.prepare(opts).ok()) {
    state.SkipWithError("prepare failed");
    return;
  }
  if (buffer != nullptr) buffer->clear();
  // Thread CPU time: on the shared 2-core build machines, wall time also counts other processes.
  const double start = thread_cpu_seconds();
  sim::drive(sut, clock, backend);
  const double seconds = thread_cpu_seconds() - start;
  state.SetIterationTime(seconds);
  totals.seconds += seconds;
  totals.decisions += sut.stats().decisions;
  for (const auto& st : sut.stats().tasks) totals.jobs += st.completed;
}

void BM_Decision(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const bool with_trace = state.range(1) != 0;
  const Workload w = bench_workload(n);
  const Duration horizon = horizon_for(n);
  std::unique_ptr<trace::TraceBuffer> buffer;
  if (with_trace) buffer = std::make_unique<trace::TraceBuffer>(200'000, 200'000 * n);
  Totals totals;
  for (auto _ : state) run_once(w, horizon, buffer.get(), state, totals);
  // The reported time is per simulated run; ns_per_decision is the figure of interest.
  state.counters["decisions"] =
      static_cast<double>(totals.decisions) / static_cast<double>(state.iterations());
  state.counters["ns_per_decision"] =
      totals.seconds * 1e9 / static_cast<double>(std::max<std::uint64_t>(totals.decisions, 1));
}
BENCHMARK(BM_Decision)
    ->ArgsProduct({{4, 16, 64, 256}, {0, 1}})
    ->ArgNames({"tasks", "trace"})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_DecideOnly(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<sched::Candidate> candidates(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& c = candidates[i];
    c.task = static_cast<TaskId>(i);
    c.release = TimePoint::from_ns(random_between(0, 1'000'000, 3, RandomStream::kGenerator, i));
    c.deadline = c.release + Duration::ms(10);
    c.remaining = Duration::us(100);
  }
  for (auto _ : state) {
    const auto d = sched::decide(Policy::kNpEdf, true, TimePoint(), candidates);
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DecideOnly)->RangeMultiplier(4)->Range(4, 256);

void BM_SimulatedJobs(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Workload w = bench_workload(n);
  Totals totals;
  for (auto _ : state) run_once(w, horizon_for(n), nullptr, state, totals);
  state.counters["jobs_per_s"] = static_cast<double>(totals.jobs) / totals.seconds;
}
BENCHMARK(BM_SimulatedJobs)
    ->Arg(4)
    ->Arg(64)
    ->Arg(256)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace aegisrt
