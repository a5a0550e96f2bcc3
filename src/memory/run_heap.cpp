// The run heap (docs/design/0009-run-heap.md): one pool per attached thread, nine power-of-two
// size classes per pool, each a singly linked free list threaded through the free blocks.
//
// The owner takes blocks from its `local` lists and returns its own blocks there, with no atomic
// operation. A block freed by another thread goes onto the class's `remote` list (a lock-free
// push); the owner takes that whole list in one exchange when its local list runs dry. Only the
// owner ever pops, so the remote list has no ABA problem.
//
// All pools lie in one region reserved at the first attach and never unmapped, so operator delete
// tells a pool block from a malloc block with one range check, and a block freed after its thread
// has exited, or at program exit, still has somewhere to go. A pool whose thread has exited is
// reused only once every one of its blocks has come back.
#include "aegisrt/memory/run_heap.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

// Defined by the hook (src/run_heap_hook/); absent (address null) when the program does not link
// it.
extern "C" const char aegisrt_run_heap_hook_linked __attribute__((weak));

namespace aegisrt::memory {
namespace {

constexpr std::size_t kClasses = 9;  // 16, 32, ..., 4096 bytes
static_assert((std::size_t{16} << (kClasses - 1)) == kRunHeapMaxBlock);

// Blocks per class: sized for oneDNN's per-call argument maps and OpenMP's per-region closures
// (at most a few dozen blocks live at once, almost all of 16 to 256 bytes), with wide margins.
constexpr std::array<std::size_t, kClasses> kBlocks{512, 512, 256, 256, 128, 32, 16, 8, 4};

constexpr std::size_t class_bytes(std::size_t c) { return std::size_t{16} << c; }

// Where each class's blocks start inside a pool. Every class's run of blocks is a whole number of
// 4 KiB pages, so each class starts page-aligned and its blocks are aligned to their size.
constexpr std::array<std::size_t, kClasses + 1> kClassStart = [] {
  std::array<std::size_t, kClasses + 1> s{};
  for (std::size_t c = 0; c < kClasses; ++c) s[c + 1] = s[c] + kBlocks[c] * class_bytes(c);
  return s;
}();
constexpr std::size_t kPoolBytes = kClassStart[kClasses];
static_assert(kPoolBytes % 4096 == 0);
constexpr std::size_t kRegionBytes = kPoolBytes * kRunHeapMaxThreads;

enum class PoolState : std::uint8_t { kUnused, kOwned, kRetired };

struct alignas(64) Pool {
  std::array<void*, kClasses> local{};                // the owner's free lists
  std::array<std::atomic<void*>, kClasses> remote{};  // blocks freed by other threads
  std::atomic<std::uint64_t> served{0};               // written by the owner only
  std::atomic<std::uint64_t> fallbacks{0};            // written by the owner only
  PoolState state = PoolState::kUnused;               // guarded by g_attach_mutex
};

constinit std::array<Pool, kRunHeapMaxThreads> g_pools{};
constinit std::atomic<std::uintptr_t> g_region{0};
constinit std::atomic<std::uint32_t> g_attached{0};
std::mutex g_attach_mutex;
constinit thread_local Pool* t_owned = nullptr;  // the thread's pool
constinit thread_local Pool* t_pool = nullptr;   // the pool serving its operator new now, if any

void*& next_of(void* block) { return *static_cast<void**>(block); }

// One writer: a plain load and store, no locked instruction on the allocation path.
void bump(std::atomic<std::uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

std::byte* pool_base(const Pool& p) {
  const auto index = static_cast<std::size_t>(&p - g_pools.data());
  return reinterpret_cast<std::byte*>(g_region.load(std::memory_order_relaxed)) +
         index * kPoolBytes;
}

// Pushes the chain first..last onto `list` (any thread).
void push_chain(std::atomic<void*>& list, void* first, void* last) {
  void* head = list.load(std::memory_order_relaxed);
  do {
    next_of(last) = head;
  } while (!list.compare_exchange_weak(head, first, std::memory_order_release,
                                       std::memory_order_relaxed));
}

// Threads every block of the pool onto its local lists (the pages are touched here, not later).
void carve(Pool& p) {
  std::byte* base = pool_base(p);
  for (std::size_t c = 0; c < kClasses; ++c) {
    void* head = nullptr;
    for (std::size_t i = kBlocks[c]; i-- > 0;) {
      void* block = base + kClassStart[c] + i * class_bytes(c);
      next_of(block) = head;
      head = block;
    }
    p.local[c] = head;
    p.remote[c].store(nullptr, std::memory_order_relaxed);
  }
}

// A retired pool whose blocks have all come back: takes them onto its local lists and returns
// true. Otherwise leaves the lists as they were and returns false. Caller holds g_attach_mutex.
bool reclaim(Pool& p) {
  std::array<void*, kClasses> chains{};
  std::array<void*, kClasses> tails{};
  bool complete = true;
  for (std::size_t c = 0; c < kClasses; ++c) {
    chains[c] = p.remote[c].exchange(nullptr, std::memory_order_acquire);
    std::size_t n = 0;
    for (void* b = chains[c]; b != nullptr; b = next_of(b)) {
      tails[c] = b;
      ++n;
    }
    complete = complete && n == kBlocks[c];
  }
  for (std::size_t c = 0; c < kClasses; ++c) {
    if (complete) {
      p.local[c] = chains[c];
    } else if (chains[c] != nullptr) {
      push_chain(p.remote[c], chains[c], tails[c]);
    }
  }
  return complete;
}

// Hands the calling thread's pool back when the thread exits.
struct ThreadAttachment {
  ThreadAttachment() = default;
  ThreadAttachment(const ThreadAttachment&) = delete;
  ThreadAttachment& operator=(const ThreadAttachment&) = delete;
  ~ThreadAttachment() { detach_run_heap(); }
};

std::size_t class_at(std::size_t offset_in_pool) {
  std::size_t c = 0;
  while (offset_in_pool >= kClassStart[c + 1]) ++c;
  return c;
}

}  // namespace

bool run_heap_linked() noexcept { return &aegisrt_run_heap_hook_linked != nullptr; }

Status attach_run_heap(RunHeapUse use) {
  if (t_owned != nullptr) {
    if (use == RunHeapUse::kAlways) t_pool = t_owned;
    return Ok{};
  }
  if (!run_heap_linked()) {
    return make_error(ErrorCode::kUnsupported,
                      "the run heap is not linked into this program, so operator new on the "
                      "inference threads goes to malloc",
                      "link the aegisrt::run_heap CMake target into the executable");
  }
  const std::lock_guard lock(g_attach_mutex);
  if (g_region.load(std::memory_order_relaxed) == 0) {
    void* region = mmap(nullptr, kRegionBytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (region == MAP_FAILED) {
      return make_error(ErrorCode::kResourceExhausted,
                        "the run heap could not reserve " + std::to_string(kRegionBytes) +
                            " bytes of address space: " + std::strerror(errno));
    }
    g_region.store(reinterpret_cast<std::uintptr_t>(region), std::memory_order_release);
  }
  Pool* chosen = nullptr;
  for (Pool& p : g_pools) {  // a never-used pool first: retired ones get time to drain
    if (p.state == PoolState::kUnused) {
      carve(p);
      chosen = &p;
      break;
    }
  }
  for (std::size_t i = 0; chosen == nullptr && i < g_pools.size(); ++i) {
    if (g_pools[i].state == PoolState::kRetired && reclaim(g_pools[i])) chosen = &g_pools[i];
  }
  if (chosen == nullptr) {
    return make_error(ErrorCode::kResourceExhausted,
                      "all " + std::to_string(kRunHeapMaxThreads) +
                          " run-heap pools are held by threads (or by blocks not yet freed)",
                      "run inference on fewer threads");
  }
  // Registers the hand-back at thread exit (constructed once per thread, on first use).
  thread_local ThreadAttachment attachment;
  chosen->state = PoolState::kOwned;
  g_attached.fetch_add(1, std::memory_order_relaxed);
  t_owned = chosen;
  if (use == RunHeapUse::kAlways) t_pool = chosen;
  return Ok{};
}

void detach_run_heap() noexcept {
  Pool* p = t_owned;
  if (p == nullptr) return;
  t_owned = nullptr;
  t_pool = nullptr;
  const std::lock_guard lock(g_attach_mutex);
  // The local lists become remote ones, so that reclaim() can count every block.
  for (std::size_t c = 0; c < kClasses; ++c) {
    void* first = p->local[c];
    if (first == nullptr) continue;
    void* last = first;
    while (next_of(last) != nullptr) last = next_of(last);
    push_chain(p->remote[c], first, last);
    p->local[c] = nullptr;
  }
  p->state = PoolState::kRetired;
  g_attached.fetch_sub(1, std::memory_order_relaxed);
}

bool run_heap_attached() noexcept { return t_owned != nullptr; }

RunHeapScope::RunHeapScope() noexcept : previous_(t_pool) { t_pool = t_owned; }

// A scope left after its thread detached must not bring a handed-back pool back into service.
RunHeapScope::~RunHeapScope() { t_pool = previous_ == nullptr ? nullptr : t_owned; }

RunHeapStats run_heap_stats() noexcept {
  RunHeapStats s;
  for (const Pool& p : g_pools) {
    s.pool_allocations += p.served.load(std::memory_order_relaxed);
    s.fallbacks += p.fallbacks.load(std::memory_order_relaxed);
  }
  s.attached_threads = g_attached.load(std::memory_order_relaxed);
  return s;
}

namespace detail {

void* run_heap_allocate(std::size_t bytes, std::size_t alignment) noexcept {
  Pool* p = t_pool;
  if (p == nullptr) return nullptr;
  // A block of 2^k bytes is aligned to 2^k (up to a page): the class must cover the alignment.
  const std::size_t n = std::max<std::size_t>({bytes, alignment, 1});
  if (n > kRunHeapMaxBlock) {
    bump(p->fallbacks);
    return nullptr;
  }
  const std::size_t c = n <= 16 ? 0 : static_cast<std::size_t>(std::bit_width(n - 1)) - 4;
  void* block = p->local[c];
  if (block == nullptr) {
    block = p->remote[c].exchange(nullptr, std::memory_order_acquire);
    if (block == nullptr) {
      bump(p->fallbacks);
      return nullptr;
    }
  }
  p->local[c] = next_of(block);
  bump(p->served);
  return block;
}

bool run_heap_release(void* ptr) noexcept {
  const std::uintptr_t region = g_region.load(std::memory_order_relaxed);
  const auto address = reinterpret_cast<std::uintptr_t>(ptr);
  if (region == 0 || address < region || address >= region + kRegionBytes) return false;
  const std::size_t offset = address - region;
  Pool& pool = g_pools[offset / kPoolBytes];
  const std::size_t c = class_at(offset % kPoolBytes);
  if (&pool == t_owned) {
    next_of(ptr) = pool.local[c];
    pool.local[c] = ptr;
  } else {
    push_chain(pool.remote[c], ptr, ptr);
  }
  return true;
}

}  // namespace detail
}  // namespace aegisrt::memory
