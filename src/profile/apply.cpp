// Admission on profiles (apply.hpp; docs/design/0011, "Admission").
#include "aegisrt/profile/apply.hpp"

#include <cstdio>
#include <filesystem>
#include <set>

#include "aegisrt/backend/registry.hpp"

namespace aegisrt::profile {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "the model's own";
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string probability_text(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", p);
  return buf;
}

WcetSource resolve(const Task& t, const Workload& w, const ApplyOptions& o) {
  WcetSource s = o.wcet_source.value_or(t.wcet_source.value_or(w.profiles.wcet_source));
  if (s == WcetSource::kAuto) s = t.segments.empty() ? WcetSource::kPwcet : WcetSource::kDeclared;
  return s;
}

Platform here_platform(const Workload& w, const Profile& p) {
  std::string engine = w.device.backend == "sim" ? "sim" : "";
  std::string isa;
  if (auto e = backend::find_backend(w.device.backend); e.ok() && !e->virtual_time) {
    engine = e->engine;
    isa = e->isa;
  }
  return current_platform(w.device.backend, engine, isa, p.platform.threads, p.platform.core);
}

std::string command_for(const Workload& w, const Task& t) {
  const std::string file = w.source_file.empty() ? "WORKLOAD" : w.source_file;
  return "aegisrt profile " + file + " --task " + t.name;
}

}  // namespace

std::string profiles_dir(const Workload& w) {
  if (!w.profiles.dir.empty()) return w.profiles.dir;
  const std::filesystem::path base = w.source_file.empty()
                                         ? std::filesystem::path(".")
                                         : std::filesystem::path(w.source_file).parent_path();
  return (base / "profiles" / w.name).string();
}

std::vector<std::string> stale_reasons(const Profile& p, const Task& t) {
  std::vector<std::string> why;
  if (p.task != t.name) why.push_back("the profile is of task `" + p.task + "`");
  if (t.model && !t.model->path.empty()) {
    if (p.subject.kind != "model") {
      why.push_back("the profile measured sim timing; the task now runs a model");
      return why;
    }
    auto sha = file_sha256(t.model->path);
    if (!sha) {
      why.push_back(sha.error().message);
    } else if (*sha != p.subject.model_sha256) {
      why.push_back("model file changed: sha256 " + p.subject.model_sha256.substr(0, 12) +
                    "... in the profile, " + sha->substr(0, 12) + "... now (" + t.model->path +
                    ")");
    }
    if (p.subject.input_shape != t.model->input_shape) {
      why.push_back("input shape " + shape_text(p.subject.input_shape) + " in the profile, " +
                    shape_text(t.model->input_shape) + " now");
    }
    if (p.subject.max_segments != t.model->max_segments) {
      why.push_back("model.segments " + std::to_string(p.subject.max_segments) +
                    " in the profile, " + std::to_string(t.model->max_segments) +
                    " now (0: one per node)");
    }
    if (p.subject.threads != std::max<std::uint32_t>(1, t.model->threads)) {
      why.push_back("model.threads " + std::to_string(p.subject.threads) + " in the profile, " +
                    std::to_string(t.model->threads) + " now");
    }
  } else {
    if (p.subject.kind != "sim") {
      why.push_back("the profile measured a model; the task now has sim timing only");
      return why;
    }
    const std::string now = sim_spec_text(t);
    if (now != p.subject.sim_spec) {
      why.push_back("sim timing changed: `" + p.subject.sim_spec + "` in the profile, `" + now +
                    "` now");
    }
  }
  return why;
}

