// Minimal .npy reading and writing (format 1.0, little-endian float32, C order) for the cpu
// backend's tests, which exchange tensors with the ONNX Runtime oracle (tools/ort-oracle).
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace aegisrt::testing {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

inline bool write_npy(const std::string& path, const std::vector<std::int64_t>& shape,
                      const float* data, std::size_t count) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    header +=
        std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  }
  header += "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream f(path, std::ios::binary);
  const char magic[8] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0};
  f.write(magic, 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  f.write(len_bytes, 2);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
  return static_cast<bool>(f);
}

// Reads a float32 .npy file; nullopt when it is missing or not float32 C-order version 1/2.
inline std::optional<NpyArray> read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(1, 5, "NUMPY") != 0) return std::nullopt;
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0;
  std::size_t start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    start = 10;
  } else {
    std::uint32_t l = 0;
    std::memcpy(&l, bytes.data() + 8, 4);
    header_len = l;
    start = 12;
  }
  const std::string header = bytes.substr(start, header_len);
  if (header.find("'<f4'") == std::string::npos || header.find("True") != std::string::npos) {
    return std::nullopt;
  }
  NpyArray out;
  const std::size_t open = header.find('(', header.find("'shape'"));
  const std::size_t close = header.find(')', open);
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(dims, item, ',')) {
    if (item.find_first_of("0123456789") != std::string::npos)
      out.shape.push_back(std::stoll(item));
  }
  const std::size_t data_start = start + header_len;
  out.data.resize((bytes.size() - data_start) / sizeof(float));
  std::memcpy(out.data.data(), bytes.data() + data_start, out.data.size() * sizeof(float));
  return out;
}

}  // namespace aegisrt::testing
