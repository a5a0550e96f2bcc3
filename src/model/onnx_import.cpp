// Reads an ONNX protobuf into AegisRT's graph: decode, sort, infer and fold, assemble. Tensors are
// decoded in onnx_tensor.cpp; each node is inferred through its OpContext (op_context.cpp) by the
// handler of its operator (operators.cpp, op_*.cpp).
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "aegisrt/model/import.hpp"
#include "op_context.hpp"

namespace aegisrt::model {

namespace {

using detail::HostTensor;
using detail::Sym;

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string supported_list() {
  std::string out = "supported operators: ";
  const auto& names = supported_operators();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const ImportOptions& options, std::string label)
      : model_(model), options_(options), label_(std::move(label)) {}

  Result<Graph> run();

 private:
  Error error(ErrorCode code, std::string message, std::string hint = {}) const {
    Error e = make_error(code, std::move(message), std::move(hint));
    e.where.file = label_;
    return e;
  }
  std::string node_label(int index) const {
    const auto& n = model_.graph().node(index);
    return n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name();
  }
  Status read_opset();
  Status read_initializers();
  Status read_inputs();
  Status check_operators();
  Result<std::vector<int>> sort_nodes();
  Status infer(const std::vector<int>& order);
  Status read_outputs();
  ValueId materialize(const std::string& name, Sym& sym);
  ValueId add_value(Value v) {
    graph_.values.push_back(std::move(v));
    return static_cast<ValueId>(graph_.values.size() - 1);
  }

  const onnx::ModelProto& model_;
  const ImportOptions& options_;
  std::string label_;
  Graph graph_;
  std::unordered_map<std::string, Sym> syms_;
  std::set<std::string> initializer_names_;
  // Weights in order of materialisation, copied into graph_.weights at the end.
  std::vector<std::pair<ValueId, std::shared_ptr<const HostTensor>>> weights_;
};

Status Importer::read_opset() {
  graph_.ir_version = model_.ir_version();
  bool found = false;
  for (const auto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      graph_.opset = o.version();
      found = true;
    }
  }
  if (!found) {
    // IR version 2 files predate opset_import: they are opset 1.
    graph_.opset = 1;
  }
  if (graph_.opset < kMinOpset || graph_.opset > kMaxOpset) {
    return error(ErrorCode::kUnsupported,
                 "ONNX opset " + std::to_string(graph_.opset) + " is not supported",
                 "AegisRT reads opsets " + std::to_string(kMinOpset) + " to " +
                     std::to_string(kMaxOpset) + "; convert the model with onnx.version_converter");
  }
  return Ok{};
}

Status Importer::read_initializers() {
  const auto& g = model_.graph();
  if (g.sparse_initializer_size() > 0) {
    return error(ErrorCode::kUnsupported, "sparse initializers are not supported");
  }
  for (const auto& t : g.initializer()) {
    if (t.name().empty()) return error(ErrorCode::kParse, "an initializer has no name");
    if (!initializer_names_.insert(t.name()).second) {
      return error(ErrorCode::kParse, "initializer '" + t.name() + "' is defined twice");
    }
    auto decoded = detail::decode_tensor(t, "initializer '" + t.name() + "'");
    if (!decoded) {
      Error e = decoded.error();
      e.where.file = label_;
      return e;
    }
    Sym s;
    s.dtype = decoded->dtype;
    s.shape = decoded->shape;
    s.constant = std::make_shared<const HostTensor>(std::move(decoded.value()));
    syms_[t.name()] = std::move(s);
  }
  return Ok{};
}

