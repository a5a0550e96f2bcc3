// `aegisrt inspect MODEL [--input-shape ...]`: imports an ONNX model and prints the folded graph:
// nodes in execution order with shapes and FLOPs, and its segments.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aegisrt/model/import.hpp"
#include "aegisrt/model/segment.hpp"
#include "commands.hpp"

namespace aegisrt::cli {

namespace {

struct InspectArgs {
  std::string model;
  std::vector<std::string> input_shapes;
  std::uint32_t max_segments = 0;
  std::uint64_t min_segment_flops = 0;
  bool json = false;
};

std::string value_text(const model::Graph& g, model::ValueId id) {
  const model::Value& v = g.value(id);
  return fmt::format("{} {} {}", v.name, model::to_string(v.dtype), model::to_string(v.shape));
}

nlohmann::json value_json(const model::Graph& g, model::ValueId id) {
  const model::Value& v = g.value(id);
  return {{"name", v.name}, {"dtype", model::to_string(v.dtype)}, {"shape", v.shape}};
}

int run_inspect(const InspectArgs& args) {
  if (reject_directory(args.model, "an ONNX file")) return kExitBadInput;
  model::ImportOptions options;
  for (const std::string& s : args.input_shapes) {
    auto shape = model::parse_input_shape(s);
    if (!shape) {
      print_error(shape.error().to_string());
      return kExitBadInput;
    }
    options.input_shapes.push_back(*shape);
  }
  auto graph = model::import_file(args.model, options);
  if (!graph) {
    print_error(graph.error().to_string());
    return kExitBadInput;
  }
  const model::Graph& g = *graph;
  const auto segments = model::make_segments(g, {args.min_segment_flops, args.max_segments});
  std::vector<std::size_t> segment_of(g.nodes.size(), 0);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    for (std::uint32_t i = segments[s].first_node; i < segments[s].end_node; ++i) segment_of[i] = s;
  }

  if (args.json) {
    nlohmann::json j;
    j["model"] = g.name;
    j["opset"] = g.opset;
    j["ir_version"] = g.ir_version;
    j["inputs"] = nlohmann::json::array();
    for (const auto id : g.inputs) j["inputs"].push_back(value_json(g, id));
    j["outputs"] = nlohmann::json::array();
    for (const auto id : g.outputs) j["outputs"].push_back(value_json(g, id));
    j["weights_bytes"] = g.weights_bytes();
    j["flops"] = g.total_flops();
    j["folded_nodes"] = g.folded_nodes;
    j["nodes"] = nlohmann::json::array();
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      const model::Node& n = g.nodes[i];
      nlohmann::json node = {{"index", i},
                             {"name", n.name},
                             {"op", model::to_string(n.op)},
                             {"flops", n.flops},
                             {"segment", segment_of[i]}};
      node["inputs"] = nlohmann::json::array();
      for (const auto id : n.inputs) node["inputs"].push_back(g.value(id).name);
      node["outputs"] = nlohmann::json::array();
      for (const auto id : n.outputs) node["outputs"].push_back(value_json(g, id));
      j["nodes"].push_back(std::move(node));
    }
    j["segments"] = nlohmann::json::array();
    for (std::size_t s = 0; s < segments.size(); ++s) {
      const auto& seg = segments[s];
      j["segments"].push_back({{"index", s},
                               {"name", seg.name},
                               {"first_node", seg.first_node},
                               {"end_node", seg.end_node},
                               {"flops", seg.flops},
                               {"boundary_bytes", seg.boundary_bytes}});
    }
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }

  std::size_t weight_tensors = 0;
  for (const auto& v : g.values) weight_tensors += v.kind == model::ValueKind::kWeight ? 1 : 0;
  fmt::print(
      "model {} (opset {}, IR {}): {} nodes ({} folded away), {:.2f} MFLOPs, weights {} "
      "bytes in {} tensors\n",
      g.name, g.opset, g.ir_version, g.nodes.size(), g.folded_nodes,
      static_cast<double>(g.total_flops()) / 1e6, g.weights_bytes(), weight_tensors);
  for (const auto id : g.inputs) fmt::print("input  {}\n", value_text(g, id));
  for (const auto id : g.outputs) fmt::print("output {}\n", value_text(g, id));
  fmt::print("\n{:>4}  {:<32} {:<18} {:<24} {:>10} {:>5}\n", "#", "node", "op", "output shape",
             "MFLOPs", "seg");
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const model::Node& n = g.nodes[i];
    std::string shapes;
    for (const auto id : n.outputs) {
      if (!shapes.empty()) shapes += ' ';
      shapes += model::to_string(g.value(id).shape);
    }
    fmt::print("{:>4}  {:<32} {:<18} {:<24} {:>10.3f} {:>5}\n", i, n.name, model::to_string(n.op),
               shapes, static_cast<double>(n.flops) / 1e6, segment_of[i]);
  }
  fmt::print("\n{} segments{}\n", segments.size(),
             args.max_segments == 0 && args.min_segment_flops == 0
                 ? " (one per node; merge with --segments N or --min-segment-flops F)"
                 : "");
  fmt::print("{:>4}  {:<32} {:>6} {:>10} {:>16}\n", "#", "first node", "nodes", "MFLOPs",
             "boundary bytes");
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto& seg = segments[s];
    fmt::print("{:>4}  {:<32} {:>6} {:>10.3f} {:>16}\n", s, seg.name, seg.end_node - seg.first_node,
               static_cast<double>(seg.flops) / 1e6, seg.boundary_bytes);
  }
  return kExitOk;
}

void register_inspect(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "Import an ONNX model and print its folded graph: nodes, shapes, FLOPs, segments");
  cmd->add_option("model", args->model, "ONNX file")->required();
  cmd->add_option("--input-shape", args->input_shapes,
                  "shape of a dynamic input: 1,3,48,192 (the first input) or NAME=1,3,48,192; "
                  "repeatable");
  cmd->add_option("--segments", args->max_segments,
                  "merge nodes into at most N segments of similar FLOPs (0: one per node)");
  cmd->add_option("--min-segment-flops", args->min_segment_flops,
                  "merge consecutive nodes until each segment has at least F FLOPs");
  cmd->add_flag("--json", args->json, "print JSON instead of a table");
  cmd->footer(
      "Exit codes: 0 ok; 2 bad input or usage (a missing, corrupt or unsupported model, a wrong "
      "input shape).");
  cmd->callback([args, &exit]() { exit.value = run_inspect(*args); });
}

CommandRegistration reg(50, &register_inspect);

}  // namespace

}  // namespace aegisrt::cli
