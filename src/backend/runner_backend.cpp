#include "aegisrt/backend/runner_backend.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "aegisrt/backend/npy.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "aegisrt/memory/workload_memory.hpp"

namespace aegisrt::backend {

struct RunnerBackend::TaskState {
  std::unique_ptr<ModelRunner> runner;
  std::vector<std::vector<float>> inputs;  // its seeded input, per model input
  std::byte* region = nullptr;             // carved: its region in the arena
  std::byte* slot = nullptr;               // its preserved slot, or nullptr
  std::uint64_t slot_offset = memory::kNoOffset;
  bool shared = false;     // another task's activations use the same bytes
  std::uint32_t next = 0;  // the next segment of its unfinished job; 0: none
  bool saved = false;      // its kept bytes at boundary saved_boundary are in its slot
  std::uint32_t saved_boundary = 0;
  bool lost = false;       // its unfinished job's kept bytes were overwritten
  bool own_input = false;  // the runner holds the last job's own inputs, not the standing ones
  TaskFaults faults;
};

RunnerBackend::RunnerBackend(std::string name, RunnerFactory factory, RunnerBackendOptions options)
    : name_(std::move(name)), factory_(factory), options_(std::move(options)) {
  AEGISRT_ASSERT(factory_ != nullptr);
}

RunnerBackend::~RunnerBackend() = default;

Status RunnerBackend::prepare(const Workload& workload) {
  tasks_.clear();
  arena_.reset();
  carving_ = Carving{};
  occupant_ = kNobody;
  slot_holders_.clear();
  tasks_.resize(workload.tasks.size());
  carving_.by_task.resize(workload.tasks.size());
  carving_.preemption = memory::preemption_of(workload.scheduler.policy);

  for (const Task& task : workload.tasks) {
    AEGISRT_ASSERT(task.id < tasks_.size());
    if (!task.model || task.model->path.empty()) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "task `" + task.name + "` has no model; the " + name_ + " backend runs real models",
          "give the task `model: {path: FILE.onnx}`");
    }
    LoadRequest request = task_load_request(task, options_.load);
    request.memory = MemoryBinding{};
    if (options_.carve) request.memory.mode = MemoryBinding::Mode::kDeferred;
    auto runner = factory_(request);
    if (!runner) {
      Error e = runner.error();
      e.message = "task `" + task.name + "`: " + e.message;
      return e;
    }
    const std::size_t segments = (*runner)->segment_count();
    if (!task.segments.empty() && task.segments.size() != segments) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "task `" + task.name + "` declares " + std::to_string(task.segments.size()) +
              " segments but its model runs as " + std::to_string(segments) + " on the " + name_ +
              " backend",
          "scheduler segment k is runner segment k: declare no segments, or derive them from the "
          "model with the same segment options");
    }
    TaskState& s = tasks_[task.id];
    const std::span<const TensorInfo> model_inputs = (*runner)->inputs();
    const std::vector<std::string>& files = task.model->inputs;
    if (!files.empty() && files.size() != model_inputs.size()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task `" + task.name + "` names " + std::to_string(files.size()) +
                            " input files but its model has " +
                            std::to_string(model_inputs.size()) + " inputs",
                        "give one .npy file per model input, in input order (aegisrt inspect "
                        "MODEL lists them)");
    }
    SeededUniform random(task_input_seed(options_.seed, task.id));
    for (std::size_t i = 0; i < model_inputs.size(); ++i) {
      const TensorInfo& in = model_inputs[i];
      if (files.empty()) {
        s.inputs.emplace_back(in.elements());
        random.fill(s.inputs.back());
        continue;
      }
      auto array = read_npy(files[i]);
      if (!array) {
        Error e = array.error();
        e.message = "task `" + task.name + "`: " + e.message;
        return e;
      }
      if (array->data.size() != in.elements()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "task `" + task.name + "`: input file " + files[i] + " holds " +
                              std::to_string(array->data.size()) + " values, model input `" +
                              in.name + "` takes " + std::to_string(in.elements()),
                          "write the tensor in the model input's shape (aegisrt inspect MODEL)");
      }
      s.inputs.push_back(std::move(array->data));
    }
    s.runner = std::move(runner.value());
  }

  // Plan the set from what each runner needs, reserve one arena, hand out the regions.
  if (options_.carve) {
    for (const Task& task : workload.tasks) {
      const MemoryNeeds& needs = tasks_[task.id].runner->memory_needs();
      if (needs.arena_bytes == 0) continue;  // the engine owns its memory
      carving_.carved_tasks.push_back(task.id);
      carving_.tasks.push_back({task.name, needs.arena_bytes, needs.preserved_bytes(),
                                memory::preemption_level(task, workload.scheduler.policy)});
    }
  }
  if (!carving_.tasks.empty()) {
    carving_.plan = memory::plan_shared(carving_.tasks, carving_.preemption);
    const memory::SharedPlan& plan = carving_.plan;
    const bool shared = !plan.isolated_layout && carving_.tasks.size() > 1;
    std::vector<std::uint64_t> offsets(carving_.tasks.size(), 0);
    std::uint64_t end = plan.shared_bytes;
    if (plan.isolated_layout) {
      std::uint64_t next = 0;
      for (std::size_t i = 0; i < offsets.size(); ++i) {
        offsets[i] = next;
        next += memory::align_up(carving_.tasks[i].arena_bytes, memory::kDefaultAlignment);
      }
      end = std::max(end, next);
    }
    carving_.arena_bytes = std::max<std::uint64_t>(end, 64);
    memory::ArenaOptions arena_options;
    arena_options.lock = options_.load.lock_memory;
    arena_options.prefault = true;
    auto arena = memory::Arena::create(carving_.arena_bytes, arena_options);
    if (!arena) {
      Error e = arena.error();
      e.message = "the " + name_ + " backend's shared arena (" +
                  std::to_string(carving_.arena_bytes) + " B): " + e.message;
      return e;
    }
    arena_.emplace(std::move(arena.value()));
    for (std::size_t i = 0; i < carving_.tasks.size(); ++i) {
      const TaskId id = carving_.carved_tasks[i];
      TaskState& s = tasks_[id];
      TaskCarving& c = carving_.by_task[id];
      const MemoryNeeds& needs = s.runner->memory_needs();
      c.carved = true;
      c.region_offset = offsets[i];
      c.region_bytes = needs.arena_bytes;
      c.slot_offset = plan.slot_offsets[i];
      c.slot_bytes = c.slot_offset == memory::kNoOffset ? 0 : needs.preserved_bytes();
      c.shares_region = shared;
      auto region = arena_->slice(c.region_offset, c.region_bytes);
      if (!region) return region.error();
      s.region = region->data();
      s.shared = shared;
      if (c.slot_offset != memory::kNoOffset) {
        auto slot = arena_->slice(c.slot_offset, std::max<std::uint64_t>(c.slot_bytes, 1));
        if (!slot) return slot.error();
        s.slot = slot->data();
        s.slot_offset = c.slot_offset;
        const bool known = std::any_of(slot_holders_.begin(), slot_holders_.end(),
                                       [&](const auto& h) { return h.first == c.slot_offset; });
        if (!known) slot_holders_.emplace_back(c.slot_offset, kNobody);
      }
      if (Status st = s.runner->bind_memory(*region); !st) {
        Error e = st.error();
        e.message = "task `" + workload.tasks[id].name + "`: " + e.message;
        return e;
      }
    }
  }

  // Every runner that is not bound yet (kDeferred on an engine that owns its memory is kOwn) is
  // runnable now: set the inputs once (a shared region gets them again at each job's start).
  for (const Task& task : workload.tasks) {
    TaskState& s = tasks_[task.id];
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
      if (Status st = s.runner->set_input(i, s.inputs[i]); !st) return st.error();
    }
  }
  return Ok{};
}

