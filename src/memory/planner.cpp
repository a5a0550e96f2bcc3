#include "aegisrt/memory/planner.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

namespace aegisrt::memory {

std::uint64_t align_up(std::uint64_t bytes, std::uint64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

std::uint64_t naive_bytes(std::span<const Lifetime> tensors, std::uint64_t alignment) {
  std::uint64_t total = 0;
  for (const Lifetime& t : tensors) total += align_up(t.bytes, alignment);
  return total;
}

std::uint64_t lower_bound_bytes(std::span<const Lifetime> tensors, std::uint64_t alignment) {
  // Sweep over step boundaries: +bytes at first, -bytes after last.
  std::map<std::uint64_t, std::int64_t> delta;
  for (const Lifetime& t : tensors) {
    const auto b = static_cast<std::int64_t>(align_up(t.bytes, alignment));
    delta[t.first] += b;
    delta[static_cast<std::uint64_t>(t.last) + 1] -= b;
  }
  std::int64_t live = 0;
  std::int64_t peak = 0;
  for (const auto& [step, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return static_cast<std::uint64_t>(peak);
}

namespace {

// Places tensors in the given order: each into the smallest gap, among the already placed tensors
// whose lifetimes overlap its own, that fits it (best fit), or above the highest of them.
// Returns the offsets and the arena size.
std::pair<std::vector<std::uint64_t>, std::uint64_t> place_in_order(
    std::span<const Lifetime> tensors, const std::vector<std::size_t>& order,
    std::uint64_t alignment) {
  struct Placed {
    std::uint64_t offset;
    std::uint64_t size;
    std::size_t index;
  };
  std::vector<std::uint64_t> offsets(tensors.size(), 0);
  std::uint64_t arena = 0;
  std::vector<Placed> placed;  // sorted by offset
  placed.reserve(tensors.size());
  for (const std::size_t i : order) {
    const Lifetime& t = tensors[i];
    const std::uint64_t size = align_up(t.bytes, alignment);
    std::uint64_t prev_end = 0;
    std::uint64_t best_offset = 0;
    std::uint64_t best_gap = std::numeric_limits<std::uint64_t>::max();
    bool found = false;
    for (const Placed& p : placed) {
      const Lifetime& o = tensors[p.index];
      if (o.last < t.first || t.last < o.first) continue;  // never live together
      if (p.offset >= prev_end) {
        const std::uint64_t gap = p.offset - prev_end;
        if (gap >= size && gap < best_gap) {
          best_gap = gap;
          best_offset = prev_end;
          found = true;
        }
      }
      prev_end = std::max(prev_end, p.offset + p.size);
    }
    const std::uint64_t offset = found ? best_offset : prev_end;
    offsets[i] = offset;
    arena = std::max(arena, offset + size);
    const auto at =
        std::upper_bound(placed.begin(), placed.end(), offset,
                         [](std::uint64_t off, const Placed& p) { return off < p.offset; });
    placed.insert(at, Placed{offset, size, i});
  }
  return {std::move(offsets), arena};
}

}  // namespace

ArenaPlan plan_greedy_by_size(std::span<const Lifetime> tensors, std::uint64_t alignment) {
  ArenaPlan plan;
  const std::size_t n = tensors.size();
  plan.naive_bytes = naive_bytes(tensors, alignment);
  plan.lower_bound_bytes = lower_bound_bytes(tensors, alignment);

  const auto size_of = [&](std::size_t i) { return align_up(tensors[i].bytes, alignment); };
  // Round 0 is plain greedy by size. Greedy by size fixes the big tensors first and can leave a
  // small long-lived one nowhere to go but on top (MobileNetV3's hard-swish blocks do this). Each
  // further round places the tensors that stuck out above the lower bound in any earlier round
  // first (still by size), then the rest by size; the smallest arena wins. Stops at the lower
  // bound (optimal) or after kRounds. Deterministic.
  constexpr int kRounds = 8;
  std::vector<bool> promoted(n, false);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (promoted[a] != promoted[b]) return static_cast<bool>(promoted[a]);
      if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
      return tensors[a].first < tensors[b].first;
    });
    auto [offsets, arena] = place_in_order(tensors, order, alignment);
    bool promoted_more = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (offsets[i] + size_of(i) > plan.lower_bound_bytes && !promoted[i]) {
        promoted[i] = true;
        promoted_more = true;
      }
    }
    if (round == 0 || arena < plan.arena_bytes) {
      plan.offsets = std::move(offsets);
      plan.arena_bytes = arena;
    }
    if (plan.arena_bytes <= plan.lower_bound_bytes || !promoted_more) break;
  }
  return plan;
}

Status validate_plan(std::span<const Lifetime> tensors, const ArenaPlan& plan,
                     std::uint64_t alignment) {
  if (plan.offsets.size() != tensors.size()) {
    return make_error(ErrorCode::kInternal, "the plan has " + std::to_string(plan.offsets.size()) +
                                                " offsets for " + std::to_string(tensors.size()) +
                                                " tensors");
  }
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (plan.offsets[i] % alignment != 0) {
      return make_error(ErrorCode::kInternal, "tensor " + std::to_string(i) + " is misaligned");
    }
    if (plan.offsets[i] + tensors[i].bytes > plan.arena_bytes) {
      return make_error(ErrorCode::kInternal,
                        "tensor " + std::to_string(i) + " ends past the arena");
    }
    for (std::size_t j = i + 1; j < tensors.size(); ++j) {
      const Lifetime& a = tensors[i];
      const Lifetime& b = tensors[j];
      if (a.bytes == 0 || b.bytes == 0 || a.last < b.first || b.last < a.first) continue;
      const bool apart = plan.offsets[i] + a.bytes <= plan.offsets[j] ||
                         plan.offsets[j] + b.bytes <= plan.offsets[i];
      if (!apart) {
        return make_error(ErrorCode::kInternal, "tensors " + std::to_string(i) + " and " +
                                                    std::to_string(j) +
                                                    " are live together and overlap");
      }
    }
  }
  return Ok{};
}

