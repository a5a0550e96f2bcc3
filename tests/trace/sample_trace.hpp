// A small hand-built run of two tasks under np-edf, used by the export and explain tests. Records
// follow the scheduler's conventions (docs/design/0001-scheduler-core.md): a job refused at a full
// queue is traced as dropped, then as released.
//
//   det (id 0): one 3ms segment. Job 0 arrives at 0 (deadline 10ms), job 1 at 10ms (deadline 20ms).
//   ocr (id 1): two segments, queue capacity 1, drop_newest. Job 0 arrives at 0 (deadline 40ms),
//               job 1 at 11ms (deadline 51ms), job 2 at 22ms (deadline 62ms) finds job 1 waiting
//               and is dropped.
//
//   t=0     decide {det#0, ocr#0} -> det#0 (earliest deadline)  det#0 seg0 0..3ms
//   t=3ms   decide {ocr#0}        -> ocr#0 (only candidate)     ocr#0 seg0 3..5ms, seg1 5..12ms
//   t=12ms  decide {det#1, ocr#1} -> det#1 (earliest deadline)  det#1 seg0 12..23ms, misses 20ms
//   t=23ms  decide {ocr#1}        -> ocr#1 (only candidate)     ocr#1 seg0 23..25ms, seg1 25..30ms
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"

