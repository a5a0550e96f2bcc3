#include "aegisrt/sched/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <utility>

#include "aegisrt/core/random.hpp"

namespace aegisrt::sched {

namespace {

// A job between its release and its completion or drop.
struct Job {
  std::uint64_t seq = 0;
  TimePoint arrival;
  TimePoint release;
  TimePoint deadline;
  std::uint32_t next_segment = 0;
  Duration remaining;
  bool overran = false;  // counted once per job
};

// A fixed-capacity FIFO of waiting jobs, reserved at prepare().
class JobRing {
 public:
  void reserve(std::size_t capacity) { slots_.assign(capacity, Job{}); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == slots_.size(); }
  const Job& front() const { return slots_[head_]; }
  void push_back(const Job& j) {
    AEGISRT_ASSERT(!full());
    slots_[(head_ + size_) % slots_.size()] = j;
    ++size_;
  }
  Job pop_front() {
    AEGISRT_ASSERT(!empty());
    Job j = slots_[head_];
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return j;
  }

 private:
  std::vector<Job> slots_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

struct TaskState {
  const Task* task = nullptr;
  JobRing queue;
  // A started, not yet finished job that was switched out at a segment boundary (lp policies).
  // It resumes before any queued job of its task and occupies no queue slot.
  bool has_in_progress = false;
  Job in_progress;
  // Release calendar: the next job this task will release.
  bool exhausted = false;
  std::uint64_t next_seq = 0;
  TimePoint next_arrival;
  TimePoint next_release;
  // The previous job overran and the task says on_overrun: skip_next: drop the next release.
  bool skip_next = false;
  // Outside releases: the nominal arrival of the last one that conformed to the task's model.
  bool has_nominal = false;
  TimePoint last_nominal;
};

}  // namespace

struct Scheduler::Impl {
  const Workload& workload;
  TraceSink* sink;
  RunOptions opts;
  bool prepared = false;
  bool switch_at_boundaries = false;
  std::vector<bool> external;  // by task id: released only through release()
  bool has_external = false;

  std::vector<TaskState> tasks;
  // The release calendar: a min-heap of (next release in ns, task id), one entry per task that
  // still releases jobs; ties go to the lower task id. Reserved at prepare().
  std::vector<std::pair<std::int64_t, TaskId>> calendar;
  std::vector<TaskId> abort_tasks;  // tasks with on_miss: abort, checked at every decision
  std::vector<Candidate> candidates;
  std::vector<std::uint32_t>
      candidate_owner;  // candidates[i] is the head of task candidate_owner[i]
  RunStats stats;

  // The job on the device (between segments under lp policies, until a decision switches it).
  bool has_current = false;
  TaskId current_task = 0;
  Job current;

  // Between a kRun and its finished(): the segment handed out, and the queue length of its task
  // when it left (the segment-start record's value).
  bool running = false;
  std::int64_t start_queue_length = 0;
  // Overhead bookkeeping for the next Action (Action::overhead).
  std::uint64_t releases_since_step = 0;
  bool resumed = false;  // the chosen job was switched out earlier and resumes now

  Impl(const Workload& w, TraceSink* s) : workload(w), sink(s) {}

  void emit(const TraceRecord& r, std::span<const Candidate> c = {}) {
    if (sink != nullptr) sink->record(r, c);
  }

  TraceRecord job_record(EventKind kind, TimePoint t, TaskId task, const Job& j) const {
    TraceRecord r;
    r.time = t;
    r.kind = kind;
    r.task = task;
    r.job = j.seq;
    r.arrival = j.arrival;
    r.deadline = j.deadline;
    return r;
  }

