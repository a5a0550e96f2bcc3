// The rules a workload obeys, written once: `validate` applies them to a workload built in code and
// the file loaders apply them to what they read, naming fields as the file spells them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "aegisrt/core/task.hpp"

namespace aegisrt::workload {

inline constexpr std::uint32_t kMaxQueueCapacity = 1'000'000;

// Names the fields in messages. By default a field is called by its name in the Task struct
// ("deadline") and its value formatted from the Task ("40ms"); the file loaders override both with
// the key and the text as written ("deadline_ms", "40").
class FieldNames {
 public:
  virtual ~FieldNames() = default;
  // `field` is a logical name: "name", "period", "min_interarrival", "max_interarrival",
  // "deadline", "phase", "jitter", "queue.capacity", "segments", "segments[k]",
  // "sim.bcet_fraction", "sim.mean_fraction", "sim.stddev_fraction", "sim.samples".
  virtual std::string key(std::size_t task, std::string_view field) const;
  virtual std::string value(std::size_t task, std::string_view field, std::string fallback) const;
};

// A broken rule: which task and logical field, what is wrong and what would be valid.
struct Violation {
  std::size_t task = 0;
  std::string field;
  std::string message;
  std::string hint;
};

// Checks task `index` alone (id, name syntax, times, queue, segments, sim spec).
std::optional<Violation> check_task(const Task& t, std::size_t index, const FieldNames& names);

// Checks the rules across tasks (unique names). Run after check_task on each.
std::optional<Violation> check_names_unique(const Workload& w, const FieldNames& names);

// True when `name` matches [A-Za-z0-9_.-]+.
bool is_valid_task_name(std::string_view name);

bool is_known_backend(std::string_view backend);

}  // namespace aegisrt::workload
