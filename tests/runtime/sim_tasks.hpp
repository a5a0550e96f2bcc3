// A one-segment `sim` task for the runtime tests: its segment spins for a uniform draw in
// [wcet / 2, wcet] on the real clock (runtime::TimedSimBackend).
#pragma once

#include "aegisrt/core/task.hpp"

namespace aegisrt::testing {

inline Task sim_task(const char* name, TaskId id, Duration period, Duration wcet) {
  Task t;
  t.name = name;
  t.id = id;
  t.period = t.deadline = period;
  t.segments = {{"seg0", wcet}};
  t.sim = SimSpec{};
  t.sim->distribution = Distribution::kUniform;
  t.sim->bcet_fraction = 0.5;
  return t;
}

}  // namespace aegisrt::testing
