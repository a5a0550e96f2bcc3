// `aegisrt explain`: reads a Chrome trace written by write_chrome_json, replays every "decide"
// event through sched::decide() and checks that the trace is consistent with its decisions.
// See docs/design/0005-traces.md, "What explain checks".
#include "aegisrt/trace/explain.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>

#include "aegisrt/sched/policy.hpp"
#include "keys.hpp"

namespace aegisrt::trace {

namespace {

using nlohmann::json;

using value::kDeviceTid;

Error parse_error(const std::string& file, std::string field, std::string message,
                  std::string hint = {}) {
  Error e = make_error(ErrorCode::kParse, std::move(message), std::move(hint));
  e.where.file = file;
  e.where.field = std::move(field);
  return e;
}

// Reads typed fields of one JSON object and remembers the first that is missing or mistyped.
class Reader {
 public:
  Reader(const json& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  std::int64_t i64(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) return fail(key, "an integer"), 0;
    return v->get<std::int64_t>();
  }
  std::uint64_t u64(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return 0;
    if (!v->is_number_unsigned()) return fail(key, "a non-negative integer"), 0;
    return v->get<std::uint64_t>();
  }
  bool boolean(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) return fail(key, "true or false"), false;
    return v->get<bool>();
  }
  std::string str(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return {};
    if (!v->is_string()) return fail(key, "a string"), std::string();
    return v->get<std::string>();
  }
  const json* array(const char* key) {
    const json* v = find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) return fail(key, "an array"), nullptr;
    return v;
  }
  // Records a bad value found by the caller.
  void invalid(const char* key, const std::string& what) {
    if (!error_) error_ = std::make_pair(field(key), what);
  }

  bool ok() const { return !error_.has_value(); }
  // (field path, what is wrong) of the first problem.
  const std::pair<std::string, std::string>& error() const { return *error_; }
  const std::string& path() const { return path_; }

 private:
  const json* find(const char* key) {
    const auto it = obj_.find(key);
    if (it == obj_.end()) {
      if (!error_) error_ = std::make_pair(field(key), std::string("missing field"));
      return nullptr;
    }
    return &*it;
  }
  void fail(const char* key, const char* expected) {
    if (!error_) error_ = std::make_pair(field(key), std::string("expected ") + expected);
  }
  std::string field(const char* key) const { return path_ + "." + key; }

  const json& obj_;
  std::string path_;
  std::optional<std::pair<std::string, std::string>> error_;
};

std::optional<Criticality> parse_criticality(const std::string& s) {
  for (Criticality c : {Criticality::kLow, Criticality::kNormal, Criticality::kHigh}) {
    if (s == to_string(c)) return c;
  }
  return std::nullopt;
}

std::optional<sched::DecisionReason> parse_reason(const std::string& s) {
  for (auto k = static_cast<int>(sched::DecisionReason::kOnlyCandidate);
       k <= static_cast<int>(sched::DecisionReason::kAllShed); ++k) {
    const auto r = static_cast<sched::DecisionReason>(k);
    if (s == sched::to_string(r)) return r;
  }
  return std::nullopt;
}

// One "decide" event, as recorded.
struct RecordedDecision {
  std::size_t event = 0;  // index in traceEvents
  std::uint64_t index = 0;
  TimePoint time;
  Policy policy = Policy::kNpEdf;
  bool load_shedding = false;
  std::vector<sched::Candidate> candidates;  // shed flags as recorded
  sched::Decision decision;
  std::string reason_text;
};

// A segment slice on the device track.
struct DeviceSlice {
  std::size_t event = 0;
  TaskId task = 0;
  std::uint64_t job = 0;
  TimePoint start;
};

struct JobKey {
  TaskId task = 0;
  std::uint64_t job = 0;
  auto operator<=>(const JobKey&) const = default;
};

struct ReleaseInfo {
  TimePoint arrival;
  TimePoint deadline;
};

class Explainer {
 public:
  explicit Explainer(std::string file) : file_(std::move(file)) {}

  Result<ExplainReport> run(std::string_view text) {
    json root;
    try {
      root = json::parse(text);
    } catch (const json::exception& e) {
      return parse_error(file_, "", std::string("not a JSON file: ") + e.what(),
                         "pass a trace written by `aegisrt simulate --trace FILE`");
    }
    if (auto st = read_metadata(root); !st.ok()) return st.error();
    if (auto st = read_events(root); !st.ok()) return st.error();
    check_all();
    return std::move(report_);
  }

