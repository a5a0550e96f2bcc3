// cpu::CpuBackend: the scheduler's seam (backend::Backend) over one cpu runner per task.
#include <string>
#include <vector>

#include "aegisrt/core/random.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"

namespace aegisrt::cpu {

CpuBackend::CpuBackend(const model::SegmentOptions& segment_options, const Options& options)
    : segment_options_(segment_options), options_(options) {}

CpuBackend::~CpuBackend() = default;

Status CpuBackend::prepare(const Workload& workload) {
  runners_.clear();
  runners_.resize(workload.tasks.size());
  for (const Task& task : workload.tasks) {
    if (!task.model || task.model->path.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "task '" + task.name + "' has no model; the cpu backend runs real models",
                        "give the task a `model:` with an ONNX path");
    }
    model::ImportOptions import;
    if (!task.model->input_shape.empty()) {
      import.input_shapes.push_back({"", task.model->input_shape});
    }
    auto runner = load_file(task.model->path, import, segment_options_, options_);
    if (!runner) {
      Error e = runner.error();
      e.message = "task '" + task.name + "': " + e.message;
      return e;
    }
    const std::size_t segments = (*runner)->segment_count();
    if (!task.segments.empty() && task.segments.size() != segments) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "task '" + task.name + "' declares " + std::to_string(task.segments.size()) +
              " segments but its model runs as " + std::to_string(segments) + " on the cpu backend",
          "scheduler segment k is runner segment k: derive the task's segments from the model "
          "with the same segment options");
    }
    // A fixed pseudo-random input per task, in [0, 1), seeded by the task id.
    for (std::size_t i = 0; i < (*runner)->inputs().size(); ++i) {
      std::vector<float> data((*runner)->inputs()[i].elements());
      for (std::size_t j = 0; j < data.size(); ++j) {
        data[j] = static_cast<float>(random_unit(task.id, RandomStream::kGenerator, i, j));
      }
      if (auto st = (*runner)->set_input(i, data); !st) return st.error();
    }
    runners_[task.id] = std::move(runner.value());
  }
  return Ok{};
}

Status CpuBackend::prepare_thread() {
  for (const auto& runner : runners_) {
    if (!runner) continue;
    if (Status st = runner->prepare_thread(); !st.ok()) return st;
  }
  return Ok{};
}

backend::SegmentStatus CpuBackend::run_segment(const backend::JobRef& job, std::uint32_t segment) {
  if (job.task == nullptr || job.task->id >= runners_.size() || !runners_[job.task->id]) {
    return backend::SegmentStatus::kFailed;
  }
  const backend::RunFailure r = runners_[job.task->id]->run_segment(segment);
  return r == backend::RunFailure::kNone ? backend::SegmentStatus::kOk
                                         : backend::SegmentStatus::kFailed;
}

const backend::ModelRunner* CpuBackend::runner(TaskId id) const {
  return id < runners_.size() ? runners_[id].get() : nullptr;
}

}  // namespace aegisrt::cpu
