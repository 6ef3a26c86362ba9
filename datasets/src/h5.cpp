// Reader / Writer over the HDF5 C library (see h5.hpp). Every HDF5 identifier is owned by a
// Handle that closes it, so no error path leaks one; HDF5's automatic error printing is off and
// every failed call becomes a DataError naming the file and the object.

#include "adamant/datasets/h5.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <new>
#include <sstream>
#include <type_traits>
#include <utility>

namespace adamant::datasets {

static_assert(sizeof(hid_t) == sizeof(std::int64_t), "hid_t is stored as int64");

DataError::DataError(const std::string& file, const std::string& object, const std::string& message)
    : std::runtime_error(file + ": " + (object.empty() ? "" : object + ": ") + message),
      file_(file),
      object_(object) {}

std::string to_string(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += shape[i] == kAnyExtent ? std::string("*") : std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

namespace {

// Shortest decimal that reads back as the same double.
std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

}  // namespace

std::string AttrValue::to_string() const {
  switch (kind) {
    case Kind::kString:
      return s;
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kFloat:
      return format_double(f);
  }
  return s;
}

namespace {

// ---- helpers ----

/// HDF5 never prints its error stack; every failure is reported through a DataError instead.
/// (The setting is per thread in thread-safe builds, so it is applied on every entry.)
void quiet() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Shared memory between a guarded read's child and its parent (see detail::rehearse): the child
/// records the object (and attribute) each Reader call works on, and whether it is inside one,
/// which is where every call into libhdf5 is made.
struct TracePage {
  int depth = 0;  // > 0 while a Reader method runs
  int calls = 0;  // Reader calls entered so far: the parent's sign of progress
  char object[1024] = {};
  char attr[256] = {};
};
TracePage* g_trace = nullptr;  // set only in a guarded read's child process

std::string normalize(const std::string& name);

void copy_name(char* dst, std::size_t cap, const std::string& s) {
  const std::size_t n = std::min(s.size(), cap - 1);
  std::memcpy(dst, s.data(), n);
  dst[n] = '\0';
}

/// Entered by every Reader method before it calls HDF5: switches HDF5's error printing off and,
/// in a guarded read's child, records what is being read.
class Trace {
 public:
  explicit Trace(const std::string& object, const std::string& attr = "") {
    quiet();
    if (g_trace == nullptr) return;
    ++g_trace->depth;
    at(object, attr);
  }
  /// For the Reader destructor: closing the file can crash libhdf5 too (no new object to name).
  Trace() {
    if (g_trace != nullptr) ++g_trace->depth;
  }
  ~Trace() {
    if (g_trace != nullptr) --g_trace->depth;
  }
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;
  /// Now reading `attr` of `object`.
  void at(const std::string& object, const std::string& attr) const {
    if (g_trace == nullptr) return;
    copy_name(g_trace->object, sizeof g_trace->object, normalize(object));
    copy_name(g_trace->attr, sizeof g_trace->attr, attr);
    __atomic_fetch_add(&g_trace->calls, 1, __ATOMIC_RELAXED);
  }
};

/// Owns one HDF5 identifier.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), close_(closer) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      close_ = o.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && close_ != nullptr) close_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

Handle type_handle(hid_t id) { return Handle(id, H5Tclose); }
Handle space_handle(hid_t id) { return Handle(id, H5Sclose); }
Handle plist_handle(hid_t id) { return Handle(id, H5Pclose); }
Handle object_handle(hid_t id) { return Handle(id, H5Oclose); }
Handle attr_handle(hid_t id) { return Handle(id, H5Aclose); }

/// "/a/b" for "a/b", "/a/b/", "//a//b"; "/" for "" and "/".
std::string normalize(const std::string& name) {
  std::string out = "/";
  for (char c : name) {
    if (c == '/' && out.back() == '/') continue;
    out += c;
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

/// Whether `name` (normalized) resolves to an object, checking each link on the way (H5Lexists
/// fails instead of answering when a parent is missing).
bool object_exists(hid_t file, const std::string& name) {
  if (name == "/") return true;
  std::size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix = name.substr(0, pos);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) break;
    // An intermediate link must lead to a group.
    Handle o = object_handle(H5Oopen(file, prefix.c_str(), H5P_DEFAULT));
    if (!o.ok() || H5Iget_type(o.get()) != H5I_GROUP) return false;
  }
  return H5Oexists_by_name(file, name.c_str(), H5P_DEFAULT) > 0;
}

std::string class_name(hid_t type) {
  const H5T_class_t cls = H5Tget_class(type);
  const std::size_t size = H5Tget_size(type);
  switch (cls) {
    case H5T_FLOAT:
      return "float" + std::to_string(size * 8);
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(size * 8);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "vlen";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_REFERENCE:
      return "reference";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_TIME:
      return "time";
    default:
      return "unknown";
  }
}

Shape space_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank <= 0) return {};
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  Shape s(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) s[i] = static_cast<std::int64_t>(dims[i]);
  return s;
}

/// Product of the extents, or -1 when it overflows what a std::vector of `elem` bytes can hold.
std::int64_t element_count(const Shape& shape, std::size_t elem) {
  const std::int64_t limit =
      static_cast<std::int64_t>(std::min<std::uint64_t>(std::numeric_limits<std::int64_t>::max(),
                                                        std::vector<char>().max_size()) /
                                std::max<std::size_t>(elem, 1));
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > limit / d) return -1;
    n *= d;
  }
  return n;
}

