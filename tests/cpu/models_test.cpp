// The cpu backend against ONNX Runtime on every model of MODELS.md at a fixed input shape, on a
// random and on a structured input. Tolerance (docs/design/0007): every output within 1e-3 of its
// scale (max |ort|); M-LSD's `scores` keep a value only where it equals its 3x3 max-pool, so a
// float tie can flip a handful of points: there at most 0.1% of the elements may differ more.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "aegisrt/core/random.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"
#include "cpu/ort_oracle.hpp"
#include "model/model_cache.hpp"
#include "support/allocation_counter.hpp"

namespace aegisrt {
namespace {

constexpr double kTolerance = 1e-3;

struct ModelCase {
  const char* file;
  std::vector<std::int64_t> shape;  // empty: the file's static shape
  bool structured;                  // also run the structured input
  float lo, hi;                     // the input range the model expects
};

void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.file; }

std::vector<float> random_input(std::size_t n, std::uint64_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = lo + (hi - lo) * static_cast<float>(random_unit(seed, RandomStream::kGenerator, i));
  }
  return v;
}

// Smooth stripes and blobs in [0, 1]: what an image looks like more than noise does.
std::vector<float> structured_input(std::size_t n, float lo, float hi) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(i);
    const double u = 0.5 + 0.5 * std::sin(x * 0.013) * std::cos(x * 0.0007);
    v[i] = lo + (hi - lo) * static_cast<float>(u);
  }
  return v;
}

class CpuModelTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(CpuModelTest, OutputsMatchOnnxRuntime) {
  const ModelCase& c = GetParam();
  const std::string path = testing::cached_model(c.file);
  if (path.empty()) GTEST_SKIP() << testing::kFetchHint;
  if (const auto why = testing::oracle_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  model::ImportOptions import;
  if (!c.shape.empty()) import.input_shapes.push_back({"", c.shape});
  cpu::Options options;
  options.pin = false;
  auto sut = cpu::load_file(path, import, {.min_flops = 0, .max_segments = 8}, options);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  backend::ModelRunner& runner = **sut;
  const std::size_t n = runner.inputs()[0].elements();

  // M-LSD's `scores` is a peak mask gated by an exact float comparison: a few near-ties may flip
  // (support/ort_numerics.hpp), at most one element in a thousand here.
  testing::Tolerance tolerance{.rtol = kTolerance, .atol = 1e-6};
  if (std::string(c.file).rfind("mlsd", 0) == 0) {
    tolerance.peak_mask_outputs = {"scores"};
    tolerance.max_flip_fraction = 1e-3;
  }
  std::vector<std::vector<float>> inputs{random_input(n, 7, c.lo, c.hi)};
  if (c.structured) inputs.push_back(structured_input(n, c.lo, c.hi));
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    SCOPED_TRACE(k == 0 ? "random input" : "structured input");
    testing::expect_runner_matches_ort(runner, path, inputs[k], tolerance);
  }

  // A run allocates nothing: oneDNN's per-call blocks come from the run heap (docs/design/0009),
  // unless the runner says which of its steps call malloc themselves (oneDNN's GEMM, on a CPU
  // without AVX-512): a runner that says none and allocates fails here.
  EXPECT_TRUE(runner.info().run_heap);
  std::uint64_t allocations = 0;
  {
    const testing::AllocationCounter counter;
    for (std::size_t k = 0; k < runner.segment_count(); ++k) (void)runner.run_segment(k);
    allocations = counter.count();
  }
  if (runner.info().allocating_steps.empty()) {
    EXPECT_EQ(allocations, 0u) << "heap allocations during one inference";
  } else {
    std::cout << "[ NOTE     ] " << runner.info().allocating_steps.size()
              << " steps call malloc on this CPU, e.g. " << runner.info().allocating_steps[0]
              << "; " << allocations << " allocations in one inference\n";
  }
}

// Inputs span what each model expects: BlazeFace and PP-OCR take normalised images in [-1, 1],
// M-LSD raw 0..255 pixels (it normalises inside). The big ones run on the random input only.
INSTANTIATE_TEST_SUITE_P(
    Models, CpuModelTest,
    ::testing::Values(
        ModelCase{"face_detection_front_128x128_barracuda.onnx", {}, true, -1.0f, 1.0f},
        ModelCase{"face_detection_back_256x256_barracuda.onnx", {}, true, -1.0f, 1.0f},
        ModelCase{"mlsd_320x320_tiny.onnx", {}, true, 0.0f, 255.0f},
        ModelCase{"mlsd_320x320_large.onnx", {}, false, 0.0f, 255.0f},
        ModelCase{"mlsd_512x512_tiny.onnx", {}, false, 0.0f, 255.0f},
        ModelCase{"mlsd_512x512_large.onnx", {}, false, 0.0f, 255.0f},
        ModelCase{"ch_ppocr_mobile_v2.0_cls_infer.onnx", {1, 3, 48, 192}, true, -1.0f, 1.0f},
        ModelCase{"ch_PP-OCRv4_det_infer.onnx", {1, 3, 640, 640}, false, -1.0f, 1.0f},
        ModelCase{"ch_PP-OCRv4_rec_infer.onnx", {1, 3, 48, 320}, true, -1.0f, 1.0f}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      n = n.substr(0, n.find(".onnx"));
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

}  // namespace
}  // namespace aegisrt
