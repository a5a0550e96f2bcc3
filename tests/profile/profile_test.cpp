// Profile files, their use by admission, and `aegisrt profile` on the sim backend: the round trip,
// the checks that refuse a corrupt, stale, foreign or misplaced profile, and the rationale that
// names where every WCET came from.
#include "aegisrt/profile/profile.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "aegisrt/analysis/admission.hpp"
#include "aegisrt/app/admission.hpp"
#include "aegisrt/profile/apply.hpp"
#include "aegisrt/profile/measure.hpp"
#include "aegisrt/sim/sim_backend.hpp"
#include "aegisrt/workload/workload.hpp"
#include "support/cli.hpp"

namespace aegisrt {
namespace {

using profile::Profile;

// Two sim tasks with uniform execution times.
Workload sim_workload() {
  Workload w;
  w.name = "pair";
  w.device.backend = "sim";
  w.scheduler.policy = Policy::kNpEdf;
  Task a;
  a.name = "a";
  a.id = 0;
  a.period = a.deadline = Duration::ms(20);
  a.segments = {{"seg0", Duration::ms(2)}, {"seg1", Duration::ms(1)}};
  a.sim = SimSpec{};
  a.sim->distribution = Distribution::kUniform;
  a.sim->bcet_fraction = 0.5;
  Task b = a;
  b.name = "b";
  b.id = 1;
  b.period = b.deadline = Duration::ms(50);
  b.segments = {{"seg0", Duration::ms(5)}};
  w.tasks = {a, b};
  return w;
}

Profile profile_of(const Workload& w, TaskId id, std::uint32_t samples = 400) {
  profile::MeasureOptions m;
  m.samples = samples;
  m.warmup = 5;
  auto s = profile::measure_task(w, id, m);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  profile::BoundOptions b;
  b.tail.bootstrap = 20;
  return profile::build_profile(w, id, *s, std::nullopt, m, b);
}

TEST(Sha256Test, MatchesThePublishedTestVectors) {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"), and the empty message.
  EXPECT_EQ(profile::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(profile::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(profile::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(profile::sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, HashesAFileAsItsBytes) {
  const testing::TempDir dir;
  const std::string path = dir.write("m.bin", "abc");
  auto sut = profile::file_sha256(path);
  ASSERT_TRUE(sut.ok());
  EXPECT_EQ(*sut, profile::sha256_hex("abc"));
  EXPECT_EQ(profile::file_sha256(dir.str() + "/none").error().code, ErrorCode::kNotFound);
}

TEST(MeasureTest, SimSamplesAreTheTasksDrawsInRuns) {
  const Workload w = sim_workload();
  profile::MeasureOptions m;
  m.samples = 101;
  m.runs = 2;
  m.warmup = 3;
  auto sut = profile::measure_task(w, 0, m);
  ASSERT_TRUE(sut.ok());
  ASSERT_EQ(sut->job.size(), 101u);
  ASSERT_EQ(sut->segments.size(), 2u);
  EXPECT_EQ(sut->run_starts, (std::vector<std::uint64_t>{0, 50}));
  // Job j of the measurement is draw number warmup + j of run 1, and each job is the sum of its
  // segments; every draw lies in [bcet, wcet].
  for (std::size_t j = 0; j < sut->job.size(); ++j) {
    EXPECT_EQ(sut->job[j], sut->segments[0][j] + sut->segments[1][j]);
    EXPECT_GE(sut->segments[0][j], Duration::ms(1));
    EXPECT_LE(sut->segments[0][j], Duration::ms(2));
  }
  EXPECT_EQ(sut->segments[0][0], sim::draw_segment_time(w.tasks[0], 1, 3, 0));
  EXPECT_EQ(sut->segments[1][50], sim::draw_segment_time(w.tasks[0], 1, 3 + 50 + 3, 1));
  EXPECT_EQ(sut->subject.kind, "sim");
}

TEST(MeasureTest, RefusesBadCountsAndTasksWithoutTiming) {
  Workload w = sim_workload();
  profile::MeasureOptions m;
  m.samples = 3;
  m.runs = 4;
  EXPECT_EQ(profile::measure_task(w, 0, m).error().code, ErrorCode::kInvalidArgument);
  m.runs = 1;
  EXPECT_EQ(profile::measure_task(w, 7, m).error().code, ErrorCode::kInvalidArgument);
  w.tasks[1].segments.clear();
  w.tasks[1].sim.reset();
  auto e = profile::measure_task(w, 1, m);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("no `sim` timing"), std::string::npos);
}

TEST(ProfileTest, EmpiricalBoundIsTheObservedMaximumTimesTheMargin) {
  const Workload w = sim_workload();
  const Profile sut = profile_of(w, 0);
  ASSERT_TRUE(sut.job.observed.max.has_value());
  const double expect = std::ceil(static_cast<double>(sut.job.observed.max->count()) * 1.2);
  EXPECT_EQ(sut.job.empirical.count(), static_cast<std::int64_t>(expect));
  ASSERT_EQ(sut.segments.size(), 2u);
  for (const profile::Series& s : sut.segments) {
    EXPECT_GE(s.empirical, *s.observed.max);
    if (s.pwcet) {
      EXPECT_GE(*s.pwcet, *s.observed.max);
    } else {
      EXPECT_FALSE(s.pwcet_reason.empty());
    }
  }
}

TEST(ProfileTest, RoundTripsThroughJsonExactly) {
  const Workload w = sim_workload();
  const Profile p = profile_of(w, 0);
  const std::string text = profile::to_json(p);
  auto sut = profile::parse_profile(text, "a.profile.json");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->job.samples, p.job.samples);
  EXPECT_EQ(sut->segments.size(), p.segments.size());
  EXPECT_EQ(sut->segments[1].samples, p.segments[1].samples);
  EXPECT_EQ(sut->job.empirical, p.job.empirical);
  EXPECT_EQ(sut->job.pwcet, p.job.pwcet);
  EXPECT_EQ(sut->subject.sim_spec, p.subject.sim_spec);
  EXPECT_EQ(profile::to_json(*sut), text);
}

TEST(ProfileTest, SavesAndLoadsOneFilePerTask) {
  const testing::TempDir dir;
  const Workload w = sim_workload();
  const Profile p = profile_of(w, 1);
  ASSERT_TRUE(profile::save_profile(p, dir.str() + "/sub").ok());
  const std::string path = profile::profile_path(dir.str() + "/sub", "b");
  EXPECT_TRUE(std::filesystem::exists(path));
  auto sut = profile::load_profile(path);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->task, "b");
  EXPECT_EQ(profile::load_profile(dir.str() + "/none.json").error().code, ErrorCode::kNotFound);
}

// Replaces the first occurrence of `from` in `text`.
std::string edit(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ProfileTest, RefusesACorruptFileNamingTheField) {
  const Workload w = sim_workload();
  const Profile p = profile_of(w, 0);
  const std::string good = profile::to_json(p);

  auto cut = profile::parse_profile(good.substr(0, good.size() / 2), "x.json");
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().code, ErrorCode::kParse);
  EXPECT_NE(cut.error().message.find("x.json"), std::string::npos);

  auto version = profile::parse_profile(edit(good, "\"schema\": 1", "\"schema\": 7"), "x.json");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.error().code, ErrorCode::kUnsupported);

