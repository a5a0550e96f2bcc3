// Analysis time per test for 10, 30 and 100 tasks (goal: np-edf and np-fp under 1 ms at 30 tasks
// and under 20 ms at 100). Each benchmark analyses a set that the test admits, so the whole test
// runs (a rejected set can stop early): UUniFast utilisation 0.6, periods log-uniform in
// [10 ms, 1 s], implicit deadlines, 4 segments per task for the lp policies.
//   BM_Test*:  the schedulability test alone (AdmitOptions::response_bounds = false);
//   BM_Admit*: the verdict with every task's response bound (no sensitivity, no advice).
#include <benchmark/benchmark.h>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/sim/experiment.hpp"

namespace {

using aegisrt::Policy;
using aegisrt::Workload;
namespace analysis = aegisrt::analysis;
namespace sim = aegisrt::sim;

analysis::AdmitOptions options(Policy p, bool bounds) {
  analysis::AdmitOptions o;
  o.policy = p;
  o.scaling_precision = 0;
  o.advise = false;
  o.preemption_advice = false;
  o.response_bounds = bounds;
  return o;
}

// The first generated set (seed 7) that `p` admits.
Workload admitted_set(Policy p, std::size_t n) {
  sim::GeneratorConfig g;
  g.tasks = n;
  g.utilisation = 0.6;
  g.constrained_deadlines = false;
  g.segments = aegisrt::preempts_at_segment_boundaries(p) ? 4 : 1;
  for (std::uint64_t index = 0; index < 100'000; ++index) {
    Workload w = sim::generate_task_set(g, 7, index);
    w.scheduler.policy = p;
    const auto v = analysis::admit(w, options(p, false));
    if (v.ok() && v->schedulable) return w;
  }
  return {};
}

void run(benchmark::State& state, Policy p, bool bounds) {
  const Workload w = admitted_set(p, static_cast<std::size_t>(state.range(0)));
  if (w.tasks.empty()) {
    state.SkipWithError("no admitted set found");
    return;
  }
  const analysis::AdmitOptions o = options(p, bounds);
  for (auto _ : state) {
    auto v = analysis::admit(w, o);
    benchmark::DoNotOptimize(v);
  }
}

void BM_TestNpEdf(benchmark::State& s) { run(s, Policy::kNpEdf, false); }
void BM_TestNpFp(benchmark::State& s) { run(s, Policy::kNpFp, false); }
void BM_TestLpEdf(benchmark::State& s) { run(s, Policy::kLpEdf, false); }
void BM_TestLpFp(benchmark::State& s) { run(s, Policy::kLpFp, false); }
void BM_AdmitNpEdf(benchmark::State& s) { run(s, Policy::kNpEdf, true); }
void BM_AdmitNpFp(benchmark::State& s) { run(s, Policy::kNpFp, true); }
void BM_AdmitLpEdf(benchmark::State& s) { run(s, Policy::kLpEdf, true); }
void BM_AdmitLpFp(benchmark::State& s) { run(s, Policy::kLpFp, true); }

#define AEGISRT_SIZES ->Arg(10)->Arg(30)->Arg(100)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_TestNpEdf) AEGISRT_SIZES;
BENCHMARK(BM_TestNpFp) AEGISRT_SIZES;
BENCHMARK(BM_TestLpEdf) AEGISRT_SIZES;
BENCHMARK(BM_TestLpFp) AEGISRT_SIZES;
BENCHMARK(BM_AdmitNpEdf) AEGISRT_SIZES;
BENCHMARK(BM_AdmitNpFp) AEGISRT_SIZES;
BENCHMARK(BM_AdmitLpEdf) AEGISRT_SIZES;
BENCHMARK(BM_AdmitLpFp) AEGISRT_SIZES;

}  // namespace