ModelMemoryPlan plan_model(const model::Graph& g, const std::vector<model::ModelSegment>& segments,
                           std::uint64_t alignment) {
  ModelMemoryPlan out;
  out.model = g.name;
  out.weights_bytes = g.weights_bytes();
  out.buffers = model::buffer_lifetimes(g);
  std::vector<Lifetime> lifetimes;
  lifetimes.reserve(out.buffers.size());
  for (const auto& b : out.buffers) lifetimes.push_back({b.bytes, b.first, b.last});
  out.arena = plan_greedy_by_size(lifetimes, alignment);
  out.value_offsets.assign(g.values.size(), kNoOffset);
  for (std::size_t i = 0; i < out.buffers.size(); ++i) {
    out.value_offsets[out.buffers[i].storage] = out.arena.offsets[i];
  }
  for (model::ValueId id = 0; id < g.values.size(); ++id) {
    const model::ValueId root = g.storage_of(id);
    if (root != id && g.values[root].kind != model::ValueKind::kWeight) {
      out.value_offsets[id] = out.value_offsets[root];
    }
  }
  for (std::size_t s = 0; s + 1 < segments.size(); ++s) {
    out.max_preserved_bytes = std::max(out.max_preserved_bytes, segments[s].boundary_bytes);
  }
  return out;
}

const char* to_string(Preemption p) {
  switch (p) {
    case Preemption::kNone:
      return "none";
    case Preemption::kLimited:
      return "limited";
  }
  return "?";
}

SharedPlan plan_shared(std::span<const SharedTask> tasks, Preemption preemption,
                       std::uint64_t alignment) {
  SharedPlan out;
  out.slot_offsets.assign(tasks.size(), kNoOffset);
  for (const SharedTask& t : tasks) {
    out.isolated_bytes += t.arena_bytes;
    out.shared_region_bytes = std::max(out.shared_region_bytes, t.arena_bytes);
  }
  out.shared_region_bytes = align_up(out.shared_region_bytes, alignment);
  out.nesting_bound_bytes = out.shared_region_bytes;
  if (preemption == Preemption::kLimited && !tasks.empty()) {
    const bool levels_known = std::all_of(tasks.begin(), tasks.end(),
                                          [](const SharedTask& t) { return t.level.has_value(); });
    if (!levels_known) {
      // Any nesting order: every task may be preempted, so each keeps a slot; the worst nesting
      // preempts all but the running one.
      std::uint64_t offset = out.shared_region_bytes;
      std::uint64_t all = 0;
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        out.slot_offsets[i] = offset;
        offset += align_up(tasks[i].preserved_bytes, alignment);
        all += align_up(tasks[i].preserved_bytes, alignment);
      }
      out.preserved_bytes = all;
      std::uint64_t bound = 0;
      for (const SharedTask& t : tasks) {
        bound = std::max(bound, all - align_up(t.preserved_bytes, alignment) + t.arena_bytes);
      }
      out.nesting_bound_bytes = bound;
    } else {
      // A nesting holds at most one job per level, in increasing level order, and the running
      // job's level is above all the preempted ones. One slot per level (its largest preserved
      // bytes), stacked upwards from the shared region; the top level needs none.
      std::map<std::int64_t, std::uint64_t> slot;  // level -> slot size
      for (const SharedTask& t : tasks) {
        auto& s = slot[*t.level];
        s = std::max(s, align_up(t.preserved_bytes, alignment));
      }
      const std::int64_t top = slot.rbegin()->first;
      std::map<std::int64_t, std::uint64_t> slot_offset;
      std::map<std::int64_t, std::uint64_t> below;  // level -> sum of slot sizes of lower levels
      std::uint64_t offset = out.shared_region_bytes;
      std::uint64_t sum = 0;
      for (const auto& [level, size] : slot) {
        below[level] = sum;
        if (level == top) continue;
        slot_offset[level] = offset;
        offset += size;
        sum += size;
      }
      out.preserved_bytes = sum;
      std::uint64_t bound = 0;
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        const std::int64_t level = *tasks[i].level;
        if (level != top) out.slot_offsets[i] = slot_offset[level];
        bound = std::max(bound, below[level] + tasks[i].arena_bytes);
      }
      out.nesting_bound_bytes = bound;
    }
  }
  out.shared_bytes = out.shared_region_bytes + out.preserved_bytes;
  if (preemption == Preemption::kLimited && out.shared_bytes >= out.isolated_bytes) {
    // Preserving for every nesting costs more than giving each task its own arena (which needs no
    // copies either): use isolated arenas.
    out.isolated_layout = true;
    out.shared_bytes = out.isolated_bytes;
    out.preserved_bytes = 0;
    out.slot_offsets.assign(tasks.size(), kNoOffset);
  }
  out.saving_fraction = out.isolated_bytes == 0 ? 0.0
                                                : 1.0 - static_cast<double>(out.shared_bytes) /
                                                            static_cast<double>(out.isolated_bytes);
  return out;
}

}  // namespace aegisrt::memory
