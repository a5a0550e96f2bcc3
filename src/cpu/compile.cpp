// Compiles a folded model::Graph into oneDNN primitives (see program.hpp and docs/design/0007): the
// driver. It walks the nodes in order, hands each to the lowering of its operator family
// (lower_*.cpp), turns what cannot be lowered into an error naming the node, and adds the NaN/Inf
// checks at the segments' ends.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::OpType;
using model::ValueId;

[[noreturn]] void unsupported(std::string what) { throw Unsupported{std::move(what)}; }

Compiler::Compiler(const model::Graph& g, std::span<const model::ModelSegment> segments,
                   const dnnl::engine& engine)
    : g_(g), engine_(engine) {
  segment_of_node_.assign(g.nodes.size(), 0);
  for (std::size_t k = 0; k < segments.size(); ++k) {
    for (std::uint32_t i = segments[k].first_node; i < segments[k].end_node; ++i) {
      segment_of_node_[i] = static_cast<std::uint32_t>(k);
    }
  }
  segment_count_ = static_cast<std::uint32_t>(std::max<std::size_t>(segments.size(), 1));
  consumers_.resize(g.values.size());
  for (std::uint32_t i = 0; i < g.nodes.size(); ++i) {
    for (ValueId v : g.nodes[i].inputs) consumers_[v].push_back(i);
  }
  producer_.assign(g.values.size(), UINT32_MAX);
  for (std::uint32_t i = 0; i < g.nodes.size(); ++i) {
    for (ValueId v : g.nodes[i].outputs) producer_[v] = i;
  }
  value_tensor_.assign(g.values.size(), -1);
  done_.assign(g.nodes.size(), false);
  pad_source_.assign(g.values.size(), model::kNoValue);
  pad_extra_.resize(g.values.size());
}

Result<Program> Compiler::run(bool check_every_segment) {
  for (ValueId v : g_.inputs) {
    const model::Value& val = g_.value(v);
    if (val.dtype != model::DType::kFloat32) {
      return fail_model("input '" + val.name + "' has dtype " + model::to_string(val.dtype) +
                        "; the cpu backend takes float32 inputs");
    }
    const int t = new_tensor(plain_md(to_dims(val.shape), memory::data_type::f32));
    p_.buffers[static_cast<std::size_t>(p_.tensors[static_cast<std::size_t>(t)].buffer)].whole_run =
        true;
    value_tensor_[v] = t;
    p_.input_tensors.push_back(t);
  }
  fold_pads_into_convs();
  for (std::uint32_t i = 0; i < g_.nodes.size(); ++i) {
    if (done_[i]) continue;
    const model::Node& n = g_.nodes[i];
    segment_ = segment_of_node_[i];
    label_ = n.name;
    try {
      compile_node(i);
    } catch (const Unsupported& u) {
      return fail_node(n, u.what);
    } catch (const dnnl::error& e) {
      return fail_node(n,
                       std::string("oneDNN has no implementation for it here (") + e.what() + ")");
    }
  }
  segment_ = segment_count_ - 1;
  for (ValueId v : g_.outputs) {
    label_ = "output " + g_.value(v).name;
    const model::Value& val = g_.value(v);
    if (val.dtype != model::DType::kFloat32) {
      return fail_model("output '" + val.name + "' has dtype " + model::to_string(val.dtype) +
                        "; the cpu backend returns float32 outputs");
    }
    if (value_tensor_[v] < 0 || tensor(value_tensor_[v]).buffer < 0) {
      return fail_model("output '" + val.name +
                        "' is a constant; the cpu backend runs models whose outputs are computed");
    }
    try {
      p_.output_tensors.push_back(as_plain(value_tensor_[v], val.shape));
    } catch (const Unsupported& u) {
      return fail_model(u.what);
    } catch (const dnnl::error& e) {
      return fail_model(std::string("output '") + val.name + "': " + e.what());
    }
    p_.buffers[static_cast<std::size_t>(tensor(p_.output_tensors.back()).buffer)].whole_run = true;
  }
  collect_checks(check_every_segment);
  return std::move(p_);
}

// ---- Errors.

Error Compiler::fail_model(const std::string& what) const {
  Error e = make_error(ErrorCode::kUnsupported, "model '" + g_.name + "': " + what);
  e.where.file = g_.name;
  return e;
}