 private:
  Status read_metadata(const json& root) {
    const std::string version_field = std::string(key::kMetadata) + "." + key::kAegisrtTraceVersion;
    const auto not_ours = [&](const std::string& what) {
      return parse_error(file_, version_field, "not an AegisRT trace: " + what,
                         "explain reads traces written by AegisRT (aegisrt simulate --trace)");
    };
    if (!root.is_object()) return not_ours("the top level is not a JSON object");
    const auto meta = root.find(key::kMetadata);
    if (meta == root.end() || !meta->is_object()) return not_ours("no \"metadata\" object");
    const auto version = meta->find(key::kAegisrtTraceVersion);
    if (version == meta->end()) return not_ours("metadata has no aegisrt_trace_version");
    if (!version->is_number_integer() || version->get<std::int64_t>() != value::kTraceVersion) {
      Error e = make_error(
          ErrorCode::kUnsupported, "trace format version " + version->dump() + " is not supported",
          "this build reads aegisrt_trace_version " + std::to_string(value::kTraceVersion));
      e.where.file = file_;
      e.where.field = version_field;
      return e;
    }
    Reader r(*meta, key::kMetadata);
    report_.workload = r.str(key::kWorkload);
    report_.backend = r.str(key::kBackend);
    const std::string policy = r.str(key::kPolicy);
    report_.load_shedding = r.boolean(key::kLoadShedding);
    report_.lost_records = r.u64(key::kLostRecords);
    expected_decisions_ = r.u64(key::kDecisions);
    if (const json* tasks = r.array(key::kTasks)) {
      for (const json& t : *tasks) names_.push_back(t.is_string() ? t.get<std::string>() : "?");
    }
    if (r.ok()) {
      if (const auto p = parse_policy(policy)) {
        report_.policy = *p;
      } else {
        r.invalid(key::kPolicy, "unknown policy '" + policy + "'");
      }
    }
    if (!r.ok()) {
      return parse_error(file_, r.error().first, r.error().second + " in the trace metadata");
    }
    return Ok{};
  }

  Status read_events(const json& root) {
    const auto events = root.find(key::kTraceEvents);
    if (events == root.end() || !events->is_array()) {
      return parse_error(file_, key::kTraceEvents, "the trace has no traceEvents array");
    }
    for (std::size_t i = 0; i < events->size(); ++i) {
      const json& ev = (*events)[i];
      if (!ev.is_object()) continue;
      const auto ph = ev.find(key::kPh);
      const auto name = ev.find(key::kName);
      const auto tid = ev.find(key::kTid);
      if (ph == ev.end() || !ph->is_string() || name == ev.end() || !name->is_string()) continue;
      const std::string& phase = ph->get_ref<const std::string&>();
      const std::string& event_name = name->get_ref<const std::string&>();
      const bool on_device =
          tid != ev.end() && tid->is_number_integer() && tid->get<std::int64_t>() == kDeviceTid;
      if (phase == value::kPhaseInstant && event_name == value::kDecide) {
        if (auto st = read_decision(i, ev); !st.ok()) return st;
      } else if (phase == value::kPhaseComplete && on_device) {
        read_device_slice(i, ev);
      } else if (phase == value::kPhaseInstant && event_name == value::kRelease) {
        read_release(ev);
      }
    }
    return Ok{};
  }