  const std::string max = "\"max_ns\": " + std::to_string(p.job.observed.max->count());
  auto edited = profile::parse_profile(edit(good, max, "\"max_ns\": 1"), "x.json");
  ASSERT_FALSE(edited.ok());
  EXPECT_NE(edited.error().message.find("job.observed"), std::string::npos);

  const std::string emp = "\"empirical_ns\": " + std::to_string(p.job.empirical.count());
  auto low = profile::parse_profile(edit(good, emp, "\"empirical_ns\": 5"), "x.json");
  ASSERT_FALSE(low.ok());
  EXPECT_NE(low.error().message.find("job.bounds.empirical_ns"), std::string::npos);

  auto type = profile::parse_profile(edit(good, "\"task\": \"a\"", "\"task\": 3"), "x.json");
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.error().message.find("`task`"), std::string::npos);

  auto missing = profile::parse_profile(edit(good, "\"warmup\"", "\"warm\""), "x.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("warmup"), std::string::npos);
}

TEST(ProfileTest, ForgedBytesNeverCrashTheReader) {
  const Workload w = sim_workload();
  const std::string good = profile::to_json(profile_of(w, 0, 120));
  // Every cut, and bytes overwritten at many places: an error or a profile, never a crash (the
  // sanitized build runs this too).
  std::size_t refused = 0;
  for (std::size_t cut = 0; cut < good.size(); cut += 61) {
    refused += profile::parse_profile(good.substr(0, cut), "cut.json").ok() ? 0 : 1;
  }
  EXPECT_EQ(refused, (good.size() + 60) / 61);
  const char forged[] = {'"', '-', '9', '{', ']', 'e', '\\', '\0'};
  for (std::size_t i = 0; i < 600; ++i) {
    std::string text = good;
    const std::size_t at = (i * 7919) % text.size();
    text[at] = forged[i % sizeof forged];
    auto r = profile::parse_profile(text, "forged.json");
    if (r.ok()) {
      // Whatever still parses is consistent: the statistics are those of the samples.
      EXPECT_EQ(r->job.observed.max, summarize(r->job.samples).max);
    }
  }
}

TEST(PlatformTest, MismatchesNameTheFieldsThatChangeTimes) {
  const profile::Platform here = profile::current_platform("cpu", "oneDNN 2.6.3", "avx2", 1, 0);
  profile::Platform other = here;
  EXPECT_TRUE(profile::platform_mismatches(other, here).empty());
  other.frequency_khz = 123;  // moves by itself: not compared
  other.isolated = !here.isolated;
  EXPECT_TRUE(profile::platform_mismatches(other, here).empty());
  other.cpu_model = "Some Other CPU";
  other.threads = 4;
  const auto sut = profile::platform_mismatches(other, here);
  ASSERT_EQ(sut.size(), 2u);
  EXPECT_NE(sut[0].find("cpu_model: `Some Other CPU` in the profile"), std::string::npos);
  EXPECT_NE(sut[1].find("threads: `4` in the profile, `1` here"), std::string::npos);
}

// A workload file with `tasks` on a folder of profiles.
struct ProfiledWorkload {
  testing::TempDir dir;
  Workload w;
  std::string profiles;

