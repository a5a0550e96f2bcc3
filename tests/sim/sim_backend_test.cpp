#include "aegisrt/sim/sim_backend.hpp"

#include <gtest/gtest.h>

#include <set>

namespace aegisrt::sim {
namespace {

Task task_with(SimSpec spec, std::vector<std::int64_t> wcets = {1'000'000}) {
  Task t;
  t.name = "t";
  t.id = 3;
  for (std::size_t k = 0; k < wcets.size(); ++k) {
    t.segments.push_back({"seg" + std::to_string(k), Duration::ns(wcets[k])});
  }
  t.sim = std::move(spec);
  return t;
}

TEST(SimBackendTest, ConstantRunsEverySegmentForItsWcet) {
  const Task t = task_with({.distribution = Distribution::kConstant}, {5, 7});
  EXPECT_EQ(draw_segment_time(t, 1, 0, 0), Duration::ns(5));
  EXPECT_EQ(draw_segment_time(t, 1, 9, 1), Duration::ns(7));
}

TEST(SimBackendTest, UniformStaysWithinBcetAndWcetAndSpreadsOverIt) {
  const Task t = task_with({.distribution = Distribution::kUniform, .bcet_fraction = 0.6});
  std::int64_t lo = INT64_MAX, hi = 0;
  double sum = 0;
  for (std::uint64_t job = 0; job < 20'000; ++job) {
    const std::int64_t v = draw_segment_time(t, 5, job, 0).count();
    ASSERT_GE(v, 600'000);
    ASSERT_LE(v, 1'000'000);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += static_cast<double>(v);
  }
  EXPECT_LT(lo, 610'000);
  EXPECT_GT(hi, 990'000);
  EXPECT_NEAR(sum / 20'000, 800'000, 5'000);  // mean of U[0.6, 1.0] ms
}

TEST(SimBackendTest, TruncatedNormalStaysInBoundsAroundItsMean) {
  const Task t = task_with({.distribution = Distribution::kNormal,
                            .bcet_fraction = 0.5,
                            .mean_fraction = 0.7,
                            .stddev_fraction = 0.05});
  double sum = 0;
  for (std::uint64_t job = 0; job < 20'000; ++job) {
    const std::int64_t v = draw_segment_time(t, 5, job, 0).count();
    ASSERT_GE(v, 500'000);
    ASSERT_LE(v, 1'000'000);
    sum += static_cast<double>(v);
  }
  EXPECT_NEAR(sum / 20'000, 700'000, 3'000);
}

TEST(SimBackendTest, EmpiricalReplaysSamplesSharedOutOverSegments) {
  SimSpec spec{.distribution = Distribution::kEmpirical};
  spec.samples = {Duration::ns(400), Duration::ns(800)};
  const Task t = task_with(spec, {100, 300});  // shares 1/4 and 3/4
  std::set<std::int64_t> first, second;
  for (std::uint64_t job = 0; job < 200; ++job) {
    const std::int64_t a = draw_segment_time(t, 1, job, 0).count();
    const std::int64_t b = draw_segment_time(t, 1, job, 1).count();
    EXPECT_EQ(a * 3, b);  // both segments come from the same job sample
    first.insert(a);
    second.insert(b);
  }
  EXPECT_EQ(first, (std::set<std::int64_t>{100, 200}));
  EXPECT_EQ(second, (std::set<std::int64_t>{300, 600}));
}

TEST(SimBackendTest, DrawsDependOnSeedJobAndSegmentOnly) {
  const Task t =
      task_with({.distribution = Distribution::kUniform, .bcet_fraction = 0.1}, {1000, 1000});
  EXPECT_EQ(draw_segment_time(t, 1, 4, 1), draw_segment_time(t, 1, 4, 1));
  int differ_seed = 0, differ_segment = 0;
  for (std::uint64_t job = 0; job < 50; ++job) {
    differ_seed += draw_segment_time(t, 1, job, 0) != draw_segment_time(t, 2, job, 0);
    differ_segment += draw_segment_time(t, 1, job, 0) != draw_segment_time(t, 1, job, 1);
  }
  EXPECT_GT(differ_seed, 40);
  EXPECT_GT(differ_segment, 40);
}

TEST(SimBackendTest, RunSegmentAdvancesTheVirtualClockByTheDraw) {
  const Task t = task_with({.distribution = Distribution::kUniform, .bcet_fraction = 0.5});
  VirtualClock clock;
  SimBackend sut(clock, 11);
  EXPECT_EQ(sut.run_segment({&t, 6}, 0), backend::SegmentStatus::kOk);
  EXPECT_EQ(clock.now().since_epoch(), draw_segment_time(t, 11, 6, 0));
}

}  // namespace
}  // namespace aegisrt::sim