  // Computes the arrival and release of the task's next job, or marks the calendar exhausted.
  void schedule_next(TaskState& ts) {
    const Task& t = *ts.task;
    const std::uint64_t seq = ts.next_seq;
    TimePoint arrival;
    if (!opts.arrivals.empty()) {
      const auto& list = opts.arrivals[t.id];
      if (seq >= list.size()) {
        ts.exhausted = true;
        return;
      }
      arrival = list[seq];
    } else if (seq == 0) {
      arrival = TimePoint() + t.phase;
    } else if (t.arrival == ArrivalKind::kPeriodic) {
      arrival = ts.next_arrival + t.period;
    } else {
      const Duration gap = Duration::ns(
          random_between(t.period.count(), std::max(t.period, t.max_interarrival).count(),
                         opts.seed, RandomStream::kSporadicGap, t.id, seq));
      arrival = ts.next_arrival + gap;
    }
    if (arrival >= TimePoint() + opts.horizon) {
      ts.exhausted = true;
      return;
    }
    Duration jitter;
    if (!opts.jitters.empty()) {
      jitter = opts.jitters[t.id][seq];  // validated in prepare(): same shape as the arrivals
    } else if (opts.arrivals.empty() && t.jitter > Duration::zero()) {
      jitter = Duration::ns(
          random_between(0, t.jitter.count(), opts.seed, RandomStream::kJitter, t.id, seq));
    }
    ts.next_arrival = arrival;
    ts.next_release = arrival + jitter;
    calendar.emplace_back(ts.next_release.ns(), t.id);
    std::push_heap(calendar.begin(), calendar.end(), std::greater<>());
  }

  void drop(TaskState& ts, const Job& j, TimePoint t, DropReason why) {
    TaskStats& st = stats.tasks[ts.task->id];
    ++st.dropped[static_cast<std::size_t>(why)];
    TraceRecord r = job_record(EventKind::kDrop, t, ts.task->id, j);
    r.drop = why;
    r.value = static_cast<std::int64_t>(ts.queue.size());
    emit(r);
  }

  // Releases the task's next job, arriving at `arrival` and released at `release`; `refuse`
  // other than kNone drops it at once for that reason (an outside release that came too early).
  void release_job(TaskState& ts, TimePoint arrival, TimePoint release,
                   DropReason refuse = DropReason::kNone) {
    const Task& t = *ts.task;
    Job j;
    j.seq = ts.next_seq;
    j.arrival = arrival;
    j.release = release;
    j.deadline = j.arrival + t.deadline;
    ++releases_since_step;
    j.remaining = t.wcet();
    ++ts.next_seq;
    ++stats.tasks[t.id].released;

    if (refuse != DropReason::kNone) {
      drop(ts, j, j.release, refuse);
    } else if (ts.skip_next) {
      // The task's previous job overran and its task says on_overrun: skip_next.
      ts.skip_next = false;
      drop(ts, j, j.release, DropReason::kSkipped);
    } else if (ts.queue.full()) {
      switch (t.queue.on_full) {
        case OnFull::kDropOldest: {
          const Job old = ts.queue.pop_front();
          drop(ts, old, j.release, DropReason::kQueueFullOldest);
          ts.queue.push_back(j);
          break;
        }
        case OnFull::kDropNewest:
          drop(ts, j, j.release, DropReason::kQueueFullNewest);
          break;
        case OnFull::kReject:
          drop(ts, j, j.release, DropReason::kRejected);
          break;
      }
    } else {
      ts.queue.push_back(j);
    }
    TraceRecord r = job_record(EventKind::kRelease, j.release, t.id, j);
    r.value = static_cast<std::int64_t>(ts.queue.size());
    emit(r);
  }

  // Releases the calendar's next job of the task and books the one after it.
  void release_one(TaskState& ts) {
    release_job(ts, ts.next_arrival, ts.next_release);
    schedule_next(ts);
  }

  // Releases, in time order, every job whose release time is at or before `now`.
  void release_until(TimePoint now) {
    while (!calendar.empty() && calendar.front().first <= now.ns()) {
      std::pop_heap(calendar.begin(), calendar.end(), std::greater<>());
      const TaskId id = calendar.back().second;
      calendar.pop_back();
      release_one(tasks[id]);  // schedules the task's next release, if any
    }
  }

  // A job whose task says on_miss: abort is dropped once its deadline has passed.
  bool abort_due(const Task& t, const Job& j, TimePoint now) const {
    return t.on_miss == OnMiss::kAbort && now >= j.deadline;
  }

