// The real-time driver of the scheduler state machine (docs/design/0012-runtime.md): one dispatcher
// thread per device, on the steady clock.
//
// The dispatcher thread asks the scheduler what to do (`next(now)`). It runs each decided segment
// on the backend, which blocks the thread for the segment, and reports the measured start and end.
// When the scheduler is idle until a calendar release, the thread sleeps until that absolute time:
// with clock_nanosleep(TIMER_ABSTIME) when no task is external (in slices of at most 50 ms, so a
// stop is seen), else on a condition variable that an outside release (submit) or a stop also
// wakes. How late each timed wake-up came is kept (the timer overshoot the analysis's release
// overhead must cover). Overheads are spent for
// real; Action::overhead is ignored.
//
// Threads: the dispatcher thread owns the scheduler and the backend after start(); submit() and
// request_stop() may be called from any thread; stats() only after join(). The outside-release
// queue is bounded (DispatcherOptions::submit_capacity; producers: any thread, consumer: the
// dispatcher); a submit to a full queue is refused and counted. Nothing on the dispatcher thread
// allocates after start() returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aegisrt/backend/backend.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/result.hpp"
#include "aegisrt/sched/scheduler.hpp"

namespace aegisrt::runtime {

struct DispatcherOptions {
  std::uint32_t submit_capacity = 1024;      // outside releases waiting for the dispatcher
  std::uint32_t max_wake_samples = 1 << 20;  // timed wake-ups whose lateness is kept
  std::optional<int> core;  // pin the dispatcher thread to this core (best effort, reported)
  // SCHED_FIFO at this priority for the dispatcher thread (1..99; best effort, reported). Empty:
  // the default scheduler. Note that Linux throttles real-time threads to
  // /proc/sys/kernel/sched_rt_runtime_us of every second (950 ms by default): a thread that uses
  // its share stalls for the rest (docs/design/0012, "Real-time hygiene").
  std::optional<int> rt_priority;
};

struct DispatcherStats {
  // How late every timed wake-up came: now - the release time it slept until (>= 0), in order,
  // up to max_wake_samples.
  std::vector<Duration> wake_late;
  std::uint64_t wakeups = 0;         // timed wake-ups (all, kept or not)
  std::uint64_t submitted = 0;       // outside releases accepted by submit()
  std::uint64_t submit_refused = 0;  // submit() to a full queue or a task not external
  bool stopped_early = false;        // request_stop() ended the run before the calendar did
  std::string pinning;               // what happened to DispatcherOptions::core
  std::string priority;              // what happened to DispatcherOptions::rt_priority
};

class Dispatcher {
 public:
  // `scheduler` is prepared (Scheduler::prepare), `backend` prepared (Backend::prepare) on the
  // calling thread; both outlive the dispatcher. `external` lists the tasks whose jobs come from
  // submit() (as passed in sched::RunOptions::external). The run's time 0 is when the dispatcher
  // thread is ready (after Backend::prepare_thread), so model loading and warm-up delay no
  // release.
  Dispatcher(sched::Scheduler& scheduler, backend::Backend& backend, std::vector<TaskId> external,
             DispatcherOptions options = {});
  ~Dispatcher();  // request_stop() and join()
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the dispatcher thread and returns once the backend is ready on it
  // (Backend::prepare_thread). Errors: that call's error (the thread has then ended), or
  // kInvalidArgument when called twice.
  Status start();
  // An outside release of `task`, arriving now. False when the task is not external or the
  // queue is full (counted); the job then never existed for the scheduler. Any thread.
  bool submit(TaskId task);
  // Ends the run at the next step: the running segment finishes, nothing else starts. Any thread.
  void request_stop();
  // Waits for the dispatcher thread to end: the calendar ran out and the queues drained
  // (Action::kDone), or request_stop(). Idempotent.
  void join();
  // After join().
  const DispatcherStats& stats() const { return stats_; }
  // The dispatcher thread has ended (or never started); any thread.
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  // Segments the dispatcher has run so far (any thread; for waiting on progress, not timing).
  std::uint64_t segments_run() const { return segments_run_.load(std::memory_order_acquire); }
  // The run's clock (time 0 at the start of the run); valid after start() returned Ok.
  const SteadyClock& clock() const { return *clock_; }

 private:
  void body();
  bool stop_requested();
  void record_wake(Duration late);
  // The longest clock_nanosleep slice of an idle wait when no task is external: a stop is seen
  // within it.
  static constexpr Duration kStopSlice = Duration::ms(50);

  sched::Scheduler& scheduler_;
  backend::Backend& backend_;
  std::optional<SteadyClock> clock_;  // set on the dispatcher thread before start() returns
  std::vector<TaskId> external_;
  DispatcherOptions options_;
  DispatcherStats stats_;
  std::thread thread_;
  std::atomic<std::uint64_t> segments_run_{0};
  std::atomic<bool> ended_{true};
  // The dispatcher thread's copy of the ring's entries, released outside the lock.
  std::vector<std::pair<TaskId, TimePoint>> drained_;

  // Guarded by mutex_: the outside-release ring, the stop flag, the start handshake.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::pair<TaskId, TimePoint>> ring_;  // capacity submit_capacity
  std::size_t ring_head_ = 0;
  std::size_t ring_size_ = 0;
  bool stop_ = false;
  bool closed_ = false;  // the run is over: submit() refuses
  bool started_ = false;
  bool ready_ = false;
  std::optional<Error> start_error_;
};

}  // namespace aegisrt::runtime
