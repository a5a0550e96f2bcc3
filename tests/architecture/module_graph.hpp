// The module-graph checker behind module_graph_test.cpp: reads the allowed edges (src/modules.txt)
// and the `#include "aegisrt/<module>/..."` lines of a source tree, and names every include that
// the graph does not allow and every cycle in the graph itself.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace aegisrt::architecture {

// module -> the modules it may include.
using AllowedEdges = std::map<std::string, std::set<std::string>>;

struct ParseResult {
  AllowedEdges edges;
  std::vector<std::string> errors;  // "modules.txt:LINE: ..." for a line that is not `name: deps`
};

// Parses "module: dep dep ..." lines; '#' starts a comment; blank lines are ignored. A dependency
// that is not itself declared as a module is an error, and so is a module declared twice.
ParseResult parse_allowed(const std::string& text);

// One include of one module by another.
struct IncludeEdge {
  std::string from;  // the including module
  std::string to;    // the included module
  std::string file;  // relative to the scanned root
  int line = 0;
};

// Every cross-module include under root/include/aegisrt/<module>/ and root/src/<module>/ (files
// ending .hpp, .cpp, .h, .cu, .cuh).
std::vector<IncludeEdge> scan_includes(const std::filesystem::path& root);

// "FILE:LINE: module `a` includes `b`, which src/modules.txt does not allow" for every edge that
// the graph does not list, and "module `m` is not in src/modules.txt" for an unknown module.
std::vector<std::string> violations(const AllowedEdges& allowed,
                                    const std::vector<IncludeEdge>& edges);

// A cycle in the allowed graph as "a -> b -> a", or empty when the graph is acyclic.
std::string find_cycle(const AllowedEdges& allowed);

}  // namespace aegisrt::architecture
