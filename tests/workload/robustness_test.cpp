// Damaged input never crashes the loader and never ends in an internal error (an exception from
// yaml-cpp caught at the top): every mutation of the examples either loads or gives a user error.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "aegisrt/workload/workload.hpp"

namespace aegisrt::workload {
namespace {

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(AEGISRT_SOURCE_DIR) + "/examples/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_no_internal_error(const std::string& text, const std::string& what) {
  auto sut = load_text(text, "mutant.yaml", std::string(AEGISRT_SOURCE_DIR) + "/examples");
  if (sut.ok()) return;
  EXPECT_NE(sut.error().code, ErrorCode::kInternal) << what << ": " << sut.error().to_string();
  EXPECT_FALSE(sut.error().message.empty()) << what;
}

class RobustnessTest : public ::testing::TestWithParam<const char*> {};

TEST_P(RobustnessTest, SurvivesTruncationAtEveryFifthCharacter) {
  const std::string text = read_example(GetParam());
  ASSERT_FALSE(text.empty());
  for (std::size_t n = 0; n < text.size(); n += 5) {
    expect_no_internal_error(text.substr(0, n), "truncated at " + std::to_string(n));
  }
}

TEST_P(RobustnessTest, SurvivesDeletingAnyLine) {
  const std::string text = read_example(GetParam());
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::size_t stop = end == std::string::npos ? text.size() : end + 1;
    expect_no_internal_error(text.substr(0, start) + text.substr(stop),
                             "without line at " + std::to_string(start));
    start = stop;
  }
}

TEST_P(RobustnessTest, SurvivesReplacingAnyStructuralCharacter) {
  const std::string text = read_example(GetParam());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != ':' && c != '[' && c != ']' && c != '{' && c != '}' && c != ',' && c != '-' &&
        c != '"') {
      continue;
    }
    for (const char r : {' ', 'x', '[', '{'}) {
      std::string mutant = text;
      mutant[i] = r;
      expect_no_internal_error(mutant, "character " + std::to_string(i) + " -> " + r);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, RobustnessTest,
                         ::testing::Values("example-mix.yaml", "overload.yaml", "ieo-tasks.json"));

}  // namespace
}  // namespace aegisrt::workload
