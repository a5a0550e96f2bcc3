// `aegisrt infer`: outputs as .npy, the JSON report, exit codes. Tiny hand-built graphs whose
// outputs are computed by hand; the real models only where a test says so (skipped if absent).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aegisrt/backend/npy.hpp"
#include "model/model_cache.hpp"
#include "model/onnx_builder.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"
#include "support/ort_numerics.hpp"

namespace aegisrt::testing {
namespace {

// y = Relu(x + b), b = [1, -2, 3, -4]; x is 1x4.
std::string add_relu_model() {
  return OnnxBuilder(13)
      .input("x", {1, 4})
      .initializer_f("b", {4}, {1.0f, -2.0f, 3.0f, -4.0f})
      .node("Add", {"x", "b"}, {"s"}, "add")
      .node("Relu", {"s"}, {"y"}, "relu")
      .output("y", {1, 4})
      .bytes();
}

// y = Sqrt(x): NaN for negative x.
std::string sqrt_model() {
  return OnnxBuilder(13)
      .input("x", {1, 4})
      .node("Sqrt", {"x"}, {"y"}, "sqrt")
      .output("y", {1, 4})
      .bytes();
}

class InferCliTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (const std::string why = engine_unavailable_reason(GetParam()); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }
  std::string npy(const std::string& name, const std::vector<std::int64_t>& shape,
                  const std::vector<float>& data) {
    const std::string path = (dir_.path() / name).string();
    EXPECT_TRUE(backend::write_npy(path, shape, data).ok());
    return path;
  }
  std::string backend() const { return GetParam(); }
  TempDir dir_;
};

TEST_P(InferCliTest, WritesEachOutputAsNpyAndReportsLatencyAndSegmentsInJson) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());
  const std::string input = npy("x.npy", {1, 4}, {0.5f, 0.5f, -5.0f, 10.0f});
  const std::string out = (dir_.path() / "out").string();

  const CliRun sut = run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input +
                             "' --output-dir '" + out + "' --repeat 5 --json");

  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto report = nlohmann::json::parse(sut.out);
  EXPECT_EQ(report["backend"]["name"], backend());
  EXPECT_EQ(report["repeat"], 5);
  const auto& latency = report["latency_ns"];
  EXPECT_GT(latency["min"].get<std::int64_t>(), 0);
  EXPECT_LE(latency["min"].get<std::int64_t>(), latency["p50"].get<std::int64_t>());
  EXPECT_LE(latency["p50"].get<std::int64_t>(), latency["max"].get<std::int64_t>());
  EXPECT_TRUE(latency["p99"].is_null()) << latency;  // 5 runs cannot show a p99 (it needs 100)
  ASSERT_FALSE(report["segments"].empty());
  EXPECT_EQ(report["segments"].size(), report["backend"]["segments"].get<std::size_t>());
  for (const auto& s : report["segments"]) {
    EXPECT_TRUE(s.contains("name"));
    EXPECT_LE(s["p50_ns"].get<std::int64_t>(), s["max_ns"].get<std::int64_t>());
  }
  ASSERT_EQ(report["outputs"].size(), 1u);
  EXPECT_EQ(report["outputs"][0]["name"], "y");
  EXPECT_EQ(report["outputs"][0]["shape"], (std::vector<std::int64_t>{1, 4}));
  const auto y = backend::read_npy(report["outputs"][0]["file"].get<std::string>());
  ASSERT_TRUE(y.ok()) << y.error().to_string();
  // Relu(x + b) = Relu([1.5, -1.5, -2, 6]).
  EXPECT_EQ(y->data, (std::vector<float>{1.5f, 0.0f, 0.0f, 6.0f}));
}

TEST_P(InferCliTest, PrintsLatencyPercentilesAndASegmentTableAsText) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());

  const CliRun sut = run_cli("infer '" + model + "' --backend " + backend() + " --repeat 3");

  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  EXPECT_NE(sut.out.find("latency over 3 runs: min "), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find(", p99 -, max "), std::string::npos) << sut.out;  // 3 runs: no p99
  EXPECT_NE(sut.out.find("output y 1x4"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("input  x 1x4 <- seed 1"), std::string::npos) << sut.out;
}

TEST_P(InferCliTest, ExitsTwoForAMissingModel) {
  const CliRun sut =
      run_cli("infer '" + (dir_.path() / "nope.onnx").string() + "' --backend " + backend());

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("nope.onnx"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, ExitsTwoForAnInputOfTheWrongShape) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());
  const std::string input = npy("x.npy", {1, 5}, {1, 2, 3, 4, 5});

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input + "'");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("1x5"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, ExitsTwoForAnNpyThatIsNotFloat32) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 4), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  const std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) +
                            '\0' + header + std::string(32, '\0');
  const std::string input = dir_.write("x64.npy", bytes);

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input + "'");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("<f8"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, ExitsTwoForAnInputHoldingNaN) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());
  const std::string input =
      npy("nan.npy", {1, 4}, {0.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f, 0.0f});

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input + "'");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("NaN"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, FailsTheRunWhenAnOutputHoldsNaN) {
  const std::string model = dir_.write("sqrt.onnx", sqrt_model());
  const std::string input = npy("neg.npy", {1, 4}, {4.0f, -1.0f, 9.0f, 0.0f});

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input + "'");

  EXPECT_EQ(sut.exit_code, 1);
  EXPECT_NE(sut.err.find("NaN or Inf"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, ExitsTwoForAMalformedInputShape) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input-shape 1,four");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("1,four"), std::string::npos) << sut.err;
}

