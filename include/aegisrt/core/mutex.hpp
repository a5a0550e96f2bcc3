// A mutex that clang's thread-safety analysis understands (-Wthread-safety, on for clang builds:
// AEGISRT_THREAD_SAFETY_ANALYSIS). libstdc++'s std::mutex carries no capability attributes, so a
// member marked AEGISRT_GUARDED_BY(mutex_) is checked only when the mutex is this wrapper.
//
//   Mutex mutex_;
//   int queued_ AEGISRT_GUARDED_BY(mutex_) = 0;
//   void push() { MutexLock lock(mutex_); ++queued_; }   // without the lock: a compile warning
//
// Under gcc the attributes vanish and the wrapper is a std::mutex. A condition variable waits on
// MutexLock::native(), the std::unique_lock underneath.
#pragma once

#include <mutex>

#if defined(__clang__)
#define AEGISRT_TSA(x) __attribute__((x))
#else
#define AEGISRT_TSA(x)
#endif

#define AEGISRT_CAPABILITY(name) AEGISRT_TSA(capability(name))
#define AEGISRT_SCOPED_CAPABILITY AEGISRT_TSA(scoped_lockable)
#define AEGISRT_GUARDED_BY(m) AEGISRT_TSA(guarded_by(m))
#define AEGISRT_PT_GUARDED_BY(m) AEGISRT_TSA(pt_guarded_by(m))
#define AEGISRT_REQUIRES(...) AEGISRT_TSA(requires_capability(__VA_ARGS__))
#define AEGISRT_EXCLUDES(...) AEGISRT_TSA(locks_excluded(__VA_ARGS__))
#define AEGISRT_ACQUIRE(...) AEGISRT_TSA(acquire_capability(__VA_ARGS__))
#define AEGISRT_RELEASE(...) AEGISRT_TSA(release_capability(__VA_ARGS__))
#define AEGISRT_NO_THREAD_SAFETY_ANALYSIS AEGISRT_TSA(no_thread_safety_analysis)

namespace aegisrt {

class AEGISRT_CAPABILITY("mutex") Mutex {
 public:
  void lock() AEGISRT_ACQUIRE() { m_.lock(); }
  void unlock() AEGISRT_RELEASE() { m_.unlock(); }
  std::mutex& native() { return m_; }

 private:
  std::mutex m_;
};

// Holds a Mutex for its scope. native() is the std::unique_lock a std::condition_variable waits
// on; the wait releases and re-acquires the mutex, which the analysis does not see (it treats the
// lock as held throughout, which is what the code after the wait may assume).
class AEGISRT_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& m) AEGISRT_ACQUIRE(m) : lock_(m.native()) {}
  ~MutexLock() AEGISRT_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace aegisrt
