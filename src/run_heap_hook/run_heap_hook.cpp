// The allocation hook of the run heap (include/aegisrt/memory/run_heap.hpp): replaces the global
// operator new and delete of the program that links it (the `aegisrt::run_heap` CMake target, an
// object library, so that the replacement is always linked in). A thread attached to the run heap
// takes blocks from its pool; every other request is malloc/free, as with the default operator.
#include <cstdlib>
#include <new>

#include "aegisrt/memory/run_heap.hpp"

// The replacements pair pool-or-malloc with pool-or-free on purpose; g++ cannot see that both
// halves are replaced.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Tells the library that the hook is linked (memory::run_heap_linked()).
extern "C" const char aegisrt_run_heap_hook_linked = 1;

namespace {

using aegisrt::memory::detail::run_heap_allocate;
using aegisrt::memory::detail::run_heap_release;

constexpr std::size_t kDefaultAlignment = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

void* heap_allocate(std::size_t n, std::size_t alignment) noexcept {
  if (n == 0) n = 1;
  if (alignment <= kDefaultAlignment) return std::malloc(n);
  void* p = nullptr;
  return posix_memalign(&p, alignment, n) == 0 ? p : nullptr;
}

// The standard operator new: the pool, then the heap, calling the new-handler until it succeeds or
// there is no handler.
void* allocate(std::size_t n, std::size_t alignment) {
  if (void* p = run_heap_allocate(n, alignment)) return p;
  for (;;) {
    if (void* p = heap_allocate(n, alignment)) return p;
    const std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* allocate_nothrow(std::size_t n, std::size_t alignment) noexcept {
  try {
    return allocate(n, alignment);
  } catch (...) {
    return nullptr;
  }
}

void release(void* p) noexcept {
  if (p != nullptr && !run_heap_release(p)) std::free(p);
}

}  // namespace

void* operator new(std::size_t n) { return allocate(n, kDefaultAlignment); }
void* operator new[](std::size_t n) { return allocate(n, kDefaultAlignment); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, kDefaultAlignment);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, kDefaultAlignment);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate(n, static_cast<std::size_t>(a));
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return allocate_nothrow(n, static_cast<std::size_t>(a));
}

void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
