// Counts calls of the global operator new, to check that a code path allocates nothing.
//
// Include this header in exactly ONE source file of a test program: it replaces the global
// operator new/delete of that program (replacement functions cannot be inline).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

// The replacement pair is malloc/free on purpose; g++ cannot see that both halves are replaced.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace aegisrt::testing::detail {
inline std::atomic<bool> g_counting{false};
inline std::atomic<std::uint64_t> g_allocations{0};
inline std::atomic<std::uint64_t> g_frees{0};
}  // namespace aegisrt::testing::detail

void* operator new(std::size_t n) {
  if (aegisrt::testing::detail::g_counting.load(std::memory_order_relaxed)) {
    aegisrt::testing::detail::g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  if (p != nullptr && aegisrt::testing::detail::g_counting.load(std::memory_order_relaxed)) {
    aegisrt::testing::detail::g_frees.fetch_add(1, std::memory_order_relaxed);
  }
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace aegisrt::testing {

// Counts the allocations and frees made while it is alive (by any thread of the program).
class AllocationCounter {
 public:
  AllocationCounter() {
    detail::g_allocations = 0;
    detail::g_frees = 0;
    detail::g_counting = true;
  }
  ~AllocationCounter() { detail::g_counting = false; }
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  std::uint64_t count() const { return detail::g_allocations.load(); }
  std::uint64_t frees() const { return detail::g_frees.load(); }
};

}  // namespace aegisrt::testing
