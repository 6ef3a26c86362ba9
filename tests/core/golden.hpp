#pragma once
// Reads the reference values in tests/golden/*.h5 for the golden tests.

#include <H5Cpp.h>

#include <string>
#include <vector>

namespace adamant::testing {

inline std::string golden_path(const std::string& file) {
  return std::string(ADAMANT_GOLDEN_DIR) + "/" + file;
}

/// A float64 dataset as (rows, cols, row-major values); a 1-D dataset has cols = 1.
struct Table {
  std::size_t rows = 0, cols = 1;
  std::vector<double> v;
  double operator()(std::size_t r, std::size_t c = 0) const { return v[r * cols + c]; }
};

inline Table read_table(const H5::Group& g, const std::string& name) {
  H5::DataSet ds = g.openDataSet(name);
  H5::DataSpace sp = ds.getSpace();
  hsize_t dims[2] = {0, 1};
  sp.getSimpleExtentDims(dims);
  Table t;
  t.rows = dims[0];
  t.cols = sp.getSimpleExtentNdims() == 2 ? dims[1] : 1;
  t.v.resize(t.rows * t.cols);
  ds.read(t.v.data(), H5::PredType::NATIVE_DOUBLE);
  return t;
}

inline bool has_attr(const H5::H5Object& o, const std::string& name) { return o.attrExists(name); }

inline double attr_double(const H5::H5Object& o, const std::string& name) {
  H5::Attribute a = o.openAttribute(name);
  if (a.getTypeClass() == H5T_INTEGER) {
    long long v = 0;
    a.read(H5::PredType::NATIVE_LLONG, &v);
    return static_cast<double>(v);
  }
  double v = 0;
  a.read(H5::PredType::NATIVE_DOUBLE, &v);
  return v;
}

inline std::vector<double> attr_vector(const H5::H5Object& o, const std::string& name) {
  H5::Attribute a = o.openAttribute(name);
  std::vector<double> v(static_cast<std::size_t>(a.getSpace().getSimpleExtentNpoints()));
  a.read(H5::PredType::NATIVE_DOUBLE, v.data());
  return v;
}

inline bool attr_bool(const H5::H5Object& o, const std::string& name) {
  H5::Attribute a = o.openAttribute(name);
  if (a.getTypeClass() == H5T_ENUM || a.getTypeClass() == H5T_INTEGER) {
    signed char v = 0;  // h5py stores numpy bools as an enum over int8
    a.read(a.getDataType(), &v);
    return v != 0;
  }
  return attr_double(o, name) != 0;
}

inline std::string attr_string(const H5::H5Object& o, const std::string& name) {
  H5::Attribute a = o.openAttribute(name);
  std::string s;
  a.read(a.getStrType(), s);
  return s;
}

inline std::vector<std::string> children(const H5::Group& g) {
  std::vector<std::string> out;
  for (hsize_t i = 0; i < g.getNumObjs(); ++i) out.push_back(g.getObjnameByIdx(i));
  return out;
}

}  // namespace adamant::testing
