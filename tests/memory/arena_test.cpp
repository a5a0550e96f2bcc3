// The arena: reserved once, carved by offsets, exhaustion as an error value.
#include "aegisrt/memory/arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace aegisrt::memory {
namespace {

TEST(ArenaTest, HandsOutPlannedSlicesInsideTheBlock) {
  auto sut = Arena::create(4096);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();

  auto a = sut->slice(0, 1024);
  auto b = sut->slice(3072, 1024);

  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->data(), sut->data());
  EXPECT_EQ(b->data(), sut->data() + 3072);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(sut->data()) % 64, 0u);
  std::memset(b->data(), 0xab, b->size());  // writable (ASan would flag an out-of-range write)
}

TEST(ArenaTest, SliceEndingPastTheArenaIsResourceExhausted) {
  auto sut = Arena::create(4096);
  ASSERT_TRUE(sut.ok());

  auto r = sut->slice(3072, 1025);

  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
}

TEST(ArenaTest, MisalignedSliceIsRejected) {
  auto sut = Arena::create(4096);
  ASSERT_TRUE(sut.ok());

  auto r = sut->slice(10, 16);

  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(ArenaTest, TakeRunsOutWithAnErrorValueAndResetStartsOver) {
  auto sut = Arena::create(256);
  ASSERT_TRUE(sut.ok());

  auto a = sut->take(100);  // [0, 100)
  auto b = sut->take(100);  // [128, 228)
  auto c = sut->take(100);  // needs [256, 356): past the end

  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data() - a->data(), 128);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kResourceExhausted);
  sut->reset();
  EXPECT_TRUE(sut->take(256).ok());
}

TEST(ArenaTest, RejectsAnAlignmentThatIsNotAPowerOfTwo) {
  ArenaOptions options;
  options.alignment = 48;

  auto sut = Arena::create(4096, options);

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
}

TEST(ArenaTest, PrefaultedHugePageArenaIsUsable) {
  ArenaOptions options;
  options.prefault = true;
  options.huge_pages = true;

  auto sut = Arena::create(3 << 20, options);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->size(), std::size_t{3} << 20);
  auto last = sut->slice((3 << 20) - 64, 64);
  ASSERT_TRUE(last.ok());
  last->front() = std::byte{1};
}

TEST(ArenaTest, LockedArenaReportsItIsLocked) {
  ArenaOptions options;
  options.lock = true;

  auto sut = Arena::create(4096, options);

  if (!sut.ok()) {
    // Only an mlock refusal by the environment (RLIMIT_MEMLOCK) may fail this.
    ASSERT_EQ(sut.error().code, ErrorCode::kResourceExhausted) << sut.error().to_string();
    GTEST_SKIP() << "mlock refused here: " << sut.error().to_string();
  }
  EXPECT_TRUE(sut->locked());
}

TEST(ArenaTest, MovingTransfersOwnership) {
  auto made = Arena::create(4096);
  ASSERT_TRUE(made.ok());
  std::byte* base = made->data();

  Arena sut = std::move(made.value());

  EXPECT_EQ(sut.data(), base);
  EXPECT_EQ(made->data(), nullptr);
}

}  // namespace
}  // namespace aegisrt::memory
