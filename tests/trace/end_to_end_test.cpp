// The scheduler's real runs, exported and explained: byte-determinism of the export, and every
// decision of every policy reproduced by `explain`, also in an overloaded run that sheds and drops.
#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>

#include "aegisrt/core/clock.hpp"
#include "aegisrt/sched/scheduler.hpp"
#include "aegisrt/sim/driver.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "aegisrt/trace/buffer.hpp"
#include "aegisrt/trace/chrome.hpp"
#include "aegisrt/trace/explain.hpp"
#include "aegisrt/workload/workload.hpp"

namespace aegisrt::trace {
namespace {

using nlohmann::json;

Task make_task(const std::string& name, std::int64_t period_us, std::vector<std::int64_t> segs_us,
               std::int32_t priority, Criticality crit, QueueConfig queue) {
  Task t;
  t.name = name;
  t.period = Duration::us(period_us);
  t.deadline = t.period;
  t.priority = priority;
  t.criticality = crit;
  t.queue = queue;
  for (std::size_t k = 0; k < segs_us.size(); ++k) {
    t.segments.push_back({"seg" + std::to_string(k), Duration::us(segs_us[k])});
  }
  SimSpec sim;
  sim.distribution = Distribution::kUniform;
  sim.bcet_fraction = 0.5;
  t.sim = sim;
  return t;
}

// A perception mix. `load` scales every WCET: 1 gives a utilisation of about 0.71 (WCETs), 2 an
// overload that forces drops, misses and (with shedding) shed jobs.
Workload mix(Policy policy, bool load_shedding, std::int64_t load) {
  Workload w;
  w.name = "e2e-mix";
  w.scheduler.policy = policy;
  w.scheduler.load_shedding = load_shedding;
  w.tasks.push_back(make_task("detector", 33'333, {4'000 * load, 4'000 * load}, 3,
                              Criticality::kHigh, {2, OnFull::kDropOldest}));
  w.tasks.push_back(make_task("ocr_det", 100'000, {10'000 * load, 10'000 * load, 10'000 * load}, 2,
                              Criticality::kNormal, {1, OnFull::kDropNewest}));
  Task rec = make_task("ocr_rec", 50'000, {3'000 * load, 3'000 * load}, 1, Criticality::kLow,
                       {2, OnFull::kReject});
  rec.arrival = ArrivalKind::kSporadic;
  rec.max_interarrival = Duration::us(80'000);
  rec.jitter = Duration::us(5'000);
  rec.on_miss = OnMiss::kAbort;
  w.tasks.push_back(rec);
  Task wake =
      make_task("wake", 20'000, {1'000 * load}, 4, Criticality::kNormal, {1, OnFull::kDropOldest});
  wake.phase = Duration::us(1'500);
  w.tasks.push_back(wake);
  for (std::size_t i = 0; i < w.tasks.size(); ++i) w.tasks[i].id = static_cast<TaskId>(i);
  return w;
}

struct TracedRun {
  TracedRun(const Workload& workload, std::uint64_t seed, std::size_t max_records = 50'000,
            std::size_t max_candidates = 200'000)
      : w(workload), backend(clock, seed), buffer(max_records, max_candidates) {
    sched::Scheduler sut(w, &buffer);
    sched::RunOptions opts;
    opts.horizon = Duration::s(2);
    opts.seed = seed;
    ok = sut.prepare(opts).ok();
    if (!ok) return;
    sim::drive(sut, clock, backend);
    stats = sut.stats();
    TraceMeta meta;
    meta.workload = w.name;
    meta.backend = backend.name();
    meta.policy = w.scheduler.policy;
    meta.load_shedding = w.scheduler.load_shedding;
    meta.seed = seed;
    meta.horizon = opts.horizon;
    for (const Task& t : w.tasks) meta.task_names.push_back(t.name);
    std::ostringstream out;
    write_chrome_json(out, meta, buffer);
    text = out.str();
  }

  std::uint64_t dropped(DropReason why) const {
    std::uint64_t n = 0;
    for (const auto& t : stats.tasks) n += t.dropped[static_cast<std::size_t>(why)];
    return n;
  }
  std::uint64_t missed() const {
    std::uint64_t n = 0;
    for (const auto& t : stats.tasks) n += t.missed;
    return n;
  }

  Workload w;
  VirtualClock clock;
  sim::SimBackend backend;
  TraceBuffer buffer;
  sched::RunStats stats;
  std::string text;
  bool ok = false;
};

TEST(EndToEndTraceTest, TheSameSeedGivesByteIdenticalTraces) {
  const TracedRun a(mix(Policy::kNpEdf, true, 1), 42);
  const TracedRun b(mix(Policy::kNpEdf, true, 1), 42);

  ASSERT_TRUE(a.ok);
  EXPECT_GT(a.stats.decisions, 100u);
  EXPECT_EQ(a.text, b.text);
}

TEST(EndToEndTraceTest, ADifferentSeedGivesADifferentTrace) {
  const TracedRun a(mix(Policy::kNpEdf, true, 1), 42);
  const TracedRun b(mix(Policy::kNpEdf, true, 1), 43);

  ASSERT_TRUE(a.ok);
  EXPECT_NE(a.text, b.text);
}

TEST(EndToEndTraceTest, TheTraceHoldsOneDecideEventPerDecisionAndBalancedWaits) {
  const TracedRun run(mix(Policy::kLpEdf, true, 2), 5);
  ASSERT_TRUE(run.ok);
  const json trace = json::parse(run.text);

  std::uint64_t decides = 0, device_slices = 0, starts = 0, completed = 0, flows_in = 0;
  std::map<std::uint64_t, int> waits;
  for (const json& e : trace["traceEvents"]) {
    if (e["name"] == "decide") ++decides;
    if (e["ph"] == "X" && e["tid"] == 0) ++device_slices;
    if (e["ph"] == "b") ++waits[e["id"].get<std::uint64_t>()];
    if (e["ph"] == "e") --waits[e["id"].get<std::uint64_t>()];
    if (e.value("flow_in", false)) ++flows_in;
  }
  for (const TraceRecord& r : run.buffer.records()) starts += r.kind == EventKind::kSegmentStart;
  for (const auto& t : run.stats.tasks) completed += t.completed;

  EXPECT_EQ(decides, run.stats.decisions);
  EXPECT_EQ(trace["metadata"]["decisions"], run.stats.decisions);
  EXPECT_EQ(device_slices, starts);
  EXPECT_EQ(flows_in, completed);
  for (const auto& [id, n] : waits) EXPECT_EQ(n, 0) << "wait " << id;
}

struct PolicyCase {
  Policy policy;
  bool load_shedding;
  std::int64_t load;
};

void PrintTo(const PolicyCase& c, std::ostream* os) {
  *os << to_string(c.policy) << (c.load_shedding ? " shedding" : " no shedding") << " load "
      << c.load;
}

class ExplainRealRunTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(ExplainRealRunTest, ReproducesEveryDecision) {
  const PolicyCase c = GetParam();
  const TracedRun run(mix(c.policy, c.load_shedding, c.load), 11);
  ASSERT_TRUE(run.ok);
  ASSERT_EQ(run.buffer.lost(), 0u);

  const auto sut = explain_text(run.text, "run.json");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->policy, c.policy);
  EXPECT_GT(sut->decisions, 100u);
  EXPECT_EQ(sut->decisions, run.stats.decisions);
  EXPECT_EQ(sut->reproduced, sut->decisions);
  for (const Mismatch& m : sut->mismatches) {
    ADD_FAILURE() << "decision " << m.decision << " [" << to_string(m.kind) << "] recorded "
                  << m.recorded << " / " << m.replayed;
    break;
  }
  EXPECT_TRUE(sut->all_reproduced());
}

INSTANTIATE_TEST_SUITE_P(
    Policies, ExplainRealRunTest,
    ::testing::Values(PolicyCase{Policy::kNpEdf, true, 1}, PolicyCase{Policy::kNpFp, true, 1},
                      PolicyCase{Policy::kFifo, true, 1}, PolicyCase{Policy::kLpEdf, true, 1},
                      PolicyCase{Policy::kLpFp, true, 1}, PolicyCase{Policy::kNpEdf, true, 2},
                      PolicyCase{Policy::kNpFp, true, 2}, PolicyCase{Policy::kFifo, true, 2},
                      PolicyCase{Policy::kLpEdf, true, 2}, PolicyCase{Policy::kLpFp, true, 2},
                      PolicyCase{Policy::kNpEdf, false, 2}),
    [](const ::testing::TestParamInfo<PolicyCase>& param) {
      std::string name = to_string(param.param.policy);
      for (char& ch : name) ch = ch == '-' ? '_' : ch;
      name += param.param.load > 1 ? "_overloaded" : "_normal";
      if (!param.param.load_shedding) name += "_no_shedding";
      return name;
    });

// The repository's example workloads, under every policy.
class ExplainExampleTest : public ::testing::TestWithParam<std::tuple<std::string, Policy>> {};

TEST_P(ExplainExampleTest, ReproducesEveryDecisionOfTheExample) {
  const auto& [file, policy] = GetParam();
  auto loaded = workload::load_file(std::string(AEGISRT_SOURCE_DIR) + "/examples/" + file);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  Workload w = loaded->workload;
  w.scheduler.policy = policy;
  const TracedRun run(w, 3);
  ASSERT_TRUE(run.ok);
  ASSERT_EQ(run.buffer.lost(), 0u);

  const auto sut = explain_text(run.text, file);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_GT(sut->decisions, 50u);
  EXPECT_EQ(sut->decisions, run.stats.decisions);
  EXPECT_EQ(sut->reproduced, sut->decisions);
  EXPECT_TRUE(sut->mismatches.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExplainExampleTest,
    ::testing::Combine(::testing::Values("example-mix.yaml", "overload.yaml"),
                       ::testing::Values(Policy::kNpEdf, Policy::kNpFp, Policy::kFifo,
                                         Policy::kLpEdf, Policy::kLpFp)),
    [](const ::testing::TestParamInfo<std::tuple<std::string, Policy>>& param) {
      std::string name = std::get<0>(param.param) + "_" + to_string(std::get<1>(param.param));
      for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name;
    });

TEST(ExplainRealRunTest, TheOverloadedRunShedsDropsAndMisses) {
  // Guards the overloaded cases above: they must exercise shedding, drops and misses.
  const TracedRun run(mix(Policy::kNpEdf, true, 2), 11);
  ASSERT_TRUE(run.ok);

  std::uint64_t decisions_with_shedding = 0;
  for (const TraceRecord& r : run.buffer.records()) {
    decisions_with_shedding += r.kind == EventKind::kDecision && r.decision.shed_count > 0;
  }

  EXPECT_GT(decisions_with_shedding, 0u);
  EXPECT_GT(run.dropped(DropReason::kShed), 0u);
  EXPECT_GT(run.dropped(DropReason::kQueueFullOldest) + run.dropped(DropReason::kQueueFullNewest) +
                run.dropped(DropReason::kRejected),
            0u);
  EXPECT_GT(run.dropped(DropReason::kDeadlineAbort), 0u);
  EXPECT_GT(run.missed(), 0u);
}

TEST(ExplainRealRunTest, ABufferSizedByTraceCapacityLosesNothing) {
  for (const Policy p : {Policy::kNpEdf, Policy::kLpFp}) {
    const Workload w = mix(p, true, 2);
    sched::RunOptions opts;
    opts.horizon = Duration::s(2);
    const TraceCapacity cap = trace_capacity(w, opts);

    const TracedRun run(w, 11, cap.records, cap.candidates);

    ASSERT_TRUE(run.ok);
    EXPECT_EQ(run.buffer.lost(), 0u) << to_string(p);
  }
}

TEST(ExplainRealRunTest, ATruncatedRunReproducesItsPrefixButIsReportedIncomplete) {
  const TracedRun run(mix(Policy::kLpFp, true, 2), 11, 300, 1200);
  ASSERT_TRUE(run.ok);
  ASSERT_GT(run.buffer.lost(), 0u);

  const auto sut = explain_text(run.text, "cut.json");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_GT(sut->decisions, 0u);
  EXPECT_LT(sut->decisions, run.stats.decisions);
  EXPECT_EQ(sut->reproduced, sut->decisions);
  EXPECT_TRUE(sut->mismatches.empty());
  EXPECT_EQ(sut->lost_records, run.buffer.lost());
  EXPECT_FALSE(sut->all_reproduced());
}

}  // namespace
}  // namespace aegisrt::trace
