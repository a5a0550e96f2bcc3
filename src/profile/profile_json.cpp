// Profile files: the JSON schema of docs/design/0011 ("The profile file"), written and read back
// exactly, with the consistency checks that catch an edited or truncated file.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aegisrt/profile/profile.hpp"

namespace aegisrt::profile {
namespace {

using Json = nlohmann::ordered_json;

Json opt_ns(const std::optional<Duration>& d) { return d ? Json(d->count()) : Json(nullptr); }

Json summary_json(const Summary& s) {
  return Json{{"samples", s.count},        {"min_ns", opt_ns(s.min)},
              {"mean_ns", opt_ns(s.mean)}, {"p50_ns", opt_ns(s.p50)},
              {"p90_ns", opt_ns(s.p90)},   {"p95_ns", opt_ns(s.p95)},
              {"p99_ns", opt_ns(s.p99)},   {"p999_ns", opt_ns(s.p999)},
              {"max_ns", opt_ns(s.max)},   {"cv", s.cv ? Json(*s.cv) : Json(nullptr)}};
}

Json test_json(const TestResult& t) {
  return Json{{"name", t.name},   {"statistic", t.statistic}, {"p_value", t.p_value},
              {"alpha", t.alpha}, {"passed", t.passed},       {"detail", t.detail}};
}

Json fit_json(const GpdFit& f) {
  return Json{{"ok", f.ok},
              {"threshold_ns", f.threshold},
              {"threshold_quantile", f.threshold_quantile},
              {"excesses", f.excesses},
              {"samples", f.samples},
              {"scale_ns", f.scale},
              {"shape", f.shape},
              {"method", f.method}};
}

Json series_json(const Series& s) {
  Json samples = Json::array();
  for (const Duration d : s.samples) samples.push_back(d.count());
  const PwcetEstimate& e = s.estimate;
  Json fits = Json::array();
  for (const GpdFit& f : e.stability) fits.push_back(fit_json(f));
  Json tests = Json::array();
  for (const TestResult& t : e.tests) tests.push_back(test_json(t));
  const Convergence& c = s.convergence;
  Json bounds{
      {"empirical_ns", s.empirical.count()},
      {"margin", s.margin},
      {"pwcet_ns", opt_ns(s.pwcet)},
      {"pwcet_reason", s.pwcet_reason},
      {"estimate",
       Json{{"bound_ns", e.bound ? Json(*e.bound) : Json(nullptr)},
            {"reason", e.reason},
            {"point_ns", e.point},
            {"observed_max_ns", e.observed_max},
            {"tail", fit_json(e.fit)},
            {"stability",
             Json{{"stable", e.stable}, {"fits", fits}, {"quantiles_ns", e.stability_quantiles}}},
            {"tests", tests},
            {"preconditions_hold", e.preconditions_hold}}},
      {"alone_bound_ns", opt_ns(s.alone_bound)},
      {"contention_factor", s.contention_factor ? Json(*s.contention_factor) : Json(nullptr)}};
  Json all_tests = tests;
  all_tests.push_back(test_json(s.ks_runs));
  return Json{{"name", s.name},
              {"observed", summary_json(s.observed)},
              {"bounds", bounds},
              {"tests", all_tests},
              {"preconditions_hold", s.preconditions_hold},
              {"convergence",
               Json{{"block", c.block},
                    {"epsilon", c.epsilon},
                    {"blocks", c.blocks},
                    {"counts", c.counts},
                    {"estimates_ns", c.estimates},
                    {"converged_at", c.converged_at ? Json(*c.converged_at) : Json(nullptr)}}},
              {"run_starts", s.run_starts},
              {"samples_ns", samples}};
}

Json platform_json(const Platform& p) {
  return Json{{"cpu_model", p.cpu_model},
              {"cores", p.cores},
              {"smt", p.smt ? Json(*p.smt) : Json(nullptr)},
              {"kernel", p.kernel},
              {"governor", p.governor},
              {"frequency_khz", p.frequency_khz ? Json(*p.frequency_khz) : Json(nullptr)},
              {"backend", p.backend},
              {"engine", p.engine},
              {"isa", p.isa},
              {"threads", p.threads},
              {"core", p.core},
              {"isolated", p.isolated},
              {"gpu", p.gpu}};
}

// ---- Reading: every access names the field path in its error.

struct Reader {
  std::string file;

  Error fail(const std::string& path, const std::string& what) const {
    Error e = make_error(ErrorCode::kParse, "profile " + file + ": `" + path + "` " + what,
                         "re-run `aegisrt profile` to write it again");
    e.where.file = file;
    e.where.field = path;
    return e;
  }

