// The compiled program's tensors, buffers and weights, and the layouts they are in: the oneDNN
// descriptions of ONNX shapes and dtypes, new and aliased tensors, weights as constants, and the
// reorders between layouts (cached per tensor and layout).
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler.hpp"

namespace aegisrt::cpu {

using dnnl::memory;
using model::ValueId;

Dims to_dims(const model::Shape& s) {
  if (s.empty()) return Dims{1};
  return Dims(s.begin(), s.end());
}

memory::data_type to_dnnl(model::DType t) {
  switch (t) {
    case model::DType::kFloat32:
      return memory::data_type::f32;
    case model::DType::kFloat16:
      return memory::data_type::f16;
    case model::DType::kInt8:
      return memory::data_type::s8;
    case model::DType::kUint8:
    case model::DType::kBool:
      return memory::data_type::u8;
    case model::DType::kInt32:
      return memory::data_type::s32;
    default:
      unsupported(std::string("tensors of dtype ") + model::to_string(t) +
                  " (the cpu backend computes in float32; int8/uint8/int32/bool only move)");
  }
}

Dims dense_strides(const Dims& dims) {
  Dims s(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

memory::desc plain_md(const Dims& dims, memory::data_type dt) {
  if (dims.size() > 12) unsupported("tensors of rank " + std::to_string(dims.size()));
  return memory::desc(dims, dt, dense_strides(dims));
}

bool is_plain(const memory::desc& md) {
  const dnnl_memory_desc_t& d = md.data;
  if (d.format_kind != dnnl_blocked || d.format_desc.blocking.inner_nblks != 0) return false;
  if (d.offset0 != 0) return false;
  for (int i = 0; i < d.ndims; ++i) {
    if (d.padded_dims[i] != d.dims[i]) return false;
  }
  const Dims dims(d.dims, d.dims + d.ndims);
  const Dims want = dense_strides(dims);
  for (int i = 0; i < d.ndims; ++i) {
    if (dims[static_cast<std::size_t>(i)] != 1 &&
        d.format_desc.blocking.strides[i] != want[static_cast<std::size_t>(i)]) {
      return false;
    }
  }
  return true;
}

int Compiler::new_tensor(const memory::desc& md) {
  p_.buffers.push_back(BufferDesc{md.get_size(), false});
  p_.tensors.push_back(TensorDesc{md, static_cast<int>(p_.buffers.size() - 1), -1, 0});
  return static_cast<int>(p_.tensors.size() - 1);
}

// A second description of an existing tensor's bytes.
int Compiler::alias_tensor(int t, const memory::desc& md, std::uint64_t byte_offset) {
  TensorDesc d = tensor(t);
  d.md = md;
  d.byte_offset += byte_offset;
  p_.tensors.push_back(d);
  return static_cast<int>(p_.tensors.size() - 1);
}

int Compiler::new_weight(const memory::desc& source, const memory::desc& target,
                         std::shared_ptr<const std::vector<std::byte>> data) {
  p_.weights.push_back(WeightSpec{source, target, std::move(data)});
  p_.tensors.push_back(TensorDesc{target, -1, static_cast<int>(p_.weights.size() - 1), 0});
  return static_cast<int>(p_.tensors.size() - 1);
}

std::shared_ptr<const std::vector<std::byte>> Compiler::weight_bytes(ValueId v) const {
  const auto bytes = g_.weight_data(v);
  return std::make_shared<const std::vector<std::byte>>(bytes.begin(), bytes.end());
}

std::vector<float> Compiler::weight_floats(ValueId v) const {
  const model::Value& val = g_.value(v);
  if (val.kind != model::ValueKind::kWeight || val.dtype != model::DType::kFloat32) {
    unsupported("operand '" + val.name + "' unless it is a float32 constant");
  }
  const auto bytes = g_.weight_data(v);
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

std::shared_ptr<const std::vector<std::byte>> Compiler::to_bytes(const std::vector<float>& f) {
  auto out = std::make_shared<std::vector<std::byte>>(f.size() * sizeof(float));
  std::memcpy(out->data(), f.data(), out->size());
  return out;
}

bool Compiler::is_scalar_weight(ValueId v) const {
  return is_weight(v) && g_.value(v).dtype == model::DType::kFloat32 &&
         model::element_count(g_.value(v).shape) == 1;
}

// A float32 constant that broadcasts over `shape` per channel (axis 1) or as a scalar.
bool Compiler::is_per_channel_constant(ValueId v, const model::Shape& shape) const {
  if (!is_weight(v) || g_.value(v).dtype != model::DType::kFloat32) return false;
  const model::Shape& s = g_.value(v).shape;
  if (model::element_count(s) == 1) return s.size() <= shape.size();
  if (s.size() + 1 < shape.size() || s.size() > shape.size()) return false;
  // Right-aligned: the channel axis of `shape` is axis s.size() - (shape.size() - 1).
  const std::size_t lead = shape.size() - s.size();
  for (std::size_t d = 0; d < s.size(); ++d) {
    const std::size_t ax = d + lead;
    if (s[d] != (ax == 1 ? shape[1] : 1)) return false;
  }
  return true;
}

// The tensor holding value `v` (a weight gets a plain tensor on first use).
int Compiler::value(ValueId v) {
  if (value_tensor_[v] >= 0) return value_tensor_[v];
  const model::Value& val = g_.value(v);
  if (val.kind == model::ValueKind::kWeight) {
    const memory::desc md = plain_md(to_dims(val.shape), to_dnnl(val.dtype));
    value_tensor_[v] = new_weight(md, md, weight_bytes(v));
    return value_tensor_[v];
  }
  unsupported("value '" + val.name + "' before it is computed (internal order error)");
}

void Compiler::add_step(Step s) {
  s.segment = segment_;
  if (s.label.empty()) s.label = label_;
  p_.steps.push_back(std::move(s));
}

dnnl::primitive_attr Compiler::base_attr() const {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// `t` in layout `md` (same dims): itself, or a reordered copy (weights are reordered at load).
int Compiler::reorder_to(int t, const memory::desc& md) {
  if (tensor(t).md == md) return t;
  for (const auto& [from, md_to, to] : reorder_cache_) {
    if (from == t && md_to == md) return to;
  }
  int out;
  if (tensor(t).weight >= 0) {
    // From the weight's source, which describes the original bytes (new_weight grows
    // p_.weights, so `w` is not read after it).
    const WeightSpec& w = p_.weights[static_cast<std::size_t>(tensor(t).weight)];
    out = new_weight(w.source, md, w.data);
  } else {
    out = new_tensor(md);
    const dnnl::reorder::primitive_desc pd(engine_, tensor(t).md, engine_, md, base_attr());
    add_primitive(pd, dnnl::reorder(pd), {{DNNL_ARG_FROM, t}, {DNNL_ARG_TO, out}}, {t}, {out});
  }
  reorder_cache_.push_back({t, md, out});
  return out;
}

// `t` as a dense row-major tensor of `shape` (same element count): a view when it already is,
// else a reordered copy.
int Compiler::as_plain(int t, const model::Shape& shape) {
  const memory::desc md = tensor(t).md;  // a copy: reorder_to may grow p_.tensors
  const Dims dims(md.data.dims, md.data.dims + md.data.ndims);
  const memory::data_type dt = md.data_type();
  int plain = t;
  if (!is_plain(md)) plain = reorder_to(t, plain_md(dims, dt));
  const Dims want = to_dims(shape);
  if (want == dims && tensor(plain).md == plain_md(dims, dt)) return plain;
  return alias_tensor(plain, plain_md(want, dt));
}

int Compiler::as_plain(int t) {
  const memory::desc& md = tensor(t).md;
  return as_plain(t, model::Shape(md.data.dims, md.data.dims + md.data.ndims));
}

// A dense operand padded with leading 1s to `rank` dims.
Dims Compiler::padded(const model::Shape& s, std::size_t rank) {
  Dims d(rank - s.size(), 1);
  d.insert(d.end(), s.begin(), s.end());
  return d;
}

}  // namespace aegisrt::cpu
