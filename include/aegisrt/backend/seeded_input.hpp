// Deterministic pseudo-random model inputs, bit for bit the ones the ONNX Runtime oracle
// (tools/ort-oracle/oracle.js, makeRandom) draws for the same seed, so that `aegisrt infer --seed
// N` and `node oracle.js run --seed N` feed a model the same tensor.
#pragma once

#include <cstdint>
#include <span>

namespace aegisrt::backend {

// xorshift32 (Marsaglia, "Xorshift RNGs", J. Stat. Softw. 8(14), 2003, shifts 13, 17, 5), mapped to
// [0, 1] as state / 2^32 rounded to float. Seed 0 is replaced by 0x9e3779b9 (xorshift's state must
// not be zero), as the oracle does. One stream serves all of a model's inputs, in input order.
class SeededUniform {
 public:
  explicit SeededUniform(std::uint32_t seed) : state_(seed == 0 ? 0x9e3779b9u : seed) {}

  float next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return static_cast<float>(static_cast<double>(state_) / 4294967296.0);
  }

  void fill(std::span<float> out) {
    for (float& v : out) v = next();
  }

 private:
  std::uint32_t state_;
};

// The seed of task `task`'s input when a workload runs on a real backend with seed `seed`
// (RunnerBackend): task i is fed what `aegisrt infer MODEL --seed (seed + i)` feeds its model, so
// any task's input can be reproduced from the command line and by the ONNX Runtime oracle.
constexpr std::uint32_t task_input_seed(std::uint32_t seed, std::uint32_t task) {
  return seed + task;  // wraps modulo 2^32, as the oracle's uint32 arithmetic would
}

}  // namespace aegisrt::backend