Status Importer::read_inputs() {
  const auto& g = model_.graph();
  std::vector<const onnx::ValueInfoProto*> runtime_inputs;
  for (const auto& in : g.input()) {
    if (initializer_names_.count(in.name()) > 0) continue;  // IR < 4: initializers listed as inputs
    runtime_inputs.push_back(&in);
  }
  // A shape given by name must name a runtime input; the error lists them (checked first: the
  // input it was meant for would otherwise be reported as dynamic).
  for (const auto& o : options_.input_shapes) {
    if (o.name.empty() || std::any_of(runtime_inputs.begin(), runtime_inputs.end(),
                                      [&](const auto* in) { return in->name() == o.name; })) {
      continue;
    }
    std::string names;
    for (const auto* in : runtime_inputs) names += (names.empty() ? "'" : ", '") + in->name() + "'";
    return error(
        ErrorCode::kInvalidArgument,
        "an input shape was given for '" + o.name + "', which is not an input of the model",
        names.empty() ? "the model has no runtime input" : "its inputs: " + names);
  }
  std::vector<bool> used(options_.input_shapes.size(), false);
  for (std::size_t k = 0; k < runtime_inputs.size(); ++k) {
    const auto& in = *runtime_inputs[k];
    if (in.name().empty()) return error(ErrorCode::kParse, "a graph input has no name");
    if (syms_.count(in.name()) > 0) {
      return error(ErrorCode::kParse, "graph input '" + in.name() + "' is listed twice");
    }
    if (!in.type().has_tensor_type()) {
      return error(ErrorCode::kUnsupported, "graph input '" + in.name() + "' is not a tensor");
    }
    const auto& tt = in.type().tensor_type();
    const auto dtype = detail::dtype_from_onnx(tt.elem_type());
    if (!dtype) {
      return error(ErrorCode::kUnsupported, "graph input '" + in.name() + "' has data type " +
                                                std::to_string(tt.elem_type()) +
                                                ", which is not supported");
    }
    // The file's shape: -1 for a dynamic dimension.
    Shape declared;
    bool has_shape = tt.has_shape();
    for (const auto& d : tt.shape().dim())
      declared.push_back(d.has_dim_value() ? d.dim_value() : -1);
    const ImportOptions::InputShape* given = nullptr;
    for (std::size_t i = 0; i < options_.input_shapes.size(); ++i) {
      const auto& o = options_.input_shapes[i];
      if (o.name == in.name() || (o.name.empty() && k == 0)) {
        given = &o;
        used[i] = true;
        break;
      }
    }
    Shape shape = declared;
    if (given != nullptr) {
      bool consistent = !has_shape || declared.size() == given->shape.size();
      for (std::size_t i = 0; consistent && has_shape && i < declared.size(); ++i) {
        consistent = declared[i] < 0 || declared[i] == given->shape[i];
      }
      if (!consistent) {
        return error(ErrorCode::kInvalidArgument,
                     "the given shape [" + to_string(given->shape) + "] for input '" + in.name() +
                         "' contradicts the file's [" + to_string(declared) + "] (-1: dynamic)");
      }
      shape = given->shape;
    } else if (!has_shape || std::any_of(declared.begin(), declared.end(),
                                         [](std::int64_t d) { return d < 0; })) {
      return error(ErrorCode::kInvalidArgument,
                   "input '" + in.name() + "' has dynamic dimensions [" + to_string(declared) +
                       "] (-1: dynamic)",
                   "give its shape: input_shape in the workload file, --input-shape for "
                   "inspect, MODEL.onnx:1,3,H,W for plan-memory");
    }
    if (!detail::checked_element_count(shape)) {
      return error(
          ErrorCode::kInvalidArgument,
          "input '" + in.name() + "' shape [" + to_string(shape) + "] is negative or too large");
    }
    Value v;
    v.name = in.name();
    v.dtype = *dtype;
    v.shape = shape;
    v.kind = ValueKind::kInput;
    Sym s;
    s.dtype = *dtype;
    s.shape = shape;
    s.id = add_value(std::move(v));
    graph_.inputs.push_back(s.id);
    syms_[in.name()] = std::move(s);
  }
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) {
      const auto& name = options_.input_shapes[i].name;
      return error(ErrorCode::kInvalidArgument,
                   name.empty() ? "an input shape was given but the model has no runtime input"
                                : "an input shape was given for '" + name +
                                      "', which is not an input of the model");
    }
  }
  return Ok{};
}