Status RunnerBackend::prepare_thread() {
  for (TaskState& s : tasks_) {
    if (!s.runner) continue;
    // Its warm-up leaves the inputs alone; in a shared region they are copied at each job's start.
    if (Status st = s.runner->prepare_thread(); !st.ok()) return st;
  }
  occupant_ = kNobody;
  return Ok{};
}

// The shared region's unfinished job (of `task`) is about to be overwritten: keep what it needs
// after its last segment in its slot, or mark it lost when it has none.
void RunnerBackend::evict(TaskId task) {
  TaskState& p = tasks_[task];
  occupant_ = kNobody;
  if (p.next == 0) return;  // its job is over
  if (p.slot == nullptr) {
    p.lost = true;
    return;
  }
  for (auto& [offset, holder] : slot_holders_) {
    if (offset != p.slot_offset) continue;
    // Two unfinished jobs of one level at once: the plan's promise is broken; the older one loses.
    if (holder != kNobody && holder != task && tasks_[holder].saved) {
      tasks_[holder].saved = false;
      tasks_[holder].lost = true;
    }
    holder = task;
  }
  const MemoryNeeds& needs = p.runner->memory_needs();
  const std::uint32_t boundary = p.next - 1;
  AEGISRT_ASSERT(boundary < needs.live.size());
  std::uint64_t at = 0;
  for (const ByteRange& r : needs.live[boundary]) {
    std::memcpy(p.slot + at, p.region + r.offset, r.bytes);
    at += memory::align_up(r.bytes, needs.alignment);
  }
  p.saved = true;
  p.saved_boundary = boundary;
}

