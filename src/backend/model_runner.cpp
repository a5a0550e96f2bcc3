#include "aegisrt/backend/model_runner.hpp"

#include <algorithm>
#include <string>

#include "aegisrt/memory/planner.hpp"

namespace aegisrt::backend {

std::size_t TensorInfo::elements() const {
  std::size_t n = 1;
  for (std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::uint64_t MemoryNeeds::preserved_bytes() const {
  std::uint64_t most = 0;
  for (const auto& ranges : live) {
    std::uint64_t sum = 0;
    for (const ByteRange& r : ranges) sum += memory::align_up(r.bytes, alignment);
    most = std::max(most, sum);
  }
  return most;
}

const MemoryNeeds& ModelRunner::memory_needs() const {
  static const MemoryNeeds kEngineOwned{};
  return kEngineOwned;
}

Status ModelRunner::bind_memory(std::span<std::byte> /*region*/) {
  return make_error(ErrorCode::kUnsupported,
                    "the " + info().backend + " backend's engine (" + info().engine +
                        ") owns its activation memory; it cannot run in a caller's region");
}

void ModelRunner::enqueue(std::size_t k) {
  AEGISRT_ASSERT(!in_flight_);
  pending_ = run_segment(k);
  in_flight_ = true;
}

RunFailure ModelRunner::wait() {
  AEGISRT_ASSERT(in_flight_);
  in_flight_ = false;
  return pending_;
}

Status ModelRunner::check_input(std::size_t index, std::span<const float> data) const {
  const auto in = inputs();
  if (index >= in.size()) {
    return make_error(ErrorCode::kInvalidArgument, "input index " + std::to_string(index) +
                                                       " out of range (the model has " +
                                                       std::to_string(in.size()) + ")");
  }
  if (data.size() != in[index].elements()) {
    return make_error(ErrorCode::kInvalidArgument, "input `" + in[index].name + "` takes " +
                                                       std::to_string(in[index].elements()) +
                                                       " floats, got " +
                                                       std::to_string(data.size()));
  }
  return Ok{};
}

}  // namespace aegisrt::backend