namespace aegisrt::trace::testing {

inline TimePoint at_ms(std::int64_t ms) { return TimePoint::from_ns(ms * 1'000'000); }
inline std::int64_t ms_ns(std::int64_t ms) { return ms * 1'000'000; }

inline TraceRecord job_record(EventKind kind, TimePoint t, TaskId task, std::uint64_t job,
                              std::int64_t value, TimePoint arrival, TimePoint deadline,
                              std::uint16_t segment = 0) {
  TraceRecord r;
  r.time = t;
  r.kind = kind;
  r.task = task;
  r.job = job;
  r.value = value;
  r.arrival = arrival;
  r.deadline = deadline;
  r.segment = segment;
  return r;
}

inline sched::Candidate candidate(TaskId task, std::uint64_t job, TimePoint arrival,
                                  TimePoint deadline, Duration remaining) {
  sched::Candidate c;
  c.task = task;
  c.job = job;
  c.arrival = arrival;
  c.release = arrival;
  c.deadline = deadline;
  c.remaining = remaining;
  return c;
}

inline TraceMeta sample_meta() {
  TraceMeta meta;
  meta.workload = "demo";
  meta.backend = "sim";
  meta.policy = Policy::kNpEdf;
  meta.load_shedding = false;
  meta.seed = 7;
  meta.horizon = Duration::ms(30);
  meta.task_names = {"det", "ocr"};
  meta.node = "test-node";
  return meta;
}

// Fills `buf` with the run described at the top of this file (27 records, 4 decisions).
inline void fill_sample(TraceBuffer& buf) {
  using K = EventKind;
  const TimePoint det0_dl = at_ms(10), det1_dl = at_ms(20);
  const TimePoint ocr0_dl = at_ms(40), ocr1_dl = at_ms(51), ocr2_dl = at_ms(62);
  const auto decision = [&](TimePoint t, std::vector<sched::Candidate> c, sched::Decision d) {
    const sched::Candidate& chosen = c[static_cast<std::size_t>(d.chosen)];
    TraceRecord r =
        job_record(K::kDecision, t, chosen.task, chosen.job, 0, chosen.arrival, chosen.deadline);
    r.decision = d;
    buf.record(r, c);
  };
  const sched::Decision edf_first{0, 1, sched::DecisionReason::kEarliestDeadline, 0};
  const sched::Decision only{0, -1, sched::DecisionReason::kOnlyCandidate, 0};

  buf.record(job_record(K::kRelease, at_ms(0), 0, 0, 1, at_ms(0), det0_dl), {});
  buf.record(job_record(K::kRelease, at_ms(0), 1, 0, 1, at_ms(0), ocr0_dl), {});
  decision(at_ms(0),
           {candidate(0, 0, at_ms(0), det0_dl, Duration::ms(3)),
            candidate(1, 0, at_ms(0), ocr0_dl, Duration::ms(9))},
           edf_first);
  buf.record(job_record(K::kSegmentStart, at_ms(0), 0, 0, 0, at_ms(0), det0_dl, 0), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(3), 0, 0, ms_ns(3), at_ms(0), det0_dl, 0), {});
  buf.record(job_record(K::kComplete, at_ms(3), 0, 0, ms_ns(3), at_ms(0), det0_dl), {});
  decision(at_ms(3), {candidate(1, 0, at_ms(0), ocr0_dl, Duration::ms(9))}, only);
  buf.record(job_record(K::kSegmentStart, at_ms(3), 1, 0, 0, at_ms(0), ocr0_dl, 0), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(5), 1, 0, ms_ns(2), at_ms(0), ocr0_dl, 0), {});
  buf.record(job_record(K::kSegmentStart, at_ms(5), 1, 0, 0, at_ms(0), ocr0_dl, 1), {});
  buf.record(job_record(K::kRelease, at_ms(10), 0, 1, 1, at_ms(10), det1_dl), {});
  buf.record(job_record(K::kRelease, at_ms(11), 1, 1, 1, at_ms(11), ocr1_dl), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(12), 1, 0, ms_ns(7), at_ms(0), ocr0_dl, 1), {});
  buf.record(job_record(K::kComplete, at_ms(12), 1, 0, ms_ns(12), at_ms(0), ocr0_dl), {});
  decision(at_ms(12),
           {candidate(0, 1, at_ms(10), det1_dl, Duration::ms(3)),
            candidate(1, 1, at_ms(11), ocr1_dl, Duration::ms(9))},
           edf_first);
  buf.record(job_record(K::kSegmentStart, at_ms(12), 0, 1, 0, at_ms(10), det1_dl, 0), {});
  {
    TraceRecord r = job_record(K::kDrop, at_ms(22), 1, 2, 1, at_ms(22), ocr2_dl);
    r.drop = DropReason::kQueueFullNewest;
    buf.record(r, {});
  }
  buf.record(job_record(K::kRelease, at_ms(22), 1, 2, 1, at_ms(22), ocr2_dl), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(23), 0, 1, ms_ns(11), at_ms(10), det1_dl, 0), {});
  buf.record(job_record(K::kComplete, at_ms(23), 0, 1, ms_ns(13), at_ms(10), det1_dl), {});
  buf.record(job_record(K::kMiss, det1_dl, 0, 1, ms_ns(3), at_ms(10), det1_dl), {});
  decision(at_ms(23), {candidate(1, 1, at_ms(11), ocr1_dl, Duration::ms(9))}, only);
  buf.record(job_record(K::kSegmentStart, at_ms(23), 1, 1, 0, at_ms(11), ocr1_dl, 0), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(25), 1, 1, ms_ns(2), at_ms(11), ocr1_dl, 0), {});
  buf.record(job_record(K::kSegmentStart, at_ms(25), 1, 1, 0, at_ms(11), ocr1_dl, 1), {});
  buf.record(job_record(K::kSegmentEnd, at_ms(30), 1, 1, ms_ns(5), at_ms(11), ocr1_dl, 1), {});
  buf.record(job_record(K::kComplete, at_ms(30), 1, 1, ms_ns(19), at_ms(11), ocr1_dl), {});
}

inline std::string export_text(const TraceMeta& meta, const TraceBuffer& buf) {
  std::ostringstream out;
  write_chrome_json(out, meta, buf);
  return out.str();
}

inline std::string sample_trace_text() {
  TraceBuffer buf(64, 64);
  fill_sample(buf);
  return export_text(sample_meta(), buf);
}

}  // namespace aegisrt::trace::testing
