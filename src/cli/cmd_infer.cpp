// `aegisrt infer MODEL [--backend cpu|opencv] [--input-shape [NAME=]1,3,48,192]...
//   [--input FILE.npy... | --seed N] [--output-dir DIR] [--repeat N] [--threads T]
//   [--segments N] [--json]`:
// runs a model on a real backend, writes each output as .npy and reports latency
// (min / p50 / p99 / max over --repeat inferences) and every segment's time. The work is
// backend::run_timed_inference (timed_inference.hpp); this file reads and writes files and prints.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/backend/npy.hpp"
#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/timed_inference.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/stats.hpp"
#include "aegisrt/model/graph.hpp"
#include "aegisrt/model/import.hpp"
#include "commands.hpp"

namespace aegisrt::cli {
namespace {

struct InferArgs {
  std::string model;
  std::string backend = "cpu";
  std::vector<std::string> input_shapes;
  std::vector<std::string> inputs;
  std::uint32_t seed = 1;
  std::string output_dir;
  std::uint32_t repeat = 1;
  int threads = 1;
  std::uint32_t max_segments = 0;
  bool json = false;
};

// Nanoseconds, or null for a percentile the sample is too small to give (core/stats.hpp).
nlohmann::json ns_json(const std::optional<Duration>& d) {
  return d ? nlohmann::json(d->count()) : nlohmann::json(nullptr);
}

nlohmann::json to_json(const Summary& s) {
  return {{"min", ns_json(s.min)},
          {"p50", ns_json(s.p50)},
          {"p99", ns_json(s.p99)},
          {"max", ns_json(s.max)}};
}

// Measured latencies: milliseconds with three decimals ("3.724ms"), "-" for an absent statistic.
std::string ms(std::optional<Duration> d) {
  return format_duration(d, {.unit = TimeUnit::kMs, .decimals = 3});
}

// Output file names: the oracle's rule (every character outside [A-Za-z0-9_.-] becomes '_'),
// with a numeric suffix where two names would collide.
std::vector<std::string> file_names(std::span<const backend::TensorInfo> outputs) {
  std::vector<std::string> names;
  std::set<std::string> taken;
  for (const auto& t : outputs) {
    std::string base = t.name;
    for (char& c : base) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') c = '_';
    }
    std::string name = base;
    for (int k = 1; taken.count(name) != 0; ++k) name = base + "_" + std::to_string(k);
    taken.insert(name);
    names.push_back(name + ".npy");
  }
  return names;
}

int exit_for(const Error& e) {
  return e.code == ErrorCode::kInternal || e.code == ErrorCode::kResourceExhausted ? kExitInternal
                                                                                   : kExitBadInput;
}

int run_infer(const InferArgs& args) {
  if (reject_directory(args.model, "an ONNX file")) return kExitBadInput;
  backend::InferenceRequest request;
  request.backend = args.backend;
  request.load.path = args.model;
  request.load.segments.max_segments = args.max_segments;
  request.load.threads = args.threads;
  request.seed = args.seed;
  request.repeat = args.repeat;
  // Inputs from files are read first: a file can also give the input shape.
  for (const std::string& path : args.inputs) {
    auto a = backend::read_npy(path);
    if (!a) {
      print_error(a.error().to_string());
      return kExitBadInput;
    }
    for (const float v : a->data) {
      if (!std::isfinite(v)) {
        print_error(path + ": holds NaN or Inf; model inputs must be finite");
        return kExitBadInput;
      }
    }
    request.inputs.push_back({path, std::move(*a)});
  }
  for (const std::string& text : args.input_shapes) {
    auto shape = model::parse_input_shape(text);
    if (!shape) {
      print_error(shape.error().to_string());
      return kExitBadInput;
    }
    request.load.input_shapes.push_back(*shape);
  }

  SteadyClock clock;
  auto timed = backend::run_timed_inference(request, clock);
  if (!timed) {
    print_error(timed.error().to_string());
    return exit_for(timed.error());
  }
  const backend::InferenceReport& report = *timed;
  const auto& inputs = report.inputs;
  const auto& outputs = report.outputs;
  const backend::RunnerInfo& info = report.info;
  const std::size_t segments = report.segments.size();

  std::vector<std::string> written(outputs.size());
  if (!args.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.output_dir, ec);
    const auto names = file_names(outputs);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const std::string path = (std::filesystem::path(args.output_dir) / names[i]).string();
      if (Status st = backend::write_npy(path, outputs[i].shape, report.output_values[i]); !st) {
        print_error(st.error().to_string());
        return kExitBadInput;
      }
      written[i] = path;
    }
  }

  if (args.json) {
    nlohmann::json out;
    out["model"] = args.model;
    out["backend"] = {{"name", info.backend},
                      {"engine", info.engine},
                      {"threads", info.threads},
                      {"weights_bytes", info.weights_bytes},
                      {"arena_bytes", info.arena_bytes},
                      {"memory_planned", info.memory_planned},
                      {"segments", segments}};
    // The engine's transient blocks over the timed runs: from the run heap's pools, and the
    // requests the pools could not serve (sent to malloc).
    out["run_heap"] = {{"in_use", info.run_heap},
                       {"pool_allocations", report.pool_allocations},
                       {"fallbacks", report.heap_fallbacks}};
    out["load_ns"] = report.load_time.count();
    out["repeat"] = report.repeat;
    out["inputs"] = nlohmann::json::array();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      out["inputs"].push_back({{"name", inputs[i].name},
                               {"shape", inputs[i].shape},
                               {"source", report.input_sources[i]}});
    }
    out["outputs"] = nlohmann::json::array();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      out["outputs"].push_back(
          {{"name", outputs[i].name},
           {"shape", outputs[i].shape},
           {"file", written[i].empty() ? nlohmann::json(nullptr) : nlohmann::json(written[i])}});
    }
    out["latency_ns"] = to_json(report.latency);
    out["segments"] = nlohmann::json::array();
    for (std::size_t k = 0; k < segments; ++k) {
      out["segments"].push_back({{"index", k},
                                 {"name", info.segment_names[k]},
                                 {"min_ns", ns_json(report.segments[k].min)},
                                 {"p50_ns", ns_json(report.segments[k].p50)},
                                 {"p99_ns", ns_json(report.segments[k].p99)},
                                 {"max_ns", ns_json(report.segments[k].max)}});
    }
    fmt::print("{}\n", out.dump(2));
    return kExitOk;
  }

  fmt::print("{}: backend {} ({}), {} thread{}, {} segment{}, loaded in {}\n", args.model,
             info.backend, info.engine, info.threads, info.threads == 1 ? "" : "s", segments,
             segments == 1 ? "" : "s", ms(report.load_time));
  fmt::print("memory: weights {:.2f} MiB, activations {}\n",
             static_cast<double>(info.weights_bytes) / (1024.0 * 1024.0),
             info.memory_planned
                 ? fmt::format("{:.2f} MiB planned arena",
                               static_cast<double>(info.arena_bytes) / (1024.0 * 1024.0))
                 : std::string("owned by the engine (not planned)"));
  if (info.run_heap) {
    fmt::print("run heap: {} engine block{} from the pools over the runs, {} from malloc\n",
               report.pool_allocations, report.pool_allocations == 1 ? "" : "s",
               report.heap_fallbacks);
  } else {
    fmt::print("run heap: not used (the engine allocates from malloc during a run)\n");
  }
  if (!info.allocating_steps.empty()) {
    fmt::print(
        "run heap: {} step{} call malloc on every run on this CPU, which no pool serves "
        "(oneDNN's GEMM packs its operands; with AVX-512 it would not): {}{}\n",
        info.allocating_steps.size(), info.allocating_steps.size() == 1 ? "" : "s",
        info.allocating_steps[0], info.allocating_steps.size() > 1 ? ", ..." : "");
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    fmt::print("input  {} {} <- {}\n", inputs[i].name, model::to_string(inputs[i].shape),
               report.input_sources[i]);
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    fmt::print("output {} {}{}\n", outputs[i].name, model::to_string(outputs[i].shape),
               written[i].empty() ? "" : " -> " + written[i]);
  }
  fmt::print("latency over {} run{}: min {}, p50 {}, p99 {}, max {}\n", report.repeat,
             report.repeat == 1 ? "" : "s", ms(report.latency.min), ms(report.latency.p50),
             ms(report.latency.p99), ms(report.latency.max));
  fmt::print("{:>5}  {:<48} {:>12} {:>12}\n", "seg", "name", "p50", "max");
  for (std::size_t k = 0; k < segments; ++k) {
    fmt::print("{:>5}  {:<48} {:>12} {:>12}\n", k, info.segment_names[k].substr(0, 48),
               ms(report.segments[k].p50), ms(report.segments[k].max));
  }
  return kExitOk;
}

