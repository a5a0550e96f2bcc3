#include "aegisrt/backend/npy.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string_view>
#include <variant>

namespace aegisrt::backend {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kPreludeV1 = 10;  // magic, 2 version bytes, 2-byte header length
constexpr std::size_t kPreludeV2 = 12;  // ... 4-byte header length
constexpr std::size_t kAlignment = 64;

std::uint32_t read_le(std::span<const std::byte> bytes, std::size_t at, std::size_t width) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    v |= static_cast<std::uint32_t>(std::to_integer<std::uint8_t>(bytes[at + i])) << (8 * i);
  }
  return v;
}

// The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// This reads exactly that grammar (string keys; string, boolean and integer-tuple values).
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view text) : text_(text) {}

  struct Fields {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::int64_t>> shape;
  };

  // Returns the fields, or a message saying what is malformed.
  std::variant<Fields, std::string> read() {
    Fields f;
    skip_space();
    if (!eat('{')) return std::string("the header does not start with '{'");
    for (;;) {
      skip_space();
      if (eat('}')) break;
      auto key = string_literal();
      if (!key) return std::string("expected a quoted key in the header");
      skip_space();
      if (!eat(':')) return "expected ':' after '" + *key + "'";
      skip_space();
      if (*key == "descr") {
        f.descr = string_literal();
        if (!f.descr) return std::string("'descr' is not a quoted string");
      } else if (*key == "fortran_order") {
        if (eat_word("True")) {
          f.fortran_order = true;
        } else if (eat_word("False")) {
          f.fortran_order = false;
        } else {
          return std::string("'fortran_order' is neither True nor False");
        }
      } else if (*key == "shape") {
        f.shape = tuple();
        if (!f.shape) return std::string("'shape' is not a tuple of non-negative integers");
      } else {
        return "unknown header key '" + *key + "'";
      }
      skip_space();
      if (eat(',')) continue;
      skip_space();
      if (eat('}')) break;
      return std::string("expected ',' or '}' in the header");
    }
    return f;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool eat_word(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  std::optional<std::string> string_literal() {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return std::nullopt;
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string s(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::optional<std::vector<std::int64_t>> tuple() {
    if (!eat('(')) return std::nullopt;
    std::vector<std::int64_t> dims;
    for (;;) {
      skip_space();
      if (eat(')')) return dims;
      std::int64_t v = 0;
      std::size_t digits = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
        v = v * 10 + (text_[pos_++] - '0');
        ++digits;
      }
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs
      if (digits == 0) return std::nullopt;
      dims.push_back(v);
      skip_space();
      if (eat(')')) return dims;
      if (!eat(',')) return std::nullopt;
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Error npy_error(ErrorCode code, const std::string& name, const std::string& message,
                std::string hint = {}) {
  return make_error(code, name + ": " + message, std::move(hint));
}

}  // namespace

Result<NpyArray> parse_npy(std::span<const std::byte> bytes, const std::string& name) {
  const std::string kHint = "write it with numpy.save(path, array.astype('<f4'))";
  if (bytes.size() < kPreludeV1 || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) {
    return npy_error(ErrorCode::kParse, name, "not a .npy file (no \\x93NUMPY magic)", kHint);
  }
  const auto version = std::to_integer<std::uint8_t>(bytes[6]);
  if (version < 1 || version > 3) {
    return npy_error(ErrorCode::kUnsupported, name,
                     "format version " + std::to_string(version) + " (1, 2 and 3 are read)");
  }
  const std::size_t prelude = version == 1 ? kPreludeV1 : kPreludeV2;
  if (bytes.size() < prelude) return npy_error(ErrorCode::kParse, name, "truncated header");
  const std::size_t header_len = read_le(bytes, 8, version == 1 ? 2 : 4);
  if (bytes.size() - prelude < header_len) {
    return npy_error(ErrorCode::kParse, name,
                     "truncated header (" + std::to_string(header_len) + " bytes announced)");
  }
  const std::string_view header(reinterpret_cast<const char*>(bytes.data() + prelude), header_len);

  HeaderReader reader(header);
  auto parsed = reader.read();
  if (auto* message = std::get_if<std::string>(&parsed)) {
    return npy_error(ErrorCode::kParse, name, "malformed header: " + *message);
  }
  const auto& fields = std::get<HeaderReader::Fields>(parsed);
  if (!fields.descr || !fields.fortran_order || !fields.shape) {
    return npy_error(ErrorCode::kParse, name,
                     "the header lacks one of 'descr', 'fortran_order', 'shape'");
  }
  if (*fields.descr != "<f4") {
    const bool big = *fields.descr == ">f4";
    return npy_error(ErrorCode::kUnsupported, name,
                     "dtype '" + *fields.descr + "'" + (big ? " (big-endian)" : "") +
                         ": only little-endian float32 ('<f4') is read",
                     kHint);
  }
  if (*fields.fortran_order) {
    return npy_error(ErrorCode::kUnsupported, name, "Fortran order: only C order is read",
                     "save numpy.ascontiguousarray(array)");
  }

  NpyArray out;
  out.shape = *fields.shape;
  std::size_t count = 1;
  for (const std::int64_t d : out.shape) {
    const auto ud = static_cast<std::size_t>(d);
    if (ud != 0 && count > std::numeric_limits<std::size_t>::max() / sizeof(float) / ud) {
      return npy_error(ErrorCode::kParse, name, "shape too large");
    }
    count *= ud;
  }
  const std::size_t body = bytes.size() - prelude - header_len;
  if (body != count * sizeof(float)) {
    return npy_error(ErrorCode::kParse, name,
                     "the body holds " + std::to_string(body) + " bytes, the shape needs " +
                         std::to_string(count * sizeof(float)));
  }
  out.data.resize(count);
  std::memcpy(out.data.data(), bytes.data() + prelude + header_len, body);
  if constexpr (std::endian::native == std::endian::big) {
    for (float& v : out.data) {
      auto bits = std::bit_cast<std::uint32_t>(v);
      bits = (bits >> 24) | ((bits >> 8) & 0xff00u) | ((bits << 8) & 0xff0000u) | (bits << 24);
      v = std::bit_cast<float>(bits);
    }
  }
  return out;
}

Result<NpyArray> read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, path + ": cannot open the file");
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  return parse_npy(std::as_bytes(std::span<const char>(raw)), path);
}

std::vector<std::byte> format_npy(std::span<const std::int64_t> shape,
                                  std::span<const float> data) {
  std::size_t count = 1;
  for (const std::int64_t d : shape) count *= static_cast<std::size_t>(d);
  AEGISRT_ASSERT(count == data.size());

  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) dims += ", ";
    dims += std::to_string(shape[i]);
  }
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces and end with '\n' so that the data starts at a multiple of 64 bytes.
  std::size_t prelude = kPreludeV1;
  if (header.size() + 1 + kPreludeV1 > std::numeric_limits<std::uint16_t>::max()) {
    prelude = kPreludeV2;
  }
  const std::size_t unpadded = prelude + header.size() + 1;
  header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  header += '\n';

  std::vector<std::byte> out;
  out.reserve(prelude + header.size() + data.size_bytes());
  for (const char c : kMagic) out.push_back(static_cast<std::byte>(c));
  out.push_back(std::byte{prelude == kPreludeV1 ? std::uint8_t{1} : std::uint8_t{2}});
  out.push_back(std::byte{0});
  const auto len = static_cast<std::uint32_t>(header.size());
  for (std::size_t i = 0; i < prelude - 8; ++i) {
    out.push_back(static_cast<std::byte>((len >> (8 * i)) & 0xffu));
  }
  for (const char c : header) out.push_back(static_cast<std::byte>(c));
  for (float v : data) {
    const auto bits = std::bit_cast<std::uint32_t>(v);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((bits >> (8 * i)) & 0xffu));
  }
  return out;
}

Status write_npy(const std::string& path, std::span<const std::int64_t> shape,
                 std::span<const float> data) {
  const std::vector<std::byte> bytes = format_npy(shape, data);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return make_error(ErrorCode::kNotFound, path + ": cannot create the file");
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return make_error(ErrorCode::kNotFound, path + ": writing failed");
  return Ok{};
}

}  // namespace aegisrt::backend
