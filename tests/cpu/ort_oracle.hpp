// Runs the ONNX Runtime oracle (tools/ort-oracle/oracle.js) from the cpu backend's tests: writes
// the input as .npy, runs ORT's CPU engine on it and reads back every output, so the expected
// values come from ONNX Runtime, never from AegisRT's own code.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "cpu/npy.hpp"

namespace aegisrt::testing {

// Empty when the oracle can run here; otherwise why not (for GTEST_SKIP).
inline std::string oracle_unavailable() {
  const std::string module =
      std::string(AEGISRT_SOURCE_DIR) + "/tools/ort-oracle/node_modules/onnxruntime-node";
  if (!std::filesystem::exists(module)) return "onnxruntime-node not installed: run scripts/setup";
  if (std::system("node --version > /dev/null 2>&1") != 0) return "node not found";
  return {};
}

// A fresh scratch folder for one comparison.
inline std::filesystem::path scratch_dir() {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("aegisrt_cpu_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

// The file name oracle.js gives an output.
inline std::string sanitised(std::string name) {
  for (char& c : name) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    if (!keep) c = '_';
  }
  return name;
}

// Runs `model` on ORT with one input; returns the outputs named in `outputs`, in that order, or
// nullopt when ORT failed.
inline std::optional<std::vector<NpyArray>> run_oracle(
    const std::string& model, const std::string& input_name, const std::vector<std::int64_t>& shape,
    const std::vector<float>& input, std::span<const backend::TensorInfo> outputs) {
  const auto dir = scratch_dir();
  const std::string in = (dir / "input.npy").string();
  write_npy(in, shape, input.data(), input.size());
  const std::string cmd = "node '" + std::string(AEGISRT_SOURCE_DIR) +
                          "/tools/ort-oracle/oracle.js' run '" + model + "' --input '" +
                          input_name + "=" + in + "' --output-dir '" + (dir / "ort").string() +
                          "' > /dev/null 2>&1";
  std::optional<std::vector<NpyArray>> result;
  if (std::system(cmd.c_str()) == 0) {
    std::vector<NpyArray> out;
    for (const auto& o : outputs) {
      auto a = read_npy((dir / "ort" / (sanitised(o.name) + ".npy")).string());
      if (!a) break;
      out.push_back(std::move(*a));
    }
    if (out.size() == outputs.size()) result = std::move(out);
  }
  std::filesystem::remove_all(dir);
  return result;
}

// max |got - want| / max |want| (absolute when the reference is all zeros).
inline double relative_error(std::span<const float> got, const std::vector<float>& want) {
  double diff = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double d = std::fabs(static_cast<double>(got[i]) - want[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
  }
  return diff / (scale > 0.0 ? scale : 1.0);
}

// Elements whose difference exceeds `tolerance` times the output's scale.
inline std::size_t count_outliers(std::span<const float> got, const std::vector<float>& want,
                                  double tolerance) {
  double scale = 0.0;
  for (float w : want) scale = std::max(scale, std::fabs(static_cast<double>(w)));
  if (scale == 0.0) scale = 1.0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!(std::fabs(static_cast<double>(got[i]) - want[i]) <= tolerance * scale)) ++n;
  }
  return n;
}

}  // namespace aegisrt::testing
