// Counts calls into the C heap (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign,
// valloc), by any thread of the program, to check that a code path allocates nothing. Counting at
// this level sees what operator new takes from the heap (the run heap's hook and the default
// operator both end in malloc) and what libraries such as oneDNN take from malloc directly.
//
// The counting is defined by exactly ONE source file of a test program: the one that includes this
// header after `#define AEGISRT_DEFINE_ALLOCATION_COUNTER`; other files include it for the class
// alone. Without AddressSanitizer it is a malloc family that counts and forwards to glibc's own
// entry points. AddressSanitizer owns malloc, so there the same file defines the hooks that its
// allocator calls after every allocation and before every free instead
// (`__sanitizer_malloc_hook`, `__sanitizer_free_hook`: sanitizer/allocator_interface.h, weak in the
// runtime), which see the same calls.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define AEGISRT_ALLOCATION_COUNTER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AEGISRT_ALLOCATION_COUNTER_ASAN 1
#endif
#endif
#ifndef AEGISRT_ALLOCATION_COUNTER_ASAN
#define AEGISRT_ALLOCATION_COUNTER_ASAN 0
#endif

namespace aegisrt::testing::detail {
inline constinit std::atomic<bool> g_counting{false};
inline constinit std::atomic<std::uint64_t> g_allocations{0};
inline constinit std::atomic<std::uint64_t> g_frees{0};
inline void count_allocation() {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace aegisrt::testing::detail

#if AEGISRT_ALLOCATION_COUNTER_ASAN && defined(AEGISRT_DEFINE_ALLOCATION_COUNTER)
extern "C" {
void __sanitizer_malloc_hook(const volatile void*, std::size_t) {
  aegisrt::testing::detail::count_allocation();
}
void __sanitizer_free_hook(const volatile void* p) {
  if (p != nullptr && aegisrt::testing::detail::g_counting.load(std::memory_order_relaxed)) {
    aegisrt::testing::detail::g_frees.fetch_add(1, std::memory_order_relaxed);
  }
}
}
#elif defined(AEGISRT_DEFINE_ALLOCATION_COUNTER)
extern "C" {
// glibc's allocator under its internal names: what the replacements forward to.
void* __libc_malloc(std::size_t);                 // NOLINT(bugprone-reserved-identifier)
void __libc_free(void*);                          // NOLINT(bugprone-reserved-identifier)
void* __libc_calloc(std::size_t, std::size_t);    // NOLINT(bugprone-reserved-identifier)
void* __libc_realloc(void*, std::size_t);         // NOLINT(bugprone-reserved-identifier)
void* __libc_memalign(std::size_t, std::size_t);  // NOLINT(bugprone-reserved-identifier)
void* __libc_valloc(std::size_t);                 // NOLINT(bugprone-reserved-identifier)

void* malloc(std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_malloc(n);
}
void free(void* p) noexcept {
  if (p != nullptr && aegisrt::testing::detail::g_counting.load(std::memory_order_relaxed)) {
    aegisrt::testing::detail::g_frees.fetch_add(1, std::memory_order_relaxed);
  }
  __libc_free(p);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_realloc(p, n);
}
void* memalign(std::size_t alignment, std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
  void* p = __libc_memalign(alignment, n);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void* valloc(std::size_t n) noexcept {
  aegisrt::testing::detail::count_allocation();
  return __libc_valloc(n);
}
}
#endif

namespace aegisrt::testing {

// Counts the heap allocations and frees made while it is alive (by any thread of the program).
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
