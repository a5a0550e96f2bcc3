// Activation memory planning: where each tensor lives in one arena, computed once, before any run
// ("plan, carve, hand out"; docs/design/0004). Pure functions: no allocation of the arena here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/core/result.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/segment.hpp"

namespace aegisrt::memory {

inline constexpr std::uint64_t kDefaultAlignment = 64;  // bytes: a cache line, AVX-512 loads

// A tensor to place: its size and the steps it is live at, inclusive.
struct Lifetime {
  std::uint64_t bytes = 0;
  std::uint32_t first = 0;
  std::uint32_t last = 0;
};

struct ArenaPlan {
  std::vector<std::uint64_t> offsets;  // one per lifetime, each a multiple of the alignment
  std::uint64_t arena_bytes = 0;       // end of the highest slice
  std::uint64_t naive_bytes = 0;       // every tensor in its own slice: the sum of sizes
  // The most bytes live at any one step: no placement can use less.
  std::uint64_t lower_bound_bytes = 0;
};

// Sizes rounded up to `alignment` (a power of two) are what all three figures count.
std::uint64_t align_up(std::uint64_t bytes, std::uint64_t alignment);
std::uint64_t naive_bytes(std::span<const Lifetime> tensors,
                          std::uint64_t alignment = kDefaultAlignment);
std::uint64_t lower_bound_bytes(std::span<const Lifetime> tensors,
                                std::uint64_t alignment = kDefaultAlignment);

// Greedy by size for offset calculation (Pisarchyk & Lee, "Efficient Memory Management for Deep
// Neural Net Inference", 2020, section 4.3): tensors in order of decreasing size (ties: earlier
// first step, then index); each goes into the smallest gap between already placed tensors whose
// lifetimes overlap its own that fits it (best fit), or above the highest of them. Then up to 7
// repair rounds: the tensors that ended above the lower bound go first; the smallest arena wins.
// Deterministic; O(rounds * n^2).
ArenaPlan plan_greedy_by_size(std::span<const Lifetime> tensors,
                              std::uint64_t alignment = kDefaultAlignment);

// Checks a plan: one aligned offset per tensor, every slice inside arena_bytes, and no two tensors
// live at a common step overlap. Returns the first violation as kInternal.
Status validate_plan(std::span<const Lifetime> tensors, const ArenaPlan& plan,
                     std::uint64_t alignment = kDefaultAlignment);

// ---- Per model.

inline constexpr std::uint64_t kNoOffset = UINT64_MAX;

struct ModelMemoryPlan {
  std::string model;
  std::uint64_t weights_bytes = 0;
  std::vector<model::BufferLifetime> buffers;  // what was planned
  ArenaPlan arena;                             // arena.offsets[i] belongs to buffers[i]
  // Offset of every value of the graph in the arena (a view at its root's offset); kNoOffset for
  // weights and for values no node touches.
  std::vector<std::uint64_t> value_offsets;
  // The most bytes live at any boundary between the given segments: what a job preempted at its
  // worst boundary must keep (0 with a single segment).
  std::uint64_t max_preserved_bytes = 0;
};

ModelMemoryPlan plan_model(const model::Graph& g, const std::vector<model::ModelSegment>& segments,
                           std::uint64_t alignment = kDefaultAlignment);

// ---- Across models that share one device.

enum class Preemption : std::uint8_t {
  kNone,     // non-preemptive: one job at a time runs start to finish
  kLimited,  // a job may be preempted at its segment boundaries
};

const char* to_string(Preemption p);

struct SharedTask {
  std::string name;
  std::uint64_t arena_bytes = 0;
  std::uint64_t preserved_bytes = 0;  // ModelMemoryPlan::max_preserved_bytes
  // Preemption level: a job can preempt only jobs of strictly lower levels (fixed priority: the
  // priority; EDF: minus the relative deadline, Baker's preemption levels). nullopt on any task:
  // levels unknown, every nesting order is admissible.
  std::optional<std::int64_t> level;
};

struct SharedPlan {
  std::uint64_t isolated_bytes = 0;       // every task its own arena: sum of arenas
  std::uint64_t shared_region_bytes = 0;  // the running job's region: the largest arena
  // Limited preemption: room where preempted jobs keep their live bytes, one slot per preemption
  // level below the top (per task when levels are unknown). 0 under kNone.
  std::uint64_t preserved_bytes = 0;
  std::uint64_t shared_bytes = 0;  // the arena to reserve: shared region + preserved
  // Limited preemption: the most any admissible nesting needs at once (sum of the preempted jobs'
  // preserved bytes plus the running job's arena); the fixed layout above is at least this.
  std::uint64_t nesting_bound_bytes = 0;
  double saving_fraction = 0.0;  // 1 - shared / isolated
  // Limited preemption: shared region + preserved slots came to at least the isolated arenas, so
  // every task gets its own arena instead (shared_bytes = isolated_bytes, no slots, no copies).
  bool isolated_layout = false;
  // Per task: where its preserved bytes go (kNoOffset if it can never be preempted or under kNone).
  std::vector<std::uint64_t> slot_offsets;
};

SharedPlan plan_shared(std::span<const SharedTask> tasks, Preemption preemption,
                       std::uint64_t alignment = kDefaultAlignment);

}  // namespace aegisrt::memory
