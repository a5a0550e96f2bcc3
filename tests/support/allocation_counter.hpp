// Counts calls into the C heap (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign,
// valloc), by any thread of the program, to check that a code path allocates nothing. Counting at
// this level sees what operator new takes from the heap (the run heap's hook and the default
// operator both end in malloc) and what libraries such as oneDNN take from malloc directly.
//
// The counting malloc family (forwarding to glibc's own entry points) is defined by exactly ONE
// source file of a test program: the one that includes this header after
// `#define AEGISRT_DEFINE_ALLOCATION_COUNTER`; other files include it for the class alone.
// Under AddressSanitizer, which owns malloc, nothing is replaced and available() is false.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define AEGISRT_ALLOCATION_COUNTER 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AEGISRT_ALLOCATION_COUNTER 0
#endif
#endif
#ifndef AEGISRT_ALLOCATION_COUNTER
#define AEGISRT_ALLOCATION_COUNTER 1
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

#if AEGISRT_ALLOCATION_COUNTER && defined(AEGISRT_DEFINE_ALLOCATION_COUNTER)
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
  // False where the counter cannot replace malloc (AddressSanitizer builds): skip the test.
  static constexpr bool available() { return AEGISRT_ALLOCATION_COUNTER != 0; }

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
