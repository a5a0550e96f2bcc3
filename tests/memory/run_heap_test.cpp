// The run heap (memory/run_heap.hpp) through the real hook, which every test program links:
// blocks served inside scopes and not outside, reuse, alignment, fallbacks, blocks freed by other
// threads or after their thread has gone, and the limit on attached threads. Each test runs its
// body on a thread of its own, so that it starts from a fresh pool.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aegisrt/memory/run_heap.hpp"
// This file defines the program's counting malloc (support/allocation_counter.hpp).
#define AEGISRT_DEFINE_ALLOCATION_COUNTER
#include "support/allocation_counter.hpp"

namespace aegisrt::memory {
namespace {

using testing::AllocationCounter;

// Runs `body` on a new thread and waits for it.
void on_new_thread(const std::function<void()>& body) {
  std::thread t(body);
  t.join();
}

// Makes an allocation observable, so that the compiler cannot leave out a new/delete pair.
template <typename T>
T* keep(T* p) {
  asm volatile("" : : "g"(p) : "memory");
  return p;
}

// One allocation of `T` that really happens, freed at once.
template <typename T>
void allocate_one() {
  auto p = std::make_unique<T>();
  keep(p.get());
}

struct Delta {
  std::uint64_t served = 0;
  std::uint64_t fallbacks = 0;
};

// The change in the process-wide counts over `body`.
Delta measure(const std::function<void()>& body) {
  const RunHeapStats before = run_heap_stats();
  body();
  const RunHeapStats after = run_heap_stats();
  return {after.pool_allocations - before.pool_allocations, after.fallbacks - before.fallbacks};
}

TEST(RunHeapTest, TheHookIsLinkedIntoTestPrograms) { EXPECT_TRUE(run_heap_linked()); }

TEST(RunHeapTest, TheAllocationCounterSeesHeapAllocations) {
  on_new_thread([] {
    std::uint64_t count = 0;
    {
      const AllocationCounter counter;
      auto v = std::make_unique<std::vector<int>>(100);
      keep(v->data());
      count = counter.count();
    }
    EXPECT_EQ(count, 2u);  // the vector object and its elements
  });
}

TEST(RunHeapTest, ServesOnlyInsideAScope) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    EXPECT_TRUE(run_heap_attached());
    const Delta outside = measure([] { allocate_one<int>(); });
    EXPECT_EQ(outside.served, 0u);
    const Delta inside = measure([] {
      const RunHeapScope scope;
      allocate_one<int>();
    });
    EXPECT_EQ(inside.served, 1u);
    EXPECT_EQ(inside.fallbacks, 0u);
  });
}

TEST(RunHeapTest, AScopeOnAThreadWithoutAPoolChangesNothing) {
  on_new_thread([] {
    EXPECT_FALSE(run_heap_attached());
    const Delta d = measure([] {
      const RunHeapScope scope;
      allocate_one<int>();
    });
    EXPECT_EQ(d.served, 0u);
    EXPECT_EQ(d.fallbacks, 0u);
  });
}

// What oneDNN does on every primitive call: a small unordered_map built and destroyed.
TEST(RunHeapTest, ATransientMapMakesNoHeapAllocation) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    std::uint64_t heap = 0;
    Delta d;
    {
      const AllocationCounter counter;
      d = measure([] {
        const RunHeapScope scope;
        for (int call = 0; call < 1000; ++call) {
          std::unordered_map<int, std::uintptr_t> args;
          for (int a = 0; a < 6; ++a) args.emplace(a * 17, static_cast<std::uintptr_t>(call));
          keep(&args);
        }
      });
      heap = counter.count();
    }
    EXPECT_EQ(heap, 0u);
    EXPECT_GE(d.served, 7000u);  // the bucket array and six nodes, a thousand times
    EXPECT_EQ(d.fallbacks, 0u);
  });
}

TEST(RunHeapTest, AlignedRequestsAreServedAligned) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    struct alignas(256) Wide {
      char bytes[40];
    };
    struct alignas(8192) Paged {
      char bytes[40];
    };
    const RunHeapScope scope;
    const Delta wide = measure([] {
      auto p = std::make_unique<Wide>();
      keep(p.get());
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.get()) % 256, 0u);
    });
    EXPECT_EQ(wide.served, 1u);
    const Delta paged = measure([] {
      auto p = std::make_unique<Paged>();
      keep(p.get());
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.get()) % 8192, 0u);
    });
    EXPECT_EQ(paged.served, 0u);  // past the largest block: from the heap, and counted
    EXPECT_EQ(paged.fallbacks, 1u);
  });
}

