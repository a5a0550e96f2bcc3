// The embedding API (app/runtime.hpp; docs/API.md).
#include "aegisrt/app/runtime.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>

#include "aegisrt/app/admission.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/mutex.hpp"
#include "aegisrt/runtime/timed_sim_backend.hpp"
#include "aegisrt/workload/workload.hpp"
#include "run_common.hpp"

namespace aegisrt::app {

const char* to_string(SubmitStatus s) {
  switch (s) {
    case SubmitStatus::kAccepted:
      return "accepted";
    case SubmitStatus::kNotSubmitted:
      return "not a submitted task";
    case SubmitStatus::kBadInput:
      return "bad input";
    case SubmitStatus::kFull:
      return "every input slot busy";
    case SubmitStatus::kStopped:
      return "not running";
  }
  return "?";
}

namespace {

// One reserved copy of a submitted job's inputs.
struct InputSlot {
  std::vector<std::vector<float>> data;       // per model input
  std::vector<std::span<const float>> views;  // over data
  std::uint64_t job = 0;
  bool busy = false;  // holds the inputs of `job`, which has not ended yet
};

// A result waiting in the completion queue.
struct StoredCompletion {
  runtime::JobOutcome outcome;
  std::vector<float> data;         // the outputs, back to back
  std::vector<std::size_t> sizes;  // elements of each output
};

}  // namespace

struct Runtime::Impl final : backend::JobInputs, sched::TraceSink {
  RealtimeOptions opts;
  RealtimeReport report;  // workload, verdict, admission, notes now; the rest at finish()
  SteadyClock sim_clock;  // the `sim` backend's (real time)
  std::unique_ptr<backend::Backend> backend;
  backend::RunnerBackend* runners = nullptr;  // `backend` when it runs models
  std::unique_ptr<sched::Scheduler> scheduler;
  std::unique_ptr<runtime::Dispatcher> dispatcher;
  std::vector<TaskId> external;
  bool started = false;
  std::atomic<bool> finished{false};  // read by running() on any thread
  bool locked = false;

  // Per task: how its jobs get their inputs, and the views of its outputs.
  struct TaskIO {
    bool submitted = false;
    std::vector<backend::TensorInfo> inputs, outputs;
    std::vector<InputSlot> slots;  // submitted tasks: queue capacity + 2
    std::uint64_t next_job = 0;    // the sequence number the next accepted submit gets
    InputCallback callback;
    std::vector<std::vector<float>> scratch;         // the callback's buffers
    std::vector<std::span<float>> scratch_views;     // over scratch
    std::vector<std::span<const float>> scratch_in;  // the same, read-only
    std::vector<std::span<const float>> out_views;   // a completed job's outputs
  };
  std::vector<TaskIO> io;
  Mutex inputs_mutex;  // every TaskIO's slots and next_job

  std::size_t completion_capacity = 0;  // ring.size(), fixed before the run (read without the lock)
  Mutex completions_mutex;
  std::condition_variable completions_cv;
  std::vector<StoredCompletion> ring AEGISRT_GUARDED_BY(completions_mutex);
  std::size_t ring_head AEGISRT_GUARDED_BY(completions_mutex) = 0;
  std::size_t ring_size AEGISRT_GUARDED_BY(completions_mutex) = 0;
  std::uint64_t completions_lost AEGISRT_GUARDED_BY(completions_mutex) = 0;

  // Telemetry the dispatcher thread writes (read after the run).
  RuntimeTelemetry telemetry;
  std::vector<std::uint64_t> refused;  // submit refusals per task, under inputs_mutex

  // ---- backend::JobInputs, on the dispatcher thread.
  std::span<const std::span<const float>> inputs_for(const backend::JobRef& job) override {
    TaskIO& t = io[job.task->id];
    if (t.submitted) {
      MutexLock lock(inputs_mutex);
      for (InputSlot& s : t.slots) {
        if (s.busy && s.job == job.job) return s.views;
      }
      return {};  // not reached: every accepted submit holds a slot until its job ends
    }
    if (t.callback) {
      t.callback(job.job, t.scratch_views);
      return t.scratch_in;
    }
    return {};
  }

