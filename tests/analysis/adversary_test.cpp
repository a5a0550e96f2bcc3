// The exhaustive adversary (adversary.hpp): hand-worked examples, every witness replayed on the
// real scheduler core, and the admission tests checked against the adversary's exact answers.
//
// AEGISRT_ADVERSARY_SETS=N runs N random sets per policy in the analysis sweep instead of the CI
// default of 2000 (about 2 s for all five policies; the replay test takes N / 2); the long sweep
// is N = 100000 (under 3 minutes). AEGISRT_ADVERSARY_SEED=S moves the seed base.
#include "analysis/adversary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/random.hpp"
#include "aegisrt/sched/scheduler.hpp"

namespace aegisrt::analysis {
namespace {

using testing::adversary;
using testing::AdversaryResult;
using testing::make_task;
using testing::make_workload;
using testing::replay;

std::string dump(const Workload& w) {
  std::string s = std::string(to_string(w.scheduler.policy)) + "\n";
  for (const Task& t : w.tasks) {
    s += "  " + t.name + ": T=" + std::to_string(t.period.count()) +
         " D=" + std::to_string(t.deadline.count()) + " J=" + std::to_string(t.jitter.count()) +
         " prio=" + std::to_string(t.priority) + " segs=";
    for (std::size_t k = 0; k < t.segments.size(); ++k) {
      s += (k ? "," : "") + std::to_string(t.segments[k].wcet.count());
    }
    s += "\n";
  }
  return s;
}

// --- Hand-worked examples -----------------------------------------------------------------------

TEST(AdversaryTest, JitterAloneMakesAUnitJobMiss) {
  // T = 10, D = 2, J = 5, C = 1. Released at arrival + 1 it runs [1, 2) and finishes at its
  // deadline (on time); released at arrival + 2 (jitter 2 <= 5) it can only finish at 3 > 2. The
  // shortest witness: the job arrives at 0 and is still unreleased at its deadline 2, so jitter 2.
  const Workload w = make_workload(Policy::kNpEdf, {make_task("j", {1}, 10, 2, 1, 5)});

  const AdversaryResult sut = adversary(w);

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_TRUE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.miss_task, 0u);
  EXPECT_EQ(sut.miss_deadline, 2);
  ASSERT_EQ(sut.witness.arrivals[0], std::vector<std::int64_t>{0});
  ASSERT_EQ(sut.witness.jitter[0], std::vector<std::int64_t>{2});
  EXPECT_TRUE(replay(w, sut.witness).miss);
}

TEST(AdversaryTest, JitterUpToOneBelowTheSlackNeverMisses) {
  // The same task with J = 1: released at the latest at arrival + 1, it runs alone and finishes by
  // arrival + 2 = its deadline. Worst response exactly 2 (release at +1, run one tick).
  const Workload w = make_workload(Policy::kNpEdf, {make_task("j", {1}, 10, 2, 1, 1)});

  const AdversaryResult sut = adversary(w);

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_FALSE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.worst_response, std::vector<std::int64_t>{2});
}

TEST(AdversaryTest, NpEdfFourUnitTasksWithJitterExactWorstResponses) {
  // Four sporadic tasks, T = 20, one segment of 1 tick: ctl (id 0) D = 4, J = 0; j1, j2, j3 with
  // D = 5, J = 2. np-edf. Unit jobs never block (a job started one tick before a release ends at
  // it), and with T = 20 each task has one job in any window that matters.
  //  ctl arriving at a: only j jobs with deadline < a + 4 (arrival <= a - 2) or = a + 4 and an
  //  earlier release can go first; at most the three j's, so ctl finishes by a + 4: worst <= 4.
  //  Reached: j1, j2, j3 arrive at a - 2 and are released at a (jitter 2), deadlines a + 3; they
  //  run a, a+1, a+2 and ctl runs [a+3, a+4): response 4.
  //  j3 arriving at a: released at a + r, r <= 2. r <= 1: at most three unit jobs run before it,
  //  no idling, so it finishes by a + r + 4 <= a + 5. r = 2: in [a+2, a+5) at most j1, j2 and ctl
  //  can precede it, but ctl precedes it only with deadline <= a + 5, i.e. arrival <= a + 1 and
  //  (J = 0) released then; to be still waiting at a + 2 the device must be busy at a + 1 with one
  //  of j1, j2 (nothing else exists), which then does not run in [a+2, a+5). So at most two jobs
  //  precede it there: it finishes by a + 5: worst <= 5, no miss. Reached: j1 arrives at a - 1,
  //  released at a + 1 (deadline a + 4) and runs [a+1, a+2); ctl arrives at a + 1 (deadline
  //  a + 5, waits); j2 and j3 arrive at a, released at a + 2 (deadline a + 5). At a + 2: ctl (same
  //  deadline, earlier release), then j2 (same release, lower id), then j3 runs [a+4, a+5):
  //  response 5. j1 and j2 reach 5 the same way with the roles swapped (arrival a - 1 for one of
  //  the others gives it the earlier deadline).
  const Workload w = make_workload(
      Policy::kNpEdf, {make_task("ctl", {1}, 20, 4, 1, 0), make_task("j1", {1}, 20, 5, 1, 2),
                       make_task("j2", {1}, 20, 5, 1, 2), make_task("j3", {1}, 20, 5, 1, 2)});

  const AdversaryResult sut = adversary(w);

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_FALSE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.worst_response, (std::vector<std::int64_t>{4, 5, 5, 5})) << sut.describe();
}

