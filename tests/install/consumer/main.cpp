// Uses the installed headers and library: parses a duration, runs one policy decision, checks
// that the run heap's hook is linked in, registers the installed engines (each one the package
// names, CONSUMER_ENGINES from AegisRT_ENGINES, can load models by backend name), and runs a
// `sim` workload for 50 ms through the embedding API (app::Runtime), submitting one frame.
#include <aegisrt/app/runtime.hpp>
#include <aegisrt/backend/engines.hpp>
#include <aegisrt/backend/registry.hpp>
#include <aegisrt/core/time.hpp>
#include <aegisrt/memory/run_heap.hpp>
#include <aegisrt/sched/policy.hpp>
#include <cstdio>
#include <string>
#include <vector>

int main() {
  const auto d = aegisrt::parse_duration("33.333ms");
  std::vector<aegisrt::sched::Candidate> c(2);
  c[0].task = 0;
  c[0].deadline = aegisrt::TimePoint::from_ns(20);
  c[1].task = 1;
  c[1].deadline = aegisrt::TimePoint::from_ns(10);
  const auto decision = aegisrt::sched::decide(aegisrt::Policy::kNpEdf, false, {}, c);
  const bool ok = d && d->count() == 33'333'000 && decision.chosen == 1 &&
                  aegisrt::memory::run_heap_linked() && aegisrt::memory::attach_run_heap().ok();

  aegisrt::backend::register_engines();
  std::string engines;
  bool engines_ok = true;
  for (const std::string& name : aegisrt::backend::compiled_engines()) {
    engines += (engines.empty() ? "" : ",") + name;
    engines_ok = engines_ok && aegisrt::backend::runner_backend(name).ok();
  }
  engines_ok = engines_ok && engines == CONSUMER_ENGINES;

  aegisrt::Workload w;
  w.name = "consumer";
  for (const char* name : {"tick", "frame"}) {
    aegisrt::Task t;
    t.name = name;
    t.id = static_cast<aegisrt::TaskId>(w.tasks.size());
    t.period = t.deadline = aegisrt::Duration::ms(10);
    t.segments = {{"s0", aegisrt::Duration::ms(1)}};
    t.sim = aegisrt::SimSpec{};
    w.tasks.push_back(t);
  }
  w.tasks[1].arrival = aegisrt::ArrivalKind::kSporadic;
  w.tasks[1].max_interarrival = aegisrt::Duration::s(1);
  aegisrt::app::RealtimeOptions options;
  options.duration = aegisrt::Duration::ms(50);
  options.submitted = {"frame"};
  auto rt = aegisrt::app::Runtime::create(w, options);
  bool runtime_ok = rt.ok() && (*rt)->admitted() && (*rt)->start().ok() &&
                    (*rt)->submit(1, {}).status == aegisrt::app::SubmitStatus::kAccepted;
  if (rt.ok()) {
    auto report = (*rt)->finish();
    runtime_ok = runtime_ok && report.ok() && report->stats.tasks[0].completed > 0 &&
                 report->stats.tasks[1].released == 1;
  }
  std::printf("consumer: %s, engines [%s]: %s, runtime: %s\n", ok ? "ok" : "wrong", engines.c_str(),
              engines_ok ? "ok" : "wrong", runtime_ok ? "ok" : "wrong");
  return ok && engines_ok && runtime_ok ? 0 : 1;
}
