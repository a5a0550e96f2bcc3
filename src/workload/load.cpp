// Entry points of the workload module: reading a file or text, detecting its format, and the parts
// both formats share (paths, samples files, field names for rule violations).
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <system_error>

#include "aegisrt/workload/workload.hpp"
#include "formats.hpp"

namespace aegisrt::workload {

namespace {

// Keys that only an InferEdgeOrchestrator task has.
constexpr std::string_view kIeoTaskMarkers[] = {
    "target_fps", "latency_budget_ms",   "queue_size", "model_path", "drop_policy",
    "worker",     "simulated_latency_ms"};

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

bool looks_like_ieo(const YAML::Node& root) {
  if (root["run"]) return true;
  // IEO's top level holds only `run` and `tasks`.
  if (root["name"] || root["device"] || root["scheduler"]) return false;
  const YAML::Node tasks = root["tasks"];
  // A missing key gives an invalid node, which throws on anything but IsDefined().
  if (!tasks.IsDefined() || !tasks.IsSequence() || tasks.size() == 0 || !tasks[0].IsMap()) {
    return false;
  }
  for (std::string_view key : kIeoTaskMarkers) {
    if (tasks[0][std::string(key)]) return true;
  }
  return false;
}

std::filesystem::path resolve_path(const Context& ctx, const std::string& p) {
  std::filesystem::path path(p);
  if (path.is_relative()) path = ctx.base_dir / path;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  if (ec) absolute = path;
  return absolute.lexically_normal();
}

bool is_existing_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

Result<std::vector<Duration>> parse_samples(std::string_view text, const std::string& file) {
  std::vector<Duration> samples;
  const auto fail = [&](int line, int column, std::string message, std::string hint) {
    Error e = make_error(ErrorCode::kParse, std::move(message), std::move(hint));
    e.where.file = file;
    e.where.line = line;
    e.where.column = column;
    return e;
  };
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::size_t start = 0;
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t')) ++start;
    const std::string token = trim(line);
    if (token.empty()) {
      if (end == text.size()) break;
      continue;
    }
    const int column = static_cast<int>(start) + 1;
    if (token.find_first_of(" \t") != std::string::npos) {
      return fail(line_no, column, fmt::format("`{}` is more than one value", token),
                  "one duration per line");
    }
    const ParsedDuration d = parse_duration_text(token);
    if (d.problem == DurationProblem::kNotWholeNs) {
      return fail(line_no, column,
                  fmt::format("sample `{}` is not a whole number of nanoseconds", token),
                  "durations are integer nanoseconds: write at most 3 decimals in us, 6 in ms, "
                  "9 in s, none in ns");
    }
    if (d.problem == DurationProblem::kTooLarge) {
      return fail(line_no, column, fmt::format("sample `{}` is too large", token),
                  "durations must fit in 64-bit nanoseconds (about 292 years)");
    }
    if (!d.ok()) {
      return fail(line_no, column, fmt::format("`{}` is not a duration", token),
                  "one duration per line with its unit (ns, us, ms or s), e.g. `1.25ms`; `#` "
                  "starts a comment");
    }
    if (d.value <= Duration::zero()) {
      return fail(line_no, column, fmt::format("sample `{}` is not positive", token),
                  "execution-time samples are above zero");
    }
    samples.push_back(d.value);
    if (end == text.size()) break;
  }
  if (samples.empty()) {
    return fail(0, 0, "the samples file has no samples",
                "one duration per line with its unit, e.g. `1.25ms`");
  }
  return samples;
}

void RecordedNames::put(std::size_t task, std::string field, Value v) {
  fields_[{task, std::move(field)}] = std::move(v);
}

const Value* RecordedNames::find(std::size_t task, std::string_view field) const {
  const auto it = fields_.find({task, std::string(field)});
  return it == fields_.end() ? nullptr : &it->second;
}

std::string RecordedNames::key(std::size_t task, std::string_view field) const {
  if (const Value* v = find(task, field)) return v->key_text;
  // A defaulted field is named by its last part ("mean_fraction" for "sim.mean_fraction").
  const std::size_t dot = field.rfind('.');
  return std::string(dot == std::string_view::npos ? field : field.substr(dot + 1));
}

std::string RecordedNames::value(std::size_t task, std::string_view field,
                                 std::string fallback) const {
  if (const Value* v = find(task, field); v != nullptr && v->node.IsScalar()) {
    return v->node.Scalar();
  }
  return fallback + (find(task, field) == nullptr ? " (default)" : "");
}

Error RecordedNames::to_error(const Context& ctx, const Violation& v) const {
  const Value* at = find(v.task, v.field);
  std::string path;
  if (at != nullptr) {
    path = at->path;
  } else {
    // Fall back to the section the field belongs to ("sim", "queue"), then to the task.
    const std::size_t cut = v.field.find_first_of(".[");
    if (cut != std::string::npos) at = find(v.task, v.field.substr(0, cut));
    if (at == nullptr) at = find(v.task, "");
    const Value* task = find(v.task, "");
    path = (task != nullptr ? task->path : fmt::format("tasks[{}]", v.task)) + "." + v.field;
  }
  if (at == nullptr) {
    Error e = make_error(ErrorCode::kInvalidArgument, v.message, v.hint);
    e.where.file = ctx.file;
    e.where.field = path;
    return e;
  }
  return error_at(ctx, at->node, at->key, path, v.message, v.hint);
}

Status check_all(const Context& ctx, const Workload& w, const RecordedNames& names) {
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    if (auto v = check_task(w.tasks[i], i, names)) return names.to_error(ctx, *v);
  }
  if (auto v = check_names_unique(w, names)) return names.to_error(ctx, *v);
  return Ok{};
}

