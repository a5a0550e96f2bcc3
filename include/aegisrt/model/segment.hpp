// Segments: a model's execution order split into non-preemptive sections. A job can be switched
// out only between segments (limited preemption, docs/design/0002), so each segment's cost bounds
// the blocking it causes, and the bytes live across its end are what a preempted job must keep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aegisrt/core/task.hpp"
#include "aegisrt/model/graph.hpp"

namespace aegisrt::model {

// A storage buffer's lifetime in execution steps: step i is Graph::nodes[i]. Views share their
// root's buffer, so one lifetime covers a root and all its views. Graph inputs are live from step
// 0, graph outputs to the last step; a buffer nothing reads lives only at the step that writes it.
struct BufferLifetime {
  ValueId storage = kNoValue;  // the root value (a graph input or an activation)
  std::uint64_t bytes = 0;
  std::uint32_t first = 0;  // inclusive
  std::uint32_t last = 0;   // inclusive
};

// The lifetime of every buffer that lives in the activation arena (graph inputs and activations;
// weights are not in the arena), in ValueId order of their roots.
std::vector<BufferLifetime> buffer_lifetimes(const Graph& g);

// Bytes live across the boundary after each node: entry k sums the buffers written at or before
// step k (or graph inputs) and still needed after it. One entry per node; the last is 0 (the job
// is done; its outputs belong to the caller).
std::vector<std::uint64_t> live_bytes_after_nodes(const Graph& g);

struct ModelSegment {
  std::string name;              // the name of its first node
  std::uint32_t first_node = 0;  // Graph::nodes[first_node, end_node)
  std::uint32_t end_node = 0;
  std::uint64_t flops = 0;
  // Bytes live across the boundary at this segment's end: what a job preempted there keeps.
  // 0 for the last segment.
  std::uint64_t boundary_bytes = 0;
};

// The merge rule. Defaults give one segment per node. With min_flops, consecutive nodes join until
// a segment reaches min_flops (a short tail joins the segment before it). With max_segments,
// the FLOPs target per segment becomes max(min_flops, total / max_segments) and the count never
// exceeds max_segments.
struct SegmentOptions {
  std::uint64_t min_flops = 0;
  std::uint32_t max_segments = 0;  // 0: no limit
};

std::vector<ModelSegment> make_segments(const Graph& g, const SegmentOptions& options = {});

// The scheduler's view of the segments. Until a model is profiled, a segment's WCET is estimated
// from its FLOPs at `flops_per_second` (at least 1 ns each): a placeholder for admission
// experiments, not a bound; profiling replaces it.
std::vector<Segment> to_task_segments(const std::vector<ModelSegment>& segments,
                                      double flops_per_second);

}  // namespace aegisrt::model
