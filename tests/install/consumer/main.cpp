// Uses the installed headers and library: parses a duration, runs one policy decision, checks
// that the run heap's hook is linked in, and registers the installed engines: each one the package
// names (CONSUMER_ENGINES, from AegisRT_ENGINES) can load models by backend name.
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
  std::printf("consumer: %s, engines [%s]: %s\n", ok ? "ok" : "wrong", engines.c_str(),
              engines_ok ? "ok" : "wrong");
  return ok && engines_ok ? 0 : 1;
}
