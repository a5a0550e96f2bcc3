// Helpers shared by the cpu backend's tests (cpu_support.cpp): loading hand-built graphs, inputs
// and weights with a fixed pattern, running every segment, the comparison with ONNX Runtime, and
// the graphs that several tests run.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/segment.hpp"
#include "model/onnx_builder.hpp"

namespace aegisrt::testing {

// Options for tests: the test thread's affinity is left alone.
cpu::Options test_options();

Result<model::Graph> graph_of(const OnnxBuilder& b, const std::string& name = "test");

Result<std::unique_ptr<backend::ModelRunner>> load_graph(const OnnxBuilder& b,
                                                         const model::SegmentOptions& seg = {},
                                                         cpu::Options options = test_options());

std::vector<float> ramp(std::size_t n, float scale = 0.1f, float offset = -1.0f);

// Runs every segment of one inference; the first failure, or kNone.
backend::RunFailure run_all(backend::ModelRunner& r);

// Loads the graph, runs it on `input` and compares every output with ONNX Runtime on the same
// file and input.
void expect_matches_ort(const OnnxBuilder& b, const std::vector<float>& input,
                        double tolerance = 1e-5);

std::vector<float> weights(std::size_t n, float scale = 0.05f);

// BlazeFace's residual blocks after a stem conv: depthwise conv -> pointwise conv -> Add(skip) ->
// Relu, the skip the block's input itself or max-pooled and channel-padded; the Add and the Relu
// fuse into the pointwise convolution as post-ops.
OnnxBuilder residual_blocks_graph();

// relu(x) then sqrt(x - 1): NaN for inputs below 1 appears only in the second node.
OnnxBuilder two_step_graph();

// A concat of inputs in different layouts (a blocked convolution output and the plain model input,
// at an offset that is not a whole block): all oneDNN 2.6 offers for it is its reference concat,
// which allocates on every call; the backend builds it from one reorder per input instead.
OnnxBuilder mixed_layout_concat_graph();

}  // namespace aegisrt::testing
