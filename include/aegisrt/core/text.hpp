// Small text helpers shared by the workload reader and the command line: typo suggestions and
// lists in messages.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace aegisrt {

// Edit distance (insertions, deletions, substitutions).
std::size_t levenshtein(std::string_view a, std::string_view b);

// The candidate nearest to `word` when it is close enough to be a plausible typo: two edits, or a
// third of the word for long words; nullopt otherwise.
std::optional<std::string> nearest(std::string_view word, std::span<const std::string> candidates);

// Joins with ", ".
std::string join(std::span<const std::string> items);

}  // namespace aegisrt
