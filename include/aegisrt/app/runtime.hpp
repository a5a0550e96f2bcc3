// The embedding API (docs/API.md): an application loads a workload, admits it, starts it, feeds
// its event-driven tasks frames, and receives every job's result, in the same process.
//
//   auto rt = aegisrt::app::Runtime::load("perception.yaml", options);   // admit + load models
//   if (!rt) ...                                      // a bad file, a model that does not load
//   if (!(*rt)->admitted()) ...                       // (*rt)->verdict() says why
//   (*rt)->start();
//   (*rt)->submit(face, {frame});                     // a camera frame arrived: a job is released
//   aegisrt::app::Completion c;
//   while ((*rt)->wait_completion(c, Duration::ms(100))) use(c.outputs);
//   auto report = (*rt)->finish();                    // stop, drain, statistics
//
// It is what `aegisrt run` runs (app::run_realtime is create + start + finish). One dispatcher
// thread runs the scheduler state machine on the steady clock (runtime/dispatcher.hpp); the
// application's threads submit and poll. Tasks named in RealtimeOptions::submitted release jobs
// only through submit(); every other task releases itself on its calendar, with its standing
// input (its model.inputs files, or seeded values) or with what an input callback writes.
//
// Threads: create/load, start, finish and the accessors on one controlling thread; submit, poll,
// wait_completion and stop from any thread, concurrently. Callbacks (on_outcome, input
// callbacks) run on the dispatcher thread inside the run: short, no blocking, no throwing.
// Nothing the runtime does on the dispatcher thread allocates after start() (input slots and
// completion slots are reserved when the runtime is created).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/app/run.hpp"
#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/runtime/outcomes.hpp"

namespace aegisrt::app {

// What submit() did with a frame.
enum class SubmitStatus : std::uint8_t {
  kAccepted,      // handed to the scheduler: the job's outcome will come (completed or dropped)
  kNotSubmitted,  // the task is not one of RealtimeOptions::submitted (it releases itself)
  kBadInput,      // not one span per model input with its element count
  kFull,          // every input slot of the task holds an unfinished job, or the dispatcher
                  // has not yet taken the frames submitted before (counted)
  kStopped,       // not started, or stopped
};
const char* to_string(SubmitStatus s);

struct SubmitResult {
  SubmitStatus status = SubmitStatus::kStopped;
  std::uint64_t job = 0;  // kAccepted: the job's sequence number within its task
};

// One job's result, as poll() and wait_completion() hand it over.
struct Completion {
  runtime::JobOutcome outcome;  // its `outputs` span is empty here: the copies are below
  // A completed job of a model task: its outputs, one vector per model output (in the order of
  // Runtime::outputs()), when RealtimeOptions::keep_outputs. Empty otherwise.
  std::vector<std::vector<float>> outputs;
};

class Runtime {
 public:
  // Admits `workload` as `aegisrt admit` does (its profiles, the planner's memory), then, unless
  // it is refused and not forced, loads every model, reserves the arena, the input slots and the
  // completion queue, and prepares the scheduler. A refused set is a Runtime too (admitted()
  // false, start() refuses), so that its verdict can be read. Errors: those of admission, of the
  // backend's prepare (a model that does not load, an input file of the wrong size), a name in
  // `submitted` or `input_callbacks` that is no task, a submitted task that is periodic.
  static Result<std::unique_ptr<Runtime>> create(Workload workload, RealtimeOptions options);
  // workload::load(path), then create(). Errors: those of the workload file, then create's.
  static Result<std::unique_ptr<Runtime>> load(const std::string& path, RealtimeOptions options);
  ~Runtime();  // stops and joins a running dispatcher
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Workload& workload() const;  // as admitted (segments from the profiles)
  const analysis::Verdict& verdict() const;
  AdmissionOutcome admission() const;
  bool admitted() const { return admission() == AdmissionOutcome::kAdmitted; }
  const std::vector<std::string>& notes() const;
  std::optional<TaskId> find_task(std::string_view name) const;
  // A model task's inputs and outputs (empty for a `sim` task).
  std::span<const backend::TensorInfo> inputs(TaskId task) const;
  std::span<const backend::TensorInfo> outputs(TaskId task) const;

  // Starts the dispatcher: the run's time 0. Errors: kInvalidArgument for a refused set (not
  // forced) or a second start, and those of the backend's per-thread preparation.
  Status start();
  // A frame for submitted task `task` arrived now: a job is released with a copy of `inputs` (one
  // span per model input; none for a `sim` task), subject to the task's minimum inter-arrival
  // time (too early: dropped with too_early) and queue policy. Any thread; it copies the inputs
  // into one of the task's reserved slots (queue capacity + 2) and does not allocate.
  SubmitResult submit(TaskId task, std::span<const std::span<const float>> inputs);
  SubmitResult submit(TaskId task, std::initializer_list<std::span<const float>> inputs) {
    return submit(task, std::span<const std::span<const float>>(inputs.begin(), inputs.size()));
  }
  // The oldest result not yet taken, if any (RealtimeOptions::completion_capacity > 0). Any
  // thread; `out`'s vectors are reused (they allocate only when they grow).
  bool poll(Completion& out);
  // As poll(), waiting up to `timeout` for a result; false when none came or the run is over and
  // the queue is empty.
  bool wait_completion(Completion& out, Duration timeout);
  // Ends the run at the next step (the running segment finishes). Any thread, idempotent.
  void stop();
  // True while the dispatcher runs (started, neither the duration's end nor stop() reached).
  bool running() const;
  // Waits for the run to end (the duration and the drain, or stop()), then returns the report
  // (statistics, the dispatcher's measurements, the trace when kept, resources) and the
  // telemetry. Once; errors: kInvalidArgument when never started or called twice.
  Result<RealtimeReport> finish();
  // The dispatcher, while started (for its clock, or request_stop from a signal watcher).
  runtime::Dispatcher* dispatcher();

  struct Impl;

 private:
  explicit Runtime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace aegisrt::app