  void abort_job(TaskState& ts, const Job& j, TimePoint now) {
    TaskStats& st = stats.tasks[ts.task->id];
    ++st.missed;
    TraceRecord miss = job_record(EventKind::kMiss, j.deadline, ts.task->id, j);
    miss.value = (now - j.deadline).count();
    emit(miss);
    drop(ts, j, now, DropReason::kDeadlineAbort);
  }

  // A run stopped before its end (Dispatcher::request_stop) leaves no job unaccounted for: each
  // one still running between segments, switched out or queued is dropped as kStopped.
  void drop_unfinished(TimePoint now) {
    for (TaskState& ts : tasks) {
      if (has_current && current_task == ts.task->id) {
        has_current = false;
        drop(ts, current, now, DropReason::kStopped);
      }
      if (ts.has_in_progress) {
        ts.has_in_progress = false;
        drop(ts, ts.in_progress, now, DropReason::kStopped);
      }
      while (!ts.queue.empty()) {
        const Job j = ts.queue.pop_front();
        drop(ts, j, now, DropReason::kStopped);
      }
    }
  }

  void abort_expired(TimePoint now) {
    for (TaskId id : abort_tasks) {
      TaskState& ts = tasks[id];
      if (ts.has_in_progress && abort_due(*ts.task, ts.in_progress, now)) {
        ts.has_in_progress = false;
        abort_job(ts, ts.in_progress, now);
      }
      while (!ts.queue.empty() && abort_due(*ts.task, ts.queue.front(), now)) {
        abort_job(ts, ts.queue.pop_front(), now);
      }
    }
  }

  Candidate candidate_of(const TaskState& ts, const Job& j) const {
    Candidate c;
    c.task = ts.task->id;
    c.job = j.seq;
    c.arrival = j.arrival;
    c.release = j.release;
    c.deadline = j.deadline;
    c.priority = ts.task->priority;
    c.criticality = ts.task->criticality;
    c.remaining = j.remaining;
    return c;
  }

  // Fills `candidates` with the head job of every task (the running job counts as its task's head).
  void collect_candidates() {
    candidates.clear();
    for (const TaskState& ts : tasks) {
      if (has_current && current_task == ts.task->id) {
        candidates.push_back(candidate_of(ts, current));
      } else if (ts.has_in_progress) {
        candidates.push_back(candidate_of(ts, ts.in_progress));
      } else if (!ts.queue.empty()) {
        candidates.push_back(candidate_of(ts, ts.queue.front()));
      }
    }
  }

  // Takes the head job of task `id` off its queue (or in-progress slot, or keeps the current one).
  Job take_head(TaskState& ts) {
    if (has_current && current_task == ts.task->id) return current;
    if (ts.has_in_progress) {
      ts.has_in_progress = false;
      return ts.in_progress;
    }
    return ts.queue.pop_front();
  }

  enum class Dispatch : std::uint8_t {
    kNothingWaiting,  // no job is queued, in progress or running
    kAllShed,         // every candidate was shed: the jobs behind them compete next
    kChosen,
  };

  // Runs the policy at `now`.
  Dispatch dispatch_decision(TimePoint now) {
    collect_candidates();
    if (candidates.empty()) return Dispatch::kNothingWaiting;
    const Decision d = decide(workload.scheduler.policy, workload.scheduler.load_shedding, now,
                              std::span<Candidate>(candidates));
    ++stats.decisions;
    TraceRecord r;
    r.time = now;
    r.kind = EventKind::kDecision;
    r.decision = d;
    if (d.chosen >= 0) {
      const Candidate& c = candidates[static_cast<std::size_t>(d.chosen)];
      r.task = c.task;
      r.job = c.job;
      r.arrival = c.arrival;
      r.deadline = c.deadline;
    }
    emit(r, candidates);

    // Shed jobs leave first (a running job is never shed: it is the one the policy keeps).
    for (const Candidate& c : candidates) {
      if (!c.shed) continue;
      TaskState& ts = tasks[c.task];
      if (has_current && current_task == c.task) {
        has_current = false;
        drop(ts, current, now, DropReason::kShed);
      } else if (ts.has_in_progress) {
        ts.has_in_progress = false;
        drop(ts, ts.in_progress, now, DropReason::kShed);
      } else {
        drop(ts, ts.queue.pop_front(), now, DropReason::kShed);
      }
    }
    if (d.chosen < 0) return Dispatch::kAllShed;

    const TaskId chosen_task = candidates[static_cast<std::size_t>(d.chosen)].task;
    if (has_current && current_task != chosen_task) {
      // Preemption at a segment boundary: the running job waits in its task's in-progress slot.
      TaskState& preempted = tasks[current_task];
      preempted.has_in_progress = true;
      preempted.in_progress = current;
    }
    TaskState& ts = tasks[chosen_task];
    resumed = ts.has_in_progress && !(has_current && current_task == chosen_task);
    current = take_head(ts);
    current_task = chosen_task;
    has_current = true;
    return Dispatch::kChosen;
  }