  ProfiledWorkload() : w(sim_workload()) {
    w.source_file = dir.str() + "/pair.yaml";
    profiles = profile::profiles_dir(w);
    for (const Task& t : w.tasks)
      EXPECT_TRUE(profile::save_profile(profile_of(w, t.id), profiles).ok());
  }
};

TEST(ApplyTest, DefaultFolderIsBesideTheWorkloadNamedAfterIt) {
  Workload w = sim_workload();
  w.source_file = "/data/ws/pair.yaml";
  EXPECT_EQ(profile::profiles_dir(w), "/data/ws/profiles/pair");
  w.profiles.dir = "/elsewhere";
  EXPECT_EQ(profile::profiles_dir(w), "/elsewhere");
}

TEST(ApplyTest, DeclaredSourceLeavesTheSegmentsAlone) {
  ProfiledWorkload f;
  const std::vector<Segment> before = f.w.tasks[0].segments;
  auto sut = profile::apply_profiles(f.w);  // auto: declared segments win
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->tasks[0].source, WcetSource::kDeclared);
  EXPECT_EQ(f.w.tasks[0].segments[0].wcet, before[0].wcet);
  EXPECT_TRUE(sut->dir.empty());
}

TEST(ApplyTest, ObservedMaxTakesEachSegmentsEmpiricalBound) {
  ProfiledWorkload f;
  auto p = profile::load_profile(profile::profile_path(f.profiles, "a"));
  ASSERT_TRUE(p.ok());
  f.w.tasks[0].wcet_source = WcetSource::kObservedMax;
  auto sut = profile::apply_profiles(f.w);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(f.w.tasks[0].segments.size(), 2u);
  EXPECT_EQ(f.w.tasks[0].segments[0].wcet, p->segments[0].empirical);
  EXPECT_EQ(f.w.tasks[0].segments[1].wcet, p->segments[1].empirical);
  EXPECT_EQ(sut->tasks[1].source, WcetSource::kDeclared);
  EXPECT_NE(sut->tasks[0].text.find(profile::profile_path(f.profiles, "a")), std::string::npos);
}

TEST(ApplyTest, PwcetTakesThePwcetOrTheFlaggedEmpiricalBound) {
  ProfiledWorkload f;
  auto p = profile::load_profile(profile::profile_path(f.profiles, "a"));
  ASSERT_TRUE(p.ok());
  profile::ApplyOptions o;
  o.wcet_source = WcetSource::kPwcet;
  auto sut = profile::apply_profiles(f.w, o);
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  bool fallback = false;
  for (std::size_t k = 0; k < 2; ++k) {
    const profile::Series& s = p->segments[k];
    EXPECT_EQ(f.w.tasks[0].segments[k].wcet, s.pwcet ? *s.pwcet : s.empirical);
    fallback = fallback || !s.pwcet;
  }
  EXPECT_EQ(sut->tasks[0].flagged, fallback);
  EXPECT_NE(sut->tasks[0].text.find(fallback ? "FLAGGED" : "preconditions hold"),
            std::string::npos);
  EXPECT_NE(sut->tasks[0].text.find("1e-09"), std::string::npos);
}

