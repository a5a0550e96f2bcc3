// Overhead terms: how the platform costs in the workload file (scheduler.overheads, from `aegisrt
// probe` later) are charged to the tasks before any test runs, and the analysis model itself.
//
// Charging rule, checked against the execution model of docs/design/0001 (one dispatcher that
// processes releases and decisions between segments, on the device's timeline):
//   - per-dispatch overhead goes into a job's first region; under the lp policies the scheduler
//     decides at every segment boundary, so every later region is charged one dispatch, plus one
//     preemption overhead since any later region may be a resumption after a preemption
//     (Buttazzo 3rd ed., section 8.5: the preemption cost is charged to the preempted task);
//   - per-release overhead goes into the job's first region too (so C and the demand count every
//     job's own release), and, because a release is processed between segments whichever job
//     runs (a release that arrives while a segment runs is handled when it ends), each test also
//     adds the releases it does not count as work as an interference term: later-deadline jobs in
//     an EDF window, lower-priority and own later jobs in a level-i period
//     (TaskSetModel::release_overhead, used in np_edf.cpp and np_fp.cpp).
// Inflating the regions makes blocking (q^max), the run-to-completion part (q^last) and the demand
// (C) include the overheads.
#include <cmath>
#include <string>

#include "model.hpp"

namespace aegisrt::analysis {
namespace {

Error field_error(const Workload& w, std::size_t i, const std::string& field, std::string message,
                  std::string hint = {}) {
  Error e = make_error(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
  e.where.file = w.source_file;
  e.where.field = "tasks[" + std::to_string(i) + "]" + (field.empty() ? "" : "." + field);
  return e;
}

Result<TaskSetModel> build(const Workload& w, Policy policy, TimeModel time_model,
                           const std::vector<std::int32_t>& priorities, double factor) {
  TaskSetModel m;
  m.policy = policy;
  m.time_model = time_model;
  const Overheads& oh = w.scheduler.overheads;
  if (oh.dispatch < Duration::zero() || oh.release < Duration::zero() ||
      oh.preemption < Duration::zero()) {
    return make_error(ErrorCode::kInvalidArgument, "scheduler overheads must not be negative");
  }
  if (!priorities.empty() && priorities.size() != w.tasks.size()) {
    return make_error(ErrorCode::kInternal, "priority vector does not match the task count");
  }
  const bool lp = preempts_at_segment_boundaries(policy);
  m.release_overhead = oh.release.count();
  Arith a;
  m.tasks.reserve(w.tasks.size());
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    const Task& t = w.tasks[i];
    if (t.segments.empty()) {
      return field_error(
          w, i, "segments",
          "task '" + t.name + "' has no segments (no WCET), so it cannot be analysed",
          "declare at least one segment with its WCET, or profile the model");
    }
    if (t.period <= Duration::zero()) {
      return field_error(w, i, "period", "task '" + t.name + "' has a non-positive period");
    }
    if (t.deadline <= Duration::zero() || t.deadline > t.period) {
      return field_error(w, i, "deadline",
                         "task '" + t.name + "' needs 0 < deadline <= period (constrained)");
    }
    if (t.jitter < Duration::zero() || t.jitter > t.period) {
      return field_error(w, i, "jitter", "task '" + t.name + "' needs 0 <= jitter <= period");
    }
    TaskParams p;
    p.id = static_cast<TaskId>(i);
    p.period = t.period.count();
    p.deadline = t.deadline.count();
    p.jitter = t.jitter.count();
    p.priority = priorities.empty() ? t.priority : priorities[i];
    if (policy == Policy::kFifo) p.priority = 0;  // FIFO = np-fp with all priorities equal
    std::vector<std::int64_t> seg;
    seg.reserve(t.segments.size());
    for (std::size_t k = 0; k < t.segments.size(); ++k) {
      std::int64_t q = t.segments[k].wcet.count();
      if (q <= 0) {
        return field_error(w, i, "segments[" + std::to_string(k) + "].wcet",
                           "task '" + t.name + "' has a non-positive segment WCET");
      }
      if (factor != 1.0) {
        const long double scaled = std::ceil(static_cast<long double>(q) * factor);
        if (!(scaled < 9.0e18L)) {
          a.set_overflow();
          q = Arith::kInf;
        } else {
          q = std::max<std::int64_t>(1, static_cast<std::int64_t>(scaled));
        }
      }
      seg.push_back(q);
    }
    const std::int64_t first_charge = a.add(oh.release.count(), oh.dispatch.count());
    const std::int64_t resume_charge = a.add(oh.dispatch.count(), oh.preemption.count());
    if (lp) {
      for (std::size_t k = 0; k < seg.size(); ++k) {
        p.regions.push_back(a.add(seg[k], k == 0 ? first_charge : resume_charge));
      }
    } else {
      std::int64_t c = first_charge;
      for (std::int64_t q : seg) c = a.add(c, q);
      p.regions.push_back(c);
    }
    for (std::int64_t q : p.regions) {
      p.wcet = a.add(p.wcet, q);
      p.q_max = std::max(p.q_max, q);
    }
    p.q_last = p.regions.back();
    if (a.overflow()) {
      return field_error(w, i, "segments",
                         "task '" + t.name + "': its WCET (with overheads) overflows int64 ns");
    }
    m.tasks.push_back(std::move(p));
  }
  return m;
}

}  // namespace

Result<TaskSetModel> build_model(const Workload& w, Policy policy, TimeModel time_model,
                                 const std::vector<std::int32_t>& priorities) {
  return build(w, policy, time_model, priorities, 1.0);
}

Result<TaskSetModel> build_scaled_model(const Workload& w, Policy policy, TimeModel time_model,
                                        const std::vector<std::int32_t>& priorities,
                                        double factor) {
  return build(w, policy, time_model, priorities, factor);
}

}  // namespace aegisrt::analysis
