#include "rules.hpp"

#include <fmt/format.h>

#include <cmath>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/workload/workload.hpp"

namespace aegisrt::workload {

namespace {

std::string fraction_text(double f) { return fmt::format("{}", f); }

// Formats "key value" for messages.
struct Namer {
  const FieldNames& names;
  std::size_t task;
  std::string key(std::string_view field) const { return names.key(task, field); }
  std::string kv(std::string_view field, std::string fallback) const {
    return names.key(task, field) + " " + names.value(task, field, std::move(fallback));
  }
};

Violation violation(std::size_t task, std::string field, std::string message, std::string hint) {
  return Violation{task, std::move(field), std::move(message), std::move(hint)};
}

}  // namespace

std::string FieldNames::key(std::size_t /*task*/, std::string_view field) const {
  return std::string(field);
}

std::string FieldNames::value(std::size_t /*task*/, std::string_view /*field*/,
                              std::string fallback) const {
  return fallback;
}

bool is_valid_task_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_known_backend(std::string_view backend) { return backend::find_backend(backend).ok(); }

std::optional<Violation> check_task(const Task& t, std::size_t i, const FieldNames& names) {
  const Namer n{names, i};
  if (t.id != i) {
    return violation(i, "id", fmt::format("task id {} does not match its position {}", t.id, i),
                     "task i has id i");
  }
  if (t.name.empty()) {
    return violation(i, "name", "a task needs a name",
                     "a non-empty name of letters, digits, _ . -");
  }
  if (!is_valid_task_name(t.name)) {
    return violation(i, "name",
                     fmt::format("task name `{}` has characters other than letters, "
                                 "digits, `_`, `.` and `-`",
                                 t.name),
                     "a name matches [A-Za-z0-9_.-]+, e.g. `face_front`");
  }
  const bool sporadic = t.arrival == ArrivalKind::kSporadic;
  const std::string_view period_field = sporadic ? "min_interarrival" : "period";
  if (t.period <= Duration::zero()) {
    return violation(
        i, std::string(period_field),
        fmt::format("{} is not positive", n.kv(period_field, format_duration(t.period))),
        sporadic ? "a minimum inter-arrival time above zero"
                 : "a period above zero (at least 1ns)");
  }
  if (sporadic && t.max_interarrival < t.period) {
    return violation(
        i, "max_interarrival",
        fmt::format("{} is below {}", n.kv("max_interarrival", format_duration(t.max_interarrival)),
                    n.kv(period_field, format_duration(t.period))),
        fmt::format("{} >= {} (it defaults to twice the minimum)", n.key("max_interarrival"),
                    n.key(period_field)));
  }
  if (t.deadline <= Duration::zero()) {
    return violation(
        i, "deadline",
        fmt::format("{} is not positive", n.kv("deadline", format_duration(t.deadline))),
        fmt::format("a relative deadline with 0 < {} <= {}", n.key("deadline"),
                    n.key(period_field)));
  }
  if (t.deadline > t.period) {
    return violation(
        i, "deadline",
        fmt::format("constrained deadlines only for now: {} exceeds {}",
                    n.kv("deadline", format_duration(t.deadline)),
                    n.kv(period_field, format_duration(t.period))),
        fmt::format("set {} <= {}, or leave it out to default to the {}", n.key("deadline"),
                    n.key(period_field), sporadic ? "minimum inter-arrival time" : "period"));
  }
  if (t.phase < Duration::zero()) {
    return violation(i, "phase",
                     fmt::format("{} is negative", n.kv("phase", format_duration(t.phase))),
                     "a phase (first arrival) of 0 or more");
  }
  if (t.jitter < Duration::zero()) {
    return violation(i, "jitter",
                     fmt::format("{} is negative", n.kv("jitter", format_duration(t.jitter))),
                     "a release jitter of 0 or more");
  }
  if (t.jitter > t.period) {
    return violation(i, "jitter",
                     fmt::format("{} exceeds {}", n.kv("jitter", format_duration(t.jitter)),
                                 n.kv(period_field, format_duration(t.period))),
                     fmt::format("0 <= {} <= {}", n.key("jitter"), n.key(period_field)));
  }
  if (t.queue.capacity < 1 || t.queue.capacity > kMaxQueueCapacity) {
    return violation(i, "queue.capacity",
                     fmt::format("queue {} is out of range",
                                 n.kv("queue.capacity", std::to_string(t.queue.capacity))),
                     fmt::format("a capacity from 1 to {}", kMaxQueueCapacity));
  }
  if (t.segments.empty() && !t.model) {
    return violation(i, "segments", "the task has no segments and no model",
                     "give `sim` with segments (or a wcet), or a `model` to profile");
  }
  if (t.segments.empty() && t.sim) {
    return violation(i, "segments", "a `sim` task needs at least one segment",
                     "give segments_<unit> (a list) or wcet_<unit>");
  }
  for (std::size_t k = 0; k < t.segments.size(); ++k) {
    if (t.segments[k].wcet <= Duration::zero()) {
      const std::string field = fmt::format("segments[{}]", k);
      return violation(i, field,
                       fmt::format("segment {} is not positive: {}", k,
                                   n.kv(field, format_duration(t.segments[k].wcet))),
                       "every segment's WCET is above zero (at least 1ns)");
    }
  }
  if (t.sim) {
    const SimSpec& s = *t.sim;
    const bool uses_bcet =
        s.distribution == Distribution::kUniform || s.distribution == Distribution::kNormal;
    if (uses_bcet && !(s.bcet_fraction > 0.0 && s.bcet_fraction <= 1.0)) {
      return violation(i, "sim.bcet_fraction",
                       fmt::format("{} is out of range",
                                   n.kv("sim.bcet_fraction", fraction_text(s.bcet_fraction))),
                       "0 < bcet_fraction <= 1 (best case as a fraction of each segment's WCET)");
    }
    if (s.distribution == Distribution::kNormal) {
      if (!(s.mean_fraction >= s.bcet_fraction && s.mean_fraction <= 1.0)) {
        return violation(
            i, "sim.mean_fraction",
            fmt::format("{} is outside [bcet_fraction, 1] = [{}, 1]",
                        n.kv("sim.mean_fraction", fraction_text(s.mean_fraction)),
                        fraction_text(s.bcet_fraction)),
            "the mean of the truncated normal lies between the best and the worst case");
      }
      if (!(s.stddev_fraction > 0.0 && std::isfinite(s.stddev_fraction))) {
        return violation(i, "sim.stddev_fraction",
                         fmt::format("{} is not positive",
                                     n.kv("sim.stddev_fraction", fraction_text(s.stddev_fraction))),
                         "a standard deviation above zero, as a fraction of each segment's WCET");
      }
    }
    if (s.distribution == Distribution::kEmpirical) {
      if (s.samples.empty()) {
        return violation(i, "sim.samples", "distribution empirical has no samples",
                         "give samples_file: a text file with one duration per line, e.g. 1.25ms");
      }
      for (std::size_t k = 0; k < s.samples.size(); ++k) {
        if (s.samples[k] <= Duration::zero()) {
          return violation(
              i, "sim.samples",
              fmt::format("sample {} ({}) is not positive", k + 1, format_duration(s.samples[k])),
              "every execution-time sample is above zero");
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_names_unique(const Workload& w, const FieldNames& names) {
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (w.tasks[i].name == w.tasks[j].name) {
        return violation(
            i, "name",
            fmt::format("task name `{}` is already used by tasks[{}]", w.tasks[i].name, j),
            "task names are unique");
      }
    }
  }
  (void)names;
  return std::nullopt;
}

Status validate(const Workload& w) {
  const auto fail = [](std::string field, std::string message, std::string hint) -> Status {
    Error e = make_error(ErrorCode::kInvalidArgument, std::move(message), std::move(hint));
    e.where.field = std::move(field);
    return e;
  };
  if (!is_known_backend(w.device.backend)) {
    return fail("device.backend", fmt::format("`{}` is not a backend", w.device.backend),
                backend::find_backend(w.device.backend).error().hint);
  }
  const Overheads& o = w.scheduler.overheads;
  if (o.dispatch < Duration::zero() || o.release < Duration::zero() ||
      o.preemption < Duration::zero()) {
    return fail("scheduler.overheads", "an overhead is negative", "overheads are 0 or more");
  }
  if (w.tasks.empty()) return fail("tasks", "the workload has no tasks", "give at least one task");
  const FieldNames plain;
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    if (auto v = check_task(w.tasks[i], i, plain)) {
      return fail(fmt::format("tasks[{}].{}", i, v->field), v->message, v->hint);
    }
  }
  if (auto v = check_names_unique(w, plain)) {
    return fail(fmt::format("tasks[{}].{}", v->task, v->field), v->message, v->hint);
  }
  return Ok{};
}

}  // namespace aegisrt::workload
