// PNG I/O (png.hpp): round trips through libpng, atomic writes that leave no temporary behind,
// and clear errors for bad input.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "adamant/datasets/png.hpp"
#include "datasets_test_util.hpp"

namespace adamant::datasets {
namespace {

using testing::TempDirTest;
namespace fs = std::filesystem;

Image random_image(int w, int h, unsigned seed) {
  Image img(w, h);
  std::mt19937 gen(seed);
  for (auto& b : img.pixels) b = static_cast<std::uint8_t>(gen() & 0xFF);
  return img;
}

// ---- PNG

class PngTest : public TempDirTest {};

TEST_F(PngTest, FileRoundTripIsExact) {
  const Image img = random_image(37, 23, 7);
  const std::string p = path("noise.png");
  write_png(p, img);
  // A PNG signature on disk, decoded back by libpng to the same pixels.
  std::ifstream in(p, std::ios::binary);
  char sig[8] = {};
  in.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  const Image back = read_png(p);
  ASSERT_EQ(back.width, 37);
  ASSERT_EQ(back.height, 23);
  EXPECT_EQ(back.pixels, img.pixels);
  EXPECT_EQ(entries(), std::vector<std::string>{"noise.png"});  // no temporary left behind
}

TEST_F(PngTest, MemoryRoundTripAndOverwrite) {
  const Image a = random_image(5, 9, 1), b = random_image(64, 3, 2);
  const std::vector<std::uint8_t> bytes = encode_png(a);
  const Image back = decode_png(bytes.data(), bytes.size());
  EXPECT_EQ(back.pixels, a.pixels);
  const std::string p = path("x.png");
  write_png(p, a);
  write_png(p, b);  // replaces the file atomically
  EXPECT_EQ(read_png(p).pixels, b.pixels);
  EXPECT_EQ(entries(), std::vector<std::string>{"x.png"});
}

TEST_F(PngTest, FailedWritesNameThePathAndLeaveNoTemporary) {
  const Image img(4, 4, {1, 2, 3});
  // Missing directory: the temporary file cannot be created.
  const std::string missing = path("no/such/dir/a.png");
  EXPECT_DATA_ERROR(write_png(missing, img), missing, "No such file");
  // Destination is a directory: everything is written, then the rename fails; the temporary
  // must be gone afterwards.
  fs::create_directories(dir_ / "taken.png");
  const std::string taken = path("taken.png");
  EXPECT_DATA_ERROR(write_png(taken, img), taken, "renaming");
  EXPECT_EQ(entries(), std::vector<std::string>{"taken.png"});
  EXPECT_TRUE(fs::is_empty(dir_ / "taken.png"));
  // An unwritable directory (permissions are not enforced for root).
  if (::geteuid() != 0) {
    fs::create_directories(dir_ / "ro");
    ::chmod((dir_ / "ro").c_str(), 0555);
    const std::string ro = path("ro/a.png");
    EXPECT_DATA_ERROR(write_png(ro, img), ro, "Permission denied");
    ::chmod((dir_ / "ro").c_str(), 0755);
    EXPECT_TRUE(fs::is_empty(dir_ / "ro"));
  }
}

TEST_F(PngTest, BadInputIsRejected) {
  const std::string p = text_file("fake.png", "this is not a PNG file at all");
  EXPECT_DATA_ERROR(read_png(p), p, "not a valid PNG");
  EXPECT_DATA_ERROR(read_png(path("absent.png")), "absent.png", "cannot open");
  Image broken(3, 3);
  broken.pixels.pop_back();
  EXPECT_THROW(encode_png(broken), std::invalid_argument);
  EXPECT_THROW(encode_png(Image(0, 5)), std::invalid_argument);
  EXPECT_THROW(Image(-1, 2), std::invalid_argument);
  // A truncated PNG stream.
  const std::vector<std::uint8_t> bytes = encode_png(random_image(20, 20, 3));
  EXPECT_DATA_ERROR(decode_png(bytes.data(), bytes.size() / 2, "half.png"), "half.png");
}

}  // namespace
}  // namespace adamant::datasets