  Status read_decision(std::size_t i, const json& ev) {
    const std::string where = std::string(key::kTraceEvents) + "[" + std::to_string(i) + "]";
    const auto malformed = [&](const std::string& field, const std::string& what) {
      return parse_error(file_, field, "malformed decide event (" + where + "): " + what,
                         "the trace was edited or written by another tool");
    };
    const auto args = ev.find(key::kArgs);
    if (args == ev.end() || !args->is_object()) {
      return malformed(where + "." + key::kArgs, "missing field");
    }
    Reader r(*args, where + "." + key::kArgs);
    RecordedDecision d;
    d.event = i;
    d.index = r.u64(key::kDecision);
    d.time = TimePoint::from_ns(r.i64(key::kTNs));
    const std::string policy = r.str(key::kPolicy);
    d.load_shedding = r.boolean(key::kLoadShedding);
    const json* cands = r.array(key::kCandidates);
    d.decision.chosen = static_cast<std::int32_t>(r.i64(key::kChosen));
    d.decision.runner_up = static_cast<std::int32_t>(r.i64(key::kRunnerUp));
    const std::string reason = r.str(key::kReason);
    d.decision.shed_count = static_cast<std::uint32_t>(r.u64(key::kShedCount));
    d.reason_text = r.str(key::kReasonText);
    if (r.ok()) {
      if (const auto p = parse_policy(policy)) {
        d.policy = *p;
      } else {
        r.invalid(key::kPolicy, "unknown policy '" + policy + "'");
      }
      if (const auto k = parse_reason(reason)) {
        d.decision.reason = *k;
      } else {
        r.invalid(key::kReason, "unknown reason '" + reason + "'");
      }
    }
    if (!r.ok()) return malformed(r.error().first, r.error().second);
    for (std::size_t k = 0; k < cands->size(); ++k) {
      const json& cj = (*cands)[k];
      const std::string path = r.path() + "." + key::kCandidates + "[" + std::to_string(k) + "]";
      if (!cj.is_object()) return malformed(path, "expected an object");
      Reader c(cj, path);
      sched::Candidate cand;
      cand.task = static_cast<TaskId>(c.u64(key::kTask));
      cand.job = c.u64(key::kJob);
      cand.arrival = TimePoint::from_ns(c.i64(key::kArrivalNs));
      cand.release = TimePoint::from_ns(c.i64(key::kReleaseNs));
      cand.deadline = TimePoint::from_ns(c.i64(key::kDeadlineNs));
      cand.priority = static_cast<std::int32_t>(c.i64(key::kPriority));
      const std::string crit = c.str(key::kCriticality);
      cand.remaining = Duration::ns(c.i64(key::kRemainingNs));
      cand.shed = c.boolean(key::kShed);
      if (c.ok()) {
        if (const auto v = parse_criticality(crit)) {
          cand.criticality = *v;
        } else {
          c.invalid(key::kCriticality, "unknown criticality '" + crit + "'");
        }
      }
      if (!c.ok()) return malformed(c.error().first, c.error().second);
      d.candidates.push_back(cand);
    }
    decisions_.push_back(std::move(d));
    return Ok{};
  }

  // Device slices without the expected args are not ours to judge: they are skipped.
  void read_device_slice(std::size_t i, const json& ev) {
    const auto args = ev.find(key::kArgs);
    if (args == ev.end() || !args->is_object()) return;
    Reader r(*args, key::kArgs);
    DeviceSlice s;
    s.event = i;
    s.task = static_cast<TaskId>(r.u64(key::kTask));
    s.job = r.u64(key::kJob);
    s.start = TimePoint::from_ns(r.i64(key::kStartNs));
    if (r.ok()) slices_.push_back(s);
  }

  void read_release(const json& ev) {
    const auto args = ev.find(key::kArgs);
    if (args == ev.end() || !args->is_object()) return;
    Reader r(*args, key::kArgs);
    const auto task = static_cast<TaskId>(r.u64(key::kTask));
    const std::uint64_t job = r.u64(key::kJob);
    ReleaseInfo info{TimePoint::from_ns(r.i64(key::kArrivalNs)),
                     TimePoint::from_ns(r.i64(key::kDeadlineNs))};
    if (r.ok()) releases_[JobKey{task, job}] = info;
  }

  // --- checks ----------------------------------------------------------------------------------

  std::string name_of(TaskId task) const {
    return task < names_.size() ? names_[task] : "task" + std::to_string(task);
  }
  std::string label(TaskId task, std::uint64_t job) const {
    return name_of(task) + "#" + std::to_string(job);
  }

  // "detector#12 (earliest_deadline, runner-up ocr#3, shed: none)".
  std::string describe(const sched::Decision& d, std::span<const sched::Candidate> cands) const {
    const auto pick = [&](std::int32_t k) -> std::string {
      if (k < 0) return "none";
      if (static_cast<std::size_t>(k) >= cands.size()) return "index " + std::to_string(k);
      return label(cands[static_cast<std::size_t>(k)].task, cands[static_cast<std::size_t>(k)].job);
    };
    std::string s = pick(d.chosen) + " (" + sched::to_string(d.reason);
    s += ", runner-up " + pick(d.runner_up) + ", shed: ";
    bool any = false;
    for (const sched::Candidate& c : cands) {
      if (!c.shed) continue;
      if (any) s += ", ";
      any = true;
      s += label(c.task, c.job);
    }
    if (!any) s += "none";
    if (d.shed_count != static_cast<std::uint32_t>(std::count_if(
                            cands.begin(), cands.end(), [](const auto& c) { return c.shed; }))) {
      s += ", shed_count " + std::to_string(d.shed_count);
    }
    return s + ")";
  }

  void add(const RecordedDecision& d, MismatchKind kind, std::string recorded,
           std::string replayed) {
    report_.mismatches.push_back(
        Mismatch{d.index, d.time, std::move(recorded), std::move(replayed), kind});
  }

