// PNG encoding / decoding through libpng's simplified API (png.hpp). That API reports errors
// through png_image::message instead of longjmp, so no C++ object ever crosses a longjmp.

#include "adamant/datasets/png.hpp"

#include <fcntl.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace adamant::datasets {

namespace {

constexpr std::size_t kMaxImageBytes = static_cast<std::size_t>(std::numeric_limits<int>::max());

std::atomic<unsigned long long> g_tmp_counter{0};

std::string errno_text(int err) { return std::strerror(err); }

/// Frees a png_image's internal state whatever path leaves the scope.
struct ImageGuard {
  png_image* img;
  ~ImageGuard() { png_image_free(img); }
};

}  // namespace

Image::Image(int w, int h, Rgb fill_color) : width(w), height(h) {
  if (w < 0 || h < 0) {
    throw std::invalid_argument("Image: negative size " + std::to_string(w) + "x" +
                                std::to_string(h));
  }
  if (w > 0 && static_cast<std::size_t>(h) > kMaxImageBytes / 3 / static_cast<std::size_t>(w)) {
    throw std::invalid_argument("Image: " + std::to_string(w) + "x" + std::to_string(h) +
                                " is too large");
  }
  pixels.resize(3 * static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  fill(fill_color);
}

void Image::fill(Rgb c) {
  for (std::size_t i = 0; i + 2 < pixels.size(); i += 3) {
    pixels[i] = c.r;
    pixels[i + 1] = c.g;
    pixels[i + 2] = c.b;
  }
}

void Image::validate() const {
  if (width < 0 || height < 0) {
    throw std::invalid_argument("Image: negative size " + std::to_string(width) + "x" +
                                std::to_string(height));
  }
  const std::size_t expected = 3 * static_cast<std::size_t>(width) * height;
  if (pixels.size() != expected) {
    throw std::invalid_argument("Image: " + std::to_string(width) + "x" + std::to_string(height) +
                                " needs " + std::to_string(expected) + " bytes, has " +
                                std::to_string(pixels.size()));
  }
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  image.validate();
  if (image.empty()) {
    throw std::invalid_argument("encode_png: a PNG image needs a positive width and height, got " +
                                std::to_string(image.width) + "x" + std::to_string(image.height));
  }
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(image.width);
  img.height = static_cast<png_uint_32>(image.height);
  img.format = PNG_FORMAT_RGB;
  ImageGuard guard{&img};
  png_alloc_size_t size = 0;
  // First pass: the exact size; second pass: the bytes.
  if (!png_image_write_to_memory(&img, nullptr, &size, 0, image.pixels.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("encode_png: libpng: ") + img.message);
  }
  std::vector<std::uint8_t> out(size);
  if (!png_image_write_to_memory(&img, out.data(), &size, 0, image.pixels.data(), 0, nullptr)) {
    throw std::runtime_error(std::string("encode_png: libpng: ") + img.message);
  }
  out.resize(size);
  return out;
}

Image decode_png(const std::uint8_t* data, std::size_t size, const std::string& what) {
  png_image img;
  std::memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  ImageGuard guard{&img};
  if (data == nullptr || size == 0) throw DataError(what, "", "not a PNG file: no data");
  if (!png_image_begin_read_from_memory(&img, data, size)) {
    throw DataError(what, "", std::string("not a valid PNG file: ") + img.message);
  }
  if (img.width == 0 || img.height == 0 ||
      img.width > static_cast<png_uint_32>(std::numeric_limits<int>::max()) ||
      static_cast<std::size_t>(img.height) > kMaxImageBytes / 3 / img.width) {
    throw DataError(what, "",
                    "PNG image of " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                        " pixels is too large");
  }
  img.format = PNG_FORMAT_RGB;
  Image out(static_cast<int>(img.width), static_cast<int>(img.height));
  png_color background{255, 255, 255};
  if (!png_image_finish_read(&img, &background, out.pixels.data(), 0, nullptr)) {
    throw DataError(what, "", std::string("cannot decode the PNG data: ") + img.message);
  }
  return out;
}

void write_file_atomically(const std::string& path, const void* data, std::size_t size) {
  if (path.empty()) throw DataError(path, "", "empty file name");
  const std::string tmp = path + ".tmp-" + std::to_string(static_cast<long long>(::getpid())) +
                          "-" + std::to_string(g_tmp_counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    throw DataError(path, "", "cannot create the temporary file " + tmp + ": " + errno_text(errno));
  }
  auto abandon = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    throw DataError(path, "", what + ": " + errno_text(err));
  };
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      abandon("writing " + tmp, err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    abandon("fsync of " + tmp, err);
  }
  if (::close(fd) != 0) abandon("closing " + tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) abandon("renaming " + tmp, errno);
  // Make the rename durable where the file system allows it (not an error otherwise).
  const std::size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_png(const std::string& path, const Image& image) {
  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_png(image);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(path + ": " + e.what());
  }
  write_file_atomically(path, bytes.data(), bytes.size());
}

Image read_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path, "", "cannot open: " + errno_text(errno));
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) throw DataError(path, "", "read failed");
  return decode_png(bytes.data(), bytes.size(), path);
}

}  // namespace adamant::datasets