/// "17" for a 1-D index, "(3, 4, 1)" for more dimensions.
std::string index_string(const Shape& shape, std::int64_t flat) {
  if (shape.size() <= 1) return std::to_string(flat);
  Shape idx(shape.size());
  for (std::size_t k = shape.size(); k-- > 0;) {
    idx[k] = shape[k] > 0 ? flat % shape[k] : 0;
    flat = shape[k] > 0 ? flat / shape[k] : 0;
  }
  std::string s = "(";
  for (std::size_t k = 0; k < idx.size(); ++k) s += (k ? ", " : "") + std::to_string(idx[k]);
  return s + ")";
}

template <typename T>
void check_finite(const Reader& r, const std::string& name, const std::vector<T>& v,
                  const Shape& shape) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i]))
      r.fail(name, "non-finite value " + format_double(static_cast<double>(v[i])) + " at index " +
                       index_string(shape, static_cast<std::int64_t>(i)) +
                       " (every value must be finite)");
  }
}

/// An open dataset with its type and shape.
struct Dataset {
  Handle ds, type, space;
  H5T_class_t cls = H5T_NO_CLASS;
  Shape shape;
  std::string dtype;
};

/// Reads a variable-length or fixed-length string dataset / attribute of n elements with
/// `read(memtype, buffer)`.
/// `xfer`: the transfer property list the read used (its variable-length memory manager frees
/// the strings).
template <typename ReadFn>
bool read_string_values(hid_t file_type, std::size_t n, std::vector<std::string>& out,
                        ReadFn&& read, hid_t xfer = H5P_DEFAULT) {
  out.assign(n, std::string());
  if (n == 0) return true;
  const H5T_cset_t cset = H5Tget_cset(file_type);
  if (H5Tis_variable_str(file_type) > 0) {
    Handle mem = type_handle(H5Tcopy(H5T_C_S1));
    if (!mem.ok() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0) return false;
    H5Tset_cset(mem.get(), cset);
    std::vector<char*> ptrs(n, nullptr);
    const bool ok = read(mem.get(), static_cast<void*>(ptrs.data()));
    if (ok)
      for (std::size_t i = 0; i < n; ++i)
        if (ptrs[i] != nullptr) out[i] = ptrs[i];
    hsize_t dims[1] = {static_cast<hsize_t>(n)};
    Handle space = space_handle(H5Screate_simple(1, dims, nullptr));
    if (space.ok()) H5Dvlen_reclaim(mem.get(), space.get(), xfer, ptrs.data());
    return ok;
  }
  const std::size_t size = H5Tget_size(file_type);
  if (size == 0) return false;
  Handle mem = type_handle(H5Tcopy(H5T_C_S1));
  if (!mem.ok() || H5Tset_size(mem.get(), size) < 0) return false;
  H5Tset_strpad(mem.get(), H5T_STR_NULLPAD);
  H5Tset_cset(mem.get(), cset);
  std::vector<char> buf(n * size, '\0');
  if (!read(mem.get(), static_cast<void*>(buf.data()))) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const char* p = buf.data() + i * size;
    out[i].assign(p, strnlen(p, size));
  }
  return true;
}

/// Variable-length memory for one dataset read, owned here: libhdf5 allocates the strings it
/// converts through this arena (H5Pset_vlen_mem_manager) and frees the delivered ones through it
/// (H5Dvlen_reclaim); whatever a failed H5Dread allocated but never delivered (it happens on
/// corrupt files: fuzz/README.md) is freed when the arena goes.
class VlenArena {
 public:
  VlenArena() : xfer_(plist_handle(H5Pcreate(H5P_DATASET_XFER))) {
    if (xfer_.ok()) H5Pset_vlen_mem_manager(xfer_.get(), &alloc, this, &release, this);
  }
  ~VlenArena() {
    for (void* b : blocks_) std::free(b);
  }
  VlenArena(const VlenArena&) = delete;
  VlenArena& operator=(const VlenArena&) = delete;
  hid_t xfer() const { return xfer_.ok() ? xfer_.get() : H5P_DEFAULT; }

 private:
  static void* alloc(std::size_t size, void* info) {
    auto* self = static_cast<VlenArena*>(info);
    void* b = std::malloc(size);
    if (b == nullptr) return nullptr;
    try {
      self->blocks_.push_back(b);
    } catch (...) {
      std::free(b);
      return nullptr;
    }
    return b;
  }
  static void release(void* b, void* info) {
    auto& blocks = static_cast<VlenArena*>(info)->blocks_;
    const auto it = std::find(blocks.rbegin(), blocks.rend(), b);
    if (it == blocks.rend()) return;  // not ours: never freed twice
    blocks.erase(std::next(it).base());
    std::free(b);
  }
  Handle xfer_;
  std::vector<void*> blocks_;
};

