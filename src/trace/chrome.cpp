// Chrome trace-event JSON, written by hand in one streaming pass (plus one pre-pass over the
// records to find which jobs complete). See docs/design/0005-traces.md for the layout; every key
// and fixed name comes from keys.hpp, which explain.cpp reads with.
//
// Compatibility notes (checked against Perfetto's JSON importer):
// - every event starts with "ph" and "ts": older importers scan each event's top-level keys for
//   "ts" and give up on an array or a \u escape met before it;
// - no "displayTimeUnit": Perfetto reads "ns" there as the unit of "ts", Chrome as a display hint;
// - flows use the v2 form (bind_id + flow_out/flow_in on slices): Perfetto binds them to slices
//   of 'X', 'B', 'b' and 'n' events, never to instants;
// - "traceEvents" comes first and "metadata" last: importers stop at an unknown top-level key.
#include "aegisrt/trace/chrome.hpp"

#include <fstream>
#include <map>
#include <string_view>
#include <utility>

#include "aegisrt/core/time.hpp"
#include "json_text.hpp"
#include "keys.hpp"

namespace aegisrt::trace {

namespace {

using detail::append_int;
using detail::append_json_string;
using detail::append_micros;
using detail::append_uint;

using value::kDeviceTid;
constexpr std::size_t kFlushBytes = std::size_t{1} << 16;
constexpr std::size_t kNoRecord = static_cast<std::size_t>(-1);

// A JSON object under construction: writes the separators and quoted keys.
class Obj {
 public:
  explicit Obj(std::string& out) : out_(out) { out_.push_back('{'); }
  void close() { out_.push_back('}'); }

  Obj& i(std::string_view k, std::int64_t v) {
    key(k);
    append_int(out_, v);
    return *this;
  }
  Obj& u(std::string_view k, std::uint64_t v) {
    key(k);
    append_uint(out_, v);
    return *this;
  }
  Obj& s(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
    return *this;
  }
  Obj& b(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
    return *this;
  }
  Obj& us(std::string_view k, std::int64_t ns) {
    key(k);
    append_micros(out_, ns);
    return *this;
  }
  // Starts a nested value under `k`; the caller writes it.
  std::string& raw(std::string_view k) {
    key(k);
    return out_;
  }

 private:
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    append_json_string(out_, k);
    out_.push_back(':');
  }
  std::string& out_;
  bool first_ = true;
};

struct JobKey {
  TaskId task = 0;
  std::uint64_t job = 0;
  auto operator<=>(const JobKey&) const = default;
};

struct JobState {
  std::uint64_t uid = 0;                  // from 1, in order of first appearance: async and flow id
  std::size_t final_segment = kNoRecord;  // record index of the segment end before kComplete
  bool completes = false;                 // has a kComplete record: its flow is drawn
  bool waiting = false;                   // export: its queue-wait slice is open
  bool left_queue = false;                // export: started or dropped
};

struct OpenSegment {
  bool open = false;
  std::uint64_t job = 0;
  std::uint16_t segment = 0;
  TimePoint start;
};

std::string job_label(std::string_view task, std::uint64_t job) {
  std::string s(task);
  s.push_back('#');
  append_uint(s, job);
  return s;
}

class Exporter {
 public:
  Exporter(std::ostream& out, const TraceMeta& meta, const TraceBuffer& buffer)
      : out_(out), meta_(meta), buffer_(buffer), names_(meta.task_names) {
    text_.reserve(kFlushBytes + 4096);
  }

  void run() {
    prepass();
    text_ += '{';
    append_json_string(text_, key::kTraceEvents);
    text_ += ":[\n";
    write_track_metadata();
    const auto records = buffer_.records();
    for (std::size_t idx = 0; idx < records.size(); ++idx) {
      write_record(idx, records[idx]);
      maybe_flush();
    }
    close_open_waits();
    text_ += "\n],\n";
    append_json_string(text_, key::kMetadata);
    text_ += ':';
    write_trace_metadata();
    text_ += "}\n";
    flush();
  }

 private:
  // --- pre-pass: job identities, completions, task names --------------------------------------

