// Internal to admission: the advice sentence of a verdict (admission_advice.cpp) and the number
// formats that admission's sentences share (admission.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model.hpp"

namespace aegisrt::analysis {

bool is_edf(Policy p);

// A duration in ns as the verdict prints it; Arith::kInf is "unbounded".
std::string fmt_ns(std::int64_t v);
// `v` with `digits` significant digits (printf %g).
std::string fmt_double(double v, int digits = 4);

// The advice sentence of `v`, whose witness, memory, tasks and critical scaling factor are final:
// on a rejection, what would change it (less memory; or, with options.advise, a smaller WCET, a
// longer deadline or a shorter non-preemptive region of the task the witness is about); on an
// admission, the tightest task and how far every WCET can grow. Empty when there is nothing to
// say (a rejection without options.advise). `m` and `setting` are what `v` was analysed with;
// `names` the task names by id.
std::string verdict_advice(const Workload& workload, const TaskSetModel& m, const Setting& setting,
                           const AdmitOptions& options, const std::vector<std::string>& names,
                           const Verdict& v);

}  // namespace aegisrt::analysis