/// One value of an attribute of any supported type, or a readable placeholder.
AttrValue read_attr_value(hid_t attr) {
  AttrValue v;
  Handle type = type_handle(H5Aget_type(attr));
  Handle space = space_handle(H5Aget_space(attr));
  if (!type.ok() || !space.ok()) {
    v.s = "<unreadable>";
    return v;
  }
  const hssize_t npoints = H5Sget_simple_extent_npoints(space.get());
  const std::size_t n = npoints > 0 ? static_cast<std::size_t>(npoints) : 0;
  const H5T_class_t cls = H5Tget_class(type.get());
  auto join = [&](const std::vector<std::string>& items) {
    std::string s = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i == 8 && items.size() > 10) {
        s += ", ... (" + std::to_string(items.size()) + " values)";
        break;
      }
      s += (i ? ", " : "") + items[i];
    }
    return s + "]";
  };
  const bool scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  if (cls == H5T_STRING) {
    std::vector<std::string> values;
    const bool ok = read_string_values(
        type.get(), n, values, [&](hid_t mem, void* buf) { return H5Aread(attr, mem, buf) >= 0; });
    if (!ok) {
      v.s = "<unreadable string>";
    } else if (scalar || n == 1) {
      v.s = n == 1 ? values[0] : "";
    } else {
      for (auto& s : values) s = "\"" + s + "\"";
      v.s = join(values);
    }
    return v;
  }
  if (cls == H5T_INTEGER && H5Tget_size(type.get()) <= 8 &&
      !(H5Tget_size(type.get()) == 8 && H5Tget_sign(type.get()) == H5T_SGN_NONE)) {
    std::vector<std::int64_t> values(std::max<std::size_t>(n, 1));
    if (n == 0 || H5Aread(attr, H5T_NATIVE_INT64, values.data()) < 0) {
      v.s = "<unreadable integer>";
    } else if (n == 1) {
      v.kind = AttrValue::Kind::kInt;
      v.i = values[0];
    } else {
      std::vector<std::string> items;
      for (auto x : values) items.push_back(std::to_string(x));
      v.s = join(items);
    }
    return v;
  }
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {  // uint64 attributes are read as doubles
    std::vector<double> values(std::max<std::size_t>(n, 1));
    if (n == 0 || H5Aread(attr, H5T_NATIVE_DOUBLE, values.data()) < 0) {
      v.s = "<unreadable number>";
    } else if (n == 1) {
      v.kind = AttrValue::Kind::kFloat;
      v.f = values[0];
    } else {
      std::vector<std::string> items;
      for (auto x : values) items.push_back(format_double(x));
      v.s = join(items);
    }
    return v;
  }
  if (cls == H5T_ENUM && n == 1) {  // e.g. h5py's booleans: the member name, "TRUE" / "FALSE"
    Handle native = type_handle(H5Tget_native_type(type.get(), H5T_DIR_ASCEND));
    std::vector<unsigned char> raw(native.ok() ? H5Tget_size(native.get()) : 0);
    char member[256] = {};
    if (!raw.empty() && H5Aread(attr, native.get(), raw.data()) >= 0 &&
        H5Tenum_nameof(native.get(), raw.data(), member, sizeof member) >= 0) {
      v.s = member;
      return v;
    }
  }
  v.s = "<" + class_name(type.get()) + " attribute>";
  return v;
}

std::string errno_text(int err) { return std::strerror(err); }

std::atomic<unsigned long long> g_writer_counter{0};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Reader

Reader::Reader(const std::string& path) : path_(path) {
  const Trace trace("/");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail("", "cannot open: " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) fail("", "is a directory, not an HDF5 file");
  if (H5Fis_hdf5(path.c_str()) <= 0) fail("", "not an HDF5 file or truncated");
  Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS));
  // Closing the file closes anything still open in it (nothing should be).
  if (fapl.ok()) H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.ok() ? fapl.get() : H5P_DEFAULT);
  if (f < 0) fail("", "not an HDF5 file or truncated");
  file_ = f;
}

Reader::~Reader() {
  const Trace trace;
  if (file_ >= 0) H5Fclose(file_);
}

void Reader::fail(const std::string& object, const std::string& message) const {
  throw DataError(path_, object, message);
}

bool Reader::has(const std::string& name) const {
  const Trace trace(name);
  return object_exists(file_, normalize(name));
}

bool Reader::is_group(const std::string& name) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  if (!object_exists(file_, n)) return false;
  Handle o = object_handle(H5Oopen(file_, n.c_str(), H5P_DEFAULT));
  return o.ok() && H5Iget_type(o.get()) == H5I_GROUP;
}