  void prepass() {
    const auto records = buffer_.records();
    std::map<JobKey, std::size_t> last_end;
    for (std::size_t idx = 0; idx < records.size(); ++idx) {
      const TraceRecord& r = records[idx];
      ensure_name(r.task);
      if (r.kind == EventKind::kDecision) {
        ++decision_count_;
        for (const sched::Candidate& c : buffer_.candidates_of(r)) ensure_name(c.task);
        continue;
      }
      JobState& job = state_of(r.task, r.job);
      if (r.kind == EventKind::kSegmentEnd) last_end[JobKey{r.task, r.job}] = idx;
      if (r.kind == EventKind::kComplete) {
        job.completes = true;
        const auto it = last_end.find(JobKey{r.task, r.job});
        if (it != last_end.end()) job.final_segment = it->second;
      }
    }
    open_.assign(names_.size(), OpenSegment{});
  }

  JobState& state_of(TaskId task, std::uint64_t job) {
    auto [it, inserted] = jobs_.try_emplace(JobKey{task, job});
    if (inserted) it->second.uid = ++next_uid_;
    return it->second;
  }

  void ensure_name(TaskId task) {
    while (names_.size() <= task) {
      std::string name = "task";
      append_uint(name, names_.size());
      names_.push_back(std::move(name));
    }
  }

  std::string_view name_of(TaskId task) const {
    return task < names_.size() ? std::string_view(names_[task]) : std::string_view("?");
  }

  static std::int64_t tid_of(TaskId task) { return static_cast<std::int64_t>(task) + 1; }

  // --- event writing ---------------------------------------------------------------------------

  // Writes the separator and the fixed head of an event: ph, ts, pid, tid (in this order, see the
  // compatibility notes at the top). Returns the open object; the caller adds fields and closes.
  Obj begin(std::string_view ph, std::int64_t ts_ns, std::int64_t tid) {
    if (!first_event_) text_ += ",\n";
    first_event_ = false;
    Obj o(text_);
    o.s(key::kPh, ph).us(key::kTs, ts_ns).i(key::kPid, value::kProcessId).i(key::kTid, tid);
    return o;
  }

  void write_track_metadata() {
    {
      Obj o = begin(value::kPhaseMetadata, 0, kDeviceTid);
      o.s(key::kName, value::kProcessName);
      Obj a(o.raw(key::kArgs));
      a.s(key::kName, meta_.workload.empty() ? std::string_view("aegisrt") : meta_.workload);
      a.close();
      o.close();
    }
    const auto thread = [this](std::int64_t tid, std::string_view name) {
      Obj o = begin(value::kPhaseMetadata, 0, tid);
      o.s(key::kName, value::kThreadName);
      Obj a(o.raw(key::kArgs));
      a.s(key::kName, name);
      a.close();
      o.close();
      Obj order = begin(value::kPhaseMetadata, 0, tid);
      order.s(key::kName, value::kThreadSortIndex);
      Obj b(order.raw(key::kArgs));
      b.i(key::kSortIndex, tid);
      b.close();
      order.close();
    };
    thread(kDeviceTid, value::kDeviceTrack);
    for (std::size_t id = 0; id < names_.size(); ++id) {
      thread(tid_of(static_cast<TaskId>(id)), names_[id]);
    }
  }

  void write_record(std::size_t idx, const TraceRecord& r) {
    switch (r.kind) {
      case EventKind::kRelease:
        write_release(r);
        break;
      case EventKind::kDecision:
        write_decision(r);
        break;
      case EventKind::kSegmentStart:
        write_segment_start(r);
        break;
      case EventKind::kSegmentEnd:
        write_segment_end(idx, r);
        break;
      case EventKind::kComplete:
        write_instant(r, value::kComplete,
                      [&](Obj& a) { a.u(key::kJob, r.job).i(key::kResponseNs, r.value); });
        break;
      case EventKind::kDrop:
        close_wait(r.task, r.job, r.time);
        write_instant(r, value::kDrop,
                      [&](Obj& a) { a.u(key::kJob, r.job).s(key::kReason, to_string(r.drop)); });
        write_queue_counter(r);
        break;
      case EventKind::kMiss:
        write_instant(r, value::kMiss, [&](Obj& a) {
          a.u(key::kJob, r.job).i(key::kDeadlineNs, r.deadline.ns()).i(key::kLatenessNs, r.value);
        });
        break;
    }
  }

