// The names of the Chrome trace format as AegisRT writes it (docs/design/0005-traces.md, "The JSON
// layout"): every key, event name and fixed value that the exporter (chrome.cpp) writes and
// `explain` (explain.cpp) reads back, in one place, so that the two cannot drift apart. Internal to
// the trace module. Renaming one changes the file format: bump kTraceVersion and the design note.
//
// `key::` holds object keys, `value::` the fixed values (phases, event names, categories, ids).
// `const char[]` rather than std::string_view: the reader looks keys up in nlohmann::json, whose
// find() takes a C string, and names field paths in its errors with them.
#pragma once

#include <cstdint>

namespace aegisrt::trace::key {

// --- the top level ----------------------------------------------------------------------------
inline constexpr char kTraceEvents[] = "traceEvents";  // the event array, first
inline constexpr char kMetadata[] = "metadata";        // the run's description, last

// --- every event, in this order (see chrome.cpp's compatibility notes) ---------------------------
inline constexpr char kPh[] = "ph";  // phase: see value::kPhase*
inline constexpr char kTs[] = "ts";  // microseconds, three exact decimals
inline constexpr char kPid[] = "pid";
inline constexpr char kTid[] = "tid";  // value::kDeviceTid, or task id + 1
// ...then, as the event needs them:
inline constexpr char kScope[] = "s";  // instants: value::kScopeThread
inline constexpr char kCat[] = "cat";
inline constexpr char kDur[] = "dur";  // 'X' slices: microseconds, as ts
inline constexpr char kName[] = "name";
inline constexpr char kId[] = "id";             // async queue waits: the job uid
inline constexpr char kBindId[] = "bind_id";    // flows (v2): the job uid
inline constexpr char kFlowOut[] = "flow_out";  // on the job's 'b' wait
inline constexpr char kFlowIn[] = "flow_in";    // on its last segment's 'X' slice
inline constexpr char kArgs[] = "args";

// --- args fields -------------------------------------------------------------------------------
// Track metadata ('M').
inline constexpr char kSortIndex[] = "sort_index";
// Jobs: release, complete, drop, miss instants, segment slices, queue waits, candidates.
inline constexpr char kTask[] = "task";
inline constexpr char kJob[] = "job";
inline constexpr char kSegment[] = "segment";
inline constexpr char kArrivalNs[] = "arrival_ns";
inline constexpr char kReleaseNs[] = "release_ns";
inline constexpr char kDeadlineNs[] = "deadline_ns";
inline constexpr char kResponseNs[] = "response_ns";
inline constexpr char kLatenessNs[] = "lateness_ns";
inline constexpr char kExecutedNs[] = "executed_ns";
inline constexpr char kStartNs[] = "start_ns";       // device slices
inline constexpr char kEndNs[] = "end_ns";           // device slices
inline constexpr char kReason[] = "reason";          // drop reason, decision reason
inline constexpr char kJobs[] = "jobs";              // queue counters: the queue's length
inline constexpr char kUnfinished[] = "unfinished";  // a wait closed at a truncated trace's end
// The decide instant.
inline constexpr char kDecision[] = "decision";  // index from 0
inline constexpr char kTNs[] = "t_ns";
inline constexpr char kPolicy[] = "policy";
inline constexpr char kLoadShedding[] = "load_shedding";
inline constexpr char kCandidates[] = "candidates";
inline constexpr char kChosen[] = "chosen";
inline constexpr char kRunnerUp[] = "runner_up";
inline constexpr char kShedCount[] = "shed_count";
inline constexpr char kReasonText[] = "reason_text";
// One candidate (also kTask, kName, kJob, kArrivalNs, kReleaseNs, kDeadlineNs).
inline constexpr char kPriority[] = "priority";
inline constexpr char kCriticality[] = "criticality";
inline constexpr char kRemainingNs[] = "remaining_ns";
inline constexpr char kShed[] = "shed";

// --- metadata fields (also kPolicy, kLoadShedding) ----------------------------------------------
inline constexpr char kAegisrtTraceVersion[] = "aegisrt_trace_version";  // value::kTraceVersion
inline constexpr char kWorkload[] = "workload";
inline constexpr char kBackend[] = "backend";
inline constexpr char kSeed[] = "seed";
inline constexpr char kHorizonNs[] = "horizon_ns";
inline constexpr char kTasks[] = "tasks";  // task names by id
inline constexpr char kRecords[] = "records";
inline constexpr char kDecisions[] = "decisions";  // decide events in the trace
inline constexpr char kLostRecords[] = "lost_records";
inline constexpr char kNode[] = "node";
inline constexpr char kAdmission[] = "admission";
inline constexpr char kAdmissionDetail[] = "admission_detail";

}  // namespace aegisrt::trace::key

namespace aegisrt::trace::value {

inline constexpr std::int64_t kTraceVersion = 1;  // metadata.aegisrt_trace_version
inline constexpr std::int64_t kProcessId = 1;     // "pid": the one process
inline constexpr std::int64_t kDeviceTid = 0;     // "tid" of the device track; tasks are id + 1

// Phases ("ph").
inline constexpr char kPhaseInstant[] = "i";
inline constexpr char kPhaseComplete[] = "X";  // a slice with "dur"
inline constexpr char kPhaseMetadata[] = "M";
inline constexpr char kPhaseCounter[] = "C";
inline constexpr char kPhaseAsyncBegin[] = "b";
inline constexpr char kPhaseAsyncEnd[] = "e";
inline constexpr char kScopeThread[] = "t";

// Event names ("name") and categories ("cat") with a fixed text.
inline constexpr char kProcessName[] = "process_name";  // 'M' events
inline constexpr char kThreadName[] = "thread_name";
inline constexpr char kThreadSortIndex[] = "thread_sort_index";
inline constexpr char kDeviceTrack[] = "device";  // the device track's thread name
inline constexpr char kDecide[] = "decide";       // the decision instant
inline constexpr char kRelease[] = "release";     // job instants
inline constexpr char kComplete[] = "complete";
inline constexpr char kDrop[] = "drop";
inline constexpr char kMiss[] = "miss";
inline constexpr char kCatJob[] = "job";
inline constexpr char kCatQueue[] = "queue";
inline constexpr char kCatSegment[] = "segment";
inline constexpr char kCatDecision[] = "decision";

}  // namespace aegisrt::trace::value