  // ---- sched::TraceSink, on the dispatcher thread.
  void record(const sched::TraceRecord& r, std::span<const sched::Candidate> c) override {
    if (report.trace) report.trace->record(r, c);
    RuntimeTelemetry::Task& tel = telemetry.tasks[r.task];
    switch (r.kind) {
      case sched::EventKind::kRelease:
        tel.max_queue = std::max<std::uint32_t>(tel.max_queue, static_cast<std::uint32_t>(r.value));
        return;
      case sched::EventKind::kSegmentStart:
        if (r.segment == 0 && tel.start_latency.size() < tel.start_latency.capacity()) {
          tel.start_latency.push_back(r.time - r.arrival);
        }
        return;
      case sched::EventKind::kComplete:
      case sched::EventKind::kDrop:
        break;
      default:
        return;
    }
    runtime::JobOutcome o = runtime::outcome_of(r);
    TaskIO& t = io[r.task];
    if (o.status == runtime::JobOutcome::Status::kCompleted && opts.keep_outputs &&
        runners != nullptr && !t.out_views.empty()) {
      const backend::ModelRunner* runner = runners->runner(r.task);
      for (std::size_t i = 0; i < t.out_views.size(); ++i) t.out_views[i] = runner->output(i);
      o.outputs = t.out_views;
    }
    if (opts.on_outcome) opts.on_outcome(o);
    if (completion_capacity > 0) push_completion(o);
    if (t.submitted) {
      MutexLock lock(inputs_mutex);
      for (InputSlot& s : t.slots) {
        if (s.busy && s.job == r.job) s.busy = false;
      }
    }
  }

  void push_completion(const runtime::JobOutcome& o) {
    {
      MutexLock lock(completions_mutex);
      if (ring_size == ring.size()) {
        ++completions_lost;
        return;
      }
      StoredCompletion& s = ring[(ring_head + ring_size) % ring.size()];
      s.outcome = o;
      s.outcome.outputs = {};
      s.data.clear();
      s.sizes.clear();
      for (const std::span<const float> out : o.outputs) {
        s.data.insert(s.data.end(), out.begin(), out.end());  // within the reserved capacity
        s.sizes.push_back(out.size());
      }
      ++ring_size;
    }
    completions_cv.notify_one();
  }

  bool take(Completion& out) AEGISRT_REQUIRES(completions_mutex) {
    if (ring_size == 0) return false;
    StoredCompletion& s = ring[ring_head];
    out.outcome = s.outcome;
    out.outputs.resize(s.sizes.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < s.sizes.size(); ++i) {
      out.outputs[i].assign(s.data.begin() + static_cast<std::ptrdiff_t>(at),
                            s.data.begin() + static_cast<std::ptrdiff_t>(at + s.sizes[i]));
      at += s.sizes[i];
    }
    ring_head = (ring_head + 1) % ring.size();
    --ring_size;
    return true;
  }

