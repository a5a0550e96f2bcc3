// Empirical execution-time samples: a text file, one duration with its unit per line.
#include <gtest/gtest.h>

#include "aegisrt/workload/workload.hpp"
#include "workload/formats.hpp"
#include "workload/workload_test_support.hpp"

namespace aegisrt::workload {
namespace {

// A workload with one empirical task of WCET 1 + 2 = 3 ms reading `samples.txt`.
constexpr const char* kEmpirical = R"(tasks:
  - name: rec
    period_ms: 50
    sim:
      segments_ms: [1, 2]
      distribution: empirical
      samples_file: samples.txt
)";

TEST(SamplesTest, ParsesDurationsCommentsAndBlankLines) {
  auto sut = parse_samples(
      "# header\n1.25ms\n\n  900us  # indented, with a comment\n2ms\n"
      "1500000ns\n0.001s",
      "s.txt");
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(*sut, (std::vector<Duration>{Duration::us(1250), Duration::us(900), Duration::ms(2),
                                         Duration::us(1500), Duration::ms(1)}));
}

TEST(SamplesTest, NamesTheLineAndColumnOfAValueWithoutUnit) {
  // Line 3 is "  1.25": the value starts in column 3.
  auto sut = parse_samples("1ms\n# c\n  1.25\n", "s.txt");
  ASSERT_FALSE(sut.ok());
  const Error& e = sut.error();
  EXPECT_EQ(e.code, ErrorCode::kParse);
  EXPECT_EQ(e.where.file, "s.txt");
  EXPECT_EQ(e.where.line, 3);
  EXPECT_EQ(e.where.column, 3);
  EXPECT_NE(e.message.find("`1.25` is not a duration"), std::string::npos);
  EXPECT_NE(e.hint.find("1.25ms"), std::string::npos);
}

TEST(SamplesTest, RejectsTwoValuesOnOneLine) {
  auto sut = parse_samples("1ms 2ms\n", "s.txt");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.line, 1);
  EXPECT_NE(sut.error().message.find("more than one value"), std::string::npos);
}

TEST(SamplesTest, RejectsANonPositiveSample) {
  auto sut = parse_samples("1ms\n0ms\n", "s.txt");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.line, 2);
  EXPECT_NE(sut.error().message.find("sample `0ms` is not positive"), std::string::npos);
}

TEST(SamplesTest, LoadsSamplesIntoTheSimSpec) {
  testing::TempDir dir;
  dir.write("samples.txt", "2.5ms\n# comment\n1ms\n");
  auto sut = load_text(kEmpirical, "e.yaml", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  const Task& t = sut->workload.tasks.at(0);
  ASSERT_TRUE(t.sim.has_value());
  EXPECT_EQ(t.sim->distribution, Distribution::kEmpirical);
  EXPECT_EQ(t.sim->samples_file, (dir.path() / "samples.txt").string());
  EXPECT_EQ(t.sim->samples, (std::vector<Duration>{Duration::us(2500), Duration::ms(1)}));
  EXPECT_TRUE(sut->warnings.empty());
}

TEST(SamplesTest, WarnsWhenSamplesExceedTheWcetSum) {
  testing::TempDir dir;
  dir.write("samples.txt", "2ms\n3.5ms\n4ms\n");  // two of three above 3 ms
  auto sut = load_text(kEmpirical, "e.yaml", dir.str());
  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->warnings.size(), 1u);
  EXPECT_NE(sut->warnings[0].find("2 of 3 samples exceed the sum of the segment WCETs 3ms "
                                  "(largest 4ms)"),
            std::string::npos)
      << sut->warnings[0];
  // At the samples_file value: line 7, column 21 ("      samples_file: " is 20 characters).
  EXPECT_EQ(sut->warnings[0].rfind("e.yaml:7:21: tasks[0].sim.samples_file: ", 0), 0u)
      << sut->warnings[0];
}

TEST(SamplesTest, ReportsABadLineInTheSamplesFileItself) {
  testing::TempDir dir;
  const std::string path = dir.write("samples.txt", "1ms\nfast\n");
  auto sut = load_text(kEmpirical, "e.yaml", dir.str());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.file, path);
  EXPECT_EQ(sut.error().where.line, 2);
  EXPECT_EQ(sut.error().where.column, 1);
  EXPECT_EQ(sut.error().where.field, "tasks[0].sim.samples_file");
}

TEST(SamplesTest, ReportsAnEmptySamplesFileAtTheKey) {
  testing::TempDir dir;
  dir.write("samples.txt", "# nothing yet\n");
  auto sut = load_text(kEmpirical, "e.yaml", dir.str());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.file, "e.yaml");
  EXPECT_EQ(sut.error().where.line, 7);
  EXPECT_EQ(sut.error().where.column, 21);
  EXPECT_NE(sut.error().message.find("no samples"), std::string::npos);
}

TEST(SamplesTest, ReportsAMissingSamplesFile) {
  testing::TempDir dir;
  auto sut = load_text(kEmpirical, "e.yaml", dir.str());
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(sut.error().where.line, 7);
  EXPECT_EQ(sut.error().where.column, 21);
  EXPECT_NE(sut.error().message.find("samples file `samples.txt` not found"), std::string::npos);
}

TEST(SamplesTest, RequiresASamplesFileForEmpirical) {
  // "      distribution: " is 20 characters.
  auto sut = load_text(
      "tasks:\n"
      "  - name: rec\n"
      "    period_ms: 50\n"
      "    sim:\n"
      "      wcet_ms: 3\n"
      "      distribution: empirical\n",
      "e.yaml");
  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().where.line, 6);
  EXPECT_EQ(sut.error().where.column, 21);
  EXPECT_NE(sut.error().message.find("distribution empirical needs `samples_file`"),
            std::string::npos);
}

}  // namespace
}  // namespace aegisrt::workload