std::uint64_t Reader::object_address(const std::string& name) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  if (!object_exists(file_, n)) fail(n, "missing");
  H5O_info_t info{};
  if (H5Oget_info_by_name2(file_, n.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    fail(n, "cannot read the object's header");
  return static_cast<std::uint64_t>(info.addr);
}

std::vector<std::string> Reader::members(const std::string& group) const {
  const Trace trace(group);
  const std::string n = normalize(group);
  if (!object_exists(file_, n)) fail(n, "missing (expected a group)");
  Handle g(H5Gopen2(file_, n.c_str(), H5P_DEFAULT), H5Gclose);
  if (!g.ok()) fail(n, "is not a group");
  H5G_info_t info{};
  if (H5Gget_info(g.get(), &info) < 0) fail(n, "cannot list the group's members");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len =
        H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) fail(n, "cannot read the name of member " + std::to_string(i));
    std::string s(static_cast<std::size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size(),
                       H5P_DEFAULT);
    s.resize(static_cast<std::size_t>(len));
    names.push_back(std::move(s));
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

Dataset open_dataset(const Reader& r, std::int64_t file, const std::string& n,
                     const std::string& expectation) {
  if (!object_exists(file, n)) r.fail(n, "missing (expected " + expectation + ")");
  Dataset d;
  {
    Handle o = object_handle(H5Oopen(file, n.c_str(), H5P_DEFAULT));
    if (!o.ok()) r.fail(n, "cannot open (file corrupt or truncated?)");
    if (H5Iget_type(o.get()) != H5I_DATASET) r.fail(n, "is a group, expected " + expectation);
  }
  d.ds = Handle(H5Dopen2(file, n.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.ds.ok()) r.fail(n, "cannot open the dataset (file corrupt or truncated?)");
  d.type = type_handle(H5Dget_type(d.ds.get()));
  d.space = space_handle(H5Dget_space(d.ds.get()));
  if (!d.type.ok() || !d.space.ok()) r.fail(n, "cannot read the dataset's type or shape");
  d.cls = H5Tget_class(d.type.get());
  d.dtype = class_name(d.type.get());
  const H5S_class_t sc = H5Sget_simple_extent_type(d.space.get());
  if (sc == H5S_NULL) r.fail(n, "has an empty (null) dataspace, expected " + expectation);
  d.shape = space_shape(d.space.get());
  return d;
}

void check_shape(const Reader& r, const std::string& n, const Shape& expected, const Shape& got) {
  if (expected.empty()) return;
  bool ok = expected.size() == got.size();
  for (std::size_t i = 0; ok && i < got.size(); ++i)
    ok = expected[i] == kAnyExtent || expected[i] == got[i];
  if (ok) return;
  if (expected.size() != got.size())
    r.fail(n, "expected rank " + std::to_string(expected.size()) + ", shape " +
                  to_string(expected) + ", got rank " + std::to_string(got.size()) + ", shape " +
                  to_string(got));
  r.fail(n, "expected shape " + to_string(expected) + ", got " + to_string(got));
}

std::string expectation_text(const char* what, const Shape& expected) {
  const bool vowel = std::strchr("aeiou", what[0]) != nullptr;
  std::string s = std::string(vowel ? "an " : "a ") + what + " dataset";
  if (!expected.empty()) s += " of shape " + to_string(expected);
  return s;
}

template <typename T>
std::vector<T> allocate(const Reader& r, const std::string& n, const Shape& shape) {
  const std::int64_t count = element_count(shape, sizeof(T));
  if (count < 0) r.fail(n, "shape " + to_string(shape) + " is too large to read");
  try {
    return std::vector<T>(static_cast<std::size_t>(count));
  } catch (const std::bad_alloc&) {
    r.fail(n, "shape " + to_string(shape) + " is too large to read into memory");
  } catch (const std::length_error&) {
    r.fail(n, "shape " + to_string(shape) + " is too large to read into memory");
  }
}

void read_into(const Reader& r, const std::string& n, const Dataset& d, hid_t memtype, void* buf,
               std::size_t count) {
  if (count == 0) return;
  if (H5Dread(d.ds.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    r.fail(n, "cannot read the data (file corrupt or truncated?)");
}

}  // namespace

Shape Reader::shape(const std::string& name) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  return open_dataset(*this, file_, n, "a dataset").shape;
}

std::string Reader::dtype(const std::string& name) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  return open_dataset(*this, file_, n, "a dataset").dtype;
}

std::vector<double> Reader::read_f64(const std::string& name, const Shape& expected, Finite finite,
                                     Shape* shape_out) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  const std::string what = expectation_text("float", expected);
  Dataset d = open_dataset(*this, file_, n, what);
  if (d.cls != H5T_FLOAT) fail(n, "expected " + what + ", got " + d.dtype);
  check_shape(*this, n, expected, d.shape);
  std::vector<double> v = allocate<double>(*this, n, d.shape);
  read_into(*this, n, d, H5T_NATIVE_DOUBLE, v.data(), v.size());
  if (finite == Finite::kRequired) check_finite(*this, n, v, d.shape);
  if (shape_out != nullptr) *shape_out = d.shape;
  return v;
}

std::vector<float> Reader::read_f32(const std::string& name, const Shape& expected, Finite finite,
                                    Shape* shape_out) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  const std::string what = expectation_text("float", expected);
  Dataset d = open_dataset(*this, file_, n, what);
  if (d.cls != H5T_FLOAT) fail(n, "expected " + what + ", got " + d.dtype);
  check_shape(*this, n, expected, d.shape);
  std::vector<float> v;
  if (H5Tget_size(d.type.get()) <= sizeof(float)) {
    v = allocate<float>(*this, n, d.shape);
    read_into(*this, n, d, H5T_NATIVE_FLOAT, v.data(), v.size());
  } else {
    // Wider on disk: read as double and round here, so an overflow becomes ±inf (and is caught
    // by the finite check) instead of depending on HDF5's conversion exception handling.
    std::vector<double> wide = allocate<double>(*this, n, d.shape);
    read_into(*this, n, d, H5T_NATIVE_DOUBLE, wide.data(), wide.size());
    v = allocate<float>(*this, n, d.shape);
    for (std::size_t i = 0; i < wide.size(); ++i) v[i] = static_cast<float>(wide[i]);
  }
  if (finite == Finite::kRequired) check_finite(*this, n, v, d.shape);
  if (shape_out != nullptr) *shape_out = d.shape;
  return v;
}