  Status prepare();
};

namespace {

std::vector<backend::TensorInfo> copy_infos(std::span<const backend::TensorInfo> s) {
  return {s.begin(), s.end()};
}

}  // namespace

Status Runtime::Impl::prepare() {
  Workload& w = report.workload;
  io.resize(w.tasks.size());
  refused.assign(w.tasks.size(), 0);
  const auto task_named = [&w](const std::string& name) {
    return std::find_if(w.tasks.begin(), w.tasks.end(),
                        [&](const Task& t) { return t.name == name; });
  };
  for (const std::string& name : opts.submitted) {
    const auto it = task_named(name);
    if (it == w.tasks.end()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "submitted task `" + name + "` is not a task of workload `" + w.name + "`",
                        "name a task the workload declares");
    }
    if (it->arrival != ArrivalKind::kSporadic) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task `" + name + "` is periodic: it releases its own jobs",
                        "make it sporadic: `min_interarrival_ms` (the least gap between frames) "
                        "instead of `period_ms`, so that submit() releases its jobs");
    }
    if (!io[it->id].submitted) external.push_back(it->id);
    io[it->id].submitted = true;
  }
  for (auto& [name, callback] : opts.input_callbacks) {
    const auto it = task_named(name);
    if (it == w.tasks.end() || !it->model || io[it->id].submitted) {
      return make_error(ErrorCode::kInvalidArgument,
                        "input callback for `" + name +
                            "`: not a self-releasing model task of workload `" + w.name + "`",
                        "an input callback feeds a periodic or sporadic task with a model that "
                        "is not submitted");
    }
    io[it->id].callback = callback;
  }

  sched::RunOptions run;
  run.horizon = opts.duration;
  run.seed = opts.seed;
  run.external = external;
  if (opts.keep_trace) {
    auto buffer = detail::trace_for_run(w, run, opts.max_trace_bytes);
    if (!buffer.ok()) return buffer.error();
    report.trace = std::move(*buffer);
  }

  if (w.device.backend == "sim") {
    backend = std::make_unique<runtime::TimedSimBackend>(sim_clock, opts.seed);
  } else {
    backend::RunnerBackendOptions o;
    o.seed = static_cast<std::uint32_t>(opts.seed);
    auto made = backend::make_backend(w.device.backend, o);
    if (!made.ok()) return made.error();
    runners = made->get();
    backend = std::move(*made);
    runners->set_job_inputs(this);
  }
  if (Status st = backend->prepare(w); !st.ok()) return st.error();

  // Reserve every slot the run fills on the dispatcher thread.
  std::size_t most_output = 0;
  std::size_t most_outputs = 0;
  telemetry.tasks.resize(w.tasks.size());
  for (const Task& task : w.tasks) {
    TaskIO& t = io[task.id];
    if (runners != nullptr && runners->runner(task.id) != nullptr) {
      const backend::ModelRunner& runner = *runners->runner(task.id);
      t.inputs = copy_infos(runner.inputs());
      t.outputs = copy_infos(runner.outputs());
      const std::vector<std::string>& alloc = runner.info().allocating_steps;
      if (!alloc.empty()) {
        report.notes.push_back(
            "task `" + task.name + "`: " + std::to_string(alloc.size()) +
            " step(s) of its model call malloc on every run on this CPU, which the run heap cannot "
            "serve (oneDNN's GEMM packs its operands; a CPU with AVX-512 runs them without): " +
            alloc[0] + (alloc.size() > 1 ? ", ..." : "") +
            "; their time is in the profile, but the run is not allocation-free");
      }
    }
    std::size_t total = 0;
    for (const backend::TensorInfo& out : t.outputs) total += out.elements();
    most_output = std::max(most_output, total);
    most_outputs = std::max(most_outputs, t.outputs.size());
    t.out_views.resize(t.outputs.size());
    if (t.submitted) {
      t.slots.resize(task.queue.capacity + 2);
      for (InputSlot& s : t.slots) {
        for (const backend::TensorInfo& in : t.inputs) s.data.emplace_back(in.elements());
        for (const std::vector<float>& d : s.data) s.views.emplace_back(d);
      }
    }
    if (t.callback) {
      for (const backend::TensorInfo& in : t.inputs) t.scratch.emplace_back(in.elements());
      for (std::vector<float>& d : t.scratch) {
        t.scratch_views.emplace_back(d);
        t.scratch_in.emplace_back(d);
      }
    }
    telemetry.tasks[task.id].start_latency.reserve(sched::max_releases(task, opts.duration) +
                                                   (t.submitted ? 1 : 0));
  }
  {
    MutexLock lock(completions_mutex);
    ring.resize(opts.completion_capacity);
    completion_capacity = ring.size();
    for (StoredCompletion& s : ring) {
      s.data.reserve(opts.keep_outputs ? most_output : 0);
      s.sizes.reserve(most_outputs);
    }
  }

  scheduler = std::make_unique<sched::Scheduler>(w, this);
  if (Status st = scheduler->prepare(run); !st.ok()) return st.error();
  return Ok{};
}

