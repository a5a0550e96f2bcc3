// Helpers shared by the cpu backend's tests (cpu_support.hpp).
#include "cpu/cpu_support.hpp"

#include <gtest/gtest.h>

#include "aegisrt/model/import.hpp"
#include "cpu/ort_oracle.hpp"

namespace aegisrt::testing {

using Attr = OnnxBuilder::Attr;

cpu::Options test_options() {
  cpu::Options o;
  o.pin = false;  // leave the test thread's affinity alone
  return o;
}

Result<model::Graph> graph_of(const OnnxBuilder& b, const std::string& name) {
  model::ImportOptions o;
  o.model_name = name;
  return model::import_bytes(testing::as_bytes(b.bytes()), o);
}

Result<std::unique_ptr<backend::ModelRunner>> load_graph(const OnnxBuilder& b,
                                                         const model::SegmentOptions& seg,
                                                         cpu::Options options) {
  auto g = graph_of(b);
  if (!g) return g.error();
  const auto segments = model::make_segments(*g, seg);
  return cpu::load(*g, segments, options);
}

std::vector<float> ramp(std::size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = offset + scale * static_cast<float>((i * 37) % 101) / 10.0f;
  }
  return v;
}

backend::RunFailure run_all(backend::ModelRunner& r) {
  for (std::size_t k = 0; k < r.segment_count(); ++k) {
    const auto f = r.run_segment(k);
    if (f != backend::RunFailure::kNone) return f;
  }
  return backend::RunFailure::kNone;
}

void expect_matches_ort(const OnnxBuilder& b, const std::vector<float>& input, double tolerance) {
  if (const auto why = testing::oracle_unavailable_reason(); !why.empty()) GTEST_SKIP() << why;
  auto sut = load_graph(b);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const testing::TempDir dir;
  const std::string file = dir.write("m.onnx", b.bytes());
  testing::expect_runner_matches_ort(**sut, file, input,
                                     {.rtol = tolerance, .atol = tolerance * 1e-3});
}

std::vector<float> weights(std::size_t n, float scale) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = scale * static_cast<float>(static_cast<int>((i * 53) % 19) - 9);
  }
  return v;
}

OnnxBuilder residual_blocks_graph() {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 10, 10})
      .initializer_f("w0", {8, 3, 3, 3}, weights(216, 0.1f))
      .initializer_f("wd1", {8, 1, 3, 3}, weights(72))
      .initializer_f("bd1", {8}, weights(8, 0.2f))
      .initializer_f("wp1", {8, 8, 1, 1}, weights(64, 0.1f))
      .initializer_f("bp1", {8}, weights(8, 0.3f))
      .initializer_f("wd2", {8, 1, 3, 3}, weights(72, 0.07f))
      .initializer_f("wp2", {16, 8, 1, 1}, weights(128, 0.1f))
      .initializer_i("cpad", {8}, {0, 0, 0, 0, 0, 8, 0, 0})
      .node("Conv", {"x", "w0"}, {"c0"}, "stem", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Relu", {"c0"}, {"r0"}, "relu0")
      .node("Conv", {"r0", "wd1", "bd1"}, {"d1"}, "dw1",
            {Attr::i("group", 8), Attr::ints("pads", {1, 1, 1, 1})})
      .node("Conv", {"d1", "wp1", "bp1"}, {"p1"}, "pw1")
      .node("Add", {"p1", "r0"}, {"s1"}, "add1")
      .node("Relu", {"s1"}, {"r1"}, "relu1")
      .node("MaxPool", {"r1"}, {"m"}, "pool",
            {Attr::ints("kernel_shape", {2, 2}), Attr::ints("strides", {2, 2})})
      .node("Pad", {"m", "cpad"}, {"mp"}, "chpad")
      .node("Conv", {"r1", "wd2"}, {"d2"}, "dw2",
            {Attr::i("group", 8), Attr::ints("pads", {1, 1, 1, 1}), Attr::ints("strides", {2, 2})})
      .node("Conv", {"d2", "wp2"}, {"p2"}, "pw2")
      .node("Add", {"mp", "p2"}, {"s2"}, "add2")  // the skip first
      .node("Relu", {"s2"}, {"y"}, "relu2")
      .output("y");
  return b;
}

OnnxBuilder two_step_graph() {
  OnnxBuilder b(13);
  b.input("x", {1, 4})
      .initializer_f("one", {}, {1.0f})
      .node("Relu", {"x"}, {"r"}, "relu")
      .node("Sub", {"r", "one"}, {"s"}, "sub")
      .node("Sqrt", {"s"}, {"y"}, "sqrt")
      .output("y");
  return b;
}

OnnxBuilder mixed_layout_concat_graph() {
  OnnxBuilder b(13);
  b.input("x", {1, 3, 6, 6})
      .initializer_f("w", {16, 3, 3, 3}, weights(432, 0.1f))
      .node("Conv", {"x", "w"}, {"c"}, "conv", {Attr::ints("pads", {1, 1, 1, 1})})
      .node("Concat", {"c", "x", "c"}, {"y"}, "concat", {Attr::i("axis", 1)})
      .output("y");
  return b;
}

}  // namespace aegisrt::testing
