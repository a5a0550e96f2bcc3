// The module graph (src/modules.txt) is acyclic and every #include of the tree keeps to it; the
// checker itself finds an injected back-edge and an injected cycle.
#include "architecture/module_graph.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace aegisrt::architecture {
namespace {
namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

const fs::path kRoot = AEGISRT_SOURCE_DIR;

TEST(ModuleGraphTest, TheAllowedGraphParsesAndIsAcyclic) {
  const ParseResult allowed = parse_allowed(read_text(kRoot / "src" / "modules.txt"));
  ASSERT_TRUE(allowed.errors.empty()) << joined(allowed.errors);
  EXPECT_GE(allowed.edges.size(), 10u);
  EXPECT_EQ(find_cycle(allowed.edges), "");
  // The two decisions the graph exists for: the scheduler never reaches back into its trace
  // exporter, and no backend reaches into the scheduler.
  EXPECT_EQ(allowed.edges.at("sched").count("trace"), 0u);
  for (const char* engine : {"backend", "cpu", "opencv"}) {
    EXPECT_EQ(allowed.edges.at(engine).count("sched"), 0u) << engine;
  }
}

TEST(ModuleGraphTest, EveryIncludeOfTheTreeIsAnAllowedEdge) {
  const ParseResult allowed = parse_allowed(read_text(kRoot / "src" / "modules.txt"));
  ASSERT_TRUE(allowed.errors.empty()) << joined(allowed.errors);
  const std::vector<IncludeEdge> edges = scan_includes(kRoot);
  EXPECT_GT(edges.size(), 50u);  // the scan did read the tree
  const std::vector<std::string> bad = violations(allowed.edges, edges);
  EXPECT_TRUE(bad.empty()) << "includes outside the module graph:\n" << joined(bad);
  // Every module folder is declared.
  for (const fs::path& dir : {kRoot / "src", kRoot / "include" / "aegisrt"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_directory()) continue;
      EXPECT_EQ(allowed.edges.count(entry.path().filename().string()), 1u)
          << entry.path() << " is not in src/modules.txt";
    }
  }
}

// A scratch tree with one include from sched into trace: the back-edge the graph forbids.
class InjectedTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("aegisrt-module-graph-" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "src" / "sched");
    fs::create_directories(root_ / "include" / "aegisrt" / "trace");
    std::ofstream(root_ / "include" / "aegisrt" / "trace" / "buffer.hpp")
        << "#pragma once\n#include \"aegisrt/sched/record.hpp\"\n";
    std::ofstream(root_ / "src" / "sched" / "scheduler.cpp")
        << "#include \"aegisrt/sched/scheduler.hpp\"\n#include <vector>\n"
        << "  #  include \"aegisrt/trace/buffer.hpp\"\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(InjectedTree, ABackEdgeIsNamedWithItsFileAndLine) {
  const ParseResult allowed = parse_allowed("core:\nsched: core\ntrace: core sched\n");
  ASSERT_TRUE(allowed.errors.empty()) << joined(allowed.errors);
  const std::vector<std::string> bad = violations(allowed.edges, scan_includes(root_));
  ASSERT_EQ(bad.size(), 1u) << joined(bad);
  EXPECT_EQ(bad[0],
            "src/sched/scheduler.cpp:3: module `sched` includes `trace`, which "
            "src/modules.txt does not allow");
}

TEST(ModuleGraphCheckerTest, ACycleInTheAllowedGraphIsFound) {
  const ParseResult allowed = parse_allowed("core:\nsched: core trace\ntrace: core sched\n");
  ASSERT_TRUE(allowed.errors.empty()) << joined(allowed.errors);
  const std::string cycle = find_cycle(allowed.edges);
  EXPECT_TRUE(cycle == "sched -> trace -> sched" || cycle == "trace -> sched -> trace") << cycle;
}

TEST(ModuleGraphCheckerTest, MalformedLinesAndUnknownDependenciesAreErrors) {
  const ParseResult allowed = parse_allowed("core:\nsched core\ntrace: core shed\ncore:\n");
  ASSERT_EQ(allowed.errors.size(), 3u) << joined(allowed.errors);
  EXPECT_NE(allowed.errors[0].find(":2: expected"), std::string::npos) << allowed.errors[0];
  EXPECT_NE(allowed.errors[1].find(":4: module `core` declared twice"), std::string::npos)
      << allowed.errors[1];
  EXPECT_NE(allowed.errors[2].find("`shed` is not a declared module"), std::string::npos)
      << allowed.errors[2];
}

}  // namespace
}  // namespace aegisrt::architecture
