#pragma once
// HDF5 reading with validation, and atomic writing, over the HDF5 C library (1.10).
//
// Reading: every accessor checks before it reads — that the object exists, its rank, shape and
// type class (float / integer / string), and optionally that every value is finite — and throws
// DataError naming the file, the object and what was expected. HDF5's own error stack printing
// is switched off; a file that is not HDF5 (or truncated) gives a DataError too, never a crash.
//
// Writing: a Writer writes to a temporary file beside the destination ("<path>.tmp-<pid>-<k>")
// and commit() flushes, closes, fsyncs and renames it over the destination (rename is atomic on
// POSIX), so a killed process leaves the old file or the new one, never a torn one. A Writer
// destroyed without commit() removes its temporary file.
//
// Corrupt files: the HDF5 library itself (Debian's 1.10.8) can crash or corrupt memory on a
// damaged file — in its global heap, attribute and link tables, object headers — before it
// returns an error adamant could check. So every reader of a file (read_prices, read_molecules,
// describe, every module's load_* / read_*) goes through guarded_read: the whole read runs first
// in a forked child process, and only when the child finishes (with a result or a DataError) is
// it repeated in this process. A child that dies inside libhdf5 becomes a DataError naming the
// file, the object and the attribute it was reading (fuzz/README.md).

#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace adamant::datasets {

/// A problem with a data file: "<file>: <object>: <message>".
class DataError : public std::runtime_error {
 public:
  DataError(const std::string& file, const std::string& object, const std::string& message);
  const std::string& file() const { return file_; }
  const std::string& object() const { return object_; }

 private:
  std::string file_, object_;
};

/// Dimensions of a dataset; in an expected shape, kAnyExtent matches any extent.
using Shape = std::vector<std::int64_t>;
inline constexpr std::int64_t kAnyExtent = -1;
/// "(7126, 20)", "(9,)" (numpy's spelling), "()" for a scalar; kAnyExtent prints as "*".
std::string to_string(const Shape& shape);

/// Whether a read checks that every value is finite.
enum class Finite { kAny, kRequired };

/// A value of an attribute: string, integer or float.
struct AttrValue {
  enum class Kind { kString, kInt, kFloat } kind = Kind::kString;
  std::string s;
  std::int64_t i = 0;
  double f = 0;
  std::string to_string() const;
  static AttrValue string(std::string v) {
    AttrValue a;
    a.s = std::move(v);
    return a;
  }
  static AttrValue integer(std::int64_t v) {
    AttrValue a;
    a.kind = Kind::kInt;
    a.i = v;
    return a;
  }
  static AttrValue number(double v) {
    AttrValue a;
    a.kind = Kind::kFloat;
    a.f = v;
    return a;
  }
};

/// Read-only access to one HDF5 file. Object names are paths inside the file ("a/b/c").
class Reader {
 public:
  /// Throws DataError when the file is missing, unreadable or not HDF5.
  explicit Reader(const std::string& path);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const std::string& path() const { return path_; }
  /// Whether a dataset or group exists at `name`.
  bool has(const std::string& name) const;
  bool is_group(const std::string& name) const;
  /// The file address of the object at `name`: equal for two names hard-linked to one object
  /// (how a walk over the file recognises a group that links back to its parent).
  std::uint64_t object_address(const std::string& name) const;
  /// Names of the members of a group, sorted.
  std::vector<std::string> members(const std::string& group = "/") const;
  /// Shape of a dataset (throws DataError when it is missing or not a dataset).
  Shape shape(const std::string& name) const;
  /// "float64", "float32", "int32", "int64", "uint8", "string", ... of a dataset.
  std::string dtype(const std::string& name) const;

  /// Reads a float dataset (float32 or float64 on disk) whose shape matches `expected`
  /// (kAnyExtent for free extents; an empty `expected` accepts any shape), row-major.
  std::vector<double> read_f64(const std::string& name, const Shape& expected,
                               Finite finite = Finite::kRequired, Shape* shape = nullptr) const;
  std::vector<float> read_f32(const std::string& name, const Shape& expected,
                              Finite finite = Finite::kRequired, Shape* shape = nullptr) const;
  /// Reads an integer dataset (any integer width on disk that fits the result).
  std::vector<std::int64_t> read_i64(const std::string& name, const Shape& expected,
                                     Shape* shape = nullptr) const;
  std::vector<std::uint64_t> read_u64(const std::string& name, const Shape& expected,
                                      Shape* shape = nullptr) const;
  /// Reads a 1-D dataset of strings (fixed or variable length).
  std::vector<std::string> read_strings(const std::string& name,
                                        std::int64_t expected_size = kAnyExtent) const;

