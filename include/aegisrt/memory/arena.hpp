// Arena: one block of memory reserved once, before any run, and carved into the slices a plan
// names ("plan, carve, hand out"; docs/design/0004). Handing out a slice never allocates; a request
// that does not fit is an error value, never a fallback to malloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "aegisrt/core/result.hpp"

namespace aegisrt::memory {

struct ArenaOptions {
  std::size_t alignment = 64;  // of the base and of every take(); a power of two <= page size
  bool lock = false;           // mlock: never paged out (fails past RLIMIT_MEMLOCK)
  bool prefault = false;       // touch every page now, so that no run takes a page fault
  bool huge_pages = false;     // ask for transparent huge pages (madvise) where the kernel offers
};

class Arena {
 public:
  // Reserves `bytes` (rounded up to whole pages; to 2 MiB with huge_pages) with mmap.
  // Errors: kInvalidArgument (bad alignment), kResourceExhausted (mmap fails, or mlock fails:
  // the hint names RLIMIT_MEMLOCK).
  static Result<Arena> create(std::size_t bytes, const ArenaOptions& options = {});

  Arena(Arena&& other) noexcept;
  Arena& operator=(Arena&& other) noexcept;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  std::size_t size() const { return size_; }  // the usable bytes asked for
  std::byte* data() { return base_; }
  const std::byte* data() const { return base_; }
  bool locked() const { return locked_; }
  // True when the kernel accepted MADV_HUGEPAGE for the block (it may still back it with small
  // pages when none are free).
  bool huge_pages_advised() const { return huge_pages_; }

  // The planned slice [offset, offset + bytes). Errors: kResourceExhausted when it ends past
  // size(), kInvalidArgument when the offset breaks the arena's alignment. Thread-safe (const).
  Result<std::span<std::byte>> slice(std::uint64_t offset, std::uint64_t bytes) const;

  // Bump allocation for callers without a plan: the next aligned `bytes`. Errors:
  // kResourceExhausted when the arena is full. Not thread-safe.
  Result<std::span<std::byte>> take(std::size_t bytes);
  // Forgets every take(); planned slices are unaffected.
  void reset() { used_ = 0; }
  std::size_t used() const { return used_; }

 private:
  Arena() = default;
  void release();

  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
  std::size_t alignment_ = 64;
  std::size_t used_ = 0;
  bool locked_ = false;
  bool huge_pages_ = false;
};

}  // namespace aegisrt::memory