  template <typename Args>
  void write_instant(const TraceRecord& r, std::string_view name, Args&& args) {
    Obj o = begin(value::kPhaseInstant, r.time.ns(), tid_of(r.task));
    o.s(key::kScope, value::kScopeThread).s(key::kCat, value::kCatJob).s(key::kName, name);
    Obj a(o.raw(key::kArgs));
    args(a);
    a.close();
    o.close();
  }

  void write_queue_counter(const TraceRecord& r) {
    std::string name = "queue ";
    name += name_of(r.task);
    Obj o = begin(value::kPhaseCounter, r.time.ns(), tid_of(r.task));
    o.s(key::kCat, value::kCatQueue).s(key::kName, name);
    Obj a(o.raw(key::kArgs));
    a.i(key::kJobs, r.value);
    a.close();
    o.close();
  }

  std::string wait_name(TaskId task) const {
    std::string name = "wait ";
    name += name_of(task);
    return name;
  }

  void write_release(const TraceRecord& r) {
    write_instant(r, value::kRelease, [&](Obj& a) {
      a.u(key::kTask, r.task)
          .u(key::kJob, r.job)
          .i(key::kArrivalNs, r.arrival.ns())
          .i(key::kReleaseNs, r.time.ns())
          .i(key::kDeadlineNs, r.deadline.ns());
    });
    // A job refused at a full queue (drop_newest, reject) is traced as dropped before it is traced
    // as released: it never waits.
    JobState& job = state_of(r.task, r.job);
    if (!job.waiting && !job.left_queue) {
      job.waiting = true;
      Obj o = begin(value::kPhaseAsyncBegin, r.time.ns(), tid_of(r.task));
      o.s(key::kCat, value::kCatQueue).s(key::kName, wait_name(r.task)).u(key::kId, job.uid);
      if (job.completes && job.final_segment != kNoRecord) {
        o.u(key::kBindId, job.uid).b(key::kFlowOut, true);
      }
      Obj a(o.raw(key::kArgs));
      a.u(key::kJob, r.job);
      a.close();
      o.close();
    }
    write_queue_counter(r);
  }

  void close_wait(TaskId task, std::uint64_t job_id, TimePoint t) {
    const auto it = jobs_.find(JobKey{task, job_id});
    if (it == jobs_.end()) return;
    it->second.left_queue = true;
    if (!it->second.waiting) return;
    it->second.waiting = false;
    Obj o = begin(value::kPhaseAsyncEnd, t.ns(), tid_of(task));
    o.s(key::kCat, value::kCatQueue).s(key::kName, wait_name(task)).u(key::kId, it->second.uid);
    o.close();
  }

  // A trace cut short (lost records) can leave jobs waiting: their slices end at the last record.
  void close_open_waits() {
    const auto records = buffer_.records();
    if (records.empty()) return;
    const TimePoint end = records.back().time;
    for (auto& [id, job] : jobs_) {
      if (!job.waiting) continue;
      job.waiting = false;
      Obj o = begin(value::kPhaseAsyncEnd, end.ns(), tid_of(id.task));
      o.s(key::kCat, value::kCatQueue).s(key::kName, wait_name(id.task)).u(key::kId, job.uid);
      Obj a(o.raw(key::kArgs));
      a.b(key::kUnfinished, true);
      a.close();
      o.close();
    }
  }

  void write_segment_start(const TraceRecord& r) {
    close_wait(r.task, r.job, r.time);
    if (r.task < open_.size()) open_[r.task] = OpenSegment{true, r.job, r.segment, r.time};
    write_queue_counter(r);
  }

