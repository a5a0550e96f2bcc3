// Outputs of `aegisrt infer` on the real models (MODELS.md) against ONNX Runtime's CPU engine (the
// oracle), on random and structured inputs, within the tolerance documented in numerics.hpp.
// Skipped when the models (scripts/fetch-models) or the oracle (scripts/setup) are absent.
#include "support/ort_numerics.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "aegisrt/backend/npy.hpp"
#include "model/model_cache.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt::testing {
namespace {

struct Case {
  const char* model;  // file stem in the model cache
  const char* backend;
  std::vector<std::int64_t> shape;
  InputPattern pattern;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.model << " on " << c.backend << ", " << to_string(c.pattern) << " input";
}

// The documented tolerance (numerics.hpp): a thousandth of each output's largest magnitude; M-LSD's
// `scores` is a peak mask.
Tolerance tolerance_for(const std::string& model) {
  Tolerance t{1e-3, 1e-5};
  if (model.rfind("mlsd_", 0) == 0) t.peak_mask_outputs = {"scores"};
  return t;
}

class OrtNumericsTest : public ::testing::TestWithParam<Case> {};

TEST_P(OrtNumericsTest, OutputsMatchOnnxRuntimeWithinTolerance) {
  const Case& c = GetParam();
  if (const std::string why = engine_unavailable_reason(c.backend); !why.empty())
    GTEST_SKIP() << why;
  const std::string model = cached_model(std::string(c.model) + ".onnx");
  if (model.empty()) GTEST_SKIP() << kFetchHint;
  if (const std::string why = oracle_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string input = (dir.path() / "input.npy").string();
  ASSERT_TRUE(backend::write_npy(input, c.shape, make_input(c.shape, c.pattern)).ok());

  const InferRun sut = run_infer(model, c.backend, input, (dir.path() / "aegisrt").string());

  ASSERT_EQ(sut.exit_code, 0) << sut.stderr_text;
  ASSERT_EQ(sut.input_names.size(), 1u);
  std::string error;
  const std::vector<Tensor> ref =
      run_oracle(model, sut.input_names[0], input, (dir.path() / "ort").string(), error);
  ASSERT_FALSE(ref.empty()) << error;
  ASSERT_EQ(sut.outputs.size(), ref.size());
  for (const Comparison& cmp : compare(sut.outputs, ref, tolerance_for(c.model))) {
    EXPECT_TRUE(cmp.within) << c.model << " on " << c.backend << ", " << to_string(c.pattern)
                            << " input: " << cmp.describe();
    std::printf("  %s %s %s: %s\n", c.model, c.backend, to_string(c.pattern),
                cmp.describe().c_str());
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::string(info.param.model) + "_" + to_string(info.param.pattern);
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

using P = InputPattern;
const std::vector<std::int64_t> kFront{1, 128, 128, 3};
const std::vector<std::int64_t> kBack{1, 256, 256, 3};
const std::vector<std::int64_t> kCls{1, 3, 48, 192};
const std::vector<std::int64_t> kDet{1, 3, 640, 640};
const std::vector<std::int64_t> kRec{1, 3, 48, 320};
const std::vector<std::int64_t> kMlsd320{1, 320, 320, 4};
const std::vector<std::int64_t> kMlsd512{1, 512, 512, 4};

// OpenCV DNN runs the BlazeFace models as shipped, and (after AegisRT's in-memory rewrite) the
// PP-OCR classifier and detector.
INSTANTIATE_TEST_SUITE_P(
    OpenCv, OrtNumericsTest,
    ::testing::Values(
        Case{"face_detection_front_128x128_barracuda", "opencv", kFront, P::kRandom},
        Case{"face_detection_front_128x128_barracuda", "opencv", kFront, P::kRamp},
        Case{"face_detection_front_128x128_barracuda", "opencv", kFront, P::kConstant},
        Case{"face_detection_front_128x128_barracuda", "opencv", kFront, P::kCheckerboard},
        Case{"face_detection_back_256x256_barracuda", "opencv", kBack, P::kRandom},
        Case{"face_detection_back_256x256_barracuda", "opencv", kBack, P::kCheckerboard},
        Case{"ch_ppocr_mobile_v2.0_cls_infer", "opencv", kCls, P::kRandom},
        Case{"ch_ppocr_mobile_v2.0_cls_infer", "opencv", kCls, P::kRamp},
        Case{"ch_PP-OCRv4_det_infer", "opencv", kDet, P::kTextLines}),
    case_name);

// Every model in MODELS.md on the cpu backend. The PP-OCRv4 detector and recogniser are the slow
// ones: two inputs each. On random input the detector's probability map stays below 1e-4
// everywhere (nothing looks like text), which makes its comparison weak; the text-lines input
// drives it to 1 along the bands.
INSTANTIATE_TEST_SUITE_P(
    Cpu, OrtNumericsTest,
    ::testing::Values(Case{"face_detection_front_128x128_barracuda", "cpu", kFront, P::kRandom},
                      Case{"face_detection_front_128x128_barracuda", "cpu", kFront, P::kRamp},
                      Case{"face_detection_front_128x128_barracuda", "cpu", kFront, P::kConstant},
                      Case{"face_detection_front_128x128_barracuda", "cpu", kFront,
                           P::kCheckerboard},
                      Case{"face_detection_back_256x256_barracuda", "cpu", kBack, P::kRandom},
                      Case{"face_detection_back_256x256_barracuda", "cpu", kBack, P::kCheckerboard},
                      Case{"mlsd_320x320_tiny", "cpu", kMlsd320, P::kRandom},
                      Case{"mlsd_320x320_tiny", "cpu", kMlsd320, P::kRamp},
                      Case{"mlsd_320x320_tiny", "cpu", kMlsd320, P::kConstant},
                      Case{"mlsd_320x320_tiny", "cpu", kMlsd320, P::kCheckerboard},
                      Case{"mlsd_320x320_large", "cpu", kMlsd320, P::kRandom},
                      Case{"mlsd_320x320_large", "cpu", kMlsd320, P::kCheckerboard},
                      Case{"mlsd_512x512_tiny", "cpu", kMlsd512, P::kRandom},
                      Case{"mlsd_512x512_tiny", "cpu", kMlsd512, P::kCheckerboard},
                      Case{"mlsd_512x512_large", "cpu", kMlsd512, P::kRandom},
                      Case{"ch_ppocr_mobile_v2.0_cls_infer", "cpu", kCls, P::kRandom},
                      Case{"ch_ppocr_mobile_v2.0_cls_infer", "cpu", kCls, P::kRamp},
                      Case{"ch_ppocr_mobile_v2.0_cls_infer", "cpu", kCls, P::kConstant},
                      Case{"ch_ppocr_mobile_v2.0_cls_infer", "cpu", kCls, P::kCheckerboard},
                      Case{"ch_PP-OCRv4_det_infer", "cpu", kDet, P::kRandom},
                      Case{"ch_PP-OCRv4_det_infer", "cpu", kDet, P::kTextLines},
                      Case{"ch_PP-OCRv4_rec_infer", "cpu", kRec, P::kRandom},
                      Case{"ch_PP-OCRv4_rec_infer", "cpu", kRec, P::kRamp}),
    case_name);

}  // namespace
}  // namespace aegisrt::testing
