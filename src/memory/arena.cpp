#include "aegisrt/memory/arena.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace aegisrt::memory {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t page_size() {
  const long p = ::sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<std::size_t>(p) : 4096;
}

}  // namespace

Result<Arena> Arena::create(std::size_t bytes, const ArenaOptions& options) {
  const std::size_t page = page_size();
  if (options.alignment == 0 || (options.alignment & (options.alignment - 1)) != 0 ||
      options.alignment > page) {
    return make_error(ErrorCode::kInvalidArgument,
                      "arena alignment " + std::to_string(options.alignment) +
                          " is not a power of two up to the page size");
  }
  const std::size_t granule = options.huge_pages ? kHugePage : page;
  const std::size_t mapped =
      std::max<std::size_t>(granule, (bytes + granule - 1) / granule * granule);
  if (mapped < bytes) return make_error(ErrorCode::kResourceExhausted, "arena size overflows");
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return make_error(
        ErrorCode::kResourceExhausted,
        "cannot reserve an arena of " + std::to_string(bytes) + " bytes: " + std::strerror(errno));
  }
  Arena a;
  a.base_ = static_cast<std::byte*>(p);
  a.size_ = bytes;
  a.mapped_ = mapped;
  a.alignment_ = options.alignment;
#ifdef MADV_HUGEPAGE
  if (options.huge_pages) a.huge_pages_ = ::madvise(p, mapped, MADV_HUGEPAGE) == 0;
#endif
  if (options.lock) {
    if (::mlock(p, mapped) != 0) {
      const int err = errno;
      return make_error(ErrorCode::kResourceExhausted,
                        "cannot lock an arena of " + std::to_string(mapped) +
                            " bytes in memory: " + std::strerror(err),
                        "raise RLIMIT_MEMLOCK (ulimit -l) or grant CAP_IPC_LOCK, or do not lock");
    }
    a.locked_ = true;  // mlock also faults every page in
  }
  if (options.prefault && !a.locked_) {
    const std::size_t step = page;
    for (std::size_t off = 0; off < mapped; off += step) {
      static_cast<volatile std::byte*>(a.base_)[off] = std::byte{0};
    }
  }
  return a;
}

Arena::Arena(Arena&& other) noexcept { *this = std::move(other); }

Arena& Arena::operator=(Arena&& other) noexcept {
  if (this != &other) {
    release();
    base_ = std::exchange(other.base_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
    alignment_ = other.alignment_;
    used_ = std::exchange(other.used_, 0);
    locked_ = std::exchange(other.locked_, false);
    huge_pages_ = std::exchange(other.huge_pages_, false);
  }
  return *this;
}

Arena::~Arena() { release(); }

void Arena::release() {
  if (base_ == nullptr) return;
  if (locked_) ::munlock(base_, mapped_);
  ::munmap(base_, mapped_);
  base_ = nullptr;
}

Result<std::span<std::byte>> Arena::slice(std::uint64_t offset, std::uint64_t bytes) const {
  if (offset % alignment_ != 0) {
    return make_error(ErrorCode::kInvalidArgument, "slice offset " + std::to_string(offset) +
                                                       " is not a multiple of " +
                                                       std::to_string(alignment_));
  }
  if (offset > size_ || bytes > size_ - offset) {
    return make_error(ErrorCode::kResourceExhausted,
                      "slice [" + std::to_string(offset) + ", +" + std::to_string(bytes) +
                          ") ends past the arena of " + std::to_string(size_) + " bytes",
                      "the plan does not belong to this arena, or the arena was sized too small");
  }
  return std::span<std::byte>(base_ + offset, static_cast<std::size_t>(bytes));
}

Result<std::span<std::byte>> Arena::take(std::size_t bytes) {
  const std::size_t start = (used_ + alignment_ - 1) / alignment_ * alignment_;
  if (start > size_ || bytes > size_ - start) {
    return make_error(ErrorCode::kResourceExhausted,
                      "arena exhausted: " + std::to_string(bytes) + " bytes asked, " +
                          std::to_string(size_ - std::min(start, size_)) + " of " +
                          std::to_string(size_) + " left");
  }
  used_ = start + bytes;
  return std::span<std::byte>(base_ + start, bytes);
}

}  // namespace aegisrt::memory
