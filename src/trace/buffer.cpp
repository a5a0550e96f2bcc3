#include "aegisrt/trace/buffer.hpp"

#include <limits>

#include "aegisrt/core/result.hpp"
#include "aegisrt/sched/scheduler.hpp"

namespace aegisrt::trace {

TraceCapacity trace_capacity(const Workload& workload, const sched::RunOptions& opts) {
  TraceCapacity cap;
  for (const Task& t : workload.tasks) {
    const std::uint64_t jobs = opts.arrivals.empty()
                                   ? sched::max_releases(t, opts.horizon)
                                   : (t.id < opts.arrivals.size() ? opts.arrivals[t.id].size() : 0);
    const std::uint64_t m = t.segments.size();
    cap.records += static_cast<std::size_t>(jobs * (5 + 3 * m));
    cap.candidates += static_cast<std::size_t>(jobs * (m + 1) * workload.tasks.size());
  }
  return cap;
}

TraceBuffer::TraceBuffer(std::size_t max_records, std::size_t max_candidates)
    : max_records_(max_records), max_candidates_(max_candidates) {
  // Candidate offsets are stored as 32-bit values in each record.
  AEGISRT_ASSERT(max_candidates <= std::numeric_limits<std::uint32_t>::max());
  records_.reserve(max_records);
  candidates_.reserve(max_candidates);
}

void TraceBuffer::record(const TraceRecord& r, std::span<const sched::Candidate> candidates) {
  // Once one record is lost, later ones are dropped too: the stored trace stays a prefix of the
  // run, so a reader never sees an event whose causes are missing.
  if (lost_ > 0 || records_.size() >= max_records_ ||
      candidates.size() > max_candidates_ - candidates_.size()) {
    ++lost_;
    return;
  }
  TraceRecord stored = r;
  stored.candidate_offset = static_cast<std::uint32_t>(candidates_.size());
  stored.candidate_count = static_cast<std::uint32_t>(candidates.size());
  candidates_.insert(candidates_.end(), candidates.begin(), candidates.end());
  records_.push_back(stored);
}

std::span<const sched::Candidate> TraceBuffer::candidates_of(const TraceRecord& r) const {
  if (r.candidate_offset > candidates_.size() ||
      r.candidate_count > candidates_.size() - r.candidate_offset) {
    return {};
  }
  return std::span<const sched::Candidate>(candidates_)
      .subspan(r.candidate_offset, r.candidate_count);
}

void TraceBuffer::clear() {
  records_.clear();
  candidates_.clear();
  lost_ = 0;
}

}  // namespace aegisrt::trace
