// docs/TUTORIAL.md, run as written: every `$ aegisrt ...` line of its console blocks, in order, in
// a scratch folder that holds the files its text names (`File `NAME`:` before a yaml block) and a
// `models` link to the model cache. Each command must exit 0; the output is the tool's, so only a
// few facts the tutorial states are checked (the set is admitted, the trace is reproduced).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "model/model_cache.hpp"
#include "support/cli.hpp"
#include "support/engines.hpp"

namespace aegisrt {
namespace {

struct Tutorial {
  std::vector<std::pair<std::string, std::string>> files;  // name, content
  std::vector<std::string> commands;                       // after "$ "
};

// Reads the fenced blocks: ```yaml after a line ending in "File `NAME`:" (or whose previous
// paragraph ends so) is a file; ```console lines starting with "$ " are commands.
Tutorial parse(const std::string& text) {
  Tutorial t;
  std::istringstream in(text);
  std::string line, pending_file, block, fence;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside) {
      const std::size_t tick = line.rfind("File `");
      if (tick != std::string::npos && line.size() > 2 && line.substr(line.size() - 2) == "`:") {
        pending_file = line.substr(tick + 6, line.size() - tick - 8);
      }
      if (line.rfind("```", 0) == 0 && line.size() > 3) {
        inside = true;
        fence = line.substr(3);
        block.clear();
      }
      continue;
    }
    if (line == "```") {
      inside = false;
      if (fence == "yaml" && !pending_file.empty()) {
        t.files.emplace_back(pending_file, block);
        pending_file.clear();
      }
      continue;
    }
    if (fence == "console" && line.rfind("$ ", 0) == 0) t.commands.push_back(line.substr(2));
    block += line + "\n";
  }
  return t;
}

TEST(TutorialTest, EveryCommandRunsAsWritten) {
  const std::string text =
      testing::read_file(std::string(AEGISRT_SOURCE_DIR) + "/docs/TUTORIAL.md");
  const Tutorial t = parse(text);
  ASSERT_EQ(t.files.size(), 1u) << "the tutorial's faces.yaml";
  ASSERT_GE(t.commands.size(), 7u);
  if (testing::cached_model("face_detection_front_128x128_barracuda.onnx").empty()) {
    GTEST_SKIP() << testing::kFetchHint;
  }
  if (const std::string why = testing::engine_unavailable_reason("cpu"); !why.empty()) {
    GTEST_SKIP() << why;
  }

  const testing::TempDir dir;
  std::filesystem::create_directory_symlink(testing::model_cache_dir(), dir.path() / "models");
  for (const auto& [name, content] : t.files) dir.write(name, content);
  std::string admitted, explained;
  for (const std::string& command : t.commands) {
    ASSERT_EQ(command.rfind("aegisrt ", 0), 0u) << command;
    SCOPED_TRACE(command);
    const testing::CliRun run = testing::run_command("cd '" + dir.str() + "' && '" +
                                                     AEGISRT_CLI_PATH + "' " + command.substr(8));
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    if (command.rfind("aegisrt admit", 0) == 0) admitted = run.out;
    if (command.rfind("aegisrt explain", 0) == 0) explained = run.out;
  }
  EXPECT_NE(admitted.find("schedulable"), std::string::npos) << admitted;
  EXPECT_NE(explained.find("reproduced"), std::string::npos) << explained;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "faces-telemetry.json"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "profiles/faces/front.profile.json"));
}

}  // namespace
}  // namespace aegisrt