  // The action that runs the current job's next segment, `decided` when a decision chose it.
  Action run_action(bool decided) {
    TaskState& ts = tasks[current_task];
    Action a;
    a.kind = Action::Kind::kRun;
    a.job = backend::JobRef{ts.task, current.seq};
    a.segment = current.next_segment;
    a.overhead = step_overhead(decided, decided && resumed);
    start_queue_length = static_cast<std::int64_t>(ts.queue.size());
    running = true;
    resumed = false;
    return a;
  }

  // The modelled dispatcher time of this step (Action::overhead), charged as the analysis charges
  // it (src/analysis/overheads.cpp): every release once, a dispatch per decided segment, a
  // preemption per resumption.
  Duration step_overhead(bool dispatch, bool preemption) {
    const Overheads& oh = workload.scheduler.overheads;
    Duration d = oh.release * static_cast<std::int64_t>(releases_since_step);
    if (dispatch) d += oh.dispatch;
    if (preemption) d += oh.preemption;
    releases_since_step = 0;
    stats.overhead += d;
    return d;
  }

  Action next(TimePoint now) {
    AEGISRT_ASSERT(prepared && !running);
    release_until(now);
    if (has_current && !switch_at_boundaries) return run_action(false);
    for (;;) {
      abort_expired(now);
      const Dispatch outcome = dispatch_decision(now);
      if (outcome == Dispatch::kChosen) return run_action(true);
      if (outcome == Dispatch::kNothingWaiting) break;
      // kAllShed: every candidate was shed; the jobs behind them compete now.
    }
    Action a;
    a.overhead = step_overhead(false, false);
    if (!calendar.empty()) {
      a.kind = Action::Kind::kIdle;
      a.until = TimePoint::from_ns(calendar.front().first);
    } else if (has_external && now < TimePoint() + opts.horizon) {
      // Outside releases may still come until the horizon; none after it (RunOptions::horizon).
      a.kind = Action::Kind::kIdle;
      a.until = TimePoint() + opts.horizon;
    } else {
      a.kind = Action::Kind::kDone;
    }
    return a;
  }

  void finished(const backend::JobRef& job, std::uint32_t seg, backend::SegmentStatus status,
                TimePoint start, TimePoint end) {
    AEGISRT_ASSERT(running && has_current);
    running = false;
    TaskState& ts = tasks[current_task];
    const Task& t = *ts.task;
    AEGISRT_ASSERT(job.task == &t && job.job == current.seq && seg == current.next_segment);
    TraceRecord rs = job_record(EventKind::kSegmentStart, start, t.id, current);
    rs.segment = static_cast<std::uint16_t>(seg);
    rs.value = start_queue_length;
    emit(rs);
    stats.busy += end - start;
    TraceRecord re = job_record(EventKind::kSegmentEnd, end, t.id, current);
    re.segment = static_cast<std::uint16_t>(seg);
    re.value = (end - start).count();
    emit(re);

    TaskStats& st = stats.tasks[t.id];
    if (status != backend::SegmentStatus::kOk) {
      has_current = false;
      drop(ts, current, end, DropReason::kBackendFailure);
      return;
    }
    current.remaining -= t.segments[seg].wcet;
    ++current.next_segment;
    // The time budget: each segment within its WCET (so the job within the task's WCET, their
    // sum, which is what admission charged).
    const bool over = end - start > t.segments[seg].wcet;
    const bool first_overrun = over && !current.overran;
    if (first_overrun) {
      current.overran = true;
      ++st.overruns;
      if (t.on_overrun == OnOverrun::kSkipNext) ts.skip_next = true;
    }
    if (first_overrun && t.on_overrun == OnOverrun::kAbort &&
        current.next_segment < t.segments.size()) {
      // Stopped at this boundary: the rest of the job never runs.
      has_current = false;
      drop(ts, current, end, DropReason::kOverrun);
      return;
    }
    if (current.next_segment == t.segments.size()) {
      has_current = false;
      ++st.completed;
      const Duration response = end - current.arrival;
      st.responses.push_back(response);
      TraceRecord rc = job_record(EventKind::kComplete, end, t.id, current);
      rc.value = response.count();
      emit(rc);
      if (end > current.deadline) {
        ++st.missed;
        TraceRecord rm = job_record(EventKind::kMiss, current.deadline, t.id, current);
        rm.value = (end - current.deadline).count();
        emit(rm);
      }
      return;
    }
    if (abort_due(t, current, end)) {
      has_current = false;
      abort_job(ts, current, end);
    }
  }

