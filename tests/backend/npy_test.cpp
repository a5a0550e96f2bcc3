// .npy read/write. Expected bytes are written out by hand from the format's description
// (numpy.lib.format): magic "\x93NUMPY", version, little-endian header length, a Python dict
// literal padded with spaces to a 64-byte boundary and ended by '\n', then the raw data.
#include "aegisrt/backend/npy.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/cli.hpp"

namespace aegisrt::backend {
namespace {

// A version-1.0 file with the given header dict and raw body (header padded to 64 bytes).
std::string npy_bytes(std::string header, const std::string& body, char version = 1) {
  const std::size_t prelude = version == 1 ? 10 : 12;
  while ((prelude + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += version;
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  if (version != 1) out += std::string(2, '\0');
  return out + header + body;
}

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

// 1.0f = 0x3f800000, -2.0f = 0xc0000000, 0.5f = 0x3f000000, little-endian.
const std::string kOneMinusTwoHalf("\x00\x00\x80\x3f\x00\x00\x00\xc0\x00\x00\x00\x3f", 12);

TEST(NpyTest, ReadsAHandWrittenFloat32Vector) {
  const std::string file =
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", kOneMinusTwoHalf);

  auto sut = parse_npy(as_bytes(file), "v.npy");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->shape, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(sut->data, (std::vector<float>{1.0f, -2.0f, 0.5f}));
}

TEST(NpyTest, ReadsKeysInAnyOrderAndVersionTwoHeaders) {
  const std::string file = npy_bytes(
      "{\"shape\": (1, 3), \"fortran_order\": False, \"descr\": \"<f4\"}", kOneMinusTwoHalf, 2);

  auto sut = parse_npy(as_bytes(file), "v2.npy");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->shape, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(sut->data[1], -2.0f);
}

TEST(NpyTest, ReadsAScalarAsOneElementWithEmptyShape) {
  const std::string file = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                                     kOneMinusTwoHalf.substr(8, 4));

  auto sut = parse_npy(as_bytes(file), "s.npy");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_TRUE(sut->shape.empty());
  EXPECT_EQ(sut->data, (std::vector<float>{0.5f}));
}

TEST(NpyTest, WritesAVersionOneHeaderAndDataAlignedTo64Bytes) {
  const std::vector<std::int64_t> shape{3};
  const std::vector<float> data{1.0f, -2.0f, 0.5f};

  const auto sut = format_npy(shape, data);

  const std::string text(reinterpret_cast<const char*>(sut.data()), sut.size());
  const std::string expected =
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", kOneMinusTwoHalf);
  EXPECT_EQ(text, expected);
  EXPECT_EQ((sut.size() - 12) % 64, 0u);
}

TEST(NpyTest, RoundTripsAFourDimensionalTensorThroughAFile) {
  const aegisrt::testing::TempDir dir;
  const std::string path = (dir.path() / "t.npy").string();
  const std::vector<std::int64_t> shape{1, 2, 3, 4};
  std::vector<float> data(24);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 0.25f - 3.0f;

  ASSERT_TRUE(write_npy(path, shape, data).ok());
  auto sut = read_npy(path);

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->shape, shape);
  EXPECT_EQ(sut->data, data);
}

TEST(NpyTest, RejectsFloat64WithTheDtypeInTheMessage) {
  const std::string file =
      npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", std::string(8, '\0'));

  auto sut = parse_npy(as_bytes(file), "d.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(sut.error().message.find("d.npy"), std::string::npos);
  EXPECT_NE(sut.error().message.find("<f8"), std::string::npos);
}

TEST(NpyTest, RejectsBigEndianFloat32) {
  const std::string file =
      npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", std::string(4, '\0'));

  auto sut = parse_npy(as_bytes(file), "be.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("big-endian"), std::string::npos);
}

TEST(NpyTest, RejectsFortranOrder) {
  const std::string file =
      npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 3), }", kOneMinusTwoHalf);

  auto sut = parse_npy(as_bytes(file), "f.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("Fortran"), std::string::npos);
}

TEST(NpyTest, RejectsABodyShorterThanTheShape) {
  const std::string file =
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", kOneMinusTwoHalf);

  auto sut = parse_npy(as_bytes(file), "short.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("12 bytes"), std::string::npos);
}

TEST(NpyTest, RejectsAFileWithoutTheMagic) {
  const std::string file = "PK\x03\x04 this is a zip file, not an array";

  auto sut = parse_npy(as_bytes(file), "z.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
}

TEST(NpyTest, RejectsAMalformedShape) {
  const std::string file =
      npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", kOneMinusTwoHalf);

  auto sut = parse_npy(as_bytes(file), "neg.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("shape"), std::string::npos);
}

TEST(NpyTest, ReportsAMissingFileAsNotFound) {
  auto sut = read_npy("/nonexistent/folder/x.npy");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aegisrt::backend