Runtime::Runtime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Runtime::~Runtime() {
  if (impl_->dispatcher) {
    impl_->dispatcher->request_stop();
    impl_->dispatcher->join();
  }
  if (impl_->locked) munlockall();
}

Result<std::unique_ptr<Runtime>> Runtime::create(Workload workload, RealtimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(options);
  impl->report.workload = std::move(workload);
  auto verdict = detail::admit_before_run(impl->report.workload, impl->report.notes);
  if (!verdict.ok()) return verdict.error();
  impl->report.verdict = std::move(*verdict);
  if (impl->report.verdict.schedulable) {
    impl->report.admission = AdmissionOutcome::kAdmitted;
  } else if (impl->opts.force) {
    impl->report.admission = AdmissionOutcome::kForced;
  } else {
    impl->report.admission = AdmissionOutcome::kRefused;
    return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
  }
  if (Status st = impl->prepare(); !st.ok()) return st.error();
  return std::unique_ptr<Runtime>(new Runtime(std::move(impl)));
}

Result<std::unique_ptr<Runtime>> Runtime::load(const std::string& path, RealtimeOptions options) {
  auto loaded = workload::load_file(path);
  if (!loaded.ok()) return loaded.error();
  return create(std::move(loaded->workload), std::move(options));
}

const Workload& Runtime::workload() const { return impl_->report.workload; }
const analysis::Verdict& Runtime::verdict() const { return impl_->report.verdict; }
AdmissionOutcome Runtime::admission() const { return impl_->report.admission; }
const std::vector<std::string>& Runtime::notes() const { return impl_->report.notes; }

std::optional<TaskId> Runtime::find_task(std::string_view name) const {
  for (const Task& t : impl_->report.workload.tasks) {
    if (t.name == name) return t.id;
  }
  return std::nullopt;
}

std::span<const backend::TensorInfo> Runtime::inputs(TaskId task) const {
  return task < impl_->io.size() ? std::span<const backend::TensorInfo>(impl_->io[task].inputs)
                                 : std::span<const backend::TensorInfo>();
}

std::span<const backend::TensorInfo> Runtime::outputs(TaskId task) const {
  return task < impl_->io.size() ? std::span<const backend::TensorInfo>(impl_->io[task].outputs)
                                 : std::span<const backend::TensorInfo>();
}

Status Runtime::start() {
  Impl& s = *impl_;
  if (s.report.admission == AdmissionOutcome::kRefused) {
    return make_error(ErrorCode::kInvalidArgument,
                      "workload `" + s.report.workload.name + "` was not admitted (" +
                          s.report.verdict.test + ")",
                      "see verdict(), or create the runtime with force to run it anyway");
  }
  if (s.started) return make_error(ErrorCode::kInvalidArgument, "the runtime was started already");
  s.started = true;
  if (s.opts.lock_memory) {
    // After the models, arenas and slots are loaded and reserved: MCL_CURRENT faults them in and
    // locks them, MCL_FUTURE locks what the run maps later (it should map nothing).
    if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) {
      s.locked = true;
      s.report.notes.push_back("memory locked (mlockall): no page faults on the run's memory");
    } else {
      s.report.notes.push_back(std::string("could not lock memory (mlockall: ") +
                               std::strerror(errno) +
                               "): pages may fault during the run; raise RLIMIT_MEMLOCK or run "
                               "with CAP_IPC_LOCK");
    }
  }
  runtime::DispatcherOptions dopts;
  dopts.core = s.opts.dispatcher_core;
  dopts.rt_priority = s.opts.rt_priority;
  s.report.resources_before = runtime::resource_snapshot();
  s.dispatcher = std::make_unique<runtime::Dispatcher>(*s.scheduler, *s.backend, s.external, dopts);
  if (Status st = s.dispatcher->start(); !st.ok()) {
    s.dispatcher.reset();
    return st.error();
  }
  return Ok{};
}

