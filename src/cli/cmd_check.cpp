// `aegisrt check FILE [--json]`: validates a workload file and prints it normalised.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {

namespace {

struct CheckOptions {
  std::string file;
  bool json = false;
};

int run_check(const CheckOptions& opt) {
  auto loaded = workload::load_file(opt.file);
  if (!loaded) {
    print_error(loaded.error().to_string());
    return loaded.error().code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
  }
  for (const std::string& w : loaded->warnings) {
    std::fprintf(stderr, "aegisrt: warning: %s\n", w.c_str());
  }
  const bool foreign = loaded->mapping.format != "aegisrt";
  if (opt.json) {
    auto j = nlohmann::ordered_json::parse(workload::to_json(loaded->workload));
    if (foreign) {
      j["mapping"] = {{"format", loaded->mapping.format}, {"notes", loaded->mapping.notes}};
    }
    std::fputs((j.dump(2) + "\n").c_str(), stdout);
  } else {
    if (foreign) {
      std::printf("# mapped from %s (%s):\n", opt.file.c_str(), loaded->mapping.format.c_str());
      for (const std::string& note : loaded->mapping.notes) std::printf("# %s\n", note.c_str());
    }
    std::fputs(workload::to_yaml(loaded->workload).c_str(), stdout);
  }
  return kExitOk;
}

void register_check(CLI::App& app, ExitCode& exit) {
  auto opt = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Validate a workload file (AegisRT YAML/JSON, or an InferEdgeOrchestrator task config) and "
      "print it normalised: every default filled in, durations in integer nanoseconds.");
  cmd->add_option("file", opt->file, "Workload file (.yaml, .yml or .json)")->required();
  cmd->add_flag("--json", opt->json, "Print JSON instead of YAML");
  cmd->footer(
      "Exit codes: 0 valid; 1 internal error; 2 invalid (the message names file:line:column and "
      "the field), missing, or a directory.");
  cmd->callback([opt, &exit] { exit.value = run_check(*opt); });
}

const CommandRegistration reg(10, &register_check);

}  // namespace

}  // namespace aegisrt::cli