std::vector<std::int64_t> Reader::read_i64(const std::string& name, const Shape& expected,
                                           Shape* shape_out) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  const std::string what = expectation_text("integer", expected);
  Dataset d = open_dataset(*this, file_, n, what);
  const bool fits = d.cls == H5T_INTEGER &&
                    (H5Tget_size(d.type.get()) < 8 || H5Tget_sign(d.type.get()) != H5T_SGN_NONE);
  if (!fits) fail(n, "expected " + what + " (int8 … int64, uint8 … uint32), got " + d.dtype);
  check_shape(*this, n, expected, d.shape);
  std::vector<std::int64_t> v = allocate<std::int64_t>(*this, n, d.shape);
  read_into(*this, n, d, H5T_NATIVE_INT64, v.data(), v.size());
  if (shape_out != nullptr) *shape_out = d.shape;
  return v;
}

std::vector<std::uint64_t> Reader::read_u64(const std::string& name, const Shape& expected,
                                            Shape* shape_out) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  const std::string what = expectation_text("unsigned integer", expected);
  Dataset d = open_dataset(*this, file_, n, what);
  if (d.cls != H5T_INTEGER || H5Tget_sign(d.type.get()) != H5T_SGN_NONE)
    fail(n, "expected " + what + " (uint8 … uint64), got " + d.dtype);
  check_shape(*this, n, expected, d.shape);
  std::vector<std::uint64_t> v = allocate<std::uint64_t>(*this, n, d.shape);
  read_into(*this, n, d, H5T_NATIVE_UINT64, v.data(), v.size());
  if (shape_out != nullptr) *shape_out = d.shape;
  return v;
}

std::vector<std::string> Reader::read_strings(const std::string& name,
                                              std::int64_t expected_size) const {
  const Trace trace(name);
  const std::string n = normalize(name);
  const Shape expected{expected_size};
  const std::string what = expectation_text("string", expected);
  Dataset d = open_dataset(*this, file_, n, what);
  if (d.cls != H5T_STRING) fail(n, "expected " + what + ", got " + d.dtype);
  check_shape(*this, n, expected, d.shape);
  const std::int64_t count = element_count(d.shape, 16);
  if (count < 0) fail(n, "shape " + to_string(d.shape) + " is too large to read");
  std::vector<std::string> out;
  const VlenArena arena;
  const bool ok = read_string_values(
      d.type.get(), static_cast<std::size_t>(count), out,
      [&](hid_t mem, void* buf) {
        return H5Dread(d.ds.get(), mem, H5S_ALL, H5S_ALL, arena.xfer(), buf) >= 0;
      },
      arena.xfer());
  if (!ok) fail(n, "cannot read the strings (file corrupt or truncated?)");
  return out;
}

// ---- attributes ----

bool Reader::has_attr(const std::string& object, const std::string& attr) const {
  const Trace trace(object, attr);
  const std::string n = normalize(object);
  if (!object_exists(file_, n)) return false;
  return H5Aexists_by_name(file_, n.c_str(), attr.c_str(), H5P_DEFAULT) > 0;
}

std::map<std::string, AttrValue> Reader::attrs(const std::string& object) const {
  const Trace trace(object);
  const std::string n = normalize(object);
  if (!object_exists(file_, n)) fail(n, "missing (expected a group or dataset)");
  Handle o = object_handle(H5Oopen(file_, n.c_str(), H5P_DEFAULT));
  if (!o.ok()) fail(n, "cannot open (file corrupt or truncated?)");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* attr_name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(attr_name);
    return 0;
  };
  hsize_t idx = 0;
  if (H5Aiterate2(o.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &names) < 0)
    fail(n, "cannot list the attributes (file corrupt or truncated?)");
  std::map<std::string, AttrValue> out;
  for (const std::string& a : names) {
    trace.at(n, a);
    Handle h = attr_handle(H5Aopen(o.get(), a.c_str(), H5P_DEFAULT));
    if (!h.ok()) fail(n, "cannot open attribute '" + a + "'");
    out[a] = read_attr_value(h.get());
  }
  return out;
}