SubmitResult Runtime::submit(TaskId task, std::span<const std::span<const float>> inputs) {
  Impl& s = *impl_;
  if (task >= s.io.size() || !s.io[task].submitted) return {SubmitStatus::kNotSubmitted, 0};
  Impl::TaskIO& t = s.io[task];
  MutexLock lock(s.inputs_mutex);
  const auto refuse = [&](SubmitStatus why) {
    ++s.refused[task];
    return SubmitResult{why, 0};
  };
  if (!s.dispatcher || s.finished) return refuse(SubmitStatus::kStopped);
  if (inputs.size() != t.inputs.size()) return refuse(SubmitStatus::kBadInput);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].size() != t.inputs[i].elements()) return refuse(SubmitStatus::kBadInput);
  }
  auto free =
      std::find_if(t.slots.begin(), t.slots.end(), [](const InputSlot& x) { return !x.busy; });
  if (free == t.slots.end()) return refuse(SubmitStatus::kFull);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::copy(inputs[i].begin(), inputs[i].end(), free->data[i].begin());
  }
  // Under inputs_mutex: the dispatcher's ring keeps the order of these calls, so the n-th
  // accepted submit of a task is its job n.
  // Refused by the dispatcher: its run is over, or its ring of outside releases is full.
  if (!s.dispatcher->submit(task)) {
    return refuse(s.dispatcher->ended() ? SubmitStatus::kStopped : SubmitStatus::kFull);
  }
  free->busy = true;
  free->job = t.next_job++;
  return {SubmitStatus::kAccepted, free->job};
}

bool Runtime::poll(Completion& out) {
  MutexLock lock(impl_->completions_mutex);
  return impl_->take(out);
}

bool Runtime::wait_completion(Completion& out, Duration timeout) {
  Impl& s = *impl_;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout.count());
  MutexLock lock(s.completions_mutex);
  for (;;) {
    if (s.take(out)) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || !running()) return false;
    // The run's end does not notify: look again at least every 10 ms.
    s.completions_cv.wait_until(lock.native(),
                                std::min(deadline, now + std::chrono::milliseconds(10)));
  }
}

void Runtime::stop() {
  if (impl_->dispatcher) impl_->dispatcher->request_stop();
}

bool Runtime::running() const {
  return impl_->dispatcher != nullptr && !impl_->finished && !impl_->dispatcher->ended();
}

runtime::Dispatcher* Runtime::dispatcher() { return impl_->dispatcher.get(); }

Result<RealtimeReport> Runtime::finish() {
  Impl& s = *impl_;
  if (s.finished) return make_error(ErrorCode::kInvalidArgument, "finish() was called already");
  if (s.report.admission == AdmissionOutcome::kRefused) {
    s.finished = true;
    return std::move(s.report);
  }
  if (!s.dispatcher) {
    return make_error(ErrorCode::kInvalidArgument, "the runtime was never started");
  }
  s.dispatcher->join();
  RealtimeReport& r = s.report;
  const Workload& w = r.workload;
  r.wall = s.dispatcher->clock().now().since_epoch();
  r.resources_after = runtime::resource_snapshot();
  r.stats = s.scheduler->stats();
  r.dispatcher = s.dispatcher->stats();
  if (s.locked) {
    munlockall();
    s.locked = false;
  }
  r.notes.push_back(r.dispatcher.pinning + "; " + r.dispatcher.priority);
  r.trace_meta = detail::trace_meta(
      w, w.device.backend, s.opts.seed, s.opts.duration,
      r.admission == AdmissionOutcome::kAdmitted ? "schedulable" : "not schedulable (forced)",
      r.verdict);
  r.telemetry = std::move(s.telemetry);
  {
    MutexLock lock(s.inputs_mutex);
    for (std::size_t i = 0; i < r.telemetry.tasks.size(); ++i) {
      r.telemetry.tasks[i].submit_refused = s.refused[i];
      if (s.runners != nullptr) r.telemetry.tasks[i].faults = s.runners->faults(TaskId(i));
    }
    s.finished = true;
  }
  {
    MutexLock lock(s.completions_mutex);
    r.telemetry.completions_lost = s.completions_lost;
  }
  s.completions_cv.notify_all();
  return std::move(r);
}

}  // namespace aegisrt::app
