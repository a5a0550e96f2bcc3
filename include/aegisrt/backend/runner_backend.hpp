// backend::RunnerBackend: the one adapter between the scheduler's Backend and any ModelRunner
// (cpu, opencv, cuda later): one runner per task, a seeded input per task, and, where the engine
// can run in a caller's memory, every task's activations carved from one arena planned for the
// workload (docs/design/0007, "The adapter" and "Carving").
//
// prepare() loads every task's model through the backend's factory, reads what each runner needs
// (ModelRunner::memory_needs), plans the set with memory::plan_shared for the workload's policy
// (non-preemptive: one region that every task's activations reuse; limited-preemptive: that region
// plus the preserved slots, or isolated arenas where those would cost more), reserves that one
// arena, and binds each runner to its region. At run time, when a job starts in a region another
// task may have used, its input is copied in again; when a job is preempted at a boundary (another
// task runs a segment in the shared region while the job is unfinished), the bytes it keeps across
// that boundary (memory_needs().live) are copied into its slot and copied back when it resumes.
// Those copies are memcpy on the dispatcher thread, inside the measured segment; nothing
// allocates after prepare().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/backend/registry.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/core/task.hpp"
#include "aegisrt/memory/arena.hpp"
#include "aegisrt/memory/planner.hpp"

namespace aegisrt::backend {

struct RunnerBackendOptions {
  // How every task's model is loaded: segments, threads, pinning, NaN checks, mlock. The path and
  // input shape come from each task (Task::model), and so do its segments and threads when the
  // task gives them (model.segments, model.threads); `memory` is set by the adapter.
  LoadRequest load;
  // Task i's standing input is its model.inputs files when it names them (checked against the
  // model's inputs at prepare), else SeededUniform(task_input_seed(seed, i)) over its inputs in
  // order (seeded_input.hpp): what `aegisrt infer --seed (seed + i)` feeds the same model.
  std::uint32_t seed = 1;
  // Carve every task's activations from one planned arena where the engine allows it (false:
  // each runner reserves its own, as `aegisrt infer` does).
  bool carve = true;
};

// Where a job's inputs come from when they are not its task's standing input (the embedding API:
// a submitted frame, or an application's callback).
class JobInputs {
 public:
  virtual ~JobInputs() = default;
  // The inputs of `job`, one span per model input with inputs()[i].elements() floats each, or an
  // empty span for the task's standing input. Called on the dispatcher thread at the job's first
  // segment, inside the measured segment: it must be short and must not block, allocate or throw.
  // The spans stay valid until the job's first segment returns.
  virtual std::span<const std::span<const float>> inputs_for(const JobRef& job) = 0;
};

// What went wrong in one task's jobs so far: its execution context's error state. A failure
// drops only that job (the scheduler's kBackendFailure); the next job starts clean.
struct TaskFaults {
  std::uint64_t non_finite = 0;  // a segment's outputs held NaN or Inf
  std::uint64_t engine = 0;      // the engine failed, or a segment ran out of order
  std::uint64_t bad_input = 0;   // JobInputs gave inputs of the wrong size
  std::uint64_t lost = 0;        // a preempted job's kept bytes were overwritten
  RunFailure last = RunFailure::kNone;
  std::uint64_t total() const { return non_finite + engine + bad_input + lost; }
};

// Where prepare() put one task.
struct TaskCarving {
  bool carved = false;              // false: the engine owns its memory, or carving is off
  std::uint64_t region_offset = 0;  // its region in the arena
  std::uint64_t region_bytes = 0;   // memory_needs().arena_bytes
  std::uint64_t slot_offset = memory::kNoOffset;  // its preserved slot, kNoOffset: none
  std::uint64_t slot_bytes = 0;                   // memory_needs().preserved_bytes()
  bool shares_region = false;                     // another task's activations use the same bytes
};

// The plan prepare() carved. `tasks` and `plan` are exactly the input and output of
// memory::plan_shared: one SharedTask per carved task (in task order), its arena_bytes and
// preserved_bytes from the runner's memory_needs(), its level from memory::preemption_level.
struct Carving {
  memory::Preemption preemption = memory::Preemption::kNone;
  std::vector<TaskId> carved_tasks;  // tasks[i] is task carved_tasks[i]
  std::vector<memory::SharedTask> tasks;
  memory::SharedPlan plan;
  std::uint64_t arena_bytes = 0;     // reserved (plan.shared_bytes, at least 64)
  std::vector<TaskCarving> by_task;  // indexed by task id
};

class RunnerBackend final : public Backend {
 public:
  // `name` is the backend's registry name (for messages); `factory` loads each task's model.
  RunnerBackend(std::string name, RunnerFactory factory, RunnerBackendOptions options = {});
  ~RunnerBackend() override;
  RunnerBackend(const RunnerBackend&) = delete;
  RunnerBackend& operator=(const RunnerBackend&) = delete;