TEST(ApplyTest, MissingProfileSaysWhichCommandWritesIt) {
  ProfiledWorkload f;
  std::filesystem::remove(profile::profile_path(f.profiles, "b"));
  f.w.profiles.wcet_source = WcetSource::kPwcet;
  auto sut = profile::apply_profiles(f.w);
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
  EXPECT_NE(sut.error().message.find("task `b` needs a profile"), std::string::npos);
  EXPECT_NE(sut.error().hint.find("aegisrt profile " + f.w.source_file + " --task b"),
            std::string::npos);
}

TEST(ApplyTest, StaleSimProfileIsRefusedWithTheReason) {
  ProfiledWorkload f;
  f.w.tasks[0].segments[0].wcet = Duration::ms(3);  // the timing changed since profiling
  f.w.tasks[0].wcet_source = WcetSource::kPwcet;
  auto sut = profile::apply_profiles(f.w);
  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("is stale for task `a`: sim timing changed"),
            std::string::npos);
}

TEST(ApplyTest, StaleModelProfileNamesEveryChange) {
  const testing::TempDir dir;
  const std::string model = dir.write("m.onnx", "model bytes v2");
  Profile p;
  p.task = "m";
  p.subject.kind = "model";
  p.subject.model_path = model;
  p.subject.model_sha256 = profile::sha256_hex("model bytes v1");
  p.subject.max_segments = 4;
  p.subject.threads = 1;
  Task t;
  t.name = "m";
  t.model = ModelSpec{model, {1, 3, 64, 64}};
  t.model->max_segments = 2;
  const auto sut = profile::stale_reasons(p, t);
  ASSERT_EQ(sut.size(), 3u);
  EXPECT_NE(sut[0].find("model file changed"), std::string::npos);
  EXPECT_NE(sut[1].find("input shape the model's own in the profile, [1, 3, 64, 64] now"),
            std::string::npos);
  EXPECT_NE(sut[2].find("model.segments 4 in the profile, 2 now"), std::string::npos);
  p.subject.model_sha256 = profile::sha256_hex("model bytes v2");
  p.subject.input_shape = {1, 3, 64, 64};
  p.subject.max_segments = 2;
  EXPECT_TRUE(profile::stale_reasons(p, t).empty());
}

TEST(ApplyTest, ForeignPlatformWarnsAndStrictRefuses) {
  ProfiledWorkload f;
  // A model task whose profile was measured on another CPU.
  const std::string model = f.dir.write("m.onnx", "bytes");
  Task m;
  m.name = "m";
  m.id = 2;
  m.period = m.deadline = Duration::ms(100);
  m.model = ModelSpec{model, {}};
  f.w.tasks.push_back(m);
  f.w.device.backend = "cpu";
  Profile p = profile_of(sim_workload(), 1);
  p.task = "m";
  p.subject = profile::Subject{};
  p.subject.kind = "model";
  p.subject.model_path = model;
  p.subject.model_sha256 = profile::sha256_hex("bytes");
  p.platform = profile::current_platform("cpu", "", "", 1, 0);
  p.platform.cpu_model = "A CPU from elsewhere";
  ASSERT_TRUE(profile::save_profile(p, f.profiles).ok());
  auto warned = profile::apply_profiles(f.w);
  ASSERT_TRUE(warned.ok()) << warned.error().to_string();
  ASSERT_EQ(warned->warnings.size(), 1u);
  EXPECT_NE(warned->warnings[0].find("cpu_model: `A CPU from elsewhere` in the profile"),
            std::string::npos);
  EXPECT_EQ(f.w.tasks[2].segments.size(), p.segments.size());

  f.w.tasks[2].segments.clear();
  f.w.profiles.strict = true;
  auto refused = profile::apply_profiles(f.w);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("measured on another platform"), std::string::npos);
}

TEST(ApplyTest, ProfileOfATaskNotInTheWorkloadIsAnError) {
  ProfiledWorkload f;
  Profile stray = profile_of(f.w, 0);
  stray.task = "ghost";
  ASSERT_TRUE(profile::save_profile(stray, f.profiles).ok());
  f.w.profiles.wcet_source = WcetSource::kPwcet;
  auto sut = profile::apply_profiles(f.w);
  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("is for task `ghost`, which workload `pair` does not have"),
            std::string::npos);
}