  bool check_choice(const RecordedDecision& d) {
    std::vector<sched::Candidate> replay = d.candidates;
    for (sched::Candidate& c : replay) c.shed = false;
    const sched::Decision got = sched::decide(d.policy, d.load_shedding, d.time, replay);
    bool same = got.chosen == d.decision.chosen && got.runner_up == d.decision.runner_up &&
                got.reason == d.decision.reason && got.shed_count == d.decision.shed_count;
    for (std::size_t k = 0; k < replay.size(); ++k) {
      same = same && replay[k].shed == d.candidates[k].shed;
    }
    if (!same)
      add(d, MismatchKind::kChoice, describe(d.decision, d.candidates), describe(got, replay));
    return same;
  }

  bool check_inputs(const RecordedDecision& d) {
    bool same = true;
    for (const sched::Candidate& c : d.candidates) {
      const auto it = releases_.find(JobKey{c.task, c.job});
      if (it == releases_.end()) continue;  // released before a cut, or by another writer
      const ReleaseInfo& rel = it->second;
      if (rel.arrival == c.arrival && rel.deadline == c.deadline) continue;
      same = false;
      const auto fmt = [](TimePoint a, TimePoint dl) {
        return "arrival " + format_duration(a.since_epoch()) + ", deadline " +
               format_duration(dl.since_epoch());
      };
      add(d, MismatchKind::kInputs, label(c.task, c.job) + " " + fmt(c.arrival, c.deadline),
          "its release event says " + fmt(rel.arrival, rel.deadline));
    }
    return same;
  }

  // The chosen job must be the one whose segment the device starts next: the first device slice
  // after the decide event in trace order (write_chrome_json writes records in the order they
  // happened), starting at or after the decision.
  bool check_dispatch(const RecordedDecision& d, std::size_t& next_slice) {
    while (next_slice < slices_.size() && slices_[next_slice].event < d.event) ++next_slice;
    if (d.decision.chosen < 0 ||
        static_cast<std::size_t>(d.decision.chosen) >= d.candidates.size()) {
      return true;  // nothing was to run (an out-of-range index is a choice mismatch already)
    }
    const sched::Candidate& c = d.candidates[static_cast<std::size_t>(d.decision.chosen)];
    const std::string chosen = label(c.task, c.job) + " chosen";
    if (next_slice == slices_.size()) {
      if (report_.lost_records > 0) return true;  // its segment fell past the truncation
      add(d, MismatchKind::kDispatch, chosen, "no segment starts after it");
      return false;
    }
    const DeviceSlice& s = slices_[next_slice];
    if (s.task == c.task && s.job == c.job && s.start >= d.time) return true;
    add(d, MismatchKind::kDispatch, chosen,
        label(s.task, s.job) + " starts next, at " + format_duration(s.start.since_epoch()));
    return false;
  }

  void check_all() {
    report_.decisions = decisions_.size();
    std::size_t next_slice = 0;
    for (const RecordedDecision& d : decisions_) {
      const bool choice = check_choice(d);
      const bool inputs = check_inputs(d);
      const bool dispatch = check_dispatch(d, next_slice);
      const bool ok = choice && inputs && dispatch;
      if (ok) ++report_.reproduced;
      report_.details.push_back(ExplainedDecision{d.index, d.time, d.reason_text, ok});
    }
    if (expected_decisions_ != decisions_.size()) {
      report_.mismatches.push_back(Mismatch{
          decisions_.size(), TimePoint{},
          std::to_string(expected_decisions_) + " decisions in the metadata",
          std::to_string(decisions_.size()) + " decide events in the trace", MismatchKind::kCount});
    }
  }

  std::string file_;
  ExplainReport report_;
  std::vector<std::string> names_;
  std::uint64_t expected_decisions_ = 0;
  std::vector<RecordedDecision> decisions_;
  std::vector<DeviceSlice> slices_;
  std::map<JobKey, ReleaseInfo> releases_;
};

}  // namespace

const char* to_string(MismatchKind k) {
  switch (k) {
    case MismatchKind::kChoice:
      return "choice";
    case MismatchKind::kInputs:
      return "inputs";
    case MismatchKind::kDispatch:
      return "dispatch";
    case MismatchKind::kCount:
      return "count";
  }
  return "?";
}

Result<ExplainReport> explain_text(std::string_view json_text, const std::string& name_for_errors) {
  return Explainer(name_for_errors).run(json_text);
}

Result<ExplainReport> explain_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    Error e = make_error(ErrorCode::kNotFound, "cannot open trace '" + path + "'",
                         "check the path; traces are written by `aegisrt simulate --trace FILE`");
    e.where.file = path;
    return e;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return explain_text(text.str(), path);
}

}  // namespace aegisrt::trace