TEST_P(InferCliTest, RefusesInputAndSeedTogether) {
  const std::string model = dir_.write("add_relu.onnx", add_relu_model());
  const std::string input = npy("x.npy", {1, 4}, {1, 2, 3, 4});

  const CliRun sut =
      run_cli("infer '" + model + "' --backend " + backend() + " --input '" + input + "' --seed 3");

  EXPECT_EQ(sut.exit_code, 2);
}

TEST_P(InferCliTest, SeedFeedsTheSameTensorAsTheOracle) {
  if (const std::string why = oracle_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  // y = x + 0: the output is the input, so equal outputs mean equal inputs.
  const std::string model = dir_.write("identity.onnx", OnnxBuilder(13)
                                                            .input("x", {2, 3, 5})
                                                            .initializer_f("z", {1}, {0.0f})
                                                            .node("Add", {"x", "z"}, {"y"}, "add")
                                                            .output("y", {2, 3, 5})
                                                            .bytes());

  const CliRun sut = run_cli("infer '" + model + "' --backend " + backend() +
                             " --seed 12345 --json --output-dir '" + dir_.str() + "/a'");

  ASSERT_EQ(sut.exit_code, 0) << sut.err;
  const auto ours = backend::read_npy(dir_.str() + "/a/y.npy");
  ASSERT_TRUE(ours.ok()) << ours.error().to_string();
  const CliRun ort = run_command("node '" + std::string(AEGISRT_SOURCE_DIR) +
                                 "/tools/ort-oracle/oracle.js' run '" + model +
                                 "' --seed 12345 --output-dir '" + dir_.str() + "/r'");
  ASSERT_EQ(ort.exit_code, 0) << ort.err;
  const auto theirs = backend::read_npy(dir_.str() + "/r/y.npy");
  ASSERT_TRUE(theirs.ok()) << theirs.error().to_string();
  EXPECT_EQ(ours->data, theirs->data);
}

INSTANTIATE_TEST_SUITE_P(Backends, InferCliTest, ::testing::Values("cpu", "opencv"));

TEST(InferCliOpenCvTest, ExitsTwoNamingTheModelAndOpenCvsMessageForAModelOpenCvCannotLoad) {
  if (const std::string why = engine_unavailable_reason("opencv"); !why.empty())
    GTEST_SKIP() << why;
  const std::string model = cached_model("mlsd_320x320_tiny.onnx");
  if (model.empty()) GTEST_SKIP() << kFetchHint;

  const CliRun sut = run_cli("infer '" + model + "' --backend opencv");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("mlsd_320x320_tiny"), std::string::npos) << sut.err;
  EXPECT_NE(sut.err.find("OpenCV DNN 4."), std::string::npos) << sut.err;
  EXPECT_EQ(sut.err.find("[ERROR"), std::string::npos) << "OpenCV's own log leaked: " << sut.err;
}

TEST(InferCliCpuTest, ExitsTwoNamingAnOperatorTheImporterDoesNotSupport) {
  if (const std::string why = engine_unavailable_reason("cpu"); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string model =
      dir.write("lrn.onnx", OnnxBuilder(13)
                                .input("x", {1, 4, 2, 2})
                                .node("LRN", {"x"}, {"y"}, "lrn", {OnnxBuilder::Attr::i("size", 3)})
                                .output("y", {1, 4, 2, 2})
                                .bytes());

  const CliRun sut = run_cli("infer '" + model + "' --backend cpu");

  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("LRN"), std::string::npos) << sut.err;
}

TEST(InferCliCpuTest, ReportsAsManySegmentsAsMaxSegmentsAllows) {
  if (const std::string why = engine_unavailable_reason("cpu"); !why.empty()) GTEST_SKIP() << why;
  const TempDir dir;
  const std::string model = dir.write("add_relu.onnx", add_relu_model());

  const CliRun per_node = run_cli("infer '" + model + "' --backend cpu --json");
  const CliRun merged = run_cli("infer '" + model + "' --backend cpu --max-segments 1 --json");

  ASSERT_EQ(per_node.exit_code, 0) << per_node.err;
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(nlohmann::json::parse(per_node.out)["segments"].size(), 2u);  // Add, Relu
  EXPECT_EQ(nlohmann::json::parse(merged.out)["segments"].size(), 1u);
}

}  // namespace
}  // namespace aegisrt::testing
