// The cpu backend's tests against ONNX Runtime: runs a loaded runner and the ORT oracle on the same
// in-process input and compares every output with the shared harness (support/ort_numerics.hpp),
// so the expected values come from ONNX Runtime, never from AegisRT's own code.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/backend/npy.hpp"
#include "support/cli.hpp"
#include "support/ort_numerics.hpp"

namespace aegisrt::testing {

// Runs every segment of `runner` on `input`, runs ORT on `model` with the same input, and expects
// every output within `tolerance`. The runner must have been loaded from `model`.
inline void expect_runner_matches_ort(backend::ModelRunner& runner, const std::string& model,
                                      const std::vector<float>& input, const Tolerance& tolerance) {
  const backend::TensorInfo& in = runner.inputs()[0];
  ASSERT_TRUE(runner.set_input(0, input).ok());
  for (std::size_t s = 0; s < runner.segment_count(); ++s) {
    ASSERT_EQ(runner.run_segment(s), backend::RunFailure::kNone) << "segment " << s;
  }
  const TempDir dir;
  const std::string input_npy = (dir.path() / "input.npy").string();
  ASSERT_TRUE(backend::write_npy(input_npy, in.shape, input).ok());
  std::string error;
  const std::vector<Tensor> want =
      run_oracle(model, in.name, input_npy, (dir.path() / "ort").string(), error);
  ASSERT_FALSE(want.empty()) << "the ORT oracle failed on " << model << ": " << error;

  std::vector<Tensor> got;
  for (std::size_t o = 0; o < runner.outputs().size(); ++o) {
    const auto data = runner.output(o);
    got.push_back(
        {runner.outputs()[o].name, runner.outputs()[o].shape, {data.begin(), data.end()}});
  }
  for (const Comparison& c : compare(got, want, tolerance)) {
    EXPECT_TRUE(c.within) << c.describe();
  }
}

}  // namespace aegisrt::testing