Result<Applied> apply_profiles(Workload& w, const ApplyOptions& options) {
  Applied out;
  out.tasks.resize(w.tasks.size());
  const std::string dir = options.dir.value_or(profiles_dir(w));
  const bool strict = options.strict.value_or(w.profiles.strict);
  bool any = false;
  for (const Task& t : w.tasks) any = any || resolve(t, w, options) != WcetSource::kDeclared;
  for (const Task& t : w.tasks) {
    WcetOrigin& o = out.tasks[t.id];
    o.source = resolve(t, w, options);
    if (o.source == WcetSource::kDeclared) {
      if (t.segments.empty()) {
        Error e = make_error(ErrorCode::kInvalidArgument,
                             "task `" + t.name + "` has wcet_source declared but no segments",
                             "declare sim: {segments_ms: [...]}, or use wcet_source: pwcet with "
                             "a profile");
        e.where.file = w.source_file;
        e.where.field = "tasks[" + std::to_string(t.id) + "].wcet_source";
        return e;
      }
      o.text = "declared in the workload";
    }
  }
  if (!any) return out;
  out.dir = dir;

  // Every profile in the folder must be of a task of this workload.
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) {
    std::set<std::string> names;
    for (const Task& t : w.tasks) names.insert(t.name);
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      const std::string suffix = ".profile.json";
      if (file.size() <= suffix.size() ||
          file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
        continue;
      const std::string task = file.substr(0, file.size() - suffix.size());
      if (names.count(task) == 0) {
        Error e = make_error(ErrorCode::kInvalidArgument,
                             "profile " + entry.path().string() + " is for task `" + task +
                                 "`, which workload `" + w.name + "` does not have",
                             "remove it, or point profiles.dir at this workload's own folder");
        e.where.file = entry.path().string();
        return e;
      }
    }
  }

  std::size_t model_tasks = 0;
  for (const Task& t : w.tasks) model_tasks += t.model ? 1 : 0;
  for (Task& t : w.tasks) {
    WcetOrigin& o = out.tasks[t.id];
    if (o.source == WcetSource::kDeclared) continue;
    const std::string path = profile_path(dir, t.name);
    o.profile_file = path;
    auto p = load_profile(path);
    if (!p) {
      Error e = p.error();
      if (e.code == ErrorCode::kNotFound) {
        e.message = "task `" + t.name + "` needs a profile (wcet_source " + to_string(o.source) +
                    ") and " + path + " does not exist";
        e.hint = "run `" + command_for(w, t) + "`";
      }
      return e;
    }
    if (const auto why = stale_reasons(*p, t); !why.empty()) {
      std::string msg = "profile " + path + " is stale for task `" + t.name + "`: ";
      for (std::size_t i = 0; i < why.size(); ++i) msg += (i ? "; " : "") + why[i];
      Error e = make_error(ErrorCode::kInvalidArgument, msg,
                           "profile the task again: `" + command_for(w, t) + "`");
      e.where.file = path;
      return e;
    }
    if (p->subject.kind == "model") {
      const Platform here = options.here.value_or(here_platform(w, *p));
      if (const auto diff = platform_mismatches(p->platform, here); !diff.empty()) {
        std::string msg = "profile " + path + " was measured on another platform: ";
        for (std::size_t i = 0; i < diff.size(); ++i) msg += (i ? "; " : "") + diff[i];
        if (strict) {
          Error e = make_error(ErrorCode::kInvalidArgument, msg,
                               "profile on this machine (`" + command_for(w, t) +
                                   "`), or drop --strict to admit with a warning");
          e.where.file = path;
          return e;
        }
        out.warnings.push_back(msg + " (its bounds may not hold here)");
      }
    }
    // The segments: one per profiled segment, at the source's bound.
    std::vector<Segment> segments;
    std::size_t fallbacks = 0;
    for (const Series& s : p->segments) {
      Duration wcet = s.empirical;
      if (o.source == WcetSource::kPwcet) {
        wcet = s.bound();
        if (!s.pwcet) ++fallbacks;
      }
      segments.push_back(Segment{s.name, std::max(wcet, Duration::ns(1))});
    }
    if (!t.segments.empty() && p->subject.kind == "sim" && segments.size() != t.segments.size()) {
      return make_error(ErrorCode::kInternal, "profile " + path + " has " +
                                                  std::to_string(segments.size()) +
                                                  " segments, task `" + t.name + "` " +
                                                  std::to_string(t.segments.size()));
    }
    t.segments = std::move(segments);
    const std::size_t n = t.segments.size();
    o.flagged = fallbacks > 0;
    if (o.source == WcetSource::kObservedMax) {
      o.text = "observed_max from " + path + ": observed maximum x " +
               probability_text(p->job.margin) + " per segment (" + std::to_string(n) +
               " segments, " + std::to_string(p->job.observed.count) + " samples" +
               (p->contention != "none" ? ", under contention " + p->contention : std::string()) +
               "; no probability)";
    } else {
      o.text = "pwcet from " + path + " (exceedance " + probability_text(p->exceedance) +
               " per segment, at most " + probability_text(p->exceedance * static_cast<double>(n)) +
               " per job by the union bound, confidence " + probability_text(p->confidence) + "; " +
               std::to_string(n - fallbacks) + " of " + std::to_string(n) +
               " segments with a pWCET" +
               (p->contention != "none" ? ", under contention " + p->contention : std::string()) +
               "; preconditions " +
               (fallbacks == 0 ? "hold"
                               : "fail for " + std::to_string(fallbacks) +
                                     " segment(s): their empirical bound is used, "
                                     "FLAGGED") +
               ")";
    }
    // A model measured without the others' segments in between, in a workload whose models share
    // the device: its segments run slower in the mix (docs/BENCHMARKS.md, "Budgets in the mix").
    if (p->subject.kind == "model" && p->contention != "interleaved" && model_tasks > 1) {
      o.text += "; measured " +
                std::string(p->contention == "none" ? "alone" : "with " + p->contention) +
                ", not interleaved: optimistic where the models share a core";
      out.warnings.push_back(
          "profile " + path + " of task `" + t.name + "` was measured " +
          (p->contention == "none" ? "alone" : "with contention " + p->contention) +
          "; on a core shared with " + std::to_string(model_tasks - 1) +
          " other model task(s) its segments run slower: profile with `" + command_for(w, t) +
          " --contention interleaved`");
    }
  }
  return out;
}

}  // namespace aegisrt::profile
