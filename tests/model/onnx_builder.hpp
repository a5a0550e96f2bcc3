// Builds small ONNX files for tests by writing the protobuf wire format directly (field numbers
// from onnx/onnx.proto), so that tests can make exactly the graph they need, broken ones included,
// without depending on the ONNX headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace aegisrt::testing {

// One protobuf message under construction.
class Message {
 public:
  Message& varint(int field, std::uint64_t v) {
    key(field, 0);
    raw_varint(v);
    return *this;
  }
  Message& bytes(int field, const std::string& s) {
    key(field, 2);
    raw_varint(s.size());
    out_ += s;
    return *this;
  }
  Message& message(int field, const Message& m) { return bytes(field, m.out_); }
  Message& fixed32(int field, float f) {
    key(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    out_.append(b, 4);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  void key(int field, int wire) {
    raw_varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(wire));
  }
  void raw_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  std::string out_;
};

// ONNX enums used below.
inline constexpr int kFloat = 1;
inline constexpr int kInt64 = 7;

class OnnxBuilder {
 public:
  explicit OnnxBuilder(std::int64_t opset = 13) : opset_(opset) {}

  // A graph input; a negative dim is dynamic.
  OnnxBuilder& input(const std::string& name, const std::vector<std::int64_t>& dims,
                     int elem_type = kFloat) {
    graph_.message(11, value_info(name, dims, elem_type, true));
    return *this;
  }
  OnnxBuilder& output(const std::string& name) {
    graph_.message(12, value_info(name, {}, kFloat, false));
    return *this;
  }
  OnnxBuilder& output(const std::string& name, const std::vector<std::int64_t>& dims,
                      int elem_type = kFloat) {
    graph_.message(12, value_info(name, dims, elem_type, true));
    return *this;
  }
  OnnxBuilder& initializer_f(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<float>& values) {
    Message t;
    for (const auto d : dims) t.varint(1, static_cast<std::uint64_t>(d));
    t.varint(2, kFloat);
    std::string raw(values.size() * 4, '\0');
    if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
    t.bytes(8, name).bytes(9, raw);
    graph_.message(5, t);
    return *this;
  }
  OnnxBuilder& initializer_i(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<std::int64_t>& values) {
    Message t;
    for (const auto d : dims) t.varint(1, static_cast<std::uint64_t>(d));
    t.varint(2, kInt64);
    for (const auto v : values) t.varint(7, static_cast<std::uint64_t>(v));
    t.bytes(8, name);
    graph_.message(5, t);
    return *this;
  }

  struct Attr {
    static Message i(const std::string& name, std::int64_t v) {
      return Message().bytes(1, name).varint(3, static_cast<std::uint64_t>(v)).varint(20, 2);
    }
    static Message f(const std::string& name, float v) {
      return Message().bytes(1, name).fixed32(2, v).varint(20, 1);
    }
    static Message s(const std::string& name, const std::string& v) {
      return Message().bytes(1, name).bytes(4, v).varint(20, 3);
    }
    static Message ints(const std::string& name, const std::vector<std::int64_t>& v) {
      Message m;
      m.bytes(1, name);
      for (const auto x : v) m.varint(8, static_cast<std::uint64_t>(x));
      return m.varint(20, 7);
    }
  };

  OnnxBuilder& node(const std::string& op, const std::vector<std::string>& inputs,
                    const std::vector<std::string>& outputs, const std::string& name = "",
                    const std::vector<Message>& attrs = {}, const std::string& domain = "") {
    Message n;
    for (const auto& i : inputs) n.bytes(1, i);
    for (const auto& o : outputs) n.bytes(2, o);
    if (!name.empty()) n.bytes(3, name);
    n.bytes(4, op);
    for (const auto& a : attrs) n.message(5, a);
    if (!domain.empty()) n.bytes(7, domain);
    graph_.message(1, n);
    return *this;
  }

  std::string bytes() const {
    Message model;
    model.varint(1, 7);  // ir_version
    model.message(8, Message().bytes(1, "").varint(2, static_cast<std::uint64_t>(opset_)));
    Message g = graph_;
    g.bytes(2, "test");
    model.message(7, g);
    return model.str();
  }

 private:
  static Message value_info(const std::string& name, const std::vector<std::int64_t>& dims,
                            int elem_type, bool with_shape) {
    Message tensor;
    tensor.varint(1, static_cast<std::uint64_t>(elem_type));
    if (with_shape) {
      Message shape;
      for (const auto d : dims) {
        Message dim;
        if (d >= 0) {
          dim.varint(1, static_cast<std::uint64_t>(d));
        } else {
          dim.bytes(2, "n");
        }
        shape.message(1, dim);
      }
      tensor.message(2, shape);
    }
    return Message().bytes(1, name).message(2, Message().message(1, tensor));
  }

  std::int64_t opset_;
  Message graph_;
};

inline std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

}  // namespace aegisrt::testing