  bool has_attr(const std::string& object, const std::string& attr) const;
  /// Every attribute of an object, by name.
  std::map<std::string, AttrValue> attrs(const std::string& object) const;
  std::string attr_string(const std::string& object, const std::string& attr) const;
  std::int64_t attr_int(const std::string& object, const std::string& attr) const;
  double attr_double(const std::string& object, const std::string& attr) const;

  /// Throws DataError(path(), object, message).
  [[noreturn]] void fail(const std::string& object, const std::string& message) const;

 private:
  std::string path_;
  std::int64_t file_ = -1;  // hid_t
};

/// Writes one HDF5 file atomically (see the header comment).
class Writer {
 public:
  /// Creates the temporary file; throws DataError when the directory is not writable.
  explicit Writer(std::string path);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  const std::string& path() const { return path_; }
  /// Creates a group (and its parents) if missing.
  void group(const std::string& name);
  /// Writes a dataset of the given shape (row-major data, product of shape elements); parent
  /// groups are created. Large datasets are chunked and deflate-compressed.
  void write(const std::string& name, const double* data, const Shape& shape);
  void write(const std::string& name, const float* data, const Shape& shape);
  void write(const std::string& name, const std::int32_t* data, const Shape& shape);
  void write(const std::string& name, const std::int64_t* data, const Shape& shape);
  void write(const std::string& name, const std::uint64_t* data, const Shape& shape);
  void write(const std::string& name, const std::uint8_t* data, const Shape& shape);
  /// A 1-D dataset of variable-length UTF-8 strings.
  void write_strings(const std::string& name, const std::vector<std::string>& values);
  /// Attributes on a group or dataset ("/" for the file).
  void attr(const std::string& object, const std::string& name, const std::string& value);
  void attr(const std::string& object, const std::string& name, const char* value);
  void attr(const std::string& object, const std::string& name, std::int64_t value);
  void attr(const std::string& object, const std::string& name, int value) {
    attr(object, name, static_cast<std::int64_t>(value));  // else attr(o, n, 1) is ambiguous
  }
  void attr(const std::string& object, const std::string& name, double value);
  /// Writes an AttrValue with its own kind.
  void attr(const std::string& object, const std::string& name, const AttrValue& value);
  /// Flushes, closes, fsyncs and renames the temporary file to path(). Call once; any further
  /// call on the Writer throws std::logic_error. On failure the temporary file is removed and
  /// DataError is thrown (the destination is untouched).
  void commit();
  /// Path of the temporary file being written ("" after commit).
  const std::string& temporary_path() const { return tmp_; }

 private:
  std::string path_, tmp_;
  std::int64_t file_ = -1;  // hid_t
  bool committed_ = false;
};

namespace detail {
/// Runs `dry_run` in a forked child process and waits for it. Returns when the child finished
/// (whatever `dry_run` returned or threw) or when it could not be run (fork failed, or
/// ADAMANT_HDF5_GUARD=0 in the environment); throws DataError(path, object, ...) when the child
/// died inside a call into libhdf5. A child that died in adamant's own code is not reported here:
/// the read is then repeated in this process, where the fault shows as itself.
void rehearse(const std::string& path, const std::function<void()>& dry_run);
/// Nesting depth of guarded reads on this thread (a nested one is covered by its outer one).
int& guard_depth();
/// Identifiers libhdf5 holds open in this process (files, groups, datasets, datatypes,
/// attributes), over every file. 0 whenever no Reader or Writer is alive: the fuzz targets check
/// it after every input, which is what proves a leak reported inside libhdf5 is libhdf5's own
/// (fuzz/hdf5-lsan.supp).
long open_hdf5_objects();
}  // namespace detail

/// `read()` (which reads the HDF5 file `path`) done safely on a corrupt file: first in a child
/// process (detail::rehearse), then here. Nested guarded reads run directly. The child is a fork
/// of this process, so libhdf5 repeats the same calls on the same bytes from the same state.
template <typename F>
auto guarded_read(const std::string& path, F&& read) -> decltype(read()) {
  int& depth = detail::guard_depth();
  if (depth > 0) return read();
  detail::rehearse(path, [&] { (void)read(); });
  struct Nested {
    int& d;
    explicit Nested(int& x) : d(x) { ++d; }
    ~Nested() { --d; }
  } nested(depth);
  return read();
}

}  // namespace adamant::datasets
