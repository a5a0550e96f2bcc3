// InferEdgeOrchestrator task configs (github.com/gwonxhj/InferEdgeOrchestrator,
// src/inferedge_orchestrator/config.py): the keys and values it accepts, mapped onto AegisRT tasks.
// Every mapping decision becomes one line of Loaded.mapping.notes.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include "aegisrt/core/decimal.hpp"
#include "aegisrt/core/time.hpp"
#include "formats.hpp"

namespace aegisrt::workload {

namespace {

constexpr KeySpec kTopKeys[] = {{"run"}, {"tasks"}};
constexpr KeySpec kRunKeys[] = {
    {"name"},         {"scenario_mode"}, {"overload_backlog_threshold"}, {"frame_interval_ms"},
    {"input_source"}, {"input_path"}};
constexpr KeySpec kTaskKeys[] = {{"name"},
                                 {"model_path"},
                                 {"priority"},
                                 {"target_fps"},
                                 {"latency_budget_ms"},
                                 {"queue_size"},
                                 {"drop_policy"},
                                 {"worker"},
                                 {"simulated_latency_ms"},
                                 {"emit_every_cycles"},
                                 {"engine_path"},
                                 {"worker_options"},
                                 {"agent_manifest_path"},
                                 {"runtime_result_path"},
                                 {"agent_id"},
                                 {"agent_task_id"},
                                 {"agent_type"},
                                 {"agent_input_type"},
                                 {"agent_output_type"},
                                 {"fallback_policy"},
                                 {"telemetry_contract_version"}};
// Task keys that describe IEO's agent plumbing and have no meaning for scheduling.
constexpr std::string_view kIgnoredTaskKeys[] = {"engine_path",
                                                 "worker_options",
                                                 "agent_manifest_path",
                                                 "runtime_result_path",
                                                 "agent_id",
                                                 "agent_task_id",
                                                 "agent_type",
                                                 "agent_input_type",
                                                 "agent_output_type",
                                                 "fallback_policy",
                                                 "telemetry_contract_version"};

const std::array<std::string, 3> kDropPolicies = {"drop_oldest", "drop_newest",
                                                  "drop_low_priority"};
const std::array<std::string, 3> kWorkers = {"dummy", "onnxruntime", "tensorrt"};
const std::array<std::string, 4> kScenarioModes = {"normal", "overload", "sustained_high_load",
                                                   "device_local"};
const std::array<std::string, 3> kInputSources = {"dummy", "image", "video"};

// TaskConfig.simulated_latency_ms's default, and how the notes write it.
constexpr Duration kIeoDefaultSimulatedLatency = Duration::ms(1);
constexpr std::string_view kIeoDefaultSimulatedLatencyMs = "1";
// Notes speak in the IEO file's ms keys: exact milliseconds ("33.333333ms", "0.5ms").
constexpr DurationFormat kInMs{.unit = TimeUnit::kMs};

// target_fps with more digits than this is refused: the period is computed exactly from a 64-bit
// mantissa, and no rate needs more.
constexpr std::size_t kMaxFpsDigits = 19;

// The period of `fps` frames per second, 10^9 / fps ns rounded to the nearest (halves up), exactly:
// fps = D x 10^e gives 10^(9-e) / D. nullopt when it does not fit in int64 nanoseconds; 0 when it
// rounds to nothing. `fps` is positive with at most kMaxFpsDigits digits.
std::optional<Duration> period_of_fps(const Decimal& fps) {
  __extension__ using U128 = unsigned __int128;
  if (fps.is_zero() || fps.negative || fps.digits.size() > kMaxFpsDigits) return std::nullopt;
  const std::int64_t k = 9 - fps.exponent;
  if (k < 0) return Duration::zero();  // at most 0.1 ns
  // The quotient has at least k - digits + 1 digits; 20 or more do not fit.
  if (k - static_cast<std::int64_t>(fps.digits.size()) >= 19) return std::nullopt;
  U128 denominator = 0;
  for (char c : fps.digits) denominator = denominator * 10 + static_cast<unsigned>(c - '0');
  U128 numerator = 1;  // 10^k, k <= 37 here
  for (std::int64_t j = 0; j < k; ++j) numerator *= 10;
  U128 q = numerator / denominator;
  if (2 * (numerator % denominator) >= denominator) ++q;
  if (q > static_cast<U128>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  return Duration::ns(static_cast<std::int64_t>(q));
}

const char* backend_of_worker(std::string_view worker) {
  if (worker == "onnxruntime") return "cpu";
  if (worker == "tensorrt") return "cuda";
  return "sim";
}

// Checks the `run` object as IEO does and notes that its fields do not carry over.
Status read_run(const Context& ctx, const Field& f, Workload& w, Mapping& mapping) {
  auto map = open_map(ctx, f.value, kRunKeys, "e.g. run: {name: demo, input_source: dummy}");
  if (!map) return map.error();
  if (const Field* n = map->get("name")) {
    auto s = read_string(ctx, n->value);
    if (!s) return s.error();
    w.name = *s;
    mapping.notes.push_back(fmt::format("run.name {} -> workload name", *s));
  }
  if (const Field* m = map->get("scenario_mode")) {
    auto idx = read_enum(ctx, m->value, kScenarioModes, "an InferEdgeOrchestrator scenario_mode");
    if (!idx) return idx.error();
    mapping.notes.push_back(fmt::format(
        "run.scenario_mode {}: ignored (AegisRT's `simulate` and `run` choose the scenario)",
        kScenarioModes[*idx]));
  }
  if (const Field* t = map->get("overload_backlog_threshold")) {
    auto n = read_integer(ctx, t->value, 1, INT64_MAX);
    if (!n) return n.error();
    mapping.notes.push_back(fmt::format(
        "run.overload_backlog_threshold {}: not used (AegisRT sheds load by admission and "
        "criticality, not by a backlog threshold)",
        *n));
  }
  if (const Field* fi = map->get("frame_interval_ms")) {
    auto v = read_number(ctx, fi->value);
    if (!v) return v.error();
    if (*v <= 0) {
      return error_at(ctx, fi->value, fmt::format("frame_interval_ms {} is not positive", *v),
                      "frame_interval_ms > 0");
    }
    mapping.notes.push_back(
        fmt::format("run.frame_interval_ms {}: ignored (task periods come from target_fps)", *v));
  }
  std::string source = "dummy";
  if (const Field* s = map->get("input_source")) {
    auto idx = read_enum(ctx, s->value, kInputSources, "an InferEdgeOrchestrator input_source");
    if (!idx) return idx.error();
    source = kInputSources[*idx];
  }
  const Field* input_path = map->get("input_path");
  if (input_path != nullptr) {
    auto s = read_string(ctx, input_path->value);
    if (!s) return s.error();
  }
  if (source != "dummy" && input_path == nullptr) {
    return error_at(ctx, f.value, fmt::format("input_source {} needs input_path", source),
                    "give run.input_path, or use input_source: dummy");
  }
  if (map->has("input_source") || input_path != nullptr) {
    mapping.notes.push_back(fmt::format(
        "run.input_source {}: ignored (AegisRT releases jobs by the task's period)", source));
  }
  return Ok{};
}

Result<Task> read_task(const Context& ctx, const Value& v, std::size_t i, RecordedNames& names,
                       Mapping& mapping, std::string& worker_out) {
  auto map = open_map(ctx, v, kTaskKeys,
                      "an InferEdgeOrchestrator task, e.g. {name: detector, target_fps: 30, "
                      "latency_budget_ms: 33, queue_size: 2, worker: dummy}");
  if (!map) return map.error();
  names.put(i, "", v);
  Task t;
  t.id = static_cast<TaskId>(i);
  const bool has_agent_file = map->has("agent_manifest_path") || map->has("runtime_result_path");
  const std::string agent_hint =
      has_agent_file ? " (AegisRT does not read agent manifests or runtime results: give it in "
                       "the task)"
                     : "";
  const auto required = [&](std::string_view key, std::string_view example) -> Result<Value> {
    const Field* f = map->get(key);
    if (f == nullptr) {
      return error_at(
          ctx, v, fmt::format("{} has no `{}`", v.path, key),
          fmt::format("InferEdgeOrchestrator tasks need {}, e.g. {}{}", key, example, agent_hint));
    }
    return f->value;
  };

  auto name_v = required("name", "name: detector");
  if (!name_v) return name_v.error();
  auto name = read_string(ctx, *name_v);
  if (!name) return name.error();
  t.name = *name;
  names.put(i, "name", *name_v);
  const std::string who = fmt::format("tasks[{}] {}", i, t.name);

  // Period from target_fps.
  auto fps_v = required("target_fps", "target_fps: 30");
  if (!fps_v) return fps_v.error();
  auto fps = read_number(ctx, *fps_v);
  if (!fps) return fps.error();
  if (*fps <= 0) {
    return error_at(ctx, *fps_v, fmt::format("target_fps {} is not positive", fps_v->node.Scalar()),
                    "target_fps > 0 (frames per second)");
  }
  const std::optional<Decimal> fps_text = parse_decimal(fps_v->node.Scalar());
  if (fps_text && fps_text->digits.size() > kMaxFpsDigits) {
    return error_at(ctx, *fps_v,
                    fmt::format("target_fps {} has more than {} significant digits",
                                fps_v->node.Scalar(), kMaxFpsDigits),
                    fmt::format("write target_fps with at most {} significant digits (the "
                                "period is rounded to the nanosecond anyway)",
                                kMaxFpsDigits));
  }
  const auto period = fps_text ? period_of_fps(*fps_text) : std::nullopt;
  if (!period || *period <= Duration::zero()) {
    return error_at(ctx, *fps_v,
                    fmt::format("target_fps {} gives no usable period", fps_v->node.Scalar()),
                    "a rate between 1e-9 and 1e9 frames per second");
  }
  t.arrival = ArrivalKind::kPeriodic;
  t.period = *period;
  names.put(i, "period", *fps_v);
  mapping.notes.push_back(fmt::format("{}: target_fps {} -> period {} ({}ns)", who,
                                      fps_v->node.Scalar(), format_duration(t.period, kInMs),
                                      t.period.count()));

  // Deadline from latency_budget_ms, capped at the period.
  auto budget_v = required("latency_budget_ms", "latency_budget_ms: 33");
  if (!budget_v) return budget_v.error();
  auto deadline = read_duration(ctx, *budget_v, TimeUnit::kMs);
  if (!deadline) return deadline.error();
  if (*deadline <= Duration::zero()) {
    return error_at(ctx, *budget_v,
                    fmt::format("latency_budget_ms {} is not positive", budget_v->node.Scalar()),
                    "latency_budget_ms > 0");
  }
  names.put(i, "deadline", *budget_v);
  if (*deadline > t.period) {
    t.deadline = t.period;
    mapping.notes.push_back(fmt::format(
        "{}: latency_budget_ms {} exceeds the period {} -> deadline capped at the period (AegisRT "
        "supports constrained deadlines only)",
        who, budget_v->node.Scalar(), format_duration(t.period, kInMs)));
  } else {
    t.deadline = *deadline;
    mapping.notes.push_back(fmt::format("{}: latency_budget_ms {} -> deadline {}", who,
                                        budget_v->node.Scalar(),
                                        format_duration(t.deadline, kInMs)));
  }

  if (const Field* p = map->get("priority")) {
    auto n = read_integer(ctx, p->value, 0, INT32_MAX);
    if (!n) return n.error();
    t.priority = static_cast<std::int32_t>(*n);
    mapping.notes.push_back(
        fmt::format("{}: priority {} -> priority {} (larger = more urgent in both)", who, *n, *n));
  }

  auto queue_v = required("queue_size", "queue_size: 2");
  if (!queue_v) return queue_v.error();
  auto capacity = read_integer(ctx, *queue_v, 1, kMaxQueueCapacity);
  if (!capacity) return capacity.error();
  t.queue.capacity = static_cast<std::uint32_t>(*capacity);
  names.put(i, "queue.capacity", *queue_v);

  std::string drop = "drop_oldest";
  if (const Field* d = map->get("drop_policy")) {
    auto idx = read_enum(ctx, d->value, kDropPolicies, "an InferEdgeOrchestrator drop_policy");
    if (!idx) return idx.error();
    drop = kDropPolicies[*idx];
  }
  if (drop == "drop_oldest") {
    t.queue.on_full = OnFull::kDropOldest;
    mapping.notes.push_back(fmt::format(
        "{}: queue_size {}, drop_policy drop_oldest -> queue capacity {}, on_full drop_oldest", who,
        *capacity, *capacity));
  } else {
    t.queue.on_full = OnFull::kDropNewest;
    mapping.notes.push_back(fmt::format(
        "{}: queue_size {}, drop_policy {} -> queue capacity {}, on_full drop_newest{}", who,
        *capacity, drop, *capacity,
        drop == "drop_low_priority"
            ? " (IEO's queue drops the arriving frame for any policy but drop_oldest; across "
              "tasks, AegisRT's load_shedding protects the `high` tasks)"
            : ""));
  }

  std::string worker = "dummy";
  if (const Field* wk = map->get("worker")) {
    auto idx = read_enum(ctx, wk->value, kWorkers, "an InferEdgeOrchestrator worker");
    if (!idx) return idx.error();
    worker = kWorkers[*idx];
  }
  worker_out = worker;

  // The model: resolved against the config's folder; a missing file only matters when a real
  // worker would load it.
  if (const Field* mp = map->get("model_path")) {
    auto rel = read_string(ctx, mp->value);
    if (!rel) return rel.error();
    if (!rel->empty()) {
      const std::filesystem::path path = resolve_path(ctx, *rel);
      if (is_existing_file(path)) {
        t.model = ModelSpec{};
        t.model->path = path.string();
        mapping.notes.push_back(fmt::format("{}: model_path {} -> model.path", who, *rel));
      } else if (worker == "dummy") {
        mapping.notes.push_back(fmt::format(
            "{}: model_path {} not found: no model (the dummy worker never loads it)", who, *rel));
      } else {
        return error_at(
            ctx, mp->value,
            fmt::format("model file `{}` not found (looked for {})", *rel, path.string()),
            fmt::format("the {} worker loads the model; paths are relative to the "
                        "config file's folder",
                        worker),
            ErrorCode::kNotFound);
      }
    }
  }

  const Field* latency = map->get("simulated_latency_ms");
  if (worker == "dummy") {
    Duration wcet = kIeoDefaultSimulatedLatency;
    Value at = v;
    if (latency != nullptr) {
      auto l = read_duration(ctx, latency->value, TimeUnit::kMs);
      if (!l) return l.error();
      wcet = *l;
      at = latency->value;
    }
    t.segments.push_back(Segment{"seg0", wcet});
    t.sim = SimSpec{};
    names.put(i, "segments[0]", at);
    mapping.notes.push_back(fmt::format(
        "{}: worker dummy, simulated_latency_ms {} -> sim: one constant segment of {}", who,
        latency != nullptr ? latency->value.node.Scalar() + std::string()
                           : fmt::format("{} (IEO's default)", kIeoDefaultSimulatedLatencyMs),
        format_duration(wcet, kInMs)));
  } else {
    if (latency != nullptr) {
      auto l = read_duration(ctx, latency->value, TimeUnit::kMs);
      if (!l) return l.error();
    }
    if (!t.model) {
      return error_at(ctx, v,
                      fmt::format("task `{}` with worker {} has no model_path", t.name, worker),
                      "the worker runs a model: give model_path (an ONNX file)");
    }
    mapping.notes.push_back(fmt::format(
        "{}: worker {} -> no sim timing; segments come from profiling the model on backend {}{}",
        who, worker, backend_of_worker(worker),
        latency != nullptr ? " (simulated_latency_ms ignored)" : ""));
  }

  if (const Field* e = map->get("emit_every_cycles")) {
    auto n = read_integer(ctx, e->value, 1, INT64_MAX);
    if (!n) return n.error();
    mapping.notes.push_back(fmt::format(
        "{}: emit_every_cycles {} ignored (the period comes from target_fps)", who, *n));
  }
  std::vector<std::string> ignored;
  for (std::string_view key : kIgnoredTaskKeys) {
    const Field* f = map->get(key);
    if (f == nullptr) continue;
    if (key == "worker_options") {
      if (!f->value.node.IsMap()) {
        return error_at(ctx, f->value,
                        fmt::format("expected a mapping, got {}", describe_node(f->value.node)),
                        "worker_options is a mapping of worker settings");
      }
    } else {
      auto s = read_string(ctx, f->value);
      if (!s) return s.error();
      if (s->empty()) {
        return error_at(ctx, f->value, fmt::format("{} is empty", key),
                        "remove it, or give a value");
      }
    }
    ignored.emplace_back(key);
  }
  if (!ignored.empty()) {
    mapping.notes.push_back(
        fmt::format("{}: {} ignored (no scheduling meaning in AegisRT)", who, join(ignored)));
  }
  return t;
}

}  // namespace

Result<Loaded> load_ieo(const Context& ctx, const YAML::Node& root) {
  auto top = MapReader::open(ctx, root, "", kTopKeys);
  if (!top) return top.error();
  Loaded out;
  out.mapping.format = "inferedge-orchestrator";
  Mapping& mapping = out.mapping;
  Workload& w = out.workload;
  w.name = std::filesystem::path(ctx.file).stem().string();
  if (w.name.empty()) w.name = "default";
  if (const Field* r = top->get("run")) {
    if (Status st = read_run(ctx, *r, w, mapping); !st) return st.error();
  }
  const Field* tasks = top->get("tasks");
  if (tasks == nullptr) {
    return error_at(ctx, root, YAML::Node(), "tasks", "the config has no `tasks`",
                    "InferEdgeOrchestrator configs list their tasks under `tasks`");
  }
  if (!tasks->value.node.IsSequence() || tasks->value.node.size() == 0) {
    return error_at(ctx, tasks->value,
                    fmt::format("expected a non-empty list of tasks, got {}",
                                tasks->value.node.IsSequence() ? std::string("an empty list")
                                                               : describe_node(tasks->value.node)),
                    "at least one task is required");
  }
  RecordedNames names;
  std::vector<std::string> workers;
  for (std::size_t i = 0; i < tasks->value.node.size(); ++i) {
    std::string worker;
    auto t = read_task(ctx, element(tasks->value, i), i, names, mapping, worker);
    if (!t) return t.error();
    w.tasks.push_back(std::move(*t));
    workers.push_back(worker);
    if (auto v = check_task(w.tasks.back(), i, names)) return names.to_error(ctx, *v);
  }
  if (Status st = check_all(ctx, w, names); !st) return st.error();

  // Workload-level decisions.
  std::string backend = "sim";
  for (const std::string& worker : workers) {
    if (worker != "dummy") {
      backend = backend_of_worker(worker);
      break;
    }
  }
  w.device.backend = backend;
  mapping.notes.push_back(fmt::format(
      "device: backend {} ({})", backend,
      backend == "sim" ? "every task uses the dummy worker"
                       : "from the first task with a real worker: onnxruntime -> cpu, tensorrt "
                         "-> cuda"));
  for (std::size_t i = 0; i < workers.size(); ++i) {
    if (workers[i] != "dummy" && backend_of_worker(workers[i]) != backend) {
      mapping.notes.push_back(fmt::format(
          "tasks[{}] {}: worker {} differs from the device backend {}; AegisRT runs one backend "
          "per device",
          i, w.tasks[i].name, workers[i], backend));
    }
  }
  w.scheduler.policy = Policy::kNpFp;
  w.scheduler.load_shedding = true;
  mapping.notes.push_back(
      "scheduler: IEO dispatches the highest-priority queued frame and runs it to completion -> "
      "policy np-fp, load_shedding true, overheads 0");
  // IEO's load shedding never drops frames of the highest-priority backlogged task; the static
  // counterpart is `high` criticality (never shed) for the tasks of the highest priority.
  std::int32_t top_priority = w.tasks.front().priority;
  for (const Task& t : w.tasks) top_priority = std::max(top_priority, t.priority);
  std::vector<std::string> protected_tasks;
  for (Task& t : w.tasks) {
    if (t.priority != top_priority) continue;
    t.criticality = Criticality::kHigh;
    protected_tasks.push_back(t.name);
  }
  mapping.notes.push_back(fmt::format(
      "criticality: {} (priority {}) -> high, the others normal (IEO's load shedding never drops "
      "frames of the highest-priority task; AegisRT never sheds `high` tasks)",
      join(protected_tasks), top_priority));
  mapping.notes.push_back(
      "every task: on_miss complete, phase 0, jitter 0 (IEO has no equivalent)");
  return out;
}

}  // namespace aegisrt::workload
