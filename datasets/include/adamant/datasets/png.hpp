#pragma once
// RGB8 images and PNG files (libpng 1.6, its "simplified" png_image API).
//
// An Image is width × height pixels, row-major from the top-left corner, three bytes per pixel
// (red, green, blue; sRGB-encoded 0..255, as in a PNG file and in Gymnasium's rgb_array frames).
//
// write_png() encodes in memory, then writes the bytes atomically: to a temporary file beside
// the destination ("<path>.tmp-<pid>-<k>"), fsync, rename over the destination (POSIX rename is
// atomic), so a reader sees the old file or the new one, never a torn one, and a failure leaves
// no temporary file behind. Errors are DataError (h5.hpp) naming the path and the reason.
//
//   adamant::datasets::Image img(64, 32, {255, 255, 255});
//   img.set(3, 4, {255, 0, 0});
//   adamant::datasets::write_png("frame.png", img);
//   adamant::datasets::Image back = adamant::datasets::read_png("frame.png");
//
// Format reference: PNG (Third Edition), W3C Recommendation; libpng manual, "Simplified API".

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"

namespace adamant::datasets {

/// One sRGB colour, 8 bits per channel.
struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb& x, const Rgb& y) {
    return x.r == y.r && x.g == y.g && x.b == y.b;
  }
  friend bool operator!=(const Rgb& x, const Rgb& y) { return !(x == y); }
};

/// An RGB8 image: pixels[3 * (y * width + x) + c], row-major from the top-left corner.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  Image() = default;
  /// A width × height image filled with `fill`; throws std::invalid_argument for a negative
  /// size or one too large to address (more than 2^31 - 1 bytes).
  Image(int width, int height, Rgb fill = {255, 255, 255});

  bool empty() const { return width == 0 || height == 0; }
  bool contains(int x, int y) const { return x >= 0 && y >= 0 && x < width && y < height; }
  /// Pixel (x, y), x to the right and y down; unchecked (use contains() first).
  Rgb at(int x, int y) const {
    const std::uint8_t* p = &pixels[3 * (static_cast<std::size_t>(y) * width + x)];
    return {p[0], p[1], p[2]};
  }
  void set(int x, int y, Rgb c) {
    std::uint8_t* p = &pixels[3 * (static_cast<std::size_t>(y) * width + x)];
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  }
  void fill(Rgb c);
  /// Throws std::invalid_argument unless pixels.size() == 3 * width * height.
  void validate() const;
};

/// The PNG file (8-bit RGB, no interlace) of `image`, in memory.
std::vector<std::uint8_t> encode_png(const Image& image);
/// Decodes a PNG (any colour type and bit depth; alpha is composited onto white) to RGB8.
/// `what` names the source in errors (DataError).
Image decode_png(const std::uint8_t* data, std::size_t size, const std::string& what = "<memory>");
/// Writes `image` to `path` atomically (see the header comment).
void write_png(const std::string& path, const Image& image);
/// Reads a PNG file; DataError naming the path when it is missing or not a valid PNG.
Image read_png(const std::string& path);

/// Writes `size` bytes to `path` atomically: temporary file beside it, write, fsync, rename.
/// On any failure the temporary file is removed and a DataError names `path` and the reason.
void write_file_atomically(const std::string& path, const void* data, std::size_t size);

}  // namespace adamant::datasets
