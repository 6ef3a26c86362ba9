#pragma once
// Shared by the fuzz targets: a per-process temporary file the input is written to, and the rule
// that a reader may reject an input only with DataError.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <typeinfo>

#include "adamant/datasets/h5.hpp"

namespace adamant::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::abort();
}

class TempFile {
 public:
  explicit TempFile(const char* suffix) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/adamant_fuzz_" +
            std::to_string(::getpid()) + "_" + std::to_string(counter()++) + suffix;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) fail("cannot create " + path_);
    if (size && std::fwrite(data, 1, size, f) != size) fail("cannot write " + path_);
    std::fclose(f);
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::string path_;
};

/// Runs `f`; DataError is the expected way to reject an input, anything else aborts.
template <typename F>
void expect_data_error(F&& f) {
  try {
    f();
  } catch (const datasets::DataError&) {
  } catch (const std::exception& e) {
    fail(std::string("unexpected ") + typeid(e).name() + ": " + e.what());
  }
}

/// Aborts when libhdf5 still holds an identifier open after an input: every Reader must have
/// closed its file, and with it (H5F_CLOSE_STRONG) everything opened in it. This is what makes
/// the leak suppressions of fuzz/hdf5-lsan.supp sound: once no identifier is open, memory libhdf5
/// allocated and still holds is memory it lost itself.
inline void expect_no_open_hdf5_objects() {
  const long n = datasets::detail::open_hdf5_objects();
  if (n != 0) fail(std::to_string(n) + " HDF5 identifiers left open after the input");
}

}  // namespace adamant::fuzz
