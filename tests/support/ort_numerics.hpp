// The numerics harness: runs a model through `aegisrt infer` and through ONNX Runtime (the oracle,
// tools/ort-oracle/oracle.js) on the same input tensor, and compares every output.
//
// Tolerance, per output: max |got - ref| <= rtol * max |ref| + atol. The bound scales with the
// output's own magnitude (a logit map of magnitude 50 and a probability map of magnitude 1 get
// bounds in proportion), because float32 engines that sum in different orders, fuse differently or
// use different convolution algorithms (Winograd, im2col+GEMM, direct) differ by a few units in the
// last place per accumulation, and that error grows with the values accumulated, not with any one
// element. `atol` only keeps an all-zero output from demanding exact zeros. See
// docs/design/0008-opencv-backend.md, "Numerics".
//
// Peak masks: M-LSD's `scores` is sigmoid(c) * (MaxPool3x3(sigmoid(c)) == sigmoid(c)), a
// non-maximum suppression through an exact float comparison. Where neighbouring centre values tie
// to within rounding (plateaus, which structured inputs make), one ulp decides whether an element
// is a peak, so engines legitimately disagree on a few elements being zero. For outputs listed in
// Tolerance::peak_mask_outputs, an element that exactly one side has at zero and that differs by
// more than the bound is a "mask flip": it is left out of max|diff|, and at most
// max_flip_fraction of the elements may flip.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace aegisrt::testing {

// How an input tensor is filled. All values lie in [0, 1] like a normalised image.
enum class InputPattern {
  kRandom,        // uniform in [0, 1) from the seed (the oracle's xorshift32)
  kRamp,          // element i of n (C order) is i / (n - 1)
  kConstant,      // every element 0.5
  kCheckerboard,  // 0 or 1 in 8x8 cells over the two largest axes (H and W of an image)
  kTextLines,     // dark 3-pixel strokes every 8 pixels in 16-pixel-high bands every 64 rows, on
                  // white: looks enough like printed text that the PP-OCR detector responds
};

const char* to_string(InputPattern p);
std::vector<float> make_input(const std::vector<std::int64_t>& shape, InputPattern pattern,
                              std::uint32_t seed = 1);

struct Tensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-5;
  std::vector<std::string> peak_mask_outputs{};
  double max_flip_fraction = 0.01;
};

struct Comparison {
  std::string name;
  double max_abs_diff = 0.0;
  double ref_scale = 0.0;  // max |ref|
  double bound = 0.0;      // rtol * ref_scale + atol
  std::size_t elements = 0;
  std::size_t mask_flips = 0;  // peak-mask outputs only
  bool within = false;
  std::string problem;  // a shape mismatch or a non-finite value; empty otherwise
  std::string describe() const;
};

// Empty when the oracle can run here; otherwise why not (for GTEST_SKIP).
std::string oracle_unavailable_reason();

// Runs `node tools/ort-oracle/oracle.js run MODEL --input NAME=INPUT.npy --output-dir DIR
// --threads T`. Returns the outputs in the model's order; on failure, an empty vector and `error`.
std::vector<Tensor> run_oracle(const std::string& model, const std::string& input_name,
                               const std::string& input_npy, const std::string& out_dir,
                               std::string& error, int threads = 1);

struct InferRun {
  int exit_code = -1;
  std::string stderr_text;
  std::vector<Tensor> outputs;
  std::vector<std::string> input_names;
};

// Runs `aegisrt infer MODEL --backend B --input INPUT.npy --output-dir DIR --json [extra]` and
// reads the outputs it lists.
InferRun run_infer(const std::string& model, const std::string& backend,
                   const std::string& input_npy, const std::string& out_dir,
                   const std::string& extra_args = "");

// Compares every reference output with the output of the same name in `got`.
std::vector<Comparison> compare(const std::vector<Tensor>& got, const std::vector<Tensor>& ref,
                                const Tolerance& tolerance);

}  // namespace aegisrt::testing
