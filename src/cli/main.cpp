#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "commands.hpp"

namespace aegisrt::cli {

namespace {

std::vector<std::pair<int, Registrar>>& registry() {
  static std::vector<std::pair<int, Registrar>> commands;
  return commands;
}

}  // namespace

CommandRegistration::CommandRegistration(int order, Registrar registrar) {
  registry().emplace_back(order, registrar);
}

void register_all(CLI::App& app, ExitCode& exit) {
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, registrar] : commands) registrar(app, exit);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "aegisrt: error: %s\n", message.c_str());
}

std::optional<Duration> positive_duration_option(std::string_view option, const std::string& text) {
  const ParsedDuration d = parse_duration_text(text);
  const std::string what = std::string(option) + " `" + text + "`";
  if (d.problem == DurationProblem::kNotWholeNs) {
    std::size_t split = text.size();
    while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
    const TimeUnit unit = parse_unit(std::string_view(text).substr(split)).value_or(TimeUnit::kNs);
    const int decimals = max_decimals(unit);
    print_error(what + " is not a whole number of nanoseconds; durations are integer " +
                "nanoseconds: " +
                (decimals == 0 ? std::string("write a whole number of ns")
                               : "write at most " + std::to_string(decimals) + " decimals with " +
                                     std::string(unit_suffix(unit)) + " (or a smaller unit)"));
    return std::nullopt;
  }
  if (d.problem == DurationProblem::kTooLarge) {
    print_error(what + " is too large; durations must fit in 64-bit nanoseconds (about 292 years)");
    return std::nullopt;
  }
  if (!d.ok() || d.value <= Duration::zero()) {
    print_error(what + " is not a positive duration with a unit (e.g. 250ms, 10s, 400000us)");
    return std::nullopt;
  }
  return d.value;
}

}  // namespace aegisrt::cli

int main(int argc, char** argv) {
  using namespace aegisrt::cli;
  CLI::App app{
      "AegisRT: run several neural networks on one device with worst-case latency proven before "
      "deployment.\nExit codes: 0 ok, 1 internal error, 2 bad input or usage, 3 not schedulable, 4 "
      "explain: a\ndecision not reproduced or a truncated trace, 5 simulate: an admitted set "
      "missed a deadline."};
  app.set_version_flag("--version", std::string("aegisrt ") + AEGISRT_VERSION);
  app.require_subcommand(1);
  ExitCode exit;
  register_all(app, exit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitInternal;
  }
  return exit.value;
}
