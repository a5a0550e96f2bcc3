// AegisRT's own workload format (docs/workload-format.md).
#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>

#include "aegisrt/backend/registry.hpp"
#include "formats.hpp"

namespace aegisrt::workload {

namespace {

using UF = UnitFamily;

constexpr KeySpec kTopKeys[] = {{"name"}, {"device"}, {"scheduler"}, {"profiles"}, {"tasks"}};
constexpr KeySpec kProfilesKeys[] = {{"dir"}, {"wcet_source"}, {"strict"}};
constexpr KeySpec kDeviceKeys[] = {{"backend"}, {"memory_budget", UF::kSize}};
constexpr KeySpec kSchedulerKeys[] = {{"policy"}, {"load_shedding"}, {"overheads"}};
constexpr KeySpec kOverheadKeys[] = {
    {"dispatch", UF::kDuration}, {"release", UF::kDuration}, {"preemption", UF::kDuration}};
constexpr KeySpec kTaskKeys[] = {{"name"},
                                 {"period", UF::kDuration},
                                 {"min_interarrival", UF::kDuration},
                                 {"max_interarrival", UF::kDuration},
                                 {"deadline", UF::kDuration},
                                 {"phase", UF::kDuration},
                                 {"jitter", UF::kDuration},
                                 {"priority"},
                                 {"criticality"},
                                 {"queue"},
                                 {"on_miss"},
                                 {"on_overrun"},
                                 {"memory", UF::kSize},
                                 {"sim"},
                                 {"model"},
                                 {"wcet_source"}};
constexpr KeySpec kQueueKeys[] = {{"capacity"}, {"on_full"}};
constexpr KeySpec kSimKeys[] = {
    {"segments", UF::kDuration}, {"wcet", UF::kDuration}, {"distribution"}, {"bcet_fraction"},
    {"mean_fraction"},           {"stddev_fraction"},     {"samples_file"}};
constexpr KeySpec kModelKeys[] = {{"path"}, {"input_shape"}, {"segments"}, {"threads"}, {"inputs"}};

const std::array<std::string, 5> kPolicies = {"np-edf", "np-fp", "fifo", "lp-edf", "lp-fp"};
const std::array<std::string, 3> kCriticalities = {"low", "normal", "high"};
const std::array<std::string, 3> kOnFull = {"drop_oldest", "drop_newest", "reject"};
const std::array<std::string, 2> kOnMiss = {"complete", "abort"};
const std::array<std::string, 3> kOnOverrun = {"continue", "abort", "skip_next"};
const std::array<std::string, 4> kDistributions = {"constant", "uniform", "normal", "empirical"};
// In WcetSource order.
const std::array<std::string, 4> kWcetSources = {"auto", "declared", "observed_max", "pwcet"};

Result<WcetSource> read_wcet_source(const Context& ctx, const Value& v) {
  auto idx = read_enum(ctx, v, kWcetSources, "a WCET source");
  if (!idx) return idx.error();
  return static_cast<WcetSource>(*idx);
}

// profiles: DIR, or profiles: {dir: DIR, wcet_source: pwcet, strict: false}.
Status read_profiles(const Context& ctx, const Field& f, ProfilesConfig& profiles) {
  const Value* dir_value = &f.value;
  std::optional<MapReader> map;
  if (f.value.node.IsMap()) {
    auto m = MapReader::open(ctx, f.value.node, f.value.path, kProfilesKeys);
    if (!m) return m.error();
    map.emplace(std::move(*m));
    const Field* d = map->get("dir");
    dir_value = d != nullptr ? &d->value : nullptr;
    if (const Field* s = map->get("wcet_source")) {
      auto src = read_wcet_source(ctx, s->value);
      if (!src) return src.error();
      profiles.wcet_source = *src;
    }
    if (const Field* s = map->get("strict")) {
      auto b = read_bool(ctx, s->value);
      if (!b) return b.error();
      profiles.strict = *b;
    }
  } else if (!f.value.node.IsScalar()) {
    return error_at(
        ctx, f.value,
        fmt::format("expected a folder or a mapping, got {}", describe_node(f.value.node)),
        "profiles: profiles/, or profiles: {dir: profiles/, wcet_source: pwcet}");
  }
  if (dir_value != nullptr) {
    auto rel = read_string(ctx, *dir_value);
    if (!rel) return rel.error();
    if (rel->empty()) return error_at(ctx, *dir_value, "the profiles folder is empty", "a folder");
    profiles.dir = resolve_path(ctx, *rel).string();
  }
  return Ok{};
}

constexpr double kDefaultBcetFraction = 0.5;  // uniform and normal

Result<Duration> field_duration(const Context& ctx, const Field& f) {
  return read_duration(ctx, f.value, duration_unit(f.unit));
}

// A duration that must be 0 or more (overheads).
Result<Duration> non_negative_duration(const Context& ctx, const Field& f) {
  auto d = field_duration(ctx, f);
  if (!d) return d;
  if (*d < Duration::zero()) {
    return error_at(ctx, f.value,
                    fmt::format("{} {} is negative", f.value.key_text, f.value.node.Scalar()),
                    "an overhead is 0 or more");
  }
  return d;
}

Status read_device(const Context& ctx, const Field& f, DeviceConfig& device) {
  auto map =
      open_map(ctx, f.value, kDeviceKeys, "e.g. device: {backend: sim, memory_budget_mib: 512}");
  if (!map) return map.error();
  if (const Field* b = map->get("backend")) {
    // Every backend AegisRT knows, compiled into this build or not (backend/registry.hpp).
    const std::vector<std::string> backends = backend::backend_names();
    auto idx = read_enum(ctx, b->value, backends, "a backend");
    if (!idx) return idx.error();
    device.backend = backends[*idx];
  }
  if (const Field* m = map->get("memory_budget")) {
    auto bytes = read_size(ctx, m->value, m->unit);
    if (!bytes) return bytes.error();
    device.memory_budget_bytes = *bytes;
  }
  return Ok{};
}

Status read_scheduler(const Context& ctx, const Field& f, SchedulerConfig& sched) {
  auto map = open_map(ctx, f.value, kSchedulerKeys,
                      "e.g. scheduler: {policy: np-edf, load_shedding: true}");
  if (!map) return map.error();
  if (const Field* p = map->get("policy")) {
    auto idx = read_enum(ctx, p->value, kPolicies, "a scheduling policy");
    if (!idx) return idx.error();
    sched.policy = *parse_policy(kPolicies[*idx]);
  }
  if (const Field* s = map->get("load_shedding")) {
    auto b = read_bool(ctx, s->value);
    if (!b) return b.error();
    sched.load_shedding = *b;
  }
  if (const Field* o = map->get("overheads")) {
    auto om = open_map(ctx, o->value, kOverheadKeys,
                       "e.g. overheads: {dispatch_us: 20, release_us: 5, preemption_us: 50}");
    if (!om) return om.error();
    const std::pair<const char*, Duration*> parts[] = {{"dispatch", &sched.overheads.dispatch},
                                                       {"release", &sched.overheads.release},
                                                       {"preemption", &sched.overheads.preemption}};
    for (const auto& [key, out] : parts) {
      if (const Field* d = om->get(key)) {
        auto v = non_negative_duration(ctx, *d);
        if (!v) return v.error();
        *out = *v;
      }
    }
  }
  return Ok{};
}

Status read_queue(const Context& ctx, const Field& f, std::size_t i, QueueConfig& queue,
                  RecordedNames& names) {
  auto map = open_map(ctx, f.value, kQueueKeys, "e.g. queue: {capacity: 2, on_full: drop_oldest}");
  if (!map) return map.error();
  names.put(i, "queue", f.value);
  if (const Field* c = map->get("capacity")) {
    auto n = read_integer(ctx, c->value, 1, kMaxQueueCapacity);
    if (!n) return n.error();
    queue.capacity = static_cast<std::uint32_t>(*n);
    names.put(i, "queue.capacity", c->value);
  }
  if (const Field* o = map->get("on_full")) {
    auto idx = read_enum(ctx, o->value, kOnFull, "an on_full policy");
    if (!idx) return idx.error();
    queue.on_full = static_cast<OnFull>(*idx);
  }
  return Ok{};
}

Status read_samples_file(const Context& ctx, const Field& f, std::size_t i, Task& task) {
  auto rel = read_string(ctx, f.value);
  if (!rel) return rel.error();
  const std::filesystem::path path = resolve_path(ctx, *rel);
  std::ifstream in(path, std::ios::binary);
  if (!is_existing_file(path) || !in) {
    return error_at(ctx, f.value,
                    fmt::format("samples file `{}` not found (looked for {})", *rel, path.string()),
                    "paths are relative to the workload file's folder", ErrorCode::kNotFound);
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto samples = parse_samples(text.str(), path.string());
  if (!samples) {
    Error e = samples.error();
    e.where.field = f.value.path;
    if (e.where.line == 0) {
      // The file as a whole is wrong (no samples): point at the key in the workload file.
      Error at = error_at(ctx, f.value, e.message + fmt::format(" ({})", path.string()), e.hint,
                          ErrorCode::kParse);
      return at;
    }
    return e;
  }
  task.sim->samples_file = path.string();
  task.sim->samples = std::move(*samples);
  const Duration wcet = task.wcet();
  std::size_t above = 0;
  Duration largest;
  for (const Duration s : task.sim->samples) {
    if (s > wcet) ++above;
    largest = std::max(largest, s);
  }
  if (above > 0 && wcet > Duration::zero()) {
    ctx.warnings->push_back(warning_at(
        ctx, f.value,
        fmt::format("tasks[{}] {}: {} of {} samples exceed the sum of the segment WCETs {} "
                    "(largest {}); the analysis assumes the WCETs, the simulation replays the "
                    "samples",
                    i, task.name, above, task.sim->samples.size(), format_duration(wcet),
                    format_duration(largest))));
  }
  return Ok{};
}

Status read_sim(const Context& ctx, const Field& f, std::size_t i, Task& task,
                RecordedNames& names) {
  auto map = open_map(ctx, f.value, kSimKeys,
                      "e.g. sim: {segments_ms: [1.5, 2.0], distribution: uniform, "
                      "bcet_fraction: 0.6}");
  if (!map) return map.error();
  names.put(i, "sim", f.value);
  SimSpec spec;
  const Field* segs = map->get("segments");
  const Field* wcet = map->get("wcet");
  if (segs != nullptr && wcet != nullptr) {
    return error_at(
        ctx, wcet->value.key, YAML::Node(), wcet->value.path,
        fmt::format("`{}` and `{}` both given", segs->value.key_text, wcet->value.key_text),
        "give either a list of segments or one wcet (a single segment)");
  }
  if (segs == nullptr && wcet == nullptr) {
    return error_at(ctx, f.value, "`sim` has no segments",
                    "give segments_<unit> (a list of segment WCETs, e.g. segments_ms: [1.5, 2.0]) "
                    "or wcet_<unit> (one segment)");
  }
  if (segs != nullptr) {
    names.put(i, "segments", segs->value);
    if (!segs->value.node.IsSequence() || segs->value.node.size() == 0) {
      return error_at(ctx, segs->value,
                      fmt::format("expected a non-empty list of durations, got {}",
                                  segs->value.node.IsSequence() ? std::string("an empty list")
                                                                : describe_node(segs->value.node)),
                      fmt::format("e.g. {}: [1.5, 2.0, 0.5]", segs->value.key_text));
    }
    for (std::size_t k = 0; k < segs->value.node.size(); ++k) {
      const Value e = element(segs->value, k);
      auto d = read_duration(ctx, e, duration_unit(segs->unit));
      if (!d) return d.error();
      names.put(i, fmt::format("segments[{}]", k), e);
      task.segments.push_back(Segment{fmt::format("seg{}", k), *d});
    }
  } else {
    auto d = field_duration(ctx, *wcet);
    if (!d) return d.error();
    names.put(i, "segments[0]", wcet->value);
    task.segments.push_back(Segment{"seg0", *d});
  }
  const Field* dist = map->get("distribution");
  if (dist != nullptr) {
    auto idx = read_enum(ctx, dist->value, kDistributions, "a distribution");
    if (!idx) return idx.error();
    spec.distribution = static_cast<Distribution>(*idx);
  }
  const bool uses_bcet =
      spec.distribution == Distribution::kUniform || spec.distribution == Distribution::kNormal;
  spec.bcet_fraction = uses_bcet ? kDefaultBcetFraction : 1.0;
  const std::pair<const char*, double*> fractions[] = {{"bcet_fraction", &spec.bcet_fraction},
                                                       {"mean_fraction", &spec.mean_fraction},
                                                       {"stddev_fraction", &spec.stddev_fraction}};
  for (const auto& [key, out] : fractions) {
    const Field* fr = map->get(key);
    if (fr == nullptr) continue;
    auto v = read_number(ctx, fr->value);
    if (!v) return v.error();
    const bool used = std::string_view(key) == "bcet_fraction"
                          ? uses_bcet
                          : spec.distribution == Distribution::kNormal;
    if (!used) {
      // Left at its default, so that the normalised workload has one spelling.
      ctx.warnings->push_back(
          warning_at(ctx, fr->value,
                     fmt::format("{} has no effect with distribution {} (ignored)", key,
                                 to_string(spec.distribution))));
      continue;
    }
    *out = *v;
    names.put(i, fmt::format("sim.{}", key), fr->value);
  }
  task.sim = spec;
  const Field* samples = map->get("samples_file");
  if (spec.distribution == Distribution::kEmpirical) {
    if (samples == nullptr) {
      return error_at(ctx, dist->value, "distribution empirical needs `samples_file`",
                      "samples_file: a text file with one duration per line, e.g. `1.25ms`");
    }
    names.put(i, "sim.samples", samples->value);
    return read_samples_file(ctx, *samples, i, task);
  }
  if (samples != nullptr) {
    return error_at(ctx, samples->value,
                    fmt::format("samples_file is only read with distribution empirical (this "
                                "task's is {})",
                                to_string(spec.distribution)),
                    "add `distribution: empirical`, or remove samples_file");
  }
  return Ok{};
}

Status read_model(const Context& ctx, const Field& f, Task& task) {
  ModelSpec model;
  Value path_value = f.value;
  if (f.value.node.IsMap()) {
    auto map = MapReader::open(ctx, f.value.node, f.value.path, kModelKeys);
    if (!map) return map.error();
    const Field* p = map->get("path");
    if (p == nullptr) {
      return error_at(ctx, f.value, "`model` has no `path`",
                      "e.g. model: {path: face.onnx, input_shape: [1, 3, 128, 128]}");
    }
    path_value = p->value;
    if (const Field* s = map->get("input_shape")) {
      if (!s->value.node.IsSequence() || s->value.node.size() == 0) {
        return error_at(
            ctx, s->value,
            fmt::format("expected a list of dimensions, got {}", describe_node(s->value.node)),
            "e.g. input_shape: [1, 3, 48, 192]");
      }
      for (std::size_t k = 0; k < s->value.node.size(); ++k) {
        auto dim = read_integer(ctx, element(s->value, k), 1, 1'000'000'000);
        if (!dim) return dim.error();
        model.input_shape.push_back(*dim);
      }
    }
    if (const Field* s = map->get("segments")) {
      auto n = read_integer(ctx, s->value, 1, 100'000);
      if (!n) return n.error();
      model.max_segments = static_cast<std::uint32_t>(*n);
    }
    if (const Field* s = map->get("threads")) {
      auto n = read_integer(ctx, s->value, 1, 1024);
      if (!n) return n.error();
      model.threads = static_cast<std::uint32_t>(*n);
    }
    if (const Field* s = map->get("inputs")) {
      // One .npy file, or a list of them (one per model input).
      const bool list = s->value.node.IsSequence();
      if (!list && !s->value.node.IsScalar()) {
        return error_at(ctx, s->value,
                        fmt::format("expected a .npy file or a list of them, got {}",
                                    describe_node(s->value.node)),
                        "e.g. inputs: frame.npy, or inputs: [image.npy, scale.npy]");
      }
      const std::size_t n = list ? s->value.node.size() : 1;
      for (std::size_t k = 0; k < n; ++k) {
        const Value v = list ? element(s->value, k) : s->value;
        auto rel = read_string(ctx, v);
        if (!rel) return rel.error();
        const std::filesystem::path input = resolve_path(ctx, *rel);
        if (!is_existing_file(input)) {
          return error_at(
              ctx, v,
              fmt::format("input file `{}` not found (looked for {})", *rel, input.string()),
              "paths are relative to the workload file's folder", ErrorCode::kNotFound);
        }
        model.inputs.push_back(input.string());
      }
    }
  } else if (!f.value.node.IsScalar()) {
    return error_at(
        ctx, f.value,
        fmt::format("expected a path or a mapping, got {}", describe_node(f.value.node)),
        "model: face.onnx, or model: {path: face.onnx, input_shape: [1, 3, 128, 128]}");
  }
  auto rel = read_string(ctx, path_value);
  if (!rel) return rel.error();
  if (rel->empty()) return error_at(ctx, path_value, "the model path is empty", "an ONNX file");
  const std::filesystem::path path = resolve_path(ctx, *rel);
  if (!is_existing_file(path)) {
    return error_at(ctx, path_value,
                    fmt::format("model file `{}` not found (looked for {})", *rel, path.string()),
                    "paths are relative to the workload file's folder; fetch the models first",
                    ErrorCode::kNotFound);
  }
  model.path = path.string();
  task.model = std::move(model);
  return Ok{};
}

Result<Task> read_task(const Context& ctx, const Value& v, std::size_t i, RecordedNames& names) {
  auto map = open_map(ctx, v, kTaskKeys,
                      "a task is a mapping, e.g. {name: detector, period_ms: 33.333, sim: "
                      "{wcet_ms: 2}}");
  if (!map) return map.error();
  names.put(i, "", v);
  Task t;
  t.id = static_cast<TaskId>(i);
  const Field* name = map->get("name");
  if (name == nullptr) {
    return error_at(ctx, v, fmt::format("{} has no `name`", v.path),
                    "every task has a unique name of letters, digits, _ . -");
  }
  auto s = read_string(ctx, name->value);
  if (!s) return s.error();
  t.name = *s;
  names.put(i, "name", name->value);

  const Field* period = map->get("period");
  const Field* min_ia = map->get("min_interarrival");
  const Field* max_ia = map->get("max_interarrival");
  if (period != nullptr && min_ia != nullptr) {
    return error_at(
        ctx, min_ia->value.key, YAML::Node(), min_ia->value.path,
        fmt::format("`{}` and `{}` both given", period->value.key_text, min_ia->value.key_text),
        "a task is periodic (period_<unit>) or sporadic (min_interarrival_<unit>), "
        "not both");
  }
  if (period == nullptr && min_ia == nullptr) {
    return error_at(ctx, v, fmt::format("task `{}` has no period", t.name),
                    "give period_<unit> (periodic) or min_interarrival_<unit> (sporadic), e.g. "
                    "period_ms: 33.333");
  }
  if (max_ia != nullptr && min_ia == nullptr) {
    return error_at(ctx, max_ia->value,
                    fmt::format("`{}` is for sporadic tasks", max_ia->value.key_text),
                    "give min_interarrival_<unit> instead of the period, or remove it");
  }
  if (period != nullptr) {
    auto d = field_duration(ctx, *period);
    if (!d) return d.error();
    t.arrival = ArrivalKind::kPeriodic;
    t.period = *d;
    names.put(i, "period", period->value);
  } else {
    auto d = field_duration(ctx, *min_ia);
    if (!d) return d.error();
    t.arrival = ArrivalKind::kSporadic;
    t.period = *d;
    t.max_interarrival = t.period * 2;
    names.put(i, "min_interarrival", min_ia->value);
    if (max_ia != nullptr) {
      auto m = field_duration(ctx, *max_ia);
      if (!m) return m.error();
      t.max_interarrival = *m;
      names.put(i, "max_interarrival", max_ia->value);
    }
  }
  t.deadline = t.period;
  const std::pair<const char*, Duration*> times[] = {
      {"deadline", &t.deadline}, {"phase", &t.phase}, {"jitter", &t.jitter}};
  for (const auto& [key, out] : times) {
    if (const Field* f = map->get(key)) {
      auto d = field_duration(ctx, *f);
      if (!d) return d.error();
      *out = *d;
      names.put(i, key, f->value);
    }
  }
  if (const Field* p = map->get("priority")) {
    auto n = read_integer(ctx, p->value, INT32_MIN, INT32_MAX);
    if (!n) return n.error();
    t.priority = static_cast<std::int32_t>(*n);
  }
  if (const Field* c = map->get("criticality")) {
    auto idx = read_enum(ctx, c->value, kCriticalities, "a criticality");
    if (!idx) return idx.error();
    t.criticality = static_cast<Criticality>(*idx);
  }
  if (const Field* q = map->get("queue")) {
    if (Status st = read_queue(ctx, *q, i, t.queue, names); !st) return st.error();
  }
  if (const Field* m = map->get("on_miss")) {
    auto idx = read_enum(ctx, m->value, kOnMiss, "an on_miss policy");
    if (!idx) return idx.error();
    t.on_miss = static_cast<OnMiss>(*idx);
  }
  if (const Field* o = map->get("on_overrun")) {
    auto idx = read_enum(ctx, o->value, kOnOverrun, "an on_overrun action");
    if (!idx) return idx.error();
    t.on_overrun = static_cast<OnOverrun>(*idx);
  }
  if (const Field* m = map->get("memory")) {
    auto bytes = read_size(ctx, m->value, m->unit);
    if (!bytes) return bytes.error();
    t.memory_bytes = *bytes;
  }
  const Field* sim = map->get("sim");
  const Field* model = map->get("model");
  if (sim == nullptr && model == nullptr) {
    return error_at(ctx, v, fmt::format("task `{}` has neither `sim` nor `model`", t.name),
                    "give sim: {segments_ms: [...]} for simulated timing, or model: file.onnx "
                    "to profile");
  }
  if (sim != nullptr) {
    if (Status st = read_sim(ctx, *sim, i, t, names); !st) return st.error();
  }
  if (model != nullptr) {
    if (Status st = read_model(ctx, *model, t); !st) return st.error();
  }
  if (const Field* src_field = map->get("wcet_source")) {
    auto src = read_wcet_source(ctx, src_field->value);
    if (!src) return src.error();
    t.wcet_source = *src;
  }
  return t;
}

}  // namespace

Result<Loaded> load_aegisrt(const Context& ctx, const YAML::Node& root) {
  auto top = MapReader::open(ctx, root, "", kTopKeys);
  if (!top) return top.error();
  Loaded out;
  out.mapping.format = "aegisrt";
  Workload& w = out.workload;
  if (const Field* n = top->get("name")) {
    auto s = read_string(ctx, n->value);
    if (!s) return s.error();
    if (s->empty()) return error_at(ctx, n->value, "the workload name is empty", "a short name");
    w.name = *s;
  } else {
    w.name = std::filesystem::path(ctx.file).stem().string();
    if (w.name.empty()) w.name = "workload";
  }
  if (const Field* d = top->get("device")) {
    if (Status st = read_device(ctx, *d, w.device); !st) return st.error();
  }
  if (const Field* s = top->get("scheduler")) {
    if (Status st = read_scheduler(ctx, *s, w.scheduler); !st) return st.error();
  }
  if (const Field* p = top->get("profiles")) {
    if (Status st = read_profiles(ctx, *p, w.profiles); !st) return st.error();
  }
  const Field* tasks = top->get("tasks");
  if (tasks == nullptr) {
    return error_at(ctx, root, YAML::Node(), "tasks", "the workload has no `tasks`",
                    "tasks: a list of tasks, e.g. - {name: detector, period_ms: 33.333, sim: "
                    "{wcet_ms: 2}}");
  }
  if (!tasks->value.node.IsSequence() || tasks->value.node.size() == 0) {
    return error_at(ctx, tasks->value,
                    fmt::format("expected a non-empty list of tasks, got {}",
                                tasks->value.node.IsSequence() ? std::string("an empty list")
                                                               : describe_node(tasks->value.node)),
                    "tasks: a list of tasks, e.g. - {name: detector, period_ms: 33.333, sim: "
                    "{wcet_ms: 2}}");
  }
  RecordedNames names;
  for (std::size_t i = 0; i < tasks->value.node.size(); ++i) {
    auto t = read_task(ctx, element(tasks->value, i), i, names);
    if (!t) return t.error();
    w.tasks.push_back(std::move(*t));
    // Check each task as soon as it is read, so errors come in file order.
    if (auto v = check_task(w.tasks.back(), i, names)) return names.to_error(ctx, *v);
  }
  if (Status st = check_all(ctx, w, names); !st) return st.error();
  std::uint64_t declared = 0;
  for (const Task& t : w.tasks) declared += t.memory_bytes;
  if (w.device.memory_budget_bytes > 0 && declared > w.device.memory_budget_bytes) {
    const Field* d = top->get("device");
    ctx.warnings->push_back(warning_at(
        ctx, d->value,
        fmt::format("the tasks declare {} bytes of memory, above the device's memory budget of "
                    "{} bytes; admission will refuse them unless the memory planner shares arenas",
                    declared, w.device.memory_budget_bytes)));
  }
  return out;
}

}  // namespace aegisrt::workload
