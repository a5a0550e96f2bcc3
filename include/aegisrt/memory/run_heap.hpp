// The run heap: fixed pools of small blocks that serve `operator new` on the threads that run
// inference, so that a run makes no call into the system allocator (docs/design/0009-run-heap.md).
//
// AegisRT's own run path allocates nothing. The engines under it may: oneDNN 2.6 builds a small
// std::unordered_map of the arguments inside every dnnl_primitive_execute call, and its OpenMP
// workers make a few small std::function blocks, all freed before the call returns. A thread that
// is attached to the run heap gets its own pool of blocks of 16 to 4096 bytes, reserved and
// touched when it attaches. While the pool serves the thread (inside a RunHeapScope, or always for
// a compute worker), its operator new takes a block from the pool in constant time and operator
// delete puts it back. A request the pool cannot serve (a block over 4096 bytes, or a size class
// used up) goes to malloc and is counted as a fallback.
//
// The pools only serve programs that link the allocation hook, the `aegisrt::run_heap` CMake
// target (the `aegisrt` command and the tests do); a library cannot replace operator new on its
// own. Without it, attach_run_heap() says so and everything works as before, with oneDNN's
// transient blocks coming from malloc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "aegisrt/core/result.hpp"

namespace aegisrt::memory {

// The largest block a pool serves; larger requests go to malloc (and count as fallbacks).
inline constexpr std::size_t kRunHeapMaxBlock = 4096;
// How many threads can be attached at once (each holds one pool).
inline constexpr std::size_t kRunHeapMaxThreads = 64;

// Process-wide counts since the program started.
struct RunHeapStats {
  std::uint64_t pool_allocations = 0;  // operator new calls served from a pool
  std::uint64_t fallbacks = 0;         // calls a serving pool could not take (went to malloc)
  std::uint32_t attached_threads = 0;  // threads attached now
};

// True when the program links the allocation hook (the `aegisrt::run_heap` target).
bool run_heap_linked() noexcept;

// When an attached thread's pool serves its operator new.
enum class RunHeapUse : std::uint8_t {
  kInScopes,  // only inside a RunHeapScope: a dispatcher, which allocates freely outside runs
  kAlways,    // always: a compute worker, which only ever runs the engine's work
};

// Gives the calling thread a pool; nothing when it has one already (the new `use` applies). The
// pool is handed back when the thread exits or calls detach_run_heap(); blocks still out then stay
// valid and return to it when freed. Errors: kUnsupported when the hook is not linked,
// kResourceExhausted when kRunHeapMaxThreads threads hold pools or the pages cannot be reserved.
Status attach_run_heap(RunHeapUse use = RunHeapUse::kInScopes);

// Hands the calling thread's pool back; its operator new goes to malloc again.
void detach_run_heap() noexcept;

// True when the calling thread holds a pool.
bool run_heap_attached() noexcept;

// While alive, the calling thread's pool (if it holds one) serves its operator new. Scopes nest;
// making and leaving one costs two thread-local stores and allocates nothing.
class RunHeapScope {
 public:
  RunHeapScope() noexcept;
  ~RunHeapScope();
  RunHeapScope(const RunHeapScope&) = delete;
  RunHeapScope& operator=(const RunHeapScope&) = delete;

 private:
  void* previous_;
};

RunHeapStats run_heap_stats() noexcept;

namespace detail {
// The hook's two entry points (src/run_heap_hook/). allocate: a block of at least `bytes` bytes
// aligned to `alignment` from the calling thread's pool, or nullptr (no pool serving, or it cannot
// serve the request: then the caller uses malloc). release: true when `p` is a pool block (now returned
// to its pool), false when it is not and the caller must free it.
void* run_heap_allocate(std::size_t bytes, std::size_t alignment) noexcept;
bool run_heap_release(void* p) noexcept;
}  // namespace detail

}  // namespace aegisrt::memory
