#include "aegisrt/backend/timed_inference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "aegisrt/memory/run_heap.hpp"
#include "aegisrt/model/graph.hpp"

namespace aegisrt::backend {

Result<InferenceReport> run_timed_inference(const InferenceRequest& request, Clock& clock) {
  if (request.repeat == 0) {
    return make_error(ErrorCode::kInvalidArgument, "repeat must be at least 1");
  }
  LoadRequest load = request.load;
  load.memory = MemoryBinding{};
  if (load.input_shapes.empty() && !request.inputs.empty()) {
    load.input_shapes.push_back({"", request.inputs.front().array.shape});
  }

  const TimePoint load_start = clock.now();
  auto loaded = load_runner(request.backend, load);
  const Duration load_time = clock.now() - load_start;
  if (!loaded) return loaded.error();
  ModelRunner& runner = **loaded;

  InferenceReport report;
  report.info = runner.info();
  report.load_time = load_time;
  report.inputs.assign(runner.inputs().begin(), runner.inputs().end());
  report.outputs.assign(runner.outputs().begin(), runner.outputs().end());
  report.repeat = request.repeat;

  const auto& inputs = report.inputs;
  if (!request.inputs.empty() && request.inputs.size() != inputs.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("the model has {} inputs, {} input tensors were given",
                                  inputs.size(), request.inputs.size()));
  }
  SeededUniform random(request.seed);
  std::vector<float> buffer;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!request.inputs.empty()) {
      const InputTensor& given = request.inputs[i];
      if (given.array.shape != inputs[i].shape) {
        return make_error(ErrorCode::kInvalidArgument,
                          fmt::format("{}: shape {}, but input `{}` takes {}", given.source,
                                      model::to_string(given.array.shape), inputs[i].name,
                                      model::to_string(inputs[i].shape)));
      }
      buffer = given.array.data;
      report.input_sources.push_back(given.source);
    } else {
      buffer.assign(inputs[i].elements(), 0.0f);
      random.fill(buffer);
      report.input_sources.push_back(fmt::format("seed {}", request.seed));
    }
    if (Status st = runner.set_input(i, buffer); !st) return st.error();
  }

  // Timed inferences: each segment on its own clock reading, the whole inference end to end.
  const std::size_t segments = runner.segment_count();
  std::vector<Duration> totals;
  std::vector<std::vector<Duration>> per_segment(segments);
  totals.reserve(request.repeat);
  for (auto& v : per_segment) v.reserve(request.repeat);
  const memory::RunHeapStats heap_before = memory::run_heap_stats();
  for (std::uint32_t r = 0; r < request.repeat; ++r) {
    const TimePoint start = clock.now();
    TimePoint before = start;
    for (std::size_t k = 0; k < segments; ++k) {
      runner.enqueue(k);
      const RunFailure failure = runner.wait();
      const TimePoint after = clock.now();
      if (failure != RunFailure::kNone) {
        return make_error(
            ErrorCode::kInternal,
            fmt::format("inference {}: segment {} (`{}`) failed: {}", r, k,
                        report.info.segment_names[k],
                        failure == RunFailure::kNonFinite ? "an output holds NaN or Inf"
                                                          : "the engine reported an error"));
      }
      per_segment[k].push_back(after - before);
      before = after;
    }
    totals.push_back(before - start);
  }
  const memory::RunHeapStats heap_after = memory::run_heap_stats();
  report.pool_allocations = heap_after.pool_allocations - heap_before.pool_allocations;
  report.heap_fallbacks = heap_after.fallbacks - heap_before.fallbacks;

  for (std::size_t i = 0; i < report.outputs.size(); ++i) {
    const auto data = runner.output(i);
    report.output_values.emplace_back(data.begin(), data.end());
  }
  report.latency = summarize(totals);
  for (const auto& v : per_segment) report.segments.push_back(summarize(v));
  return report;
}

}  // namespace aegisrt::backend