  Result<const Json*> at(const Json& j, const std::string& path, const char* key) const {
    if (!j.is_object()) return fail(path, "is not an object");
    auto it = j.find(key);
    if (it == j.end()) return fail(path + "." + key, "is missing");
    return &*it;
  }

  template <typename T>
  Status get(const Json& j, const std::string& path, const char* key, T& out) const {
    auto v = at(j, path, key);
    if (!v) return v.error();
    const Json& x = **v;
    const std::string p = path.empty() ? key : path + "." + key;
    if constexpr (std::is_same_v<T, bool>) {
      if (!x.is_boolean()) return fail(p, "is not true or false");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!x.is_string()) return fail(p, "is not a string");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!x.is_number()) return fail(p, "is not a number");
    } else if constexpr (std::is_unsigned_v<T>) {
      if (!x.is_number_unsigned()) return fail(p, "is not a non-negative integer");
    } else {
      if (!x.is_number_integer()) return fail(p, "is not an integer");
    }
    out = x.get<T>();
    return Ok{};
  }

  Status get_ns(const Json& j, const std::string& path, const char* key,
                std::optional<Duration>& out) const {
    auto v = at(j, path, key);
    if (!v) return v.error();
    if ((*v)->is_null()) {
      out.reset();
      return Ok{};
    }
    std::int64_t ns = 0;
    if (Status st = get(j, path, key, ns); !st) return st;
    out = Duration::ns(ns);
    return Ok{};
  }

  Status get_double_opt(const Json& j, const std::string& path, const char* key,
                        std::optional<double>& out) const {
    auto v = at(j, path, key);
    if (!v) return v.error();
    if ((*v)->is_null()) {
      out.reset();
      return Ok{};
    }
    double d = 0;
    if (Status st = get(j, path, key, d); !st) return st;
    out = d;
    return Ok{};
  }

  template <typename T>
  Status get_array(const Json& j, const std::string& path, const char* key,
                   std::vector<T>& out) const {
    auto v = at(j, path, key);
    if (!v) return v.error();
    const std::string p = path.empty() ? key : path + "." + key;
    if (!(*v)->is_array()) return fail(p, "is not a list");
    out.clear();
    for (std::size_t i = 0; i < (*v)->size(); ++i) {
      const Json& x = (**v)[i];
      const bool okay = std::is_floating_point_v<T> ? x.is_number()
                        : std::is_unsigned_v<T>     ? x.is_number_unsigned()
                                                    : x.is_number_integer();
      if (!okay)
        return fail(p + "[" + std::to_string(i) + "]", "is not a number of the right kind");
      out.push_back(x.get<T>());
    }
    return Ok{};
  }

  Status get_array_strings(const Json& j, std::vector<std::string>& out) const {
    auto v = at(j, "", "contenders");
    if (!v) return v.error();
    if (!(*v)->is_array()) return fail("contenders", "is not a list");
    for (const Json& x : **v) {
      if (!x.is_string()) return fail("contenders", "holds something other than a task name");
      out.push_back(x.get<std::string>());
    }
    return Ok{};
  }

  Status summary(const Json& j, const std::string& path, Summary& s) const {
    if (Status st = get(j, path, "samples", s.count); !st) return st;
    const std::pair<const char*, std::optional<Duration>*> fields[] = {
        {"min_ns", &s.min}, {"mean_ns", &s.mean}, {"p50_ns", &s.p50},   {"p90_ns", &s.p90},
        {"p95_ns", &s.p95}, {"p99_ns", &s.p99},   {"p999_ns", &s.p999}, {"max_ns", &s.max}};
    for (const auto& [key, out] : fields) {
      if (Status st = get_ns(j, path, key, *out); !st) return st;
    }
    return get_double_opt(j, path, "cv", s.cv);
  }

  Status test(const Json& j, const std::string& path, TestResult& t) const {
    if (Status st = get(j, path, "name", t.name); !st) return st;
    if (Status st = get(j, path, "statistic", t.statistic); !st) return st;
    if (Status st = get(j, path, "p_value", t.p_value); !st) return st;
    if (Status st = get(j, path, "alpha", t.alpha); !st) return st;
    if (Status st = get(j, path, "passed", t.passed); !st) return st;
    return get(j, path, "detail", t.detail);
  }