  void write_segment_end(std::size_t idx, const TraceRecord& r) {
    // The start comes from the matching start record; without one (a hand-made trace), from the
    // executed time.
    TimePoint start = r.time - Duration::ns(r.value);
    if (r.task < open_.size()) {
      OpenSegment& seg = open_[r.task];
      if (seg.open && seg.job == r.job && seg.segment == r.segment) start = seg.start;
      seg.open = false;
    }
    const std::int64_t dur = (r.time - start).count();
    const JobState& job = state_of(r.task, r.job);

    std::string name(name_of(r.task));
    name += " seg";
    append_uint(name, r.segment);
    {
      Obj o = begin(value::kPhaseComplete, start.ns(), tid_of(r.task));
      o.us(key::kDur, dur).s(key::kCat, value::kCatSegment).s(key::kName, name);
      if (job.completes && job.final_segment == idx)
        o.u(key::kBindId, job.uid).b(key::kFlowIn, true);
      Obj a(o.raw(key::kArgs));
      a.u(key::kJob, r.job).u(key::kSegment, r.segment).i(key::kExecutedNs, r.value);
      a.close();
      o.close();
    }
    {
      Obj o = begin(value::kPhaseComplete, start.ns(), kDeviceTid);
      o.us(key::kDur, dur).s(key::kCat, value::kCatSegment).s(key::kName, name_of(r.task));
      Obj a(o.raw(key::kArgs));
      a.u(key::kTask, r.task)
          .u(key::kJob, r.job)
          .u(key::kSegment, r.segment)
          .i(key::kStartNs, start.ns())
          .i(key::kEndNs, r.time.ns());
      a.close();
      o.close();
    }
  }

  void write_decision(const TraceRecord& r) {
    const auto cands = buffer_.candidates_of(r);
    const sched::Decision& d = r.decision;
    Obj o = begin(value::kPhaseInstant, r.time.ns(), kDeviceTid);
    o.s(key::kScope, value::kScopeThread)
        .s(key::kCat, value::kCatDecision)
        .s(key::kName, value::kDecide);
    Obj a(o.raw(key::kArgs));
    a.u(key::kDecision, decision_index_++)
        .i(key::kTNs, r.time.ns())
        .s(key::kPolicy, to_string(meta_.policy))
        .b(key::kLoadShedding, meta_.load_shedding);
    std::string& list = a.raw(key::kCandidates);
    list.push_back('[');
    for (std::size_t k = 0; k < cands.size(); ++k) {
      const sched::Candidate& c = cands[k];
      if (k > 0) list.push_back(',');
      Obj co(list);
      co.u(key::kTask, c.task)
          .s(key::kName, name_of(c.task))
          .u(key::kJob, c.job)
          .i(key::kArrivalNs, c.arrival.ns())
          .i(key::kReleaseNs, c.release.ns())
          .i(key::kDeadlineNs, c.deadline.ns())
          .i(key::kPriority, c.priority)
          .s(key::kCriticality, to_string(c.criticality))
          .i(key::kRemainingNs, c.remaining.count())
          .b(key::kShed, c.shed);
      co.close();
    }
    list.push_back(']');
    a.i(key::kChosen, d.chosen)
        .i(key::kRunnerUp, d.runner_up)
        .s(key::kReason, sched::to_string(d.reason))
        .u(key::kShedCount, d.shed_count)
        .s(key::kReasonText, reason_sentence(d, cands));
    a.close();
    o.close();
  }

  std::string label(const sched::Candidate& c) const { return job_label(name_of(c.task), c.job); }

