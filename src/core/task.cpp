#include "aegisrt/core/task.hpp"

#include <algorithm>

namespace aegisrt {

Duration Task::wcet() const {
  Duration sum;
  for (const Segment& s : segments) sum += s.wcet;
  return sum;
}

Duration Task::max_segment() const {
  Duration m;
  for (const Segment& s : segments) m = std::max(m, s.wcet);
  return m;
}

const char* to_string(Policy p) {
  switch (p) {
    case Policy::kNpEdf:
      return "np-edf";
    case Policy::kNpFp:
      return "np-fp";
    case Policy::kFifo:
      return "fifo";
    case Policy::kLpEdf:
      return "lp-edf";
    case Policy::kLpFp:
      return "lp-fp";
  }
  return "?";
}

bool preempts_at_segment_boundaries(Policy p) { return p == Policy::kLpEdf || p == Policy::kLpFp; }

std::optional<Policy> parse_policy(std::string_view s) {
  for (Policy p : {Policy::kNpEdf, Policy::kNpFp, Policy::kFifo, Policy::kLpEdf, Policy::kLpFp}) {
    if (s == to_string(p)) return p;
  }
  return std::nullopt;
}

const char* to_string(OnFull f) {
  switch (f) {
    case OnFull::kDropOldest:
      return "drop_oldest";
    case OnFull::kDropNewest:
      return "drop_newest";
    case OnFull::kReject:
      return "reject";
  }
  return "?";
}

const char* to_string(OnMiss m) { return m == OnMiss::kAbort ? "abort" : "complete"; }

const char* to_string(Criticality c) {
  switch (c) {
    case Criticality::kLow:
      return "low";
    case Criticality::kNormal:
      return "normal";
    case Criticality::kHigh:
      return "high";
  }
  return "?";
}

const char* to_string(ArrivalKind a) {
  return a == ArrivalKind::kPeriodic ? "periodic" : "sporadic";
}

const char* to_string(Distribution d) {
  switch (d) {
    case Distribution::kConstant:
      return "constant";
    case Distribution::kUniform:
      return "uniform";
    case Distribution::kNormal:
      return "normal";
    case Distribution::kEmpirical:
      return "empirical";
  }
  return "?";
}

const char* to_string(OnOverrun o) {
  switch (o) {
    case OnOverrun::kContinue:
      return "continue";
    case OnOverrun::kAbort:
      return "abort";
    case OnOverrun::kSkipNext:
      return "skip_next";
  }
  return "?";
}

const char* to_string(WcetSource s) {
  switch (s) {
    case WcetSource::kAuto:
      return "auto";
    case WcetSource::kDeclared:
      return "declared";
    case WcetSource::kObservedMax:
      return "observed_max";
    case WcetSource::kPwcet:
      return "pwcet";
  }
  return "?";
}

}  // namespace aegisrt