  Status fit(const Json& j, const std::string& path, GpdFit& f) const {
    if (Status st = get(j, path, "ok", f.ok); !st) return st;
    if (Status st = get(j, path, "threshold_ns", f.threshold); !st) return st;
    if (Status st = get(j, path, "threshold_quantile", f.threshold_quantile); !st) return st;
    if (Status st = get(j, path, "excesses", f.excesses); !st) return st;
    if (Status st = get(j, path, "samples", f.samples); !st) return st;
    if (Status st = get(j, path, "scale_ns", f.scale); !st) return st;
    if (Status st = get(j, path, "shape", f.shape); !st) return st;
    return get(j, path, "method", f.method);
  }

  Result<Series> series(const Json& j, const std::string& path) const {
    Series s;
    if (Status st = get(j, path, "name", s.name); !st) return st.error();
    std::vector<std::int64_t> ns;
    if (Status st = get_array(j, path, "samples_ns", ns); !st) return st.error();
    for (const std::int64_t v : ns) {
      if (v < 0) return fail(path + ".samples_ns", "holds a negative duration");
      s.samples.push_back(Duration::ns(v));
    }
    if (Status st = get_array(j, path, "run_starts", s.run_starts); !st) return st.error();
    for (const std::uint64_t r : s.run_starts) {
      if (r >= s.samples.size() && !s.samples.empty())
        return fail(path + ".run_starts", "points past the samples");
    }
    auto obs = at(j, path, "observed");
    if (!obs) return obs.error();
    if (Status st = summary(**obs, path + ".observed", s.observed); !st) return st.error();
    auto b = at(j, path, "bounds");
    if (!b) return b.error();
    const std::string bp = path + ".bounds";
    std::int64_t empirical = 0;
    if (Status st = get(**b, bp, "empirical_ns", empirical); !st) return st.error();
    s.empirical = Duration::ns(empirical);
    if (Status st = get(**b, bp, "margin", s.margin); !st) return st.error();
    if (Status st = get_ns(**b, bp, "pwcet_ns", s.pwcet); !st) return st.error();
    if (Status st = get(**b, bp, "pwcet_reason", s.pwcet_reason); !st) return st.error();
    if (Status st = get_ns(**b, bp, "alone_bound_ns", s.alone_bound); !st) return st.error();
    if (Status st = get_double_opt(**b, bp, "contention_factor", s.contention_factor); !st)
      return st.error();
    auto est = at(**b, bp, "estimate");
    if (!est) return est.error();
    const std::string ep = bp + ".estimate";
    PwcetEstimate& e = s.estimate;
    if (Status st = get_double_opt(**est, ep, "bound_ns", e.bound); !st) return st.error();
    if (Status st = get(**est, ep, "reason", e.reason); !st) return st.error();
    if (Status st = get(**est, ep, "point_ns", e.point); !st) return st.error();
    if (Status st = get(**est, ep, "observed_max_ns", e.observed_max); !st) return st.error();
    if (Status st = get(**est, ep, "preconditions_hold", e.preconditions_hold); !st)
      return st.error();
    auto tail = at(**est, ep, "tail");
    if (!tail) return tail.error();
    if (Status st = fit(**tail, ep + ".tail", e.fit); !st) return st.error();
    auto stab = at(**est, ep, "stability");
    if (!stab) return stab.error();
    const std::string sp = ep + ".stability";
    if (Status st = get(**stab, sp, "stable", e.stable); !st) return st.error();
    if (Status st = get_array(**stab, sp, "quantiles_ns", e.stability_quantiles); !st)
      return st.error();
    auto fits = at(**stab, sp, "fits");
    if (!fits) return fits.error();
    if (!(*fits)->is_array()) return fail(sp + ".fits", "is not a list");
    for (std::size_t i = 0; i < (*fits)->size(); ++i) {
      GpdFit f;
      if (Status st = fit((**fits)[i], sp + ".fits[" + std::to_string(i) + "]", f); !st)
        return st.error();
      e.stability.push_back(f);
    }
    auto etests = at(**est, ep, "tests");
    if (!etests) return etests.error();
    if (!(*etests)->is_array()) return fail(ep + ".tests", "is not a list");
    for (std::size_t i = 0; i < (*etests)->size(); ++i) {
      TestResult t;
      if (Status st = test((**etests)[i], ep + ".tests[" + std::to_string(i) + "]", t); !st)
        return st.error();
      e.tests.push_back(t);
    }
    auto tests = at(j, path, "tests");
    if (!tests) return tests.error();
    if (!(*tests)->is_array() || (*tests)->empty())
      return fail(path + ".tests", "is not a non-empty list");
    if (Status st = test((*tests)->back(), path + ".tests[last]", s.ks_runs); !st)
      return st.error();
    if (Status st = get(j, path, "preconditions_hold", s.preconditions_hold); !st)
      return st.error();
    auto conv = at(j, path, "convergence");
    if (!conv) return conv.error();
    const std::string cp = path + ".convergence";
    Convergence& c = s.convergence;
    if (Status st = get(**conv, cp, "block", c.block); !st) return st.error();
    if (Status st = get(**conv, cp, "epsilon", c.epsilon); !st) return st.error();
    if (Status st = get(**conv, cp, "blocks", c.blocks); !st) return st.error();
    if (Status st = get_array(**conv, cp, "counts", c.counts); !st) return st.error();
    if (Status st = get_array(**conv, cp, "estimates_ns", c.estimates); !st) return st.error();
    auto at_json = at(**conv, cp, "converged_at");
    if (!at_json) return at_json.error();
    if (!(*at_json)->is_null()) {
      std::uint64_t n = 0;
      if (Status st = get(**conv, cp, "converged_at", n); !st) return st.error();
      c.converged_at = n;
    }
    // Consistency: the statistics are those of the samples, and no bound is below what was seen.
    const Summary recomputed = summarize(s.samples);
    if (recomputed.count != s.observed.count || recomputed.max != s.observed.max ||
        recomputed.min != s.observed.min || recomputed.p99 != s.observed.p99) {
      return fail(path + ".observed", "does not match the samples (the file was edited or cut)");
    }
    if (s.observed.max && s.empirical < *s.observed.max) {
      return fail(bp + ".empirical_ns", "is below the observed maximum");
    }
    if (s.pwcet && s.observed.max && *s.pwcet < *s.observed.max) {
      return fail(bp + ".pwcet_ns", "is below the observed maximum");
    }
    if (s.pwcet && !s.preconditions_hold) {
      return fail(bp + ".pwcet_ns", "is given although the preconditions do not hold");
    }
    return s;
  }

