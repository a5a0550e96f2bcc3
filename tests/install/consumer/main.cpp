// Uses the installed headers and library: parses a duration and runs one policy decision.
#include <aegisrt/core/time.hpp>
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
  const bool ok = d && d->count() == 33'333'000 && decision.chosen == 1;
  std::printf("consumer: %s\n", ok ? "ok" : "wrong");
  return ok ? 0 : 1;
}