TEST(ApplyTest, DeclaredSourceWithoutSegmentsIsAnError) {
  Workload w = sim_workload();
  w.tasks[1].segments.clear();
  w.tasks[1].wcet_source = WcetSource::kDeclared;
  auto sut = profile::apply_profiles(w);
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.field, "tasks[1].wcet_source");
}

TEST(ApplyTest, AdmissionRationaleNamesTheProfileOfEveryTask) {
  ProfiledWorkload f;
  analysis::AdmitOptions opts;
  profile::ApplyOptions o;
  o.wcet_source = WcetSource::kObservedMax;
  auto applied = app::apply_profiles(f.w, opts, o);
  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  auto sut = analysis::admit(f.w, opts);
  ASSERT_TRUE(sut.ok());
  for (const Task& t : f.w.tasks) {
    const std::string file = profile::profile_path(f.profiles, t.name);
    bool named = false;
    for (const std::string& line : sut->rationale) {
      named = named || (line.find("WCET of " + t.name + ": observed_max from " + file) == 0);
    }
    EXPECT_TRUE(named) << t.name;
    EXPECT_NE(sut->tasks[t.id].wcet_source.find(file), std::string::npos);
    EXPECT_EQ(sut->tasks[t.id].declared_wcet, f.w.tasks[t.id].wcet());
  }
}

// ---- The workload file's fields and the command line.

TEST(ProfileFormatTest, ReadsProfilesAndSourcesAndWritesThemBack) {
  const testing::TempDir dir;
  const std::string text =
      "name: w\n"
      "profiles: {dir: measured, wcet_source: pwcet, strict: true}\n"
      "tasks:\n"
      "  - name: a\n"
      "    period_ms: 10\n"
      "    wcet_source: observed_max\n"
      "    sim: {wcet_ms: 1}\n";
  auto sut = workload::load_text(text, "w.yaml", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->workload.profiles.dir, (dir.path() / "measured").string());
  EXPECT_EQ(sut->workload.profiles.wcet_source, WcetSource::kPwcet);
  EXPECT_TRUE(sut->workload.profiles.strict);
  EXPECT_EQ(sut->workload.tasks[0].wcet_source, WcetSource::kObservedMax);
  auto again = workload::load_text(workload::to_yaml(sut->workload), "n.yaml", dir.str());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->workload.profiles.dir, sut->workload.profiles.dir);
  EXPECT_EQ(again->workload.tasks[0].wcet_source, WcetSource::kObservedMax);

  auto bad = workload::load_text(
      "tasks:\n  - {name: a, period_ms: 10, wcet_source: worst, sim: {wcet_ms: 1}}\n", "b.yaml",
      dir.str());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().where.field, "tasks[0].wcet_source");
}

TEST(ProfileFormatTest, ReadsModelSegmentsAndThreads) {
  const testing::TempDir dir;
  dir.write("m.onnx", "x");
  auto sut = workload::load_text(
      "tasks:\n  - {name: a, period_ms: 10, model: {path: m.onnx, segments: 4, threads: 2}}\n",
      "w.yaml", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->workload.tasks[0].model->max_segments, 4u);
  EXPECT_EQ(sut->workload.tasks[0].model->threads, 2u);
  auto again = workload::load_text(workload::to_yaml(sut->workload), "n.yaml", dir.str());
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(again->workload.tasks[0].model->max_segments, 4u);
  auto zero = workload::load_text(
      "tasks:\n  - {name: a, period_ms: 10, model: {path: m.onnx, segments: 0}}\n", "w.yaml",
      dir.str());
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().where.field, "tasks[0].model.segments");
}

