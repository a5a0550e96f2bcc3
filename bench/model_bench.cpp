// Import + fold + segment + plan time per model in MODELS.md (scripts/fetch-models first), and the
// planner alone on the imported lifetimes.
//   build/bench/model_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "aegisrt/memory/planner.hpp"
#include "aegisrt/model/import.hpp"
#include "aegisrt/model/segment.hpp"

namespace {

struct BenchModel {
  const char* file;
  aegisrt::model::Shape input_shape;  // empty: the file's
};

const std::vector<BenchModel>& bench_models() {
  static const std::vector<BenchModel> kModels = {
      {"face_detection_front_128x128_barracuda.onnx", {}},
      {"face_detection_back_256x256_barracuda.onnx", {}},
      {"mlsd_320x320_tiny.onnx", {}},
      {"mlsd_320x320_large.onnx", {}},
      {"mlsd_512x512_tiny.onnx", {}},
      {"mlsd_512x512_large.onnx", {}},
      {"ch_ppocr_mobile_v2.0_cls_infer.onnx", {1, 3, 48, 192}},
      {"ch_PP-OCRv4_det_infer.onnx", {1, 3, 640, 640}},
      {"ch_PP-OCRv4_rec_infer.onnx", {1, 3, 48, 320}},
  };
  return kModels;
}

std::string cache_dir() {
  const char* env = std::getenv("AEGISRT_MODEL_CACHE");
  if (env != nullptr && *env != '\0') return env;
  // <repo>/bench/model_bench.cpp -> <repo>/models (scripts/fetch-models' default).
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "models").string();
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(data.size());
  std::memcpy(out.data(), data.data(), data.size());
  return out;
}

// From bytes in memory: protobuf parse, sort, infer and fold, weights, segments, plan.
void BM_ImportFoldPlan(benchmark::State& state, const BenchModel& m) {
  const std::string path = cache_dir() + "/" + m.file;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("model not cached: run scripts/fetch-models");
    return;
  }
  const auto bytes = read_file(path);
  aegisrt::model::ImportOptions options;
  options.model_name = m.file;
  if (!m.input_shape.empty()) options.input_shapes.push_back({"", m.input_shape});
  for (auto _ : state) {
    auto g = aegisrt::model::import_bytes(bytes, options);
    if (!g) {
      state.SkipWithError(g.error().to_string().c_str());
      return;
    }
    const auto segments = aegisrt::model::make_segments(*g);
    auto plan = aegisrt::memory::plan_model(*g, segments);
    benchmark::DoNotOptimize(plan.arena.arena_bytes);
  }
  state.SetLabel(std::to_string(bytes.size()) + " bytes");
}

// The greedy-by-size planner alone on the model's buffer lifetimes.
void BM_PlanGreedyBySize(benchmark::State& state, const BenchModel& m) {
  const std::string path = cache_dir() + "/" + m.file;
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("model not cached: run scripts/fetch-models");
    return;
  }
  aegisrt::model::ImportOptions options;
  if (!m.input_shape.empty()) options.input_shapes.push_back({"", m.input_shape});
  auto g = aegisrt::model::import_file(path, options);
  if (!g) {
    state.SkipWithError(g.error().to_string().c_str());
    return;
  }
  std::vector<aegisrt::memory::Lifetime> lifetimes;
  for (const auto& b : aegisrt::model::buffer_lifetimes(*g))
    lifetimes.push_back({b.bytes, b.first, b.last});
  for (auto _ : state) {
    auto plan = aegisrt::memory::plan_greedy_by_size(lifetimes);
    benchmark::DoNotOptimize(plan.arena_bytes);
  }
  state.SetLabel(std::to_string(lifetimes.size()) + " tensors");
}

const bool kRegistered = [] {
  for (const BenchModel& m : bench_models()) {
    const std::string stem = std::filesystem::path(m.file).stem().string();
    benchmark::RegisterBenchmark(("BM_ImportFoldPlan/" + stem).c_str(), BM_ImportFoldPlan, m)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_PlanGreedyBySize/" + stem).c_str(), BM_PlanGreedyBySize, m)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
