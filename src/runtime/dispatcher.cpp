// The real-time driver (dispatcher.hpp; docs/design/0012-runtime.md, "The dispatcher").
#include "aegisrt/runtime/dispatcher.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace aegisrt::runtime {
namespace {

// std::chrono::steady_clock and SteadyClock both read CLOCK_MONOTONIC on Linux: a SteadyClock
// instant `t` is `d` from now on either.
std::chrono::steady_clock::time_point chrono_deadline(const SteadyClock& clock, TimePoint t) {
  const Duration d = t - clock.now();
  return std::chrono::steady_clock::now() +
         std::chrono::nanoseconds(std::max<std::int64_t>(0, d.count()));
}

}  // namespace

Dispatcher::Dispatcher(sched::Scheduler& scheduler, backend::Backend& backend,
                       std::vector<TaskId> external, DispatcherOptions options)
    : scheduler_(scheduler), backend_(backend), external_(std::move(external)), options_(options) {
  ring_.resize(std::max<std::uint32_t>(1, options_.submit_capacity));
  drained_.resize(ring_.size());
  stats_.wake_late.reserve(options_.max_wake_samples);
}

Dispatcher::~Dispatcher() {
  request_stop();
  join();
}

Status Dispatcher::start() {
  {
    const std::lock_guard lock(mutex_);
    if (started_) {
      return make_error(ErrorCode::kInvalidArgument, "the dispatcher was started already");
    }
    started_ = true;
  }
  ended_.store(false, std::memory_order_release);
  thread_ = std::thread([this] { body(); });
  std::unique_lock lock(mutex_);
  wake_.wait(lock, [this] { return ready_; });
  if (start_error_) {
    Error e = *start_error_;
    lock.unlock();
    thread_.join();
    ended_.store(true, std::memory_order_release);
    return e;
  }
  return Ok{};
}

bool Dispatcher::submit(TaskId task) {
  const bool external = std::find(external_.begin(), external_.end(), task) != external_.end();
  {
    const std::lock_guard lock(mutex_);
    if (!external || !ready_ || start_error_ || ring_size_ == ring_.size() || stop_ || closed_) {
      ++stats_.submit_refused;
      return false;
    }
    // Read under the lock, so that the ring's arrivals are in order whatever the producers. A
    // frame at or after the horizon would not be released: refused here, so that none is lost.
    const TimePoint now = clock_->now();
    if (now >= TimePoint() + scheduler_.horizon()) {
      ++stats_.submit_refused;
      return false;
    }
    ring_[(ring_head_ + ring_size_) % ring_.size()] = {task, now};
    ++ring_size_;
    ++stats_.submitted;
  }
  wake_.notify_one();
  return true;
}

void Dispatcher::request_stop() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

void Dispatcher::join() {
  if (thread_.joinable()) thread_.join();
}

bool Dispatcher::stop_requested() {
  const std::lock_guard lock(mutex_);
  return stop_;
}

void Dispatcher::record_wake(Duration late) {
  ++stats_.wakeups;
  if (stats_.wake_late.size() < stats_.wake_late.capacity()) {
    stats_.wake_late.push_back(std::max(Duration::zero(), late));
  }
}

void Dispatcher::body() {
  // The kernel may defer a normal thread's timer by its slack (50 us by default) to batch wake-ups;
  // the dispatcher's releases want the least it allows.
  (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  if (options_.core) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(*options_.core, &set);
    stats_.pinning = pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0
                         ? "dispatcher pinned to core " + std::to_string(*options_.core)
                         : "could not pin the dispatcher to core " + std::to_string(*options_.core);
  } else {
    stats_.pinning = "dispatcher not pinned";
  }
  if (options_.rt_priority) {
    sched_param param{};
    param.sched_priority = *options_.rt_priority;
    const int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param);
    stats_.priority = rc == 0
                          ? "dispatcher at SCHED_FIFO " + std::to_string(*options_.rt_priority)
                          : "could not set SCHED_FIFO " + std::to_string(*options_.rt_priority) +
                                " (" + std::strerror(rc) + "): default scheduler";
  } else {
    stats_.priority = "default scheduler";
  }
  {
    Status st = backend_.prepare_thread();
    const std::lock_guard lock(mutex_);
    if (!st.ok()) start_error_ = st.error();
    clock_.emplace();  // time 0 of the run
    ready_ = true;
  }
  wake_.notify_all();
  if (start_error_) return;

  for (;;) {
    // Outside releases first, in arrival order, then the stop flag. They are taken out of the ring
    // under the lock and released after it: a release may drop a job, whose outcome callback may
    // take the application's locks, which a producer may hold while it calls submit().
    bool stop = false;
    std::size_t taken = 0;
    {
      const std::lock_guard lock(mutex_);
      while (ring_size_ > 0) {
        drained_[taken++] = ring_[ring_head_];
        ring_head_ = (ring_head_ + 1) % ring_.size();
        --ring_size_;
      }
      stop = stop_;
    }
    for (std::size_t i = 0; i < taken; ++i) {
      (void)scheduler_.release(drained_[i].first, drained_[i].second);
    }
    if (stop) {
      stats_.stopped_early = true;
      break;
    }
    const sched::Action a = scheduler_.next(clock_->now());
    if (a.kind == sched::Action::Kind::kDone) {
      // Closed under the lock: a frame submitted since the ring was drained is released first.
      const std::lock_guard lock(mutex_);
      if (ring_size_ > 0) continue;
      closed_ = true;
      break;
    }
    if (a.kind == sched::Action::Kind::kRun) {
      const TimePoint start = clock_->now();
      const backend::SegmentStatus status = backend_.run_segment(a.job, a.segment);
      scheduler_.finished(a.job, a.segment, status, start, clock_->now());
      segments_run_.fetch_add(1, std::memory_order_release);
      continue;
    }
    // kIdle with no external task: nothing but a stop can come before the release, so sleep on
    // the clock itself (clock_nanosleep, TIMER_ABSTIME), in slices of at most kStopSlice so that
    // a stop is seen soon; only the last slice's lateness is the timer's.
    if (external_.empty()) {
      for (;;) {
        const TimePoint now = clock_->now();
        if (now >= a.until) break;
        if (stop_requested()) break;
        clock_->sleep_until(std::min(a.until, now + kStopSlice));
      }
      if (!stop_requested()) record_wake(clock_->now() - a.until);
      continue;
    }
    // kIdle: sleep until the next calendar release, an outside release or a stop.
    std::unique_lock lock(mutex_);
    const auto woken = [this] { return stop_ || ring_size_ > 0; };
    if (wake_.wait_until(lock, chrono_deadline(*clock_, a.until), woken)) continue;
    lock.unlock();
    record_wake(clock_->now() - a.until);
  }
  scheduler_.stop(clock_->now());
  ended_.store(true, std::memory_order_release);
}

}  // namespace aegisrt::runtime
