// Segments and lifetimes on a hand-made chain whose live bytes are computed by hand.
#include "aegisrt/model/segment.hpp"

#include <gtest/gtest.h>

#include "aegisrt/model/import.hpp"
#include "model/onnx_builder.hpp"

namespace aegisrt::model {
namespace {

using aegisrt::testing::as_bytes;
using aegisrt::testing::OnnxBuilder;

// x[1,100] -> Relu a -> Sigmoid b -> Add(a, b) c -> Sqrt d (output).
// float32: every tensor is 400 bytes. Steps: 0 Relu, 1 Sigmoid, 2 Add, 3 Sqrt.
// Lifetimes: x [0,0], a [0,2], b [1,2], c [2,3], d [3,3] (output: to the last step).
// Live across boundary after step 0: a = 400; after 1: a, b = 800; after 2: c = 400; after 3: 0.
Graph chain() {
  OnnxBuilder b;
  b.input("x", {1, 100})
      .node("Relu", {"x"}, {"a"}, "relu")
      .node("Sigmoid", {"a"}, {"b"}, "sigmoid")
      .node("Add", {"a", "b"}, {"c"}, "add")
      .node("Sqrt", {"c"}, {"d"}, "sqrt")
      .output("d");
  auto g = import_bytes(as_bytes(b.bytes()), {{}, "chain"});
  EXPECT_TRUE(g.ok()) << g.error().to_string();
  return std::move(g.value());
}

TEST(SegmentTest, LifetimesRunFromWriterToLastReader) {
  const Graph g = chain();

  const auto sut = buffer_lifetimes(g);

  ASSERT_EQ(sut.size(), 5u);
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {
      {0, 0}, {0, 2}, {1, 2}, {2, 3}, {3, 3}};
  for (std::size_t i = 0; i < sut.size(); ++i) {
    EXPECT_EQ(sut[i].bytes, 400u);
    EXPECT_EQ(std::make_pair(sut[i].first, sut[i].last), expected[i])
        << g.value(sut[i].storage).name;
  }
}

TEST(SegmentTest, DefaultIsOneSegmentPerNodeWithBoundaryBytes) {
  const Graph g = chain();

  const auto sut = make_segments(g);

  ASSERT_EQ(sut.size(), 4u);
  EXPECT_EQ(sut[0].boundary_bytes, 400u);
  EXPECT_EQ(sut[1].boundary_bytes, 800u);
  EXPECT_EQ(sut[2].boundary_bytes, 400u);
  EXPECT_EQ(sut[3].boundary_bytes, 0u);
  EXPECT_EQ(sut[1].name, "sigmoid");
  EXPECT_EQ(sut[2].flops, 100u);  // one add per element
}

TEST(SegmentTest, MinFlopsMergesUntilEachSegmentReachesIt) {
  const Graph g = chain();  // 100 FLOPs per node

  const auto sut = make_segments(g, {200, 0});

  ASSERT_EQ(sut.size(), 2u);
  EXPECT_EQ(sut[0].first_node, 0u);
  EXPECT_EQ(sut[0].end_node, 2u);
  EXPECT_EQ(sut[0].boundary_bytes, 800u);
  EXPECT_EQ(sut[1].end_node, 4u);
}

TEST(SegmentTest, ShortTailJoinsThePreviousSegment) {
  const Graph g = chain();

  const auto sut = make_segments(g, {300, 0});

  ASSERT_EQ(sut.size(), 1u);
  EXPECT_EQ(sut[0].end_node, 4u);
  EXPECT_EQ(sut[0].flops, 400u);
  EXPECT_EQ(sut[0].boundary_bytes, 0u);
}

TEST(SegmentTest, MaxSegmentsIsNeverExceeded) {
  const Graph g = chain();

  for (std::uint32_t m = 1; m <= 5; ++m) {
    const auto sut = make_segments(g, {0, m});
    EXPECT_LE(sut.size(), m);
    EXPECT_EQ(sut.back().end_node, 4u);
  }
}

TEST(SegmentTest, TaskSegmentsEstimateWcetFromFlops) {
  const Graph g = chain();
  const auto segments = make_segments(g, {200, 0});

  const auto sut = to_task_segments(segments, 1e9);  // 1 GFLOP/s: 200 FLOPs = 200 ns

  ASSERT_EQ(sut.size(), 2u);
  EXPECT_EQ(sut[0].name, "relu");
  EXPECT_EQ(sut[0].wcet, Duration::ns(200));
  EXPECT_EQ(sut[1].wcet, Duration::ns(200));
}

}  // namespace
}  // namespace aegisrt::model