  const char* name() const override { return name_.c_str(); }
  // Loads every task's model, sets its seeded input, plans and carves. Errors: kInvalidArgument
  // for a task without a model or whose declared segments are not the runner's count (scheduler
  // segment k is runner segment k), kResourceExhausted when the arena cannot be reserved, and the
  // factory's errors, each prefixed with the task's name; an input file that is not a float32
  // .npy of the model input's element count (kInvalidArgument, naming file and input). Calling it
  // again starts over.
  Status prepare(const Workload& workload) override;
  // Per-job inputs (nullptr: every job runs on its task's standing input). Set before the run;
  // `source` outlives it.
  void set_job_inputs(JobInputs* source) { job_inputs_ = source; }
  // Readies every runner for the calling thread (ModelRunner::prepare_thread). Before the first
  // job: it runs warm-up inferences in the shared region.
  Status prepare_thread() override;
  // Runs runner segment `segment` of the job's task (enqueue, then wait), with the copies the
  // carving needs. kFailed on NaN/Inf or an engine error, on a segment out of order, and for a job
  // whose kept bytes were lost (preempted although the plan gave it no slot: the plan and the
  // scheduler disagree). No allocation.
  SegmentStatus run_segment(const JobRef& job, std::uint32_t segment) override;

  // After prepare(): the runner of task `id`, or nullptr; the carving; the reserved arena (empty
  // when nothing was carved).
  const ModelRunner* runner(TaskId id) const;
  const Carving& carving() const { return carving_; }
  // The error state of task `id`'s execution context (after the run, or on the dispatcher thread).
  const TaskFaults& faults(TaskId id) const;
  std::span<const std::byte> arena() const;

 private:
  struct TaskState;
  void evict(TaskId task);
  bool restore(TaskState& s, std::uint32_t segment);

  std::string name_;
  RunnerFactory factory_;
  RunnerBackendOptions options_;
  std::vector<TaskState> tasks_;  // by task id
  JobInputs* job_inputs_ = nullptr;
  std::optional<memory::Arena> arena_;
  Carving carving_;
  // The task whose unfinished job the shared region holds, or kNobody.
  static constexpr TaskId kNobody = UINT32_MAX;
  TaskId occupant_ = kNobody;
  // Which task's kept bytes each preserved slot holds now (kNobody: free), by slot offset.
  std::vector<std::pair<std::uint64_t, TaskId>> slot_holders_;
};

// How task `task` (which has a model) is loaded, from the options every task shares: its model's
// path and input shape, and its own segmentation and thread count where it gives them
// (model.segments, model.threads). What the adapter loads, and what `aegisrt profile` measures.
LoadRequest task_load_request(const Task& task, LoadRequest base);

// The scheduler's backend for registry backend `name` (a RunnerBackend over its factory).
// Errors: those of runner_backend(name): an unknown name (with the nearest one), `sim` (make
// sim::SimBackend with the run's VirtualClock instead), or a backend not compiled in.
Result<std::unique_ptr<RunnerBackend>> make_backend(std::string_view name,
                                                    const RunnerBackendOptions& options = {});

}  // namespace aegisrt::backend
