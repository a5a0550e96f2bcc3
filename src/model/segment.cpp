#include "aegisrt/model/segment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace aegisrt::model {

std::vector<BufferLifetime> buffer_lifetimes(const Graph& g) {
  const auto n = static_cast<std::uint32_t>(g.nodes.size());
  const std::uint32_t last_step = n == 0 ? 0 : n - 1;
  constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> first(g.values.size(), kUnset);
  std::vector<std::uint32_t> last(g.values.size(), 0);
  const auto touch = [&](ValueId v, std::uint32_t step) {
    const ValueId root = g.storage_of(v);
    first[root] = std::min(first[root], step);
    last[root] = std::max(last[root], step);
  };
  for (const ValueId in : g.inputs) touch(in, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    for (const ValueId v : g.nodes[i].inputs) touch(v, i);
    for (const ValueId v : g.nodes[i].outputs) touch(v, i);
  }
  for (const ValueId out : g.outputs) touch(out, last_step);
  std::vector<BufferLifetime> out;
  for (ValueId id = 0; id < g.values.size(); ++id) {
    const Value& v = g.values[id];
    if (v.kind == ValueKind::kWeight || v.alias_of != kNoValue || first[id] == kUnset) continue;
    out.push_back({id, v.bytes(), first[id], last[id]});
  }
  return out;
}

std::vector<std::uint64_t> live_bytes_after_nodes(const Graph& g) {
  const std::size_t n = g.nodes.size();
  // Difference array: a buffer live across boundary k has first <= k < last.
  std::vector<std::int64_t> delta(n + 1, 0);
  for (const BufferLifetime& b : buffer_lifetimes(g)) {
    if (b.last <= b.first) continue;
    delta[b.first] += static_cast<std::int64_t>(b.bytes);
    delta[b.last] -= static_cast<std::int64_t>(b.bytes);
  }
  std::vector<std::uint64_t> out(n, 0);
  std::int64_t running = 0;
  for (std::size_t k = 0; k < n; ++k) {
    running += delta[k];
    out[k] = k + 1 == n ? 0 : static_cast<std::uint64_t>(running);
  }
  return out;
}

std::vector<ModelSegment> make_segments(const Graph& g, const SegmentOptions& options) {
  std::vector<ModelSegment> out;
  const auto n = static_cast<std::uint32_t>(g.nodes.size());
  if (n == 0) return out;
  const auto live = live_bytes_after_nodes(g);
  std::uint64_t target = options.min_flops;
  if (options.max_segments > 0) {
    const std::uint64_t total = g.total_flops();
    target = std::max(target, (total + options.max_segments - 1) / options.max_segments);
  }
  ModelSegment current;
  current.first_node = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    current.flops += g.nodes[i].flops;
    const bool last_node = i + 1 == n;
    const bool room = options.max_segments == 0 || out.size() + 1 < options.max_segments;
    if (last_node || (current.flops >= target && room)) {
      current.end_node = i + 1;
      current.name = g.nodes[current.first_node].name;
      current.boundary_bytes = live[i];
      out.push_back(current);
      current = ModelSegment{};
      current.first_node = i + 1;
    }
  }
  // A tail below the minimum joins the segment before it.
  if (out.size() >= 2 && out.back().flops < options.min_flops) {
    ModelSegment tail = out.back();
    out.pop_back();
    out.back().end_node = tail.end_node;
    out.back().flops += tail.flops;
    out.back().boundary_bytes = tail.boundary_bytes;
  }
  return out;
}

std::vector<Segment> to_task_segments(const std::vector<ModelSegment>& segments,
                                      double flops_per_second) {
  std::vector<Segment> out;
  out.reserve(segments.size());
  for (const ModelSegment& s : segments) {
    const double ns = std::ceil(static_cast<double>(s.flops) / flops_per_second * 1e9);
    const double clamped = std::clamp(ns, 1.0, 9.0e18);
    out.push_back({s.name, Duration::ns(static_cast<std::int64_t>(clamped))});
  }
  return out;
}

}  // namespace aegisrt::model