Status Importer::check_operators() {
  const auto& g = model_.graph();
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
    if (!default_domain || !detail::is_supported_operator(n.op_type())) {
      Error e =
          error(ErrorCode::kUnsupported,
                "operator '" + n.op_type() + "'" +
                    (default_domain ? "" : " of domain '" + n.domain() + "'") + " is not supported",
                supported_list());
      e.where.field = "node '" + node_label(i) + "' (" + n.op_type() + ", opset " +
                      std::to_string(graph_.opset) + ")";
      return e;
    }
  }
  return Ok{};
}

// Kahn's algorithm, taking ready nodes in file order; also drops nodes whose outputs nothing
// needs. Errors: a value produced twice, a dangling input, a cycle.
Result<std::vector<int>> Importer::sort_nodes() {
  const auto& g = model_.graph();
  const int n = g.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const auto& out : g.node(i).output()) {
      if (out.empty()) continue;
      if (syms_.count(out) > 0) {
        return error(ErrorCode::kParse, "node '" + node_label(i) + "' writes '" + out +
                                            "', which is a graph input or an initializer");
      }
      if (!producer.emplace(out, i).second) {
        return error(ErrorCode::kParse, "value '" + out + "' is written by two nodes: '" +
                                            node_label(producer[out]) + "' and '" + node_label(i) +
                                            "'");
      }
    }
  }
  // Liveness: keep the nodes that graph outputs depend on.
  std::vector<bool> needed(static_cast<std::size_t>(n), false);
  std::vector<int> stack;
  for (const auto& out : g.output()) {
    const auto it = producer.find(out.name());
    if (it != producer.end()) stack.push_back(it->second);
  }
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    if (needed[static_cast<std::size_t>(i)]) continue;
    needed[static_cast<std::size_t>(i)] = true;
    for (const auto& in : g.node(i).input()) {
      const auto it = producer.find(in);
      if (it != producer.end()) stack.push_back(it->second);
    }
  }
  std::vector<int> pending(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<int>> consumers(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    if (!needed[static_cast<std::size_t>(i)]) continue;
    for (const auto& in : g.node(i).input()) {
      if (in.empty()) continue;
      const auto it = producer.find(in);
      if (it != producer.end()) {
        ++pending[static_cast<std::size_t>(i)];
        consumers[static_cast<std::size_t>(it->second)].push_back(i);
      } else if (syms_.count(in) == 0) {
        Error e =
            error(ErrorCode::kParse, "reads '" + in +
                                         "', which no node writes and which is neither a graph "
                                         "input nor an initializer (a dangling input)");
        e.where.field = "node '" + node_label(i) + "' (" + g.node(i).op_type() + ")";
        return e;
      }
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  int live = 0;
  for (int i = 0; i < n; ++i) {
    if (!needed[static_cast<std::size_t>(i)]) continue;
    ++live;
    if (pending[static_cast<std::size_t>(i)] == 0) ready.push(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (const int c : consumers[static_cast<std::size_t>(i)]) {
      if (--pending[static_cast<std::size_t>(c)] == 0) ready.push(c);
    }
  }
  if (static_cast<int>(order.size()) != live) {
    for (int i = 0; i < n; ++i) {
      if (needed[static_cast<std::size_t>(i)] && pending[static_cast<std::size_t>(i)] > 0) {
        Error e = error(ErrorCode::kParse,
                        "the graph has a cycle: this node depends, through its inputs, on its own "
                        "output");
        e.where.field = "node '" + node_label(i) + "' (" + g.node(i).op_type() + ")";
        return e;
      }
    }
  }
  graph_.folded_nodes = 0;
  return order;
}

ValueId Importer::materialize(const std::string& name, Sym& sym) {
  if (sym.id != kNoValue) return sym.id;
  AEGISRT_ASSERT(sym.constant != nullptr);
  Value v;
  v.name = name;
  v.dtype = sym.dtype;
  v.shape = sym.shape;
  v.kind = ValueKind::kWeight;
  sym.id = add_value(std::move(v));
  weights_.emplace_back(sym.id, sym.constant);
  return sym.id;
}

Status Importer::infer(const std::vector<int>& order) {
  const auto& g = model_.graph();
  for (const int index : order) {
    const auto& proto = g.node(index);
    std::vector<const Sym*> inputs;
    for (const auto& in : proto.input()) {
      inputs.push_back(in.empty() ? nullptr : &syms_.at(in));
    }
    // Trailing omitted optional inputs are the same as absent ones.
    while (!inputs.empty() && inputs.back() == nullptr) inputs.pop_back();
    detail::OpContext ctx(proto, label_, node_label(index), graph_.opset, std::move(inputs));
    if (auto st = detail::infer_node(ctx); !st) return st.error();
    if (auto e = ctx.failed()) return *e;
    if (ctx.folded()) {
      ++graph_.folded_nodes;
      for (int o = 0; o < proto.output_size(); ++o) {
        if (proto.output(o).empty()) continue;
        const auto& t = ctx.folded_outputs()[static_cast<std::size_t>(o)];
        Sym s;
        s.dtype = t->dtype;
        s.shape = t->shape;
        s.constant = t;
        syms_[proto.output(o)] = std::move(s);
      }
      continue;
    }
    Node node;
    node.name = node_label(index);
    node.op = ctx.op();
    node.attrs = std::move(ctx.attrs());
    node.flops = ctx.flops();
    for (const std::size_t i : ctx.runtime_inputs()) {
      const std::string& name = proto.input(static_cast<int>(i));
      node.inputs.push_back(materialize(name, syms_.at(name)));
    }
    for (int o = 0; o < proto.output_size(); ++o) {
      const auto& spec = ctx.output_specs()[static_cast<std::size_t>(o)];
      Value v;
      v.name = proto.output(o).empty() ? node.name + ":" + std::to_string(o) : proto.output(o);
      v.dtype = spec.dtype;
      v.shape = spec.shape;
      v.kind = ValueKind::kActivation;
      if (is_view(node.op)) v.alias_of = graph_.storage_of(node.inputs[0]);
      const ValueId id = add_value(std::move(v));
      node.outputs.push_back(id);
      if (!proto.output(o).empty()) {
        Sym s;
        s.dtype = spec.dtype;
        s.shape = spec.shape;
        s.id = id;
        syms_[proto.output(o)] = std::move(s);
      }
    }
    graph_.nodes.push_back(std::move(node));
  }
  return Ok{};
}

Status Importer::read_outputs() {
  const auto& g = model_.graph();
  if (g.output_size() == 0) return error(ErrorCode::kParse, "the graph has no outputs");
  for (const auto& out : g.output()) {
    const auto it = syms_.find(out.name());
    if (it == syms_.end()) {
      return error(ErrorCode::kParse, "graph output '" + out.name() +
                                          "' is written by no node and is not an input or an "
                                          "initializer");
    }
    Sym& s = it->second;
    const ValueId id = s.id != kNoValue ? s.id : materialize(out.name(), s);
    Value& v = graph_.values[id];
    if (out.type().has_tensor_type()) {
      const auto& tt = out.type().tensor_type();
      const auto declared_type = detail::dtype_from_onnx(tt.elem_type());
      if (tt.elem_type() != 0 && declared_type && *declared_type != v.dtype) {
        return error(ErrorCode::kInvalidArgument, "graph output '" + out.name() + "' is declared " +
                                                      to_string(*declared_type) +
                                                      " but computes as " + to_string(v.dtype));
      }
      if (tt.has_shape()) {
        bool match = tt.shape().dim_size() == static_cast<int>(v.shape.size());
        for (int d = 0; match && d < tt.shape().dim_size(); ++d) {
          const auto& dim = tt.shape().dim(d);
          match = !dim.has_dim_value() || dim.dim_value() == v.shape[static_cast<std::size_t>(d)];
        }
        if (!match) {
          Shape declared;
          for (const auto& dim : tt.shape().dim())
            declared.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
          return error(ErrorCode::kInvalidArgument,
                       "shape mismatch: graph output '" + out.name() + "' is declared [" +
                           to_string(declared) + "] but the inferred shape is [" +
                           to_string(v.shape) + "]",
                       "check the input shape; -1 in the declared shape is a dynamic dimension");
        }
      }
    }
    if (std::find(graph_.outputs.begin(), graph_.outputs.end(), id) == graph_.outputs.end()) {
      graph_.outputs.push_back(id);
    }
    v.is_output = true;
  }
  return Ok{};
}

Result<Graph> Importer::run() {
  if (!model_.has_graph()) return error(ErrorCode::kParse, "the file holds no graph");
  graph_.name = label_;
  if (!options_.model_name.empty()) graph_.name = options_.model_name;
  if (auto st = read_opset(); !st) return st.error();
  if (auto st = check_operators(); !st) return st.error();
  if (auto st = read_initializers(); !st) return st.error();
  if (auto st = read_inputs(); !st) return st.error();
  auto order = sort_nodes();
  if (!order) return order.error();
  if (auto st = infer(*order); !st) return st.error();
  if (auto st = read_outputs(); !st) return st.error();
  // One contiguous weight buffer, each weight at a 64-byte aligned offset.
  std::uint64_t size = 0;
  for (const auto& [id, t] : weights_) {
    size = (size + 63) / 64 * 64;
    graph_.values[id].weight_offset = size;
    size += t->data.size();
  }
  graph_.weights.assign(static_cast<std::size_t>(size), std::byte{0});
  for (const auto& [id, t] : weights_) {
    if (!t->data.empty()) {
      std::memcpy(graph_.weights.data() + graph_.values[id].weight_offset, t->data.data(),
                  t->data.size());
    }
  }
  return std::move(graph_);
}

}  // namespace

Result<Graph> import_bytes(std::span<const std::byte> bytes, const ImportOptions& options) {
  const std::string label = options.model_name.empty() ? "model" : options.model_name;
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Error{ErrorCode::kUnsupported, "the file is larger than 2 GiB", "", {label, 0, 0, ""}};
  }
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Error{ErrorCode::kParse,
                 "not a valid ONNX model: the protobuf does not parse",
                 "the file is truncated, corrupt or not an .onnx file",
                 {label, 0, 0, ""}};
  }
  Importer importer(model, options, label);
  return importer.run();
}