  // An outside release at `at` conforms to the sporadic model the analysis assumed when some
  // nominal arrival a, at least one period after the previous one's, has `at` in [a, a + jitter]:
  // the earliest such a is max(previous + period, at - jitter). The job's deadline counts from a
  // (the analysis bounds the response from the nominal arrival), its release is `at`. A release
  // with no such a came too early: it is released and dropped at once (kTooEarly), so that it is
  // counted and traced, and the task's model stays what was admitted.
  bool release_external(TaskId id, TimePoint at) {
    AEGISRT_ASSERT(prepared);
    if (id >= tasks.size() || !external[id]) return false;
    TaskState& ts = tasks[id];
    const Task& t = *ts.task;
    TimePoint nominal = at;
    if (ts.has_nominal) nominal = std::max(ts.last_nominal + t.period, at - t.jitter);
    if (nominal > at) {
      release_job(ts, at, at, DropReason::kTooEarly);
      return true;
    }
    ts.has_nominal = true;
    ts.last_nominal = nominal;
    release_job(ts, nominal, at);
    return true;
  }
};

Scheduler::Scheduler(const Workload& workload, TraceSink* trace)
    : impl_(std::make_unique<Impl>(workload, trace)) {}

Scheduler::~Scheduler() = default;

Duration Scheduler::horizon() const { return impl_->opts.horizon; }

std::uint64_t max_releases(const Task& task, Duration horizon) {
  if (horizon <= task.phase || task.period <= Duration::zero()) return 0;
  const Duration span = horizon - task.phase;
  return static_cast<std::uint64_t>((span.count() + task.period.count() - 1) / task.period.count());
}

Status Scheduler::prepare(const RunOptions& opts) {
  Impl& s = *impl_;
  const Workload& w = s.workload;
  if (!opts.arrivals.empty() && opts.arrivals.size() != w.tasks.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "explicit arrivals given for " + std::to_string(opts.arrivals.size()) +
                          " tasks, the workload has " + std::to_string(w.tasks.size()));
  }
  if (!opts.jitters.empty()) {
    if (opts.arrivals.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "explicit jitters given without explicit arrivals",
                        "give `arrivals` too, or leave `jitters` empty");
    }
    if (opts.jitters.size() != opts.arrivals.size()) {
      return make_error(ErrorCode::kInvalidArgument, "explicit jitters given for " +
                                                         std::to_string(opts.jitters.size()) +
                                                         " tasks, explicit arrivals for " +
                                                         std::to_string(opts.arrivals.size()));
    }
    for (const Task& t : w.tasks) {
      const auto& js = opts.jitters[t.id];
      if (js.size() != opts.arrivals[t.id].size()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "task `" + t.name + "` has " + std::to_string(js.size()) +
                              " explicit jitters for " +
                              std::to_string(opts.arrivals[t.id].size()) + " explicit arrivals",
                          "give one jitter per arrival");
      }
      for (std::size_t k = 0; k < js.size(); ++k) {
        if (js[k] < Duration::zero() || js[k] > t.jitter) {
          return make_error(ErrorCode::kInvalidArgument,
                            "task `" + t.name + "` job " + std::to_string(k) + " has jitter " +
                                std::to_string(js[k].count()) + "ns outside [0, " +
                                std::to_string(t.jitter.count()) + "ns], the task's jitter",
                            "keep every explicit jitter within the task's `jitter`");
        }
      }
    }
  }
  for (const Task& t : w.tasks) {
    if (t.segments.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task `" + t.name + "` has no segments to schedule",
                        "give it `sim: {segments_ms: [...]}` or profile its model");
    }
  }
  constexpr std::uint64_t kMaxResponseSamples = 200'000'000;  // 1.6 GB of statistics
  std::uint64_t samples = 0;
  for (const Task& t : w.tasks) {
    samples += opts.arrivals.empty() ? max_releases(t, opts.horizon) : opts.arrivals[t.id].size();
  }
  if (samples > kMaxResponseSamples) {
    return make_error(ErrorCode::kResourceExhausted,
                      "the run would release up to " + std::to_string(samples) +
                          " jobs, more than the " + std::to_string(kMaxResponseSamples) +
                          " whose response times are kept exactly",
                      "shorten the duration");
  }
  for (TaskId id : opts.external) {
    if (id >= w.tasks.size()) {
      return make_error(ErrorCode::kInvalidArgument, "external task id " + std::to_string(id) +
                                                         " is not a task of the workload");
    }
  }
  if (!opts.external.empty() && !opts.arrivals.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "explicit arrivals and external tasks given together",
                      "release external tasks' jobs with release(), or list every arrival");
  }

  s.opts = opts;
  s.switch_at_boundaries = preempts_at_segment_boundaries(w.scheduler.policy);
  s.external.assign(w.tasks.size(), false);
  for (TaskId id : opts.external) s.external[id] = true;
  s.has_external = !opts.external.empty();
  s.tasks.assign(w.tasks.size(), TaskState{});
  s.calendar.clear();
  s.calendar.reserve(w.tasks.size());
  s.abort_tasks.clear();
  for (const Task& t : w.tasks) {
    if (t.on_miss == OnMiss::kAbort) s.abort_tasks.push_back(t.id);
  }
  s.stats = RunStats{};
  s.stats.tasks.assign(w.tasks.size(), TaskStats{});
  for (std::size_t i = 0; i < w.tasks.size(); ++i) {
    const Task& t = w.tasks[i];
    AEGISRT_ASSERT(t.id == i);
    TaskState& ts = s.tasks[i];
    ts.task = &t;
    ts.queue.reserve(t.queue.capacity);
    s.stats.tasks[i].responses.reserve(opts.arrivals.empty() ? max_releases(t, opts.horizon)
                                                             : opts.arrivals[i].size());
    if (!s.external[i]) s.schedule_next(ts);
  }
  s.candidates.reserve(w.tasks.size());
  s.has_current = false;
  s.running = false;
  s.releases_since_step = 0;
  s.resumed = false;
  s.prepared = true;
  return Ok{};
}

bool Scheduler::release(TaskId task, TimePoint arrival) {
  return impl_->release_external(task, arrival);
}

Action Scheduler::next(TimePoint now) { return impl_->next(now); }

void Scheduler::finished(const backend::JobRef& job, std::uint32_t segment,
                         backend::SegmentStatus status, TimePoint start, TimePoint end) {
  impl_->finished(job, segment, status, start, end);
}

void Scheduler::stop(TimePoint now) {
  impl_->drop_unfinished(now);
  impl_->stats.end = std::max(now, TimePoint() + impl_->opts.horizon);
}

const RunStats& Scheduler::stats() const { return impl_->stats; }

std::uint64_t TaskStats::dropped_total() const {
  return std::accumulate(dropped.begin(), dropped.end(), std::uint64_t{0});
}

Summary TaskStats::summary() const { return summarize(responses); }

double RunStats::utilisation() const {
  const std::int64_t span = end.ns();
  return span > 0 ? static_cast<double>(busy.count()) / static_cast<double>(span) : 0.0;
}

}  // namespace aegisrt::sched