TEST(ProfileCliTest, WritesAProfilePerTaskThatAdmitReads) {
  const testing::TempDir dir;
  const std::string file =
      dir.write("pair.yaml",
                "name: pair\n"
                "tasks:\n"
                "  - {name: a, period_ms: 20, sim: {segments_ms: [2, 1], distribution: uniform}}\n"
                "  - {name: b, period_ms: 50, sim: {wcet_ms: 5, distribution: uniform}}\n");
  const auto run = testing::run_cli("profile '" + file + "' --samples 200 --bootstrap 10");
  ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "profiles" / "pair" / "a.profile.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "profiles" / "pair" / "b.profile.json"));
  // Not a terminal: the progress comes as plain lines.
  EXPECT_EQ(run.out.find('\r'), std::string::npos);
  EXPECT_NE(run.out.find("a: run 4 of 4: 200/200 samples"), std::string::npos) << run.out;

  const auto admit = testing::run_cli("admit '" + file + "' --wcet-source observed_max");
  EXPECT_EQ(admit.exit_code, 0) << admit.err << admit.out;
  EXPECT_NE(admit.out.find("WCET of a: observed_max from"), std::string::npos) << admit.out;

  const auto json = testing::run_cli("profile '" + file + "' --task b --samples 100 --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.find("run 1 of 4"), std::string::npos);  // progress went to stderr
  EXPECT_NE(json.out.find("\"task\": \"b\""), std::string::npos);
}

TEST(ProfileCliTest, OnATerminalTheProgressIsOneLineRewrittenInPlace) {
  if (testing::run_command("script -qec true /dev/null").exit_code != 0) {
    GTEST_SKIP() << "no pseudo-terminal here (util-linux `script` is missing or cannot open one)";
  }
  const testing::TempDir dir;
  const std::string file = dir.write(
      "w.yaml", "tasks:\n  - {name: a, period_ms: 20, sim: {wcet_ms: 2, distribution: uniform}}\n");
  // `script` runs the command on a pseudo-terminal and copies what it writes.
  const auto sut = testing::run_command("script -qec \"'" + std::string(AEGISRT_CLI_PATH) +
                                        "' profile '" + file + "' --samples 150\" /dev/null");
  ASSERT_EQ(sut.exit_code, 0) << sut.err << sut.out;
  EXPECT_NE(sut.out.find("\r\033[Ka: run 1 of 4: 1/150 samples"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("a: run 4 of 4: 150/150 samples"), std::string::npos);
  // Not one line per sample: every update rewrites the same terminal line until the last.
  const std::size_t first = sut.out.find("\r\033[K");
  const std::size_t last = sut.out.find("150/150 samples");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(last, std::string::npos);
  EXPECT_EQ(sut.out.substr(first, last - first).find('\n'), std::string::npos);
}

TEST(ProfileCliTest, UnknownTaskNamesTheTasksThereAre) {
  const testing::TempDir dir;
  const std::string file =
      dir.write("w.yaml", "tasks:\n  - {name: a, period_ms: 20, sim: {wcet_ms: 2}}\n");
  const auto sut = testing::run_cli("profile '" + file + "' --task nope");
  EXPECT_EQ(sut.exit_code, 2);
  EXPECT_NE(sut.err.find("has no such task (it has a)"), std::string::npos) << sut.err;
}

TEST(ProfileCliTest, ValidateCountsFreshJobsAboveEachBound) {
  const testing::TempDir dir;
  const std::string file = dir.write(
      "w.yaml", "tasks:\n  - {name: a, period_ms: 20, sim: {wcet_ms: 2, distribution: uniform}}\n");
  const auto sut =
      testing::run_cli("profile '" + file + "' --samples 200 --validate 500 --bootstrap 10");
  // 3 when a pWCET turns out optimistic on the fresh jobs (the binomial test), else 0.
  EXPECT_TRUE(sut.exit_code == 0 || sut.exit_code == 3) << sut.err << sut.out;
  // Uniform draws never pass the declared WCET, and the empirical bound is 1.2 x the maximum.
  EXPECT_NE(sut.out.find("validation on 500 fresh jobs"), std::string::npos) << sut.out;
  EXPECT_NE(sut.out.find("job empirical"), std::string::npos);
  EXPECT_NE(sut.out.find(": 0 of 500 above"), std::string::npos);
}

TEST(BinomialTest, UpperTailMatchesClosedForms) {
  EXPECT_DOUBLE_EQ(profile::binomial_upper_tail(0, 10, 0.3), 1.0);
  // P(X >= 1) = 1 - (1 - p)^n; P(X >= n) = p^n.
  EXPECT_NEAR(profile::binomial_upper_tail(1, 10, 0.3), 1 - std::pow(0.7, 10), 1e-12);
  EXPECT_NEAR(profile::binomial_upper_tail(10, 10, 0.3), std::pow(0.3, 10), 1e-15);
  EXPECT_NEAR(profile::binomial_upper_tail(1, 100000, 1e-9),
              -std::expm1(100000 * std::log1p(-1e-9)), 1e-15);
  EXPECT_DOUBLE_EQ(profile::binomial_upper_tail(11, 10, 0.3), 0.0);
}

}  // namespace
}  // namespace aegisrt