Result<Graph> import_file(const std::string& path, const ImportOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{
        ErrorCode::kNotFound, "cannot open the model file", "check the path", {path, 0, 0, ""}};
  }
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ImportOptions named = options;
  if (named.model_name.empty()) named.model_name = stem_of(path);
  auto r = import_bytes(std::as_bytes(std::span<const char>(data)), named);
  if (!r) {
    Error e = r.error();
    e.where.file = path;
    return e;
  }
  return r;
}

Result<ImportOptions::InputShape> parse_input_shape(std::string_view text) {
  ImportOptions::InputShape out;
  std::string_view dims = text;
  const auto eq = text.rfind('=');
  if (eq != std::string_view::npos) {
    out.name = std::string(text.substr(0, eq));
    dims = text.substr(eq + 1);
  }
  const auto bad = [&]() {
    return make_error(ErrorCode::kInvalidArgument,
                      "input shape '" + std::string(text) + "' is not a list of dimensions",
                      "write e.g. 1,3,48,192 or x=1,3,48,192");
  };
  if (dims.empty()) return bad();
  std::string token;
  const auto flush = [&]() -> bool {
    if (token.empty() || token.size() > 12) return false;
    for (const char ch : token) {
      if (ch < '0' || ch > '9') return false;
    }
    out.shape.push_back(std::stoll(token));
    token.clear();
    return true;
  };
  for (const char ch : dims) {
    if (ch == ',' || ch == 'x' || ch == 'X') {
      if (!flush()) return bad();
    } else if (ch != ' ' && ch != '[' && ch != ']') {
      token += ch;
    }
  }
  if (!flush()) return bad();
  return out;
}

}  // namespace aegisrt::model
