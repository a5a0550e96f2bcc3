// A TraceSink that keeps every record in memory reserved up front.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "aegisrt/core/task.hpp"
#include "aegisrt/sched/record.hpp"

namespace aegisrt::sched {
struct RunOptions;
}

namespace aegisrt::trace {

// The records are the scheduler's (sched/record.hpp); the trace module stores, exports and
// replays them, so it depends on sched and never the reverse.
using sched::DropReason;
using sched::EventKind;
using sched::TraceRecord;
using sched::TraceSink;

// How much a TraceBuffer must hold so that a run loses nothing.
struct TraceCapacity {
  std::size_t records = 0;
  std::size_t candidates = 0;
};

// An upper bound for a run of `workload` with `opts` (its horizon or explicit arrivals). Each job
// gives at most 5 + 3m records for m segments (release, drop or complete, miss, a start and an end
// per segment, and at most m + 1 decisions: every decision dispatches a segment or sheds a job),
// and each decision at most one candidate per task. Callers that cannot afford the bound for a
// long run pass less and get a truncated trace.
TraceCapacity trace_capacity(const Workload& workload, const sched::RunOptions& opts);

// Holds up to `max_records` records and `max_candidates` decision candidates, both reserved at
// construction; record() never allocates. When either is full, further records are counted in
// lost() and not stored (the export says so, and `explain` reports the trace as truncated).
// One writer thread; read only after the writer has stopped.
class TraceBuffer final : public TraceSink {
 public:
  TraceBuffer(std::size_t max_records, std::size_t max_candidates);

  void record(const TraceRecord& r, std::span<const sched::Candidate> candidates) override;

  std::span<const TraceRecord> records() const { return records_; }
  std::span<const sched::Candidate> candidates_of(const TraceRecord& r) const;
  std::uint64_t lost() const { return lost_; }
  void clear();

 private:
  std::vector<TraceRecord> records_;
  std::vector<sched::Candidate> candidates_;
  std::size_t max_records_;
  std::size_t max_candidates_;
  std::uint64_t lost_ = 0;
};

}  // namespace aegisrt::trace