Result<Loaded> load_text(std::string_view text, const std::string& name_for_errors,
                         const std::string& base_dir) {
  try {
    Context ctx;
    ctx.file = name_for_errors;
    ctx.base_dir = base_dir.empty() ? std::filesystem::path(".") : std::filesystem::path(base_dir);
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      Error err = make_error(ErrorCode::kParse, fmt::format("malformed YAML/JSON: {}", e.msg),
                             "check the indentation, colons, quotes and brackets here");
      err.where.file = name_for_errors;
      if (e.mark.line >= 0) {
        err.where.line = e.mark.line + 1;
        err.where.column = e.mark.column + 1;
      }
      return err;
    }
    if (!root.IsDefined() || root.IsNull()) {
      Error err = make_error(ErrorCode::kInvalidArgument, "the workload file is empty",
                             "a workload is a mapping with `name`, `device`, `scheduler` and "
                             "`tasks` (docs/workload-format.md)");
      err.where.file = name_for_errors;
      return err;
    }
    if (!root.IsMap()) {
      return error_at(ctx, root, YAML::Node(), "",
                      fmt::format("the top level is {}, not a mapping", describe_node(root)),
                      "a workload is a mapping with `name`, `device`, `scheduler` and `tasks` "
                      "(docs/workload-format.md)");
    }
    std::vector<std::string> warnings;
    ctx.warnings = &warnings;
    auto loaded = looks_like_ieo(root) ? load_ieo(ctx, root) : load_aegisrt(ctx, root);
    if (!loaded) return loaded.error();
    loaded->warnings = std::move(warnings);
    loaded->workload.source_file = name_for_errors;
    // The loaders check every rule with file positions; this is a safety net for the invariants.
    if (const Status s = validate(loaded->workload); !s) {
      Error e = s.error();
      e.where.file = name_for_errors;
      return e;
    }
    return loaded;
  } catch (const std::exception& e) {
    Error err = make_error(ErrorCode::kInternal,
                           fmt::format("internal error while reading the workload: {}", e.what()));
    err.where.file = name_for_errors;
    return err;
  }
}

Result<Loaded> load_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("`{}` is a directory, not a workload file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Error e =
        make_error(ErrorCode::kNotFound,
                   fmt::format("cannot open workload file `{}`: {}", path, std::strerror(errno)),
                   "check the path");
    return e;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return make_error(ErrorCode::kNotFound, fmt::format("cannot read workload file `{}`", path));
  }
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  if (base.empty()) base = ".";
  return load_text(text.str(), path, base.string());
}

}  // namespace aegisrt::workload