// The --backend help and check, from the registry: every backend that runs models, and whether
// this build has it. An unknown name gets the nearest known one; one not compiled in says how to
// enable it.
std::string backend_help() {
  std::string text = "backend that runs the model:";
  for (const backend::BackendEntry& e : backend::backends()) {
    if (!e.runs_models()) continue;
    text += " " + e.name + " (" + e.description + (e.compiled_in() ? ")" : "; not in this build)");
    text += ";";
  }
  text.pop_back();
  return text;
}

CLI::Validator backend_check() {
  return CLI::Validator(
      [](std::string& name) -> std::string {
        auto entry = backend::runner_backend(name);
        return entry ? std::string() : entry.error().to_string();
      },
      "BACKEND");
}

void register_infer(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<InferArgs>();
  CLI::App* cmd = app.add_subcommand(
      "infer",
      "Run a model on a real backend: write its outputs as .npy, report latency and segment times");
  cmd->add_option("model", args->model, "ONNX model file")->required();
  cmd->add_option("--backend", args->backend, backend_help())
      ->check(backend_check())
      ->capture_default_str();
  cmd->add_option("--input-shape", args->input_shapes,
                  "shape of a dynamic input: 1,3,48,192 (the first input) or NAME=1,3,48,192; "
                  "repeatable; default: the file's, or the --input file's");
  auto* input = cmd->add_option("--input", args->inputs,
                                "input tensor as .npy (float32, C order), one per model input");
  cmd->add_option("--seed", args->seed,
                  "pseudo-random inputs in [0, 1) from this seed (the ORT oracle's generator)")
      ->excludes(input)
      ->capture_default_str();
  cmd->add_option("--output-dir", args->output_dir,
                  "write each output as DIR/<name>.npy (characters outside [A-Za-z0-9_.-] -> _)");
  cmd->add_option("--repeat", args->repeat, "timed inferences after the warm-up one at load")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "compute threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--segments", args->max_segments,
                  "cpu: merge nodes into at most N segments of similar FLOPs (0: one per node)")
      ->capture_default_str();
  add_deprecated_alias(*cmd, "--max-segments", "--segments", args->max_segments);
  cmd->add_flag("--json", args->json, "print JSON instead of text");
  cmd->footer(
      "Exit codes: 0 ok; 1 internal error (the engine failed, or out of memory); 2 bad input or "
      "usage (a missing or unreadable model, an unsupported operator, a wrong input shape or "
      "input file).");
  cmd->callback([args, &exit]() { exit.value = run_infer(*args); });
}

const CommandRegistration reg(45, &register_infer);

}  // namespace
}  // namespace aegisrt::cli