  Status platform(const Json& j, const std::string& path, Platform& p) const {
    if (Status st = get(j, path, "cpu_model", p.cpu_model); !st) return st;
    if (Status st = get(j, path, "cores", p.cores); !st) return st;
    auto smt = at(j, path, "smt");
    if (!smt) return smt.error();
    if (!(*smt)->is_null()) {
      bool b = false;
      if (Status st = get(j, path, "smt", b); !st) return st;
      p.smt = b;
    }
    if (Status st = get(j, path, "kernel", p.kernel); !st) return st;
    if (Status st = get(j, path, "governor", p.governor); !st) return st;
    auto f = at(j, path, "frequency_khz");
    if (!f) return f.error();
    if (!(*f)->is_null()) {
      std::uint64_t khz = 0;
      if (Status st = get(j, path, "frequency_khz", khz); !st) return st;
      p.frequency_khz = khz;
    }
    if (Status st = get(j, path, "backend", p.backend); !st) return st;
    if (Status st = get(j, path, "engine", p.engine); !st) return st;
    if (Status st = get(j, path, "isa", p.isa); !st) return st;
    if (Status st = get(j, path, "threads", p.threads); !st) return st;
    if (Status st = get(j, path, "core", p.core); !st) return st;
    if (Status st = get(j, path, "isolated", p.isolated); !st) return st;
    return get(j, path, "gpu", p.gpu);
  }
};

}  // namespace

std::string to_json(const Profile& p) {
  Json segments = Json::array();
  for (const Series& s : p.segments) segments.push_back(series_json(s));
  const Subject& m = p.subject;
  Json j{{"schema", p.schema},
         {"task", p.task},
         {"workload", p.workload},
         {"created_utc", p.created_utc},
         {"tool", p.tool},
         {"subject", Json{{"kind", m.kind},
                          {"model_path", m.model_path},
                          {"model_sha256", m.model_sha256},
                          {"input_shape", m.input_shape},
                          {"max_segments", m.max_segments},
                          {"threads", m.threads},
                          {"sim_spec", m.sim_spec}}},
         {"platform", platform_json(p.platform)},
         {"contention", p.contention},
         {"contenders", p.contenders},
         {"warmup", p.warmup},
         {"exceedance_probability", p.exceedance},
         {"confidence", p.confidence},
         {"method", p.method},
         {"job", series_json(p.job)},
         {"segments", segments}};
  return j.dump(1) + "\n";
}