Error Compiler::fail_node(const model::Node& n, const std::string& what) const {
  Error e = make_error(ErrorCode::kUnsupported,
                       "model '" + g_.name + "': node '" + n.name + "' (" + model::to_string(n.op) +
                           "): the cpu backend cannot run " + what,
                       "docs/design/0007-cpu-backend.md lists what each operator supports");
  e.where.file = g_.name;
  e.where.field = "node '" + n.name + "' (" + model::to_string(n.op) + ")";
  return e;
}

// ---- Operators.

void Compiler::compile_node(std::uint32_t i) {
  const model::Node& n = g_.nodes[i];
  switch (n.op) {
    case OpType::kConv:
      return conv(n, false);
    case OpType::kConvTranspose:
      return conv(n, true);
    case OpType::kMatMul:
      return matmul(n);
    case OpType::kGemm:
      return gemm(n);
    case OpType::kRelu:
    case OpType::kClip:
    case OpType::kSigmoid:
    case OpType::kHardSigmoid:
    case OpType::kSqrt:
      return eltwise(n);
    case OpType::kAdd:
    case OpType::kSub:
    case OpType::kMul:
    case OpType::kDiv:
    case OpType::kPow:
    case OpType::kEqual:
      return binary(n);
    case OpType::kBatchNormalization:
      return batch_norm(n);
    case OpType::kMaxPool:
    case OpType::kAveragePool:
    case OpType::kGlobalAveragePool:
      return pool(n);
    case OpType::kReduceMean:
      return reduce_mean(n);
    case OpType::kSoftmax:
      return softmax(n);
    case OpType::kConcat:
      return concat(n);
    case OpType::kResize:
      return resize(n);
    case OpType::kPad:
      return pad(n);
    case OpType::kSlice:
      return slice(n);
    case OpType::kSplit:
      return split(n);
    case OpType::kTranspose:
      return transpose(n);
    case OpType::kCast:
      return cast(n);
    case OpType::kGather:
      return gather(n);
    case OpType::kReshape:
    case OpType::kFlatten:
    case OpType::kSqueeze:
    case OpType::kUnsqueeze:
    case OpType::kIdentity:
      return view(n);
  }
  unsupported("this operator");
}

// ---- NaN/Inf checks: per segment, the float32 values it hands to later segments (or the
// model's outputs at the last segment).

void Compiler::collect_checks(bool every_segment) {
  p_.checked_tensors.assign(segment_count_, {});
  // Once per buffer and segment (a `sum` post-op writes a new value into its operand's buffer).
  std::vector<std::uint32_t> seen(p_.buffers.size(), UINT32_MAX);
  auto add = [&](std::uint32_t seg, int t) {
    const TensorDesc& d = tensor(t);
    if (d.buffer < 0 || d.md.data_type() != memory::data_type::f32) return;
    p_.checked_tensors[seg].push_back(t);
  };
  if (every_segment) {
    for (std::uint32_t i = 0; i < g_.nodes.size(); ++i) {
      const std::uint32_t seg = segment_of_node_[i];
      if (seg + 1 >= segment_count_) continue;
      for (ValueId v : g_.nodes[i].outputs) {
        if (value_tensor_[v] < 0) continue;
        const bool later = std::any_of(consumers_[v].begin(), consumers_[v].end(),
                                       [&](std::uint32_t c) { return segment_of_node_[c] > seg; });
        const int t = value_tensor_[v];
        const auto b = static_cast<std::size_t>(tensor(t).buffer);
        if (later && tensor(t).buffer >= 0 && seen[b] != seg) {
          seen[b] = seg;
          add(seg, t);
        }
      }
    }
  }
  for (int t : p_.output_tensors) add(segment_count_ - 1, t);
}

Result<Program> compile(const model::Graph& graph, std::span<const model::ModelSegment> segments,
                        const dnnl::engine& engine, bool check_every_segment) {
  Compiler c(graph, segments, engine);
  return c.run(check_every_segment);
}

bool allocates_per_execution(std::string_view impl) {
  return impl.find("gemm") != std::string_view::npos && impl.find("brg") == std::string_view::npos;
}

}  // namespace aegisrt::cpu
