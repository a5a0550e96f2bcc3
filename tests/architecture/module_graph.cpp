#include "architecture/module_graph.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>

namespace aegisrt::architecture {
namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The module named by an `#include "aegisrt/<module>/..."` (or <...>) line, or empty. Written by
// hand rather than with std::regex, whose inlined internals trip g++ 12's maybe-uninitialized
// warning in sanitized builds.
std::string included_module(const std::string& line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos || line[i] != '#') return {};
  i = line.find_first_not_of(" \t", i + 1);
  constexpr std::string_view kInclude = "include";
  if (i == std::string::npos || line.compare(i, kInclude.size(), kInclude) != 0) return {};
  i = line.find_first_not_of(" \t", i + kInclude.size());
  constexpr std::string_view kPrefix = "aegisrt/";
  if (i == std::string::npos || (line[i] != '"' && line[i] != '<')) return {};
  if (line.compare(i + 1, kPrefix.size(), kPrefix) != 0) return {};
  const std::size_t begin = i + 1 + kPrefix.size();
  const std::size_t slash = line.find('/', begin);
  if (slash == std::string::npos || slash == begin) return {};
  const std::string module = line.substr(begin, slash - begin);
  for (char c : module) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return {};
  }
  return module;
}

bool is_source(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".hpp" || ext == ".cpp" || ext == ".h" || ext == ".cu" || ext == ".cuh";
}

}  // namespace

ParseResult parse_allowed(const std::string& text) {
  ParseResult out;
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  std::vector<std::pair<int, std::string>> deps_seen;  // (line, dependency)
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    const auto colon = line.find(':');
    const std::string name = colon == std::string::npos ? "" : trim(line.substr(0, colon));
    if (name.empty() || name.find(' ') != std::string::npos) {
      out.errors.push_back("modules.txt:" + std::to_string(line_no) +
                           ": expected `module: dependencies`");
      continue;
    }
    if (out.edges.count(name) != 0) {
      out.errors.push_back("modules.txt:" + std::to_string(line_no) + ": module `" + name +
                           "` declared twice");
      continue;
    }
    std::set<std::string>& deps = out.edges[name];
    std::istringstream words(line.substr(colon + 1));
    for (std::string d; words >> d;) {
      deps.insert(d);
      deps_seen.emplace_back(line_no, d);
    }
  }
  for (const auto& [line, d] : deps_seen) {
    if (out.edges.count(d) == 0) {
      out.errors.push_back("modules.txt:" + std::to_string(line) + ": dependency `" + d +
                           "` is not a declared module");
    }
  }
  return out;
}

std::vector<IncludeEdge> scan_includes(const fs::path& root) {
  std::vector<IncludeEdge> out;
  const auto scan_dir = [&](const fs::path& dir) {
    if (!fs::is_directory(dir)) return;
    for (const auto& module_dir : fs::directory_iterator(dir)) {
      if (!module_dir.is_directory()) continue;
      const std::string module = module_dir.path().filename().string();
      for (const auto& entry : fs::recursive_directory_iterator(module_dir.path())) {
        if (!entry.is_regular_file() || !is_source(entry.path())) continue;
        std::ifstream in(entry.path());
        std::string line;
        int line_no = 0;
        while (std::getline(in, line)) {
          ++line_no;
          const std::string to = included_module(line);
          if (to.empty() || to == module) continue;
          out.push_back({module, to, fs::relative(entry.path(), root).string(), line_no});
        }
      }
    }
  };
  scan_dir(root / "include" / "aegisrt");
  scan_dir(root / "src");
  return out;
}

std::vector<std::string> violations(const AllowedEdges& allowed,
                                    const std::vector<IncludeEdge>& edges) {
  std::vector<std::string> out;
  std::set<std::string> unknown_reported;
  for (const IncludeEdge& e : edges) {
    const auto it = allowed.find(e.from);
    if (it == allowed.end()) {
      if (unknown_reported.insert(e.from).second) {
        out.push_back(e.file + ":" + std::to_string(e.line) + ": module `" + e.from +
                      "` is not in src/modules.txt");
      }
      continue;
    }
    if (it->second.count(e.to) == 0) {
      out.push_back(e.file + ":" + std::to_string(e.line) + ": module `" + e.from + "` includes `" +
                    e.to + "`, which src/modules.txt does not allow");
    }
  }
  return out;
}

std::string find_cycle(const AllowedEdges& allowed) {
  enum class Mark { kNone, kOnPath, kDone };
  std::map<std::string, Mark> mark;
  std::vector<std::string> path;
  std::string cycle;
  const std::function<bool(const std::string&)> visit = [&](const std::string& m) {
    mark[m] = Mark::kOnPath;
    path.push_back(m);
    const auto it = allowed.find(m);
    if (it != allowed.end()) {
      for (const std::string& d : it->second) {
        if (mark[d] == Mark::kOnPath) {
          auto from = std::find(path.begin(), path.end(), d);
          for (; from != path.end(); ++from) cycle += *from + " -> ";
          cycle += d;
          return true;
        }
        if (mark[d] == Mark::kNone && visit(d)) return true;
      }
    }
    path.pop_back();
    mark[m] = Mark::kDone;
    return false;
  };
  for (const auto& [m, deps] : allowed) {
    if (mark[m] == Mark::kNone && visit(m)) return cycle;
  }
  return {};
}

}  // namespace aegisrt::architecture