namespace {

/// Opens an attribute and checks its type class with `accept`; fails naming what was expected.
template <typename Accept>
Handle open_attr(const Reader& r, std::int64_t file, const std::string& n, const std::string& a,
                 const char* expected, Accept&& accept) {
  if (!object_exists(file, n)) r.fail(n, "missing (expected an object with attribute '" + a + "')");
  if (H5Aexists_by_name(file, n.c_str(), a.c_str(), H5P_DEFAULT) <= 0)
    r.fail(n, "missing attribute '" + a + "' (expected " + expected + ")");
  Handle h = attr_handle(H5Aopen_by_name(file, n.c_str(), a.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!h.ok()) r.fail(n, "cannot open attribute '" + a + "'");
  Handle type = type_handle(H5Aget_type(h.get()));
  Handle space = space_handle(H5Aget_space(h.get()));
  if (!type.ok() || !space.ok()) r.fail(n, "cannot read attribute '" + a + "'");
  const hssize_t npoints = H5Sget_simple_extent_npoints(space.get());
  if (!accept(type.get()) || npoints != 1)
    r.fail(n, "attribute '" + a + "': expected " + expected + ", got " +
                  (npoints != 1 ? std::to_string(npoints) + " values of " : std::string()) +
                  class_name(type.get()));
  return h;
}

}  // namespace

std::string Reader::attr_string(const std::string& object, const std::string& attr) const {
  const Trace trace(object, attr);
  const std::string n = normalize(object);
  Handle h = open_attr(*this, file_, n, attr, "a string",
                       [](hid_t t) { return H5Tget_class(t) == H5T_STRING; });
  return read_attr_value(h.get()).s;
}

std::int64_t Reader::attr_int(const std::string& object, const std::string& attr) const {
  const Trace trace(object, attr);
  const std::string n = normalize(object);
  Handle h = open_attr(*this, file_, n, attr, "an integer", [](hid_t t) {
    return H5Tget_class(t) == H5T_INTEGER && (H5Tget_size(t) < 8 || H5Tget_sign(t) != H5T_SGN_NONE);
  });
  std::int64_t v = 0;
  if (H5Aread(h.get(), H5T_NATIVE_INT64, &v) < 0) fail(n, "cannot read attribute '" + attr + "'");
  return v;
}

double Reader::attr_double(const std::string& object, const std::string& attr) const {
  const Trace trace(object, attr);
  const std::string n = normalize(object);
  Handle h = open_attr(*this, file_, n, attr, "a number", [](hid_t t) {
    return H5Tget_class(t) == H5T_FLOAT || H5Tget_class(t) == H5T_INTEGER;
  });
  double v = 0;
  if (H5Aread(h.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(n, "cannot read attribute '" + attr + "'");
  return v;
}

// ---------------------------------------------------------------------------------------------
// Writer

Writer::Writer(std::string path) : path_(std::move(path)) {
  quiet();
  tmp_ = path_ + ".tmp-" + std::to_string(static_cast<long long>(::getpid())) + "-" +
         std::to_string(g_writer_counter.fetch_add(1));
  // Create the file ourselves first: an exclusive create, and errno says why it failed.
  const int fd = ::open(tmp_.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    const std::string tmp = tmp_;
    tmp_.clear();
    throw DataError(path_, "", "cannot create the temporary file " + tmp + ": " + errno_text(err));
  }
  ::close(fd);
  const hid_t f = H5Fcreate(tmp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    ::unlink(tmp_.c_str());
    tmp_.clear();
    throw DataError(path_, "", "cannot create an HDF5 file");
  }
  file_ = f;
}

Writer::~Writer() {
  if (committed_) return;
  if (file_ >= 0) H5Fclose(file_);
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

namespace {

void check_open(const Writer& w, bool committed) {
  if (committed) throw std::logic_error(w.path() + ": Writer used after commit()");
}

Handle link_create_plist() {
  Handle lcpl = plist_handle(H5Pcreate(H5P_LINK_CREATE));
  if (lcpl.ok()) {
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8);
  }
  return lcpl;
}

/// Datasets above this many bytes are chunked and compressed.
constexpr std::size_t kCompressAbove = 64 * 1024;
/// Target chunk size in bytes.
constexpr std::size_t kChunkBytes = 256 * 1024;

void write_dataset(const std::string& path, hid_t file, bool committed, const Writer& w,
                   const std::string& name, const void* data, hid_t memtype, hid_t filetype,
                   std::size_t elem, const Shape& shape) {
  check_open(w, committed);
  quiet();
  const std::string n = normalize(name);
  if (n == "/") throw DataError(path, n, "cannot write a dataset at the root");
  const std::int64_t count = element_count(shape, elem);
  if (count < 0) throw DataError(path, n, "invalid shape " + to_string(shape));
  if (count > 0 && data == nullptr) throw std::invalid_argument(path + ": " + n + ": null data");
  if (object_exists(file, n)) throw DataError(path, n, "already exists");
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  Handle space = space_handle(
      shape.empty() ? H5Screate(H5S_SCALAR)
                    : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  Handle dcpl = plist_handle(H5Pcreate(H5P_DATASET_CREATE));
  if (!space.ok() || !dcpl.ok()) throw DataError(path, n, "cannot create the dataspace");
  const std::size_t bytes = static_cast<std::size_t>(count) * elem;
  if (!shape.empty() && bytes > kCompressAbove) {
    // Chunks of about kChunkBytes: whole trailing dimensions, cut along the first dimension
    // whose trailing block reaches the target.
    std::vector<hsize_t> chunk(dims);
    for (std::size_t d = 0; d < dims.size(); ++d) {
      std::size_t inner = elem;
      for (std::size_t k = d + 1; k < dims.size(); ++k) inner *= static_cast<std::size_t>(dims[k]);
      if (inner >= kChunkBytes) {
        chunk[d] = 1;
        continue;
      }
      chunk[d] = std::clamp<hsize_t>(kChunkBytes / inner, 1, dims[d]);
      break;
    }
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    if (H5Zfilter_avail(H5Z_FILTER_SHUFFLE) > 0) H5Pset_shuffle(dcpl.get());
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) H5Pset_deflate(dcpl.get(), 4);
  }
  Handle lcpl = link_create_plist();
  Handle ds(H5Dcreate2(file, n.c_str(), filetype, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
            H5Dclose);
  if (!ds.ok()) throw DataError(path, n, "cannot create the dataset");
  if (count > 0 && H5Dwrite(ds.get(), memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    throw DataError(path, n, "cannot write the dataset (disk full?)");
}

Handle vlen_utf8_type() {
  Handle t = type_handle(H5Tcopy(H5T_C_S1));
  if (t.ok()) {
    H5Tset_size(t.get(), H5T_VARIABLE);
    H5Tset_cset(t.get(), H5T_CSET_UTF8);
  }
  return t;
}

}  // namespace

void Writer::group(const std::string& name) {
  check_open(*this, committed_);
  quiet();
  const std::string n = normalize(name);
  if (object_exists(file_, n)) {
    Handle o = object_handle(H5Oopen(file_, n.c_str(), H5P_DEFAULT));
    if (!o.ok() || H5Iget_type(o.get()) != H5I_GROUP)
      throw DataError(path_, n, "exists and is not a group");
    return;
  }
  Handle lcpl = link_create_plist();
  Handle g(H5Gcreate2(file_, n.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!g.ok()) throw DataError(path_, n, "cannot create the group");
}

void Writer::write(const std::string& name, const double* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
                sizeof(double), shape);
}
void Writer::write(const std::string& name, const float* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_FLOAT, H5T_IEEE_F32LE,
                sizeof(float), shape);
}
void Writer::write(const std::string& name, const std::int32_t* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_INT32, H5T_STD_I32LE,
                sizeof(std::int32_t), shape);
}
void Writer::write(const std::string& name, const std::int64_t* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_INT64, H5T_STD_I64LE,
                sizeof(std::int64_t), shape);
}
void Writer::write(const std::string& name, const std::uint64_t* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_UINT64, H5T_STD_U64LE,
                sizeof(std::uint64_t), shape);
}
void Writer::write(const std::string& name, const std::uint8_t* data, const Shape& shape) {
  write_dataset(path_, file_, committed_, *this, name, data, H5T_NATIVE_UINT8, H5T_STD_U8LE,
                sizeof(std::uint8_t), shape);
}

void Writer::write_strings(const std::string& name, const std::vector<std::string>& values) {
  check_open(*this, committed_);
  quiet();
  const std::string n = normalize(name);
  if (n == "/") throw DataError(path_, n, "cannot write a dataset at the root");
  if (object_exists(file_, n)) throw DataError(path_, n, "already exists");
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].find('\0') != std::string::npos)
      throw std::invalid_argument(path_ + ": " + n + ": string " + std::to_string(i) +
                                  " contains a NUL character");
    ptrs.push_back(values[i].c_str());
  }
  Handle type = vlen_utf8_type();
  hsize_t dims[1] = {static_cast<hsize_t>(values.size())};
  Handle space = space_handle(H5Screate_simple(1, dims, nullptr));
  Handle lcpl = link_create_plist();
  if (!type.ok() || !space.ok()) throw DataError(path_, n, "cannot create the string type");
  Handle ds(
      H5Dcreate2(file_, n.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose);
  if (!ds.ok()) throw DataError(path_, n, "cannot create the dataset");
  if (!values.empty() &&
      H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    throw DataError(path_, n, "cannot write the strings (disk full?)");
}

namespace {

/// Creates (replacing) a scalar attribute of `filetype` and writes `value` from `memtype`.
void write_attr(const std::string& path, hid_t file, const std::string& object,
                const std::string& name, hid_t filetype, hid_t memtype, const void* value) {
  quiet();
  const std::string n = normalize(object);
  if (!object_exists(file, n))
    throw DataError(path, n, "missing (cannot set attribute " + name + ")");
  Handle o = object_handle(H5Oopen(file, n.c_str(), H5P_DEFAULT));
  if (!o.ok()) throw DataError(path, n, "cannot open");
  if (H5Aexists(o.get(), name.c_str()) > 0) H5Adelete(o.get(), name.c_str());
  Handle space = space_handle(H5Screate(H5S_SCALAR));
  Handle acpl = plist_handle(H5Pcreate(H5P_ATTRIBUTE_CREATE));
  if (acpl.ok()) H5Pset_char_encoding(acpl.get(), H5T_CSET_UTF8);
  Handle a = attr_handle(H5Acreate2(o.get(), name.c_str(), filetype, space.get(),
                                    acpl.ok() ? acpl.get() : H5P_DEFAULT, H5P_DEFAULT));
  if (!a.ok()) throw DataError(path, n, "cannot create attribute '" + name + "'");
  if (H5Awrite(a.get(), memtype, value) < 0)
    throw DataError(path, n, "cannot write attribute '" + name + "'");
}

}  // namespace

void Writer::attr(const std::string& object, const std::string& name, const std::string& value) {
  check_open(*this, committed_);
  if (value.find('\0') != std::string::npos)
    throw std::invalid_argument(path_ + ": attribute " + name + " contains a NUL character");
  Handle type = vlen_utf8_type();
  const char* p = value.c_str();
  write_attr(path_, file_, object, name, type.get(), type.get(), &p);
}

void Writer::attr(const std::string& object, const std::string& name, const char* value) {
  attr(object, name, std::string(value == nullptr ? "" : value));
}

void Writer::attr(const std::string& object, const std::string& name, std::int64_t value) {
  check_open(*this, committed_);
  write_attr(path_, file_, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void Writer::attr(const std::string& object, const std::string& name, double value) {
  check_open(*this, committed_);
  write_attr(path_, file_, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Writer::attr(const std::string& object, const std::string& name, const AttrValue& value) {
  switch (value.kind) {
    case AttrValue::Kind::kString:
      attr(object, name, value.s);
      break;
    case AttrValue::Kind::kInt:
      attr(object, name, value.i);
      break;
    case AttrValue::Kind::kFloat:
      attr(object, name, value.f);
      break;
  }
}

void Writer::commit() {
  check_open(*this, committed_);
  quiet();
  auto abandon = [&](const std::string& what, int err) {
    if (file_ >= 0) H5Fclose(file_);
    file_ = -1;
    ::unlink(tmp_.c_str());
    committed_ = true;  // nothing left to do, nor to clean up
    tmp_.clear();
    throw DataError(path_, "", "cannot commit: " + what + (err ? ": " + errno_text(err) : ""));
  };
  if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) abandon("flushing the HDF5 file failed", 0);
  const hid_t f = file_;
  file_ = -1;
  if (H5Fclose(f) < 0) abandon("closing the HDF5 file failed", 0);
  // The data must be on disk before the rename makes it visible under the final name.
  const int fd = ::open(tmp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) abandon("reopening " + tmp_, errno);
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    abandon("fsync of " + tmp_, err);
  }
  ::close(fd);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) abandon("renaming " + tmp_, errno);
  committed_ = true;
  tmp_.clear();
  // Make the rename itself durable. A failure here leaves the new file in place; it is not an
  // error worth losing the data for (some file systems refuse fsync on directories).
  const std::size_t slash = path_.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// ---------------------------------------------------------------------------------------------
// Guarded reads

// Weak: present when the binary is built with a sanitizer (under libFuzzer, its crash handler
// is installed as the death callback and would record the child's contained crash as a finding).
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace detail {

int& guard_depth() {
  thread_local int depth = 0;
  return depth;
}

long open_hdf5_objects() {
  const ssize_t n = H5Fget_obj_count(static_cast<hid_t>(H5F_OBJ_ALL), H5F_OBJ_ALL);
  return n < 0 ? -1 : static_cast<long>(n);
}

/// ADAMANT_HDF5_GUARD_TIMEOUT (seconds, > 0), default 120.
static double guard_timeout_seconds() {
  const char* env = std::getenv("ADAMANT_HDF5_GUARD_TIMEOUT");
  if (env == nullptr || *env == '\0') return 120;
  char* end = nullptr;
  const double v = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(v > 0) || !std::isfinite(v))
    throw std::invalid_argument("ADAMANT_HDF5_GUARD_TIMEOUT='" + std::string(env) +
                                "': expected a positive number of seconds");
  return v;
}

void rehearse(const std::string& path, const std::function<void()>& dry_run) {
  const char* env = std::getenv("ADAMANT_HDF5_GUARD");
  if (env != nullptr && std::strcmp(env, "0") == 0) return;
  const double stall = guard_timeout_seconds();  // before the fork: it may throw
  void* mem =
      ::mmap(nullptr, sizeof(TracePage), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return;  // cannot isolate the read: it runs in this process only
  auto* page = new (mem) TracePage();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child: quiet, with the default fatal-signal actions (no crash handler of the parent's,
    // such as libFuzzer's, may report what is contained here), and never flushing or closing
    // anything of the parent's (_exit, not exit).
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(sig, SIG_DFL);
    if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(nullptr);
    g_trace = page;
    guard_depth() = 1;
    try {
      dry_run();
    } catch (...) {  // the read in this process throws it again, with its own type
    }
    ::_exit(0);
  }
  if (pid < 0) {
    ::munmap(mem, sizeof(TracePage));
    return;  // no child (process limit): read in this process only
  }
  // Wait for the child, polling (from 20 us, doubling up to 10 ms) so that a child that makes no
  // progress — the same Reader call running for `stall` seconds, as libhdf5 does when it loops
  // on some corrupt global heaps — is killed instead of hanging this process too.
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_progress = Clock::now();
  int last_calls = 0;
  long pause_us = 20;
  int status = 0;
  pid_t waited = 0;
  bool stalled = false;
  while (true) {
    waited = ::waitpid(pid, &status, WNOHANG);
    if (waited == pid || (waited < 0 && errno != EINTR)) break;
    const int calls = __atomic_load_n(&page->calls, __ATOMIC_RELAXED);
    const Clock::time_point now = Clock::now();
    if (calls != last_calls) {
      last_calls = calls;
      last_progress = now;
    } else if (std::chrono::duration<double>(now - last_progress).count() > stall) {
      ::kill(pid, SIGKILL);
      do {
        waited = ::waitpid(pid, &status, 0);
      } while (waited < 0 && errno == EINTR);
      stalled = true;
      break;
    }
    ::usleep(static_cast<useconds_t>(pause_us));
    pause_us = std::min(pause_us * 2, 10000L);
  }
  const TracePage seen = *page;
  ::munmap(mem, sizeof(TracePage));
  const std::string object(seen.object, strnlen(seen.object, sizeof seen.object));
  const std::string attr(seen.attr, strnlen(seen.attr, sizeof seen.attr));
  const std::string where = attr.empty() ? std::string() : "attribute '" + attr + "': ";
  if (stalled)
    throw DataError(path, object,
                    where + "reading it made no progress for " + format_double(stall) +
                        " s (libhdf5 loops on some corrupt files): the file is corrupt, or set "
                        "ADAMANT_HDF5_GUARD_TIMEOUT to more seconds");
  if (waited < 0) return;  // reaped elsewhere (SIGCHLD ignored): nothing is known
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (seen.depth <= 0) return;  // not inside libhdf5: let the read here show the fault
  const std::string how = WIFSIGNALED(status)
                              ? std::string(strsignal(WTERMSIG(status)))
                              : "exit status " + std::to_string(WEXITSTATUS(status));
  throw DataError(path, object,
                  where + "the HDF5 library crashed reading it (" + how +
                      "): the file is corrupt (adamant reads each file in a child process "
                      "first, so only that process ended)");
}

}  // namespace detail

}  // namespace adamant::datasets
