// Uses the installed headers and library: parses a duration, runs one policy decision and checks
// that the run heap's hook is linked in.
#include <aegisrt/core/time.hpp>
#include <aegisrt/memory/run_heap.hpp>
#include <aegisrt/sched/policy.hpp>
#include <cstdio>
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
  std::printf("consumer: %s\n", ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}