// Davis, Burns, Bril & Lukkien (2007), section 3, scaled to ticks (as in np_fp_test.cpp):
// C = 2, T = 5, 7, 7, priorities A > B > C.
Workload davis_example(std::int64_t deadline_c) {
  return make_workload(Policy::kNpFp, {make_task("A", {2}, 5, 5, 3), make_task("B", {2}, 7, 7, 2),
                                       make_task("C", {2}, 7, deadline_c, 1)});
}

TEST(AdversaryTest, NpFpDavisExampleExactWorstResponses) {
  // A: B or C starts one tick before A's arrival: waits 1, runs 2: 3 (and no more: one lower
  // region of 2 started before, A has the top priority). B: C starts at -1, A and B arrive at 0:
  // A [1, 3), B [3, 5): 5 (the np-fp bound). C: A, B, C at 0: A [0,2), B [2,4), C [4,6): 6; A at
  // 5 runs [6,8); B and C at 7: B [8,10); A at 10 beats C: [10,12); C [12,14): 14 - 7 = 7, the
  // bound of the second job (self-pushing). So exactly 3, 5, 7.
  const AdversaryResult sut = adversary(davis_example(7));

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_FALSE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.worst_response, (std::vector<std::int64_t>{3, 5, 7})) << sut.describe();
}

TEST(AdversaryTest, NpFpSelfPushingMissesInALaterJob) {
  // With D_C = 6 the schedule above makes C's second job finish at 14 > 7 + 6. The first job of C
  // in any busy period responds within 6 (B = 0, A and B once each before it: the np-fp bound of
  // job 1), so the missed job cannot be the witness's first job of C.
  const Workload w = davis_example(6);

  const AdversaryResult sut = adversary(w);

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_TRUE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.miss_task, 2u) << sut.describe();
  EXPECT_GE(sut.miss_job, 1u) << sut.describe();
  const testing::RunOutcome r = replay(w, sut.witness);
  EXPECT_TRUE(r.miss);
  EXPECT_GT(r.missed[2], 0u);
}

