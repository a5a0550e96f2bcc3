// Every folded shape of every model in MODELS.md equals the shape ONNX Runtime computes.
// Expected values: tests/model/data/ort_shapes/*.json, written by
// tools/ort-oracle/gen-expected-shapes from onnxruntime-node 1.30.0 (every node output exposed as a
// graph output).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "aegisrt/model/import.hpp"
#include "model/model_cache.hpp"

namespace aegisrt::model {
namespace {

nlohmann::json load_expected(const std::string& stem) {
  std::ifstream in(std::string(AEGISRT_SOURCE_DIR) + "/tests/model/data/ort_shapes/" + stem +
                   ".json");
  EXPECT_TRUE(in.good()) << "missing expected shapes for " << stem;
  return nlohmann::json::parse(in);
}

class OrtShapesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(OrtShapesTest, EveryFoldedShapeEqualsOnnxRuntimes) {
  const std::string stem = GetParam();
  const std::string path = aegisrt::testing::cached_model(stem + ".onnx");
  if (path.empty()) GTEST_SKIP() << aegisrt::testing::kFetchHint;
  const nlohmann::json expected = load_expected(stem);
  ImportOptions options;
  for (const auto& in : expected["inputs"]) {
    options.input_shapes.push_back({in["name"].get<std::string>(), in["shape"].get<Shape>()});
  }

  auto sut = import_file(path, options);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const auto& values = expected["values"];
  std::size_t compared = 0;
  for (const Node& node : sut->nodes) {
    for (const ValueId id : node.outputs) {
      const Value& v = sut->value(id);
      ASSERT_TRUE(values.contains(v.name)) << "ORT has no value '" << v.name << "'";
      EXPECT_EQ(v.shape, values[v.name]["shape"].get<Shape>())
          << v.name << " (" << node.name << ")";
      EXPECT_EQ(std::string(to_string(v.dtype)), values[v.name]["dtype"].get<std::string>())
          << v.name;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0u);
  std::vector<std::string> outputs;
  for (const ValueId id : sut->outputs) outputs.push_back(sut->value(id).name);
  EXPECT_EQ(outputs, expected["outputs"].get<std::vector<std::string>>());
  for (const ValueId id : sut->outputs) {
    const Value& v = sut->value(id);
    EXPECT_EQ(v.shape, values[v.name]["shape"].get<Shape>()) << "output " << v.name;
  }
}

INSTANTIATE_TEST_SUITE_P(ModelsMd, OrtShapesTest,
                         ::testing::Values("face_detection_front_128x128_barracuda",
                                           "face_detection_back_256x256_barracuda",
                                           "mlsd_320x320_tiny", "mlsd_320x320_large",
                                           "mlsd_512x512_tiny", "mlsd_512x512_large",
                                           "ch_ppocr_mobile_v2.0_cls_infer",
                                           "ch_PP-OCRv4_det_infer", "ch_PP-OCRv4_rec_infer"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           std::string name = param_info.param;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace aegisrt::model
