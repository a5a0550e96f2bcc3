// The embedding API's example program (examples/detect): built with the project, run here on its
// own workload file (examples/detect/faces.yaml) with frames written as .npy files, as its header
// says a user runs it. Checks what it prints and its exit status, never a time.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "aegisrt/backend/npy.hpp"
#include "model/model_cache.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class DetectExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::cached_model("face_detection_front_128x128_barracuda.onnx").empty() ||
        testing::cached_model("face_detection_back_256x256_barracuda.onnx").empty()) {
      GTEST_SKIP() << testing::kFetchHint;
    }
    if (const std::string why = testing::engine_unavailable_reason("cpu"); !why.empty()) {
      GTEST_SKIP() << why;
    }
    // The bundled workload, its model paths pointed at the model cache.
    std::string yaml =
        testing::read_file(std::string(AEGISRT_SOURCE_DIR) + "/examples/detect/faces.yaml");
    const std::string from = "../../models/";
    ASSERT_NE(yaml.find(from), std::string::npos);
    for (std::size_t at = yaml.find(from); at != std::string::npos; at = yaml.find(from, at)) {
      yaml.replace(at, from.size(), testing::model_cache_dir() + "/");
    }
    workload_ = dir_.write("faces.yaml", yaml);
  }

  std::string frame(const std::string& name, std::size_t n, double phase) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = static_cast<float>(std::sin(static_cast<double>(i) * 0.003 + phase));
    }
    const std::string path = (dir_.path() / name).string();
    const std::vector<std::int64_t> shape{1, static_cast<std::int64_t>(n)};
    EXPECT_TRUE(backend::write_npy(path, shape, v).ok());
    return path;
  }

  testing::CliRun detect(const std::string& args) {
    return testing::run_command(std::string("'") + AEGISRT_DETECT_PATH + "' '" + workload_ + "' " +
                                args);
  }

  testing::TempDir dir_;
  std::string workload_;
};

TEST_F(DetectExampleTest, PrintsEachFramesResultAndTheRunsTotals) {
  constexpr std::size_t kPixels = 128 * 128 * 3;
  const std::string args = "front '" + frame("a.npy", kPixels, 0.0) + "' '" +
                           frame("b.npy", kPixels, 1.0) + "' '" + frame("c.npy", kPixels, 2.0) +
                           "'";
  const testing::CliRun run = detect(args);

  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(count(run.out, " completed in "), 3u) << run.out;
  for (const char* f : {"a.npy: job 0", "b.npy: job 1", "c.npy: job 2"}) {
    EXPECT_NE(run.out.find(f), std::string::npos) << f << "\n" << run.out;
  }
  // BlazeFace front: two score outputs (512 and 384 anchors) per frame.
  EXPECT_EQ(count(run.out, " anchors above 0.5, best "), 6u) << run.out;
  EXPECT_NE(run.out.find("of 512 anchors"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("0 deadline misses"), std::string::npos) << run.out;
}

TEST_F(DetectExampleTest, AFrameOfTheWrongSizeIsRefusedBeforeAnythingRuns) {
  const std::string small = frame("small.npy", 100, 0.0);
  const testing::CliRun run = detect("front '" + small + "'");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("small.npy"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("takes 49152"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("completed"), std::string::npos);

  const testing::CliRun missing = detect("front '" + (dir_.path() / "gone.npy").string() + "'");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("gone.npy"), std::string::npos) << missing.err;

  const testing::CliRun periodic = detect("back '" + small + "'");
  EXPECT_EQ(periodic.exit_code, 2);
  EXPECT_NE(periodic.err.find("periodic"), std::string::npos) << periodic.err;
}

}  // namespace
}  // namespace aegisrt