TEST(AdversaryTest, NpFpShorterExecutionCausesAMiss) {
  // Non-sustainability of non-preemptive scheduling in an arrival pattern: X (prio 3, C = 2),
  // H (prio 2, C = 1, D = 3), L (prio 1, C = 4), all T = 20. X and L arrive at 0, H at 2.
  //   X runs its WCET: X [0, 2); at 2 H is released as the device frees and beats L: H [2, 3),
  //   response 1. X runs 1 tick: X [0, 1), L starts at 1 and runs [1, 5), H waits: [5, 6),
  //   response 4 > 3: a miss caused by a shorter execution.
  // The adversary explores every execution time and must find a miss; its shortest one: H needs
  // 3 ticks of work ahead of it after its arrival, which only L's region started one tick before
  // gives (X alone is 2; X ahead of L cannot delay H since H beats L): L at 0, H at 1, deadline 4.
  const Workload w =
      make_workload(Policy::kNpFp, {make_task("X", {2}, 20, 20, 3), make_task("H", {1}, 20, 3, 2),
                                    make_task("L", {4}, 20, 20, 1)});
  testing::Scenario pattern;
  pattern.arrivals = {{0}, {2}, {0}};
  EXPECT_FALSE(replay(w, pattern).miss);
  pattern.exec = {{{1}}, {{1}}, {{4}}};
  EXPECT_TRUE(replay(w, pattern).miss);

  const AdversaryResult sut = adversary(w);

  ASSERT_TRUE(sut.complete) << sut.describe();
  ASSERT_TRUE(sut.miss) << sut.describe();
  EXPECT_EQ(sut.miss_task, 1u) << sut.describe();
  EXPECT_EQ(sut.miss_deadline, 4) << sut.describe();
  EXPECT_TRUE(replay(w, sut.witness).miss);
  // Under sporadic arrivals that shortest miss needs no shorter execution (L at 0, H at 1 with
  // WCETs), so the adversary restricted to WCETs finds the same one. (A search with this option
  // over 100 000 random sets of the sweep below, all policies, found no set whose misses all need
  // a shorter execution: with sporadic arrivals the anomaly shows in patterns, as above.)
  const AdversaryResult wcet_only =
      adversary(w, testing::AdversaryOptions{.max_states = 100'000, .wcet_only = true});
  ASSERT_TRUE(wcet_only.complete && wcet_only.miss) << wcet_only.describe();
  EXPECT_EQ(wcet_only.miss_deadline, 4) << wcet_only.describe();
}

TEST(AdversaryTest, LimitedPreemptionBoundsTheBlockingToOneSegment) {
  // docs/design/0001's timeline: `long` is 50 ticks in five 10-tick segments (T = D = 100),
  // `urgent` is 5 ticks, D = 21, T = 30.
  //   np-edf: long starts at 0, urgent arrives at 1 and waits until 50: a miss.
  //   lp-edf: urgent waits at most for the segment started one tick before its arrival (9 ticks),
  //   provided it then beats long: long's deadline a_L + 100 is earlier than urgent's t + 21 only
  //   if t > a_L + 79, but long is done by a_L + 69 (50 of its own, at most 3 urgent jobs of 5 in
  //   80 ticks and 4 ticks of an urgent job started before it). So urgent's worst is 9 + 5 = 14.
  const std::vector<Task> tasks = {make_task("long", {10, 10, 10, 10, 10}, 100, 100, 1),
                                   make_task("urgent", {5}, 30, 21, 2)};

  const AdversaryResult np = adversary(make_workload(Policy::kNpEdf, tasks));
  const AdversaryResult lp = adversary(make_workload(Policy::kLpEdf, tasks));

  ASSERT_TRUE(np.complete) << np.describe();
  EXPECT_TRUE(np.miss) << np.describe();
  EXPECT_EQ(np.miss_task, 1u);
  ASSERT_TRUE(lp.complete) << lp.describe();
  ASSERT_FALSE(lp.miss) << lp.describe();
  EXPECT_EQ(lp.worst_response[1], 14) << lp.describe();
}

TEST(AdversaryTest, StateLimitMakesTheResultIncomplete) {
  const Workload w = davis_example(7);

  const AdversaryResult sut = adversary(w, 10);

  EXPECT_FALSE(sut.complete);
}

TEST(AdversaryTest, UnsupportedSettingsAreReportedNotExplored) {
  Workload w = davis_example(7);
  w.scheduler.load_shedding = true;

  const AdversaryResult sut = adversary(w);

  EXPECT_FALSE(sut.complete);
  EXPECT_FALSE(sut.unsupported.empty());
}

// --- Explicit jitter in the scheduler -----------------------------------------------------------

TEST(AdversaryTest, ExplicitJitterOutsideTheTaskJitterIsRefused) {
  const Workload w = make_workload(Policy::kNpEdf, {make_task("j", {1}, 10, 2, 1, 5)});
  testing::Scenario s;
  s.arrivals = {{0, 10}};
  s.jitter = {{2, 1}};
  // The first job (released at 2) finishes at 3 > 2, the second (released at 11) at 12: on time.
  EXPECT_EQ(replay(w, s).missed[0], 1u);

  sched::Scheduler sut(w, nullptr);
  sched::RunOptions opts;
  opts.arrivals = {{TimePoint::from_ns(0)}};
  opts.jitters = {{Duration::ns(6)}};
  const Status too_large = sut.prepare(opts);
  opts.jitters = {{Duration::ns(-1)}};
  const Status negative = sut.prepare(opts);
  opts.jitters = {{Duration::ns(1), Duration::ns(1)}};
  const Status wrong_shape = sut.prepare(opts);
  opts.arrivals.clear();
  const Status without_arrivals = sut.prepare(opts);

  for (const Status* st : {&too_large, &negative, &wrong_shape, &without_arrivals}) {
    ASSERT_FALSE(st->ok());
    EXPECT_EQ(st->error().code, ErrorCode::kInvalidArgument);
  }
}

// --- Random small sets --------------------------------------------------------------------------

std::size_t env_or(const char* name, std::size_t fallback) {
  if (const char* env = std::getenv(name)) return std::stoul(env);
  return fallback;
}

// A random small integer set: 2-4 tasks, periods in [2, 16] (narrower with more tasks, so that
// the graph stays small), utilisation about 0.1-0.8, deadlines in [C, T], 1-3 segments; jitter 0
// when `jitter_mode` is 0, else for about half of the tasks in [0, T] (mode 1) or [0, D] (mode 2);
// ties in priorities (and, by the small ranges, in deadlines) happen.
Workload random_set(Policy policy, std::uint64_t seed, int jitter_mode) {
  std::uint64_t draw = 0;
  auto between = [&](std::int64_t lo, std::int64_t hi) {
    return random_between(lo, hi, seed, RandomStream::kGenerator, 0xADF, ++draw);
  };
  auto unit = [&] { return random_unit(seed, RandomStream::kGenerator, 0xAE0, ++draw); };
  const auto n = static_cast<std::size_t>(between(2, 4));
  const std::int64_t max_period = n == 2 ? 16 : (n == 3 ? 12 : 10);
  const double u = 0.1 + 0.7 * unit();
  std::vector<double> us(n);
  double sum = u;
  for (std::size_t i = 0; i + 1 < n; ++i) {  // UUniFast (Bini & Buttazzo 2005)
    const double next = sum * std::pow(unit(), 1.0 / static_cast<double>(n - 1 - i));
    us[i] = sum - next;
    sum = next;
  }
  us[n - 1] = sum;
  const bool tied_priorities = between(0, 3) == 0;
  std::vector<Task> tasks;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t t = between(2, max_period);
    const std::int64_t c =
        std::clamp<std::int64_t>(std::llround(us[i] * static_cast<double>(t)), 1, t);
    const std::int64_t d = between(c, t);
    const std::int64_t m = between(1, std::min<std::int64_t>(3, c));
    std::vector<std::int64_t> segs(static_cast<std::size_t>(m), 0);
    for (std::int64_t k = 0; k < m; ++k) segs[static_cast<std::size_t>(k)] = 1;
    for (std::int64_t rest = c - m; rest > 0; --rest) {
      segs[static_cast<std::size_t>(between(0, m - 1))] += 1;
    }
    const std::int64_t j =
        jitter_mode == 0 || between(0, 1) == 0 ? 0 : between(0, jitter_mode == 1 ? t : d);
    const auto prio = static_cast<std::int32_t>(
        tied_priorities ? between(1, 2) : between(1, static_cast<std::int64_t>(3 * n)));
    tasks.push_back(make_task("t" + std::to_string(i), segs, t, d, prio, j));
  }
  return make_workload(policy, std::move(tasks));
}

TEST(AdversaryTest, EveryWitnessReplaysExactlyOnTheRealScheduler) {
  const std::uint64_t base = 70'000 + env_or("AEGISRT_ADVERSARY_SEED", 0) * 100'000;
  const std::size_t sets = std::max<std::size_t>(1, env_or("AEGISRT_ADVERSARY_SETS", 2000) / 2);
  for (Policy policy : testing::kAllPolicies) {
    std::size_t misses = 0, clean = 0, incomplete = 0;
    for (std::size_t k = 0; k < sets; ++k) {
      const Workload w = random_set(policy, base + k, static_cast<int>(k % 3));
      const AdversaryResult a = adversary(w, 300'000);
      if (!a.complete) {
        ++incomplete;
        continue;
      }
      if (a.miss) {
        ++misses;
        const testing::RunOutcome r = replay(w, a.witness);
        ASSERT_TRUE(r.miss) << dump(w) << a.describe();
        ASSERT_GT(r.missed[a.miss_task], 0u) << dump(w) << a.describe();
        continue;
      }
      ++clean;
      for (std::size_t i = 0; i < w.tasks.size(); ++i) {
        const testing::RunOutcome r = replay(w, a.worst_witness[i]);
        ASSERT_FALSE(r.miss) << dump(w) << a.describe();
        ASSERT_EQ(r.max_response[i], a.worst_response[i]) << "task " << i << "\n"
                                                          << dump(w) << a.describe();
      }
    }
    std::printf("%s: %zu sets with a miss, %zu without (all replayed), %zu incomplete\n",
                to_string(policy), misses, clean, incomplete);
    EXPECT_GT(misses, 0u);
    EXPECT_GT(clean, 0u);
    EXPECT_LE(incomplete, sets / 20);
  }
}

// --- The analyses against the adversary ----------------------------------------------------------

struct SweepCounts {
  std::size_t admitted = 0;
  std::size_t rejected = 0;
  std::size_t misses = 0;       // the adversary reached a miss
  std::size_t pessimistic = 0;  // rejected, no miss reachable
  std::size_t incomplete = 0;   // state limit hit: excluded from the assertions
  std::size_t failures = 0;
  std::size_t max_states = 0;
};

// Per set: never `schedulable` with a reachable miss; every response bound at least the exact
// worst response when no miss is reachable; np-edf without jitter claims exactness and every
// rejection has a reachable miss (as has any rejection of a verdict that claims exactness).
void sweep(Policy policy, std::size_t sets, std::uint64_t seed_base, SweepCounts& c) {
  AdmitOptions opts;
  opts.scaling_precision = 0;
  opts.advise = false;
  opts.preemption_advice = false;
  for (std::size_t k = 0; k < sets; ++k) {
    const int jitter_mode = static_cast<int>(k % 3);
    const Workload w = random_set(policy, seed_base + k, jitter_mode);
    const Result<Verdict> v = admit(w, opts);
    ASSERT_TRUE(v.ok()) << v.error().to_string() << "\n" << dump(w);
    const AdversaryResult a = adversary(w, 1'000'000);
    c.max_states = std::max(c.max_states, a.states);
    if (!a.complete) {
      ++c.incomplete;
      continue;
    }
    (v->schedulable ? c.admitted : c.rejected)++;
    if (a.miss) ++c.misses;
    if (!v->schedulable && !a.miss) ++c.pessimistic;
    std::string problem;
    if (v->schedulable && a.miss) problem += "admitted a set with a reachable miss\n";
    if (!a.miss) {
      for (std::size_t i = 0; i < w.tasks.size(); ++i) {
        const auto& bound = v->tasks[i].response_bound;
        if (bound && bound->count() < a.worst_response[i]) {
          problem += "task " + std::to_string(i) + ": response bound " +
                     std::to_string(bound->count()) + " below the exact worst response " +
                     std::to_string(a.worst_response[i]) + "\n";
        }
      }
    }
    const bool claimed_exact = policy == Policy::kNpEdf && jitter_mode == 0;
    if (claimed_exact && !v->exact) problem += "np-edf without jitter does not claim exactness\n";
    if ((claimed_exact || v->exact) && !v->schedulable && !a.miss) {
      problem += "an exact test rejected a set on which no miss is reachable\n";
    }
    if (problem.empty()) continue;
    if (++c.failures <= 3) {
      ADD_FAILURE() << problem << dump(w) << to_text(*v) << a.describe();
    }
  }
}

void run_sweep(Policy policy, std::uint64_t seed_offset) {
  const std::size_t sets = env_or("AEGISRT_ADVERSARY_SETS", 2000);
  const std::uint64_t base = 1'000'000 * (1 + env_or("AEGISRT_ADVERSARY_SEED", 0)) + seed_offset;
  SweepCounts c;
  sweep(policy, sets, base, c);
  std::printf(
      "%s: %zu sets, admitted %zu, rejected %zu (reachable miss %zu, no reachable miss %zu), "
      "incomplete %zu, unsound or inexact %zu; largest graph %zu states\n",
      to_string(policy), sets, c.admitted, c.rejected, c.misses, c.pessimistic, c.incomplete,
      c.failures, c.max_states);
  EXPECT_EQ(c.failures, 0u) << "(the first 3 are printed above)";
  EXPECT_LE(c.incomplete, sets / 20);
  // The sweep must see both outcomes, or it proves little.
  EXPECT_GT(c.admitted, sets / 20);
  EXPECT_GT(c.misses, sets / 20);
}

TEST(AdversaryTest, NpEdfAdmissionAgreesWithTheAdversary) { run_sweep(Policy::kNpEdf, 10'000); }
TEST(AdversaryTest, NpFpAdmissionIsSoundAgainstTheAdversary) { run_sweep(Policy::kNpFp, 20'000); }
TEST(AdversaryTest, FifoAdmissionIsSoundAgainstTheAdversary) { run_sweep(Policy::kFifo, 30'000); }
TEST(AdversaryTest, LpEdfAdmissionIsSoundAgainstTheAdversary) { run_sweep(Policy::kLpEdf, 40'000); }
TEST(AdversaryTest, LpFpAdmissionIsSoundAgainstTheAdversary) { run_sweep(Policy::kLpFp, 50'000); }

}  // namespace
}  // namespace aegisrt::analysis
