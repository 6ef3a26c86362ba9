// Bindings of adamant::datasets: the prices and molecules schemas, text imports/exports,
// describe(), the element table, and DataError as a Python ValueError subclass carrying .file and
// .object. The pure-Python module adamant.data wraps these in dataclasses.
//
// Arrays read from a file are handed to numpy without a copy: the Eigen matrix is moved into a
// heap object that the numpy array owns through a capsule. Arrays written are converted to
// C-contiguous float64 (int32 for atomic numbers) once, then copied into the C++ structs. File
// work runs with the GIL released.

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/import.hpp"
#include "adamant/datasets/schema.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace ds = adamant::datasets;

namespace adamant::python {
namespace {

using F64Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// A numpy array of `shape` viewing `m`'s memory; the array owns `m` (moved to the heap).
template <typename Matrix>
py::array_t<typename Matrix::Scalar> to_numpy(Matrix&& m, std::vector<py::ssize_t> shape) {
  using M = std::decay_t<Matrix>;
  auto* owned = new M(std::move(m));
  py::capsule owner(owned, [](void* p) { delete static_cast<M*>(p); });
  return py::array_t<typename M::Scalar>(std::move(shape), owned->data(), owner);
}

py::object attr_to_py(const ds::AttrValue& v) {
  switch (v.kind) {
    case ds::AttrValue::Kind::kInt:
      return py::int_(v.i);
    case ds::AttrValue::Kind::kFloat:
      return py::float_(v.f);
    case ds::AttrValue::Kind::kString:
      break;
  }
  return py::str(v.s);
}

ds::AttrValue attr_from_py(const std::string& key, const py::handle& o) {
  ds::AttrValue v;
  if (py::isinstance<py::str>(o)) {
    v.kind = ds::AttrValue::Kind::kString;
    v.s = o.cast<std::string>();
  } else if (py::isinstance<py::float_>(o)) {
    v.kind = ds::AttrValue::Kind::kFloat;
    v.f = o.cast<double>();
  } else if (PyIndex_Check(o.ptr())) {  // int, bool, numpy integers
    v.kind = ds::AttrValue::Kind::kInt;
    v.i = py::int_(py::reinterpret_borrow<py::object>(o)).cast<std::int64_t>();
  } else if (PyFloat_Check(o.ptr()) || py::hasattr(o, "__float__")) {  // numpy floats
    v.kind = ds::AttrValue::Kind::kFloat;
    v.f = py::float_(py::reinterpret_borrow<py::object>(o)).cast<double>();
  } else {
    throw py::type_error("metadata['" + key + "'] must be a str, int or float, got " +
                         py::str(py::type::handle_of(o)).cast<std::string>());
  }
  return v;
}

py::dict metadata_to_py(const std::map<std::string, ds::AttrValue>& m) {
  py::dict d;
  for (const auto& [k, v] : m) d[py::str(k)] = attr_to_py(v);
  return d;
}

std::map<std::string, ds::AttrValue> metadata_from_py(const py::dict& d) {
  std::map<std::string, ds::AttrValue> m;
  for (const auto& [k, v] : d) {
    const std::string key = py::str(k).cast<std::string>();
    m[key] = attr_from_py(key, v);
  }
  return m;
}

// ---- prices ----

py::dict prices_to_py(ds::PricePanel&& p) {
  py::dict d;
  const auto t = static_cast<py::ssize_t>(p.prices.rows());
  const auto n = static_cast<py::ssize_t>(p.prices.cols());
  d["dates"] = p.dates;
  d["tickers"] = p.tickers;
  d["prices"] = to_numpy(std::move(p.prices), {t, n});
  py::dict meta;
  for (const auto& [k, v] : p.metadata) meta[py::str(k)] = v;
  d["metadata"] = meta;
  return d;
}

ds::PricePanel prices_from_py(std::vector<std::string> dates, std::vector<std::string> tickers,
                              const F64Array& prices, const py::dict& metadata) {
  if (prices.ndim() != 2)
    throw py::value_error("prices must be a 2-D array (dates x tickers), got " +
                          std::to_string(prices.ndim()) + " dimensions");
  ds::PricePanel p;
  p.dates = std::move(dates);
  p.tickers = std::move(tickers);
  p.prices = Eigen::Map<const ds::RowMatrixXd>(prices.data(), prices.shape(0), prices.shape(1));
  for (const auto& [k, v] : metadata) {
    const std::string key = py::str(k).cast<std::string>();
    p.metadata[key] = attr_from_py(key, v).to_string();
  }
  return p;
}

// ---- molecules ----

py::dict molecules_to_py(ds::MolecularDataset&& m) {
  const auto f = static_cast<py::ssize_t>(m.num_frames());
  const auto a = static_cast<py::ssize_t>(m.num_atoms());
  py::dict d;
  d["atomic_numbers"] = py::array_t<std::int32_t>(a, m.atomic_numbers.data());
  d["positions"] = to_numpy(std::move(m.positions), {f, a, 3});
  d["energies"] = to_numpy(std::move(m.energies), {f});
  if (m.has_forces())
    d["forces"] = to_numpy(std::move(m.forces), {f, a, 3});
  else
    d["forces"] = py::none();
  d["metadata"] = metadata_to_py(m.metadata);
  return d;
}

/// Checks that `x` is (F, A, 3) or (F, 3A) and returns it as an F × 3A matrix.
ds::RowMatrixXd frames_from_py(const char* name, const F64Array& x, py::ssize_t atoms) {
  const bool ok = (x.ndim() == 3 && x.shape(1) == atoms && x.shape(2) == 3) ||
                  (x.ndim() == 2 && x.shape(1) == 3 * atoms);
  if (!ok) {
    std::string shape = "(";
    for (py::ssize_t k = 0; k < x.ndim(); ++k)
      shape += (k ? ", " : "") + std::to_string(x.shape(k));
    throw py::value_error(std::string(name) + " must have shape (frames, " + std::to_string(atoms) +
                          ", 3) for " + std::to_string(atoms) + " atoms, got " + shape +
                          (x.ndim() == 1 ? ",)" : ")"));
  }
  return Eigen::Map<const ds::RowMatrixXd>(x.data(), x.shape(0), 3 * atoms);
}

}  // namespace

ds::MolecularDataset molecules_from_py(
    const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& z,
    const F64Array& positions, const F64Array& energies, const py::object& forces,
    const py::dict& metadata) {
  if (z.ndim() != 1) throw py::value_error("atomic_numbers must be a 1-D array");
  if (energies.ndim() != 1) throw py::value_error("energies must be a 1-D array");
  ds::MolecularDataset m;
  m.atomic_numbers.assign(z.data(), z.data() + z.size());
  m.positions = frames_from_py("positions", positions, z.size());
  m.energies = Eigen::Map<const Eigen::VectorXd>(energies.data(), energies.size());
  if (!forces.is_none()) m.forces = frames_from_py("forces", forces.cast<F64Array>(), z.size());
  m.metadata = metadata_from_py(metadata);
  return m;
}

py::dict table_dict(const ds::Table& t) {
  py::dict d;
  for (std::size_t i = 0; i < t.names.size(); ++i) d[t.names[i].c_str()] = t.columns[i];
  return d;
}

void bind_datasets(py::module_& m) {
  // ---- errors: DataError is a ValueError carrying .file and .object ----
  static py::exception<ds::DataError> data_error(m, "DataError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ds::DataError& e) {
      py::object err = py::handle(data_error.ptr())(e.what());
      err.attr("file") = e.file();
      err.attr("object") = e.object();
      PyErr_SetObject(data_error.ptr(), err.ptr());
    }
  });

  m.def(
      "read_prices",
      [](const std::string& path) {
        ds::PricePanel p;
        {
          py::gil_scoped_release release;
          p = ds::read_prices(path);
        }
        return prices_to_py(std::move(p));
      },
      py::arg("path"), "Reads a prices file: dict of dates, tickers, prices (T, N), metadata.");
  m.def(
      "import_prices_csv",
      [](const std::string& path) {
        ds::PricePanel p;
        {
          py::gil_scoped_release release;
          p = ds::import_prices_csv(path);
        }
        return prices_to_py(std::move(p));
      },
      py::arg("path"), "Imports a CSV of prices (header date,TICKER,...).");
  m.def(
      "write_prices",
      [](const std::string& path, std::vector<std::string> dates, std::vector<std::string> tickers,
         const F64Array& prices, const py::dict& metadata) {
        const ds::PricePanel p =
            prices_from_py(std::move(dates), std::move(tickers), prices, metadata);
        py::gil_scoped_release release;
        ds::write_prices(path, p);
      },
      py::arg("path"), py::arg("dates"), py::arg("tickers"), py::arg("prices"),
      py::arg("metadata") = py::dict(), "Writes a prices file (atomically).");

  m.def(
      "read_molecules",
      [](const std::string& path) {
        ds::MolecularDataset d;
        {
          py::gil_scoped_release release;
          d = ds::read_molecules(path);
        }
        return molecules_to_py(std::move(d));
      },
      py::arg("path"),
      "Reads a molecules file: dict of atomic_numbers, positions (F, A, 3), energies, forces "
      "(or None), metadata.");
  m.def(
      "import_extxyz",
      [](const std::string& path) {
        ds::MolecularDataset d;
        {
          py::gil_scoped_release release;
          d = ds::import_extxyz(path);
        }
        return molecules_to_py(std::move(d));
      },
      py::arg("path"), "Imports extended XYZ (ASE's format) as a molecules dict.");
  m.def(
      "write_molecules",
      [](const std::string& path,
         const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& z,
         const F64Array& positions, const F64Array& energies, const py::object& forces,
         const py::dict& metadata) {
        const ds::MolecularDataset d = molecules_from_py(z, positions, energies, forces, metadata);
        py::gil_scoped_release release;
        ds::write_molecules(path, d);
      },
      py::arg("path"), py::arg("atomic_numbers"), py::arg("positions"), py::arg("energies"),
      py::arg("forces") = py::none(), py::arg("metadata") = py::dict(),
      "Writes a molecules file (atomically).");
  m.def(
      "export_extxyz",
      [](const std::string& path,
         const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& z,
         const F64Array& positions, const F64Array& energies, const py::object& forces,
         const py::dict& metadata) {
        const ds::MolecularDataset d = molecules_from_py(z, positions, energies, forces, metadata);
        py::gil_scoped_release release;
        ds::export_extxyz(path, d);
      },
      py::arg("path"), py::arg("atomic_numbers"), py::arg("positions"), py::arg("energies"),
      py::arg("forces") = py::none(), py::arg("metadata") = py::dict(),
      "Writes a molecules dataset as extended XYZ (ASE-readable).");

  m.def(
      "describe",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return ds::describe(path);
      },
      py::arg("path"), "A human-readable summary of an HDF5 file.");
  m.def("atomic_number", &ds::atomic_number, py::arg("symbol"),
        "Atomic number of an element symbol (ValueError for an unknown symbol).");
  m.def(
      "element_symbol", [](int z) { return std::string(ds::element_symbol(z)); }, py::arg("z"),
      "Element symbol of an atomic number 1..118.");
  m.def(
      "data_dirs",
      [] {
        return std::vector<std::string>{ADAMANT_SOURCE_DATA_DIR, ADAMANT_INSTALL_DATA_DIR};
      },
      "Where the bundled data files may be: the source tree's datasets/data, then the installed "
      "share/adamant.");
  m.attr("schema_version") = ds::kSchemaVersion;
}

}  // namespace adamant::python