Result<Profile> parse_profile(const std::string& text, const std::string& name_for_errors) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  const Reader r{name_for_errors};
  if (j.is_discarded()) {
    return r.fail("", "is not JSON (the file is cut or is not a profile)");
  }
  Profile p;
  if (Status st = r.get(j, "", "schema", p.schema); !st) return st.error();
  if (p.schema != kSchemaVersion) {
    Error e = make_error(ErrorCode::kUnsupported,
                         "profile " + name_for_errors + " has schema version " +
                             std::to_string(p.schema) + "; this build reads version " +
                             std::to_string(kSchemaVersion),
                         "re-run `aegisrt profile` with this build");
    e.where.file = name_for_errors;
    e.where.field = "schema";
    return e;
  }
  if (Status st = r.get(j, "", "task", p.task); !st) return st.error();
  if (Status st = r.get(j, "", "workload", p.workload); !st) return st.error();
  if (Status st = r.get(j, "", "created_utc", p.created_utc); !st) return st.error();
  if (Status st = r.get(j, "", "tool", p.tool); !st) return st.error();
  auto subject = r.at(j, "", "subject");
  if (!subject) return subject.error();
  Subject& m = p.subject;
  if (Status st = r.get(**subject, "subject", "kind", m.kind); !st) return st.error();
  if (m.kind != "model" && m.kind != "sim") return r.fail("subject.kind", "is not model or sim");
  if (Status st = r.get(**subject, "subject", "model_path", m.model_path); !st) return st.error();
  if (Status st = r.get(**subject, "subject", "model_sha256", m.model_sha256); !st)
    return st.error();
  if (Status st = r.get_array(**subject, "subject", "input_shape", m.input_shape); !st)
    return st.error();
  if (Status st = r.get(**subject, "subject", "max_segments", m.max_segments); !st)
    return st.error();
  if (Status st = r.get(**subject, "subject", "threads", m.threads); !st) return st.error();
  if (Status st = r.get(**subject, "subject", "sim_spec", m.sim_spec); !st) return st.error();
  auto platform = r.at(j, "", "platform");
  if (!platform) return platform.error();
  if (Status st = r.platform(**platform, "platform", p.platform); !st) return st.error();
  if (Status st = r.get(j, "", "contention", p.contention); !st) return st.error();
  if (p.contention != "none" && p.contention != "others" && p.contention != "interleaved")
    return r.fail("contention", "is not none, others or interleaved");
  if (Status st = r.get_array_strings(j, p.contenders); !st) return st.error();
  if (Status st = r.get(j, "", "warmup", p.warmup); !st) return st.error();
  if (Status st = r.get(j, "", "exceedance_probability", p.exceedance); !st) return st.error();
  if (!(p.exceedance > 0 && p.exceedance < 1))
    return r.fail("exceedance_probability", "is not in (0, 1)");
  if (Status st = r.get(j, "", "confidence", p.confidence); !st) return st.error();
  if (Status st = r.get(j, "", "method", p.method); !st) return st.error();
  auto job = r.at(j, "", "job");
  if (!job) return job.error();
  auto js = r.series(**job, "job");
  if (!js) return js.error();
  p.job = std::move(*js);
  auto segs = r.at(j, "", "segments");
  if (!segs) return segs.error();
  if (!(*segs)->is_array() || (*segs)->empty())
    return r.fail("segments", "is not a non-empty list");
  for (std::size_t k = 0; k < (*segs)->size(); ++k) {
    auto s = r.series((**segs)[k], "segments[" + std::to_string(k) + "]");
    if (!s) return s.error();
    if (s->samples.size() != p.job.samples.size())
      return r.fail("segments[" + std::to_string(k) + "].samples_ns",
                    "has another sample count than the job");
    p.segments.push_back(std::move(*s));
  }
  return p;
}

std::string profile_path(const std::string& dir, const std::string& task) {
  return (std::filesystem::path(dir) / (task + ".profile.json")).string();
}

Status save_profile(const Profile& p, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorCode::kNotFound,
                      "cannot create the profile folder `" + dir + "`: " + ec.message(),
                      "give --out a folder you can write");
  }
  const std::string path = profile_path(dir, p.task);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << to_json(p);
    if (!out) {
      return make_error(ErrorCode::kInternal, "cannot write `" + tmp + "`",
                        "check the disk space and permissions");
    }
  }
  std::filesystem::rename(tmp, path, ec);  // atomic: a reader never sees half a profile
  if (ec) {
    return make_error(ErrorCode::kInternal, "cannot rename `" + tmp + "` to `" + path + "`",
                      ec.message());
  }
  return Ok{};
}

Result<Profile> load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kNotFound, "profile `" + path + "` not found",
                      "run `aegisrt profile` on the workload first");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), path);
}

}  // namespace aegisrt::profile
