#include <algorithm>
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

}  // namespace aegisrt::cli

int main(int argc, char** argv) {
  using namespace aegisrt::cli;
  CLI::App app{
      "AegisRT: run several neural networks on one device with worst-case latency proven before "
      "deployment.\nExit codes: 0 ok, 1 internal error, 2 bad input or usage, 3 not schedulable, 4 explain: a\ndecision not reproduced or a truncated trace."};
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
