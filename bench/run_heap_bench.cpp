// The run heap (docs/design/0009) against glibc malloc, in one process, on the calling thread:
//   - the pattern oneDNN makes inside every dnnl_primitive_execute (a small unordered_map of the
//     arguments, built and destroyed), with the thread's pool serving it or not;
//   - whole cpu-backend inferences of the small models, where that pattern is the only allocation,
//     with the pool and without it (the thread detached), as two benchmarks run in turns.
//   build/bench/run_heap_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
// Models come from scripts/fetch-models (AEGISRT_MODEL_CACHE to look elsewhere).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "aegisrt/cpu/cpu_backend.hpp"
#include "aegisrt/memory/run_heap.hpp"

namespace {

using aegisrt::memory::attach_run_heap;
using aegisrt::memory::detach_run_heap;
using aegisrt::memory::RunHeapScope;

// Serves (or not) this thread's operator new from its pool for the benchmark's lifetime.
bool use_pool(benchmark::State& state, bool pool) {
  if (!pool) {
    detach_run_heap();
    return true;
  }
  if (auto st = attach_run_heap(); !st.ok()) {
    state.SkipWithError(st.error().to_string().c_str());
    return false;
  }
  return true;
}

// Six arguments, as a convolution with bias, post-op operand and scratchpad passes them.
void BM_ArgumentMap(benchmark::State& state, bool pool) {
  if (!use_pool(state, pool)) return;
  const RunHeapScope scope;
  std::uintptr_t value = 0;
  for (auto _ : state) {
    std::unordered_map<int, std::uintptr_t> args;
    for (int a = 0; a < 6; ++a) args.emplace(a * 17 + 1, ++value);
    benchmark::DoNotOptimize(args);
  }
}
BENCHMARK_CAPTURE(BM_ArgumentMap, malloc, false);
BENCHMARK_CAPTURE(BM_ArgumentMap, run_heap, true);

std::string model_path(const char* file) {
  const char* env = std::getenv("AEGISRT_MODEL_CACHE");
  const std::filesystem::path dir =
      env != nullptr && *env != '\0'
          ? std::filesystem::path(env)
          : std::filesystem::path(__FILE__).parent_path().parent_path() / "models";
  return (dir / file).string();
}

// One inference per iteration, every segment in turn; one compute thread, not pinned.
void BM_Inference(benchmark::State& state, const char* file, std::vector<std::int64_t> shape,
                  bool pool) {
  const std::string path = model_path(file);
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("model not cached: run scripts/fetch-models");
    return;
  }
  aegisrt::model::ImportOptions import;
  if (!shape.empty()) import.input_shapes.push_back({"", shape});
  aegisrt::cpu::Options options;
  options.pin = false;
  auto runner = aegisrt::cpu::load_file(path, import, {.min_flops = 0, .max_segments = 8}, options);
  if (!runner) {
    state.SkipWithError(runner.error().to_string().c_str());
    return;
  }
  if (!use_pool(state, pool)) return;
  aegisrt::backend::ModelRunner& r = **runner;
  const aegisrt::memory::RunHeapStats before = aegisrt::memory::run_heap_stats();
  for (auto _ : state) {
    for (std::size_t k = 0; k < r.segment_count(); ++k) {
      // NaN/Inf in a random-free (zero) input is no error here: only the time counts.
      benchmark::DoNotOptimize(r.run_segment(k));
    }
  }
  const aegisrt::memory::RunHeapStats after = aegisrt::memory::run_heap_stats();
  state.counters["pool_blocks_per_run"] = benchmark::Counter(
      static_cast<double>(after.pool_allocations - before.pool_allocations),
      benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(BM_Inference, blazeface_front_malloc, "face_detection_front_128x128_barracuda.onnx",
                  {}, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Inference, blazeface_front_run_heap,
                  "face_detection_front_128x128_barracuda.onnx", {}, true)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Inference, ppocr_cls_malloc, "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                  {1, 3, 48, 192}, false)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Inference, ppocr_cls_run_heap, "ch_ppocr_mobile_v2.0_cls_infer.onnx",
                  {1, 3, 48, 192}, true)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
