// The scheduler state machine driven in virtual time writes, for every example workload and every
// policy, the same trace events byte for byte as the dispatch loop it replaced.
//
// The golden files in tests/sim/golden/ were written by `aegisrt simulate EXAMPLE --policy P
// --duration 200ms --seed 7 --force --trace` at commit 33dceef, the last one whose Scheduler owned
// its loop (Scheduler::run()), and cut before the "metadata" member: the metadata carries the
// admission verdict, which later changes correct, while the events are the scheduler's behaviour.
// They are an independent implementation's output, not this code's. That loop charged no
// overheads; the state machine charges the workload's (docs/design/0010), so the comparison runs
// with them set to zero, and tests/analysis/overheads_test.cpp checks the charge itself.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "aegisrt/core/clock.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"
#include "aegisrt/workload/workload.hpp"

namespace aegisrt::sim {
namespace {

struct GoldenCase {
  const char* example;  // under examples/
  const char* golden;   // stem under tests/sim/golden/
  Policy policy;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The trace of one example run, as the state machine and the virtual-time driver write it.
std::string trace_of(const GoldenCase& c) {
  auto loaded = workload::load_file(std::string(AEGISRT_SOURCE_DIR) + "/examples/" + c.example);
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().to_string());
  if (!loaded.ok()) return {};
  Workload& w = loaded->workload;
  w.scheduler.policy = c.policy;
  w.scheduler.overheads = Overheads{};
  constexpr std::uint64_t kSeed = 7;
  sched::RunOptions opts;
  opts.horizon = Duration::ms(200);
  opts.seed = kSeed;
  const trace::TraceCapacity size = trace::trace_capacity(w, opts);
  trace::TraceBuffer buffer(size.records, size.candidates);
  VirtualClock clock;
  SimBackend backend(clock, kSeed);
  sched::Scheduler sut(w, &buffer);
  const Status st = run(w, sut, opts, clock, backend);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().to_string());
  trace::TraceMeta meta;
  meta.workload = w.name;
  meta.backend = "sim";
  meta.policy = w.scheduler.policy;
  meta.load_shedding = w.scheduler.load_shedding;
  meta.seed = kSeed;
  meta.horizon = opts.horizon;
  for (const Task& t : w.tasks) meta.task_names.push_back(t.name);
  std::ostringstream out;
  trace::write_chrome_json(out, meta, buffer);
  return out.str();
}

class GoldenTraceTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTraceTest, EventsAreByteIdenticalToTheLoopItReplaced) {
  const GoldenCase& c = GetParam();
  const std::string golden =
      read_text(std::string(AEGISRT_SOURCE_DIR) + "/tests/sim/golden/" + c.golden + ".events");
  ASSERT_GT(golden.size(), 1000u) << "missing golden file for " << c.golden;
  const std::string trace = trace_of(c);
  const std::size_t meta = trace.find("\"metadata\"");
  ASSERT_NE(meta, std::string::npos);
  const std::string events = trace.substr(0, meta);
  if (events != golden) {
    std::size_t at = 0;
    while (at < events.size() && at < golden.size() && events[at] == golden[at]) ++at;
    const std::size_t from = at < 200 ? 0 : at - 200;
    FAIL() << c.golden << ": first difference at byte " << at << "\n  golden: ..."
           << golden.substr(from, 400) << "\n  now:    ..." << events.substr(from, 400);
  }
}

constexpr GoldenCase kCases[] = {
    {"example-mix.yaml", "example-mix-np-edf", Policy::kNpEdf},
    {"example-mix.yaml", "example-mix-np-fp", Policy::kNpFp},
    {"example-mix.yaml", "example-mix-fifo", Policy::kFifo},
    {"example-mix.yaml", "example-mix-lp-edf", Policy::kLpEdf},
    {"example-mix.yaml", "example-mix-lp-fp", Policy::kLpFp},
    {"overload.yaml", "overload-np-edf", Policy::kNpEdf},
    {"overload.yaml", "overload-np-fp", Policy::kNpFp},
    {"overload.yaml", "overload-fifo", Policy::kFifo},
    {"overload.yaml", "overload-lp-edf", Policy::kLpEdf},
    {"overload.yaml", "overload-lp-fp", Policy::kLpFp},
    {"ieo-tasks.json", "ieo-tasks-np-edf", Policy::kNpEdf},
    {"ieo-tasks.json", "ieo-tasks-np-fp", Policy::kNpFp},
    {"ieo-tasks.json", "ieo-tasks-fifo", Policy::kFifo},
    {"ieo-tasks.json", "ieo-tasks-lp-edf", Policy::kLpEdf},
    {"ieo-tasks.json", "ieo-tasks-lp-fp", Policy::kLpFp},
};

INSTANTIATE_TEST_SUITE_P(Examples, GoldenTraceTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<GoldenCase>& param) {
                           std::string name = param.param.golden;
                           for (char& ch : name) {
                             if (ch == '-' || ch == '.') ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace aegisrt::sim