  // "detector#12: earliest deadline 33.333ms; runner-up ocr_det#3 at 200ms".
  std::string reason_sentence(const sched::Decision& d,
                              std::span<const sched::Candidate> cands) const {
    const auto valid = [&](std::int32_t k) {
      return k >= 0 && static_cast<std::size_t>(k) < cands.size();
    };
    const auto at = [](TimePoint t) { return format_duration(t.since_epoch()); };
    std::string s;
    if (d.reason == sched::DecisionReason::kAllShed || d.chosen < 0) {
      s = "nothing runs: ";
      s += d.reason == sched::DecisionReason::kAllShed ? "every candidate was shed"
                                                       : "no candidate chosen";
    } else if (!valid(d.chosen)) {
      s = "invalid choice ";
      append_int(s, d.chosen);
    } else {
      const sched::Candidate& c = cands[static_cast<std::size_t>(d.chosen)];
      const sched::Candidate* r =
          valid(d.runner_up) ? &cands[static_cast<std::size_t>(d.runner_up)] : nullptr;
      s = label(c) + ": ";
      const Policy p = meta_.policy;
      const bool edf = p == Policy::kNpEdf || p == Policy::kLpEdf;
      const bool fp = p == Policy::kNpFp || p == Policy::kLpFp;
      switch (d.reason) {
        case sched::DecisionReason::kOnlyCandidate:
          s += "only candidate";
          break;
        case sched::DecisionReason::kEarliestDeadline:
          s += "earliest deadline " + at(c.deadline);
          if (r) s += "; runner-up " + label(*r) + " at " + at(r->deadline);
          break;
        case sched::DecisionReason::kHighestPriority:
          s += "highest priority " + std::to_string(c.priority);
          if (r) s += "; runner-up " + label(*r) + " at priority " + std::to_string(r->priority);
          break;
        case sched::DecisionReason::kEarliestRelease:
          s += "earliest release " + at(c.release);
          if (edf) s += " among deadline " + at(c.deadline);
          if (fp) s += " among priority " + std::to_string(c.priority);
          if (r) s += "; runner-up " + label(*r) + " released at " + at(r->release);
          break;
        case sched::DecisionReason::kLowestTaskId:
          s += "lowest task id " + std::to_string(c.task) + " among equal keys";
          if (r) s += "; runner-up " + label(*r) + " (task " + std::to_string(r->task) + ")";
          break;
        case sched::DecisionReason::kLowestJob:
          s += "lowest job number among equal keys";
          if (r) s += "; runner-up " + label(*r);
          break;
        case sched::DecisionReason::kAllShed:
          break;
      }
      if (!r && d.reason != sched::DecisionReason::kOnlyCandidate) s += "; no runner-up";
    }
    if (d.shed_count > 0) {
      s += "; shed ";
      bool first = true;
      for (const sched::Candidate& c : cands) {
        if (!c.shed) continue;
        if (!first) s += ", ";
        first = false;
        s += label(c);
      }
    }
    return s;
  }

  void write_trace_metadata() {
    Obj m(text_);
    m.i(key::kAegisrtTraceVersion, value::kTraceVersion)
        .s(key::kWorkload, meta_.workload)
        .s(key::kBackend, meta_.backend)
        .s(key::kPolicy, to_string(meta_.policy))
        .b(key::kLoadShedding, meta_.load_shedding)
        .u(key::kSeed, meta_.seed)
        .i(key::kHorizonNs, meta_.horizon.count());
    std::string& list = m.raw(key::kTasks);
    list.push_back('[');
    for (std::size_t k = 0; k < names_.size(); ++k) {
      if (k > 0) list.push_back(',');
      append_json_string(list, names_[k]);
    }
    list.push_back(']');
    m.u(key::kRecords, buffer_.records().size())
        .u(key::kDecisions, decision_count_)
        .u(key::kLostRecords, buffer_.lost())
        .s(key::kNode, meta_.node)
        .s(key::kAdmission, meta_.admission)
        .s(key::kAdmissionDetail, meta_.admission_detail);
    m.close();
  }

  void maybe_flush() {
    if (text_.size() >= kFlushBytes) flush();
  }
  void flush() {
    out_.write(text_.data(), static_cast<std::streamsize>(text_.size()));
    text_.clear();
  }

  std::ostream& out_;
  const TraceMeta& meta_;
  const TraceBuffer& buffer_;
  std::vector<std::string> names_;
  std::map<JobKey, JobState> jobs_;
  std::vector<OpenSegment> open_;
  std::uint64_t next_uid_ = 0;
  std::uint64_t decision_count_ = 0;
  std::uint64_t decision_index_ = 0;
  std::string text_;
  bool first_event_ = true;
};

}  // namespace

void write_chrome_json(std::ostream& out, const TraceMeta& meta, const TraceBuffer& buffer) {
  Exporter(out, meta, buffer).run();
}

Status write_chrome_json(const std::string& path, const TraceMeta& meta,
                         const TraceBuffer& buffer) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) {
    return make_error(ErrorCode::kNotFound, "cannot open '" + path + "' for writing",
                      "check that the folder exists and is writable");
  }
  write_chrome_json(file, meta, buffer);
  file.flush();
  if (!file) {
    return make_error(ErrorCode::kInternal, "writing '" + path + "' failed",
                      "check free disk space");
  }
  return Ok{};
}

}  // namespace aegisrt::trace