// Copies the kept bytes of `s`'s job back before its segment `segment`; false when they are gone.
bool RunnerBackend::restore(TaskState& s, std::uint32_t segment) {
  if (!s.saved || s.lost || segment == 0 || s.saved_boundary != segment - 1) return false;
  const MemoryNeeds& needs = s.runner->memory_needs();
  std::uint64_t at = 0;
  for (const ByteRange& r : needs.live[s.saved_boundary]) {
    std::memcpy(s.region + r.offset, s.slot + at, r.bytes);
    at += memory::align_up(r.bytes, needs.alignment);
  }
  s.saved = false;
  return true;
}

SegmentStatus RunnerBackend::run_segment(const JobRef& job, std::uint32_t segment) {
  if (job.task == nullptr || job.task->id >= tasks_.size() || !tasks_[job.task->id].runner) {
    return SegmentStatus::kFailed;
  }
  const TaskId id = job.task->id;
  TaskState& s = tasks_[id];
  // The job's own inputs, if it has any (a submitted frame); else its task's standing input, which
  // a shared region needs copied in again at every job's start.
  std::span<const std::span<const float>> own;
  if (segment == 0 && job_inputs_ != nullptr) own = job_inputs_->inputs_for(job);
  if (s.shared) {
    if (occupant_ != kNobody && occupant_ != id) evict(occupant_);
    if (segment == 0) {
      s.saved = false;
      s.lost = false;
    } else if (occupant_ != id && !restore(s, segment)) {
      s.next = 0;
      ++s.faults.lost;
      s.faults.last = RunFailure::kEngine;
      return SegmentStatus::kFailed;
    }
    occupant_ = id;
  }
  if (segment == 0) {
    const bool standing = own.empty();
    // A runner not in a shared region keeps the standing input between jobs, unless the previous
    // job brought its own.
    if (!standing || s.shared || s.own_input) {
      for (std::size_t i = 0; i < s.inputs.size(); ++i) {
        const std::span<const float> data = standing         ? std::span<const float>(s.inputs[i])
                                            : i < own.size() ? own[i]
                                                             : std::span<const float>();
        if (!s.runner->set_input(i, data).ok()) {
          if (occupant_ == id) occupant_ = kNobody;
          s.next = 0;
          ++s.faults.bad_input;
          s.faults.last = RunFailure::kEngine;
          return SegmentStatus::kFailed;
        }
      }
    }
    s.own_input = !standing;
  }
  s.runner->enqueue(segment);
  const RunFailure failure = s.runner->wait();
  if (failure == RunFailure::kNonFinite) ++s.faults.non_finite;
  if (failure == RunFailure::kEngine) ++s.faults.engine;
  if (failure != RunFailure::kNone) s.faults.last = failure;
  const bool done = failure != RunFailure::kNone || segment + 1 >= s.runner->segment_count();
  s.next = done ? 0 : segment + 1;
  if (done && occupant_ == id) occupant_ = kNobody;
  return failure == RunFailure::kNone ? SegmentStatus::kOk : SegmentStatus::kFailed;
}

const TaskFaults& RunnerBackend::faults(TaskId id) const {
  static const TaskFaults kNone;
  return id < tasks_.size() ? tasks_[id].faults : kNone;
}

const ModelRunner* RunnerBackend::runner(TaskId id) const {
  return id < tasks_.size() ? tasks_[id].runner.get() : nullptr;
}

std::span<const std::byte> RunnerBackend::arena() const {
  if (!arena_) return {};
  return {arena_->data(), arena_->size()};
}

LoadRequest task_load_request(const Task& task, LoadRequest base) {
  AEGISRT_ASSERT(task.model.has_value());
  base.path = task.model->path;
  base.input_shapes.clear();
  if (!task.model->input_shape.empty()) base.input_shapes.push_back({"", task.model->input_shape});
  // The task's own segmentation and thread count (a profile holds only for those).
  if (task.model->max_segments != 0) base.segments.max_segments = task.model->max_segments;
  if (task.model->threads > 1) base.threads = static_cast<int>(task.model->threads);
  return base;
}

Result<std::unique_ptr<RunnerBackend>> make_backend(std::string_view name,
                                                    const RunnerBackendOptions& options) {
  auto entry = runner_backend(name);
  if (!entry) return entry.error();
  return std::make_unique<RunnerBackend>(entry->name, entry->factory, options);
}

}  // namespace aegisrt::backend