TEST(RunHeapTest, ABlockLargerThanTheLargestClassFallsBackToTheHeap) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    const RunHeapScope scope;
    std::uint64_t heap = 0;
    Delta d;
    {
      const AllocationCounter counter;
      d = measure([] { keep(std::make_unique<char[]>(kRunHeapMaxBlock + 1).get()); });
      heap = counter.count();
    }
    EXPECT_EQ(heap, 1u);
    EXPECT_EQ(d.fallbacks, 1u);
    const Delta fits = measure([] { keep(std::make_unique<char[]>(kRunHeapMaxBlock).get()); });
    EXPECT_EQ(fits.served, 1u);
  });
}

// Blocks kept, not freed: a size class runs out, the rest go to the heap and are counted; once
// they are freed the class serves again.
TEST(RunHeapTest, AUsedUpClassFallsBackAndRecovers) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    const RunHeapScope scope;
    std::vector<std::unique_ptr<std::uint64_t[]>> kept;
    kept.reserve(2000);  // the vector's own block (16 KB) is a fallback, before measuring
    const Delta d = measure([&] {
      for (int i = 0; i < 2000; ++i) kept.push_back(std::make_unique<std::uint64_t[]>(2));
    });
    EXPECT_GT(d.served, 0u);
    EXPECT_GT(d.fallbacks, 0u);
    EXPECT_EQ(d.served + d.fallbacks, 2000u);
    kept.clear();
    const Delta again = measure([&] {
      for (int i = 0; i < 100; ++i) keep(std::make_unique<std::uint64_t[]>(2).get());
    });
    EXPECT_EQ(again.served, 100u);
    EXPECT_EQ(again.fallbacks, 0u);
  });
}

// A block freed by another thread goes back to its own pool, which serves it again.
TEST(RunHeapTest, BlocksFreedByAnotherThreadReturnToTheirPool) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    const RunHeapScope scope;
    // Take every 16-byte block (and some fallbacks).
    std::vector<int*> blocks;
    blocks.reserve(1000);
    for (int i = 0; i < 1000; ++i) blocks.push_back(new int(i));
    std::thread other([&] {
      for (int* b : blocks) delete b;
    });
    other.join();
    std::vector<std::unique_ptr<int>> again;
    again.reserve(400);
    const Delta d = measure([&] {
      for (int i = 0; i < 400; ++i) again.push_back(std::make_unique<int>(i));
    });
    EXPECT_EQ(d.served, 400u);
    EXPECT_EQ(d.fallbacks, 0u);
  });
}

// Blocks that outlive their thread stay valid; the pool is reused once they have all come back.
TEST(RunHeapTest, BlocksOutliveTheirThread) {
  std::vector<std::string*> left;
  on_new_thread([&] {
    ASSERT_TRUE(attach_run_heap().ok());
    const RunHeapScope scope;
    left.reserve(10);
    for (int i = 0; i < 10; ++i) left.push_back(new std::string(40, static_cast<char>('a' + i)));
  });
  ASSERT_EQ(left.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ((*left[i])[39], static_cast<char>('a' + i));
  for (std::string* s : left) delete s;
  on_new_thread([] { EXPECT_TRUE(attach_run_heap().ok()); });
}

TEST(RunHeapTest, DetachStopsServingEvenInsideAScope) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap().ok());
    const RunHeapScope scope;
    detach_run_heap();
    EXPECT_FALSE(run_heap_attached());
    const Delta d = measure([] { allocate_one<int>(); });
    EXPECT_EQ(d.served, 0u);
  });
}

TEST(RunHeapTest, AWorkerPoolServesWithoutAScope) {
  on_new_thread([] {
    ASSERT_TRUE(attach_run_heap(RunHeapUse::kAlways).ok());
    const Delta d = measure([] { allocate_one<int>(); });
    EXPECT_EQ(d.served, 1u);
  });
}

// Threads that hold pools at once: up to kRunHeapMaxThreads; the next is told why it got none.
TEST(RunHeapTest, TheNumberOfAttachedThreadsIsBounded) {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> attached{0};
  std::atomic<int> refused{0};
  std::string refusal;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kRunHeapMaxThreads + 2; ++i) {
    threads.emplace_back([&] {
      const Status st = attach_run_heap();
      {
        const std::lock_guard lock(m);
        if (st.ok()) {
          ++attached;
        } else {
          ++refused;
          refusal = st.error().to_string();
        }
      }
      cv.notify_all();
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return release; });
    });
  }
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return attached + refused == static_cast<int>(threads.size()); });
    // Other threads of this program may hold pools too (none do while this test runs).
    EXPECT_EQ(run_heap_stats().attached_threads, kRunHeapMaxThreads);
    release = true;
  }
  cv.notify_all();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(attached.load(), static_cast<int>(kRunHeapMaxThreads));
  EXPECT_EQ(refused.load(), 2);
  EXPECT_NE(refusal.find("pools are held"), std::string::npos) << refusal;
  // Their pools were handed back at thread exit: a new thread gets one.
  on_new_thread([] { EXPECT_TRUE(attach_run_heap().ok()); });
}

}  // namespace
}  // namespace aegisrt::memory
