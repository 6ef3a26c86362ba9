#pragma once
// One binding function per adamant module (bind_<module>.cpp), called from module.cpp.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>

#include "adamant/datasets/schema.hpp"

namespace adamant::python {

void bind_core(pybind11::module_& m);
void bind_datasets(pybind11::module_& m);
void bind_rl(pybind11::module_& m);
void bind_finance(pybind11::module_& m);
void bind_chem(pybind11::module_& m);
void bind_gan(pybind11::module_& m);

// Conversions more than one module's bindings use (defined in bind_datasets.cpp).

/// A table as {column name: float64 array}.
pybind11::dict table_dict(const datasets::Table& t);

/// Molecular data from numpy: atomic numbers (A,), positions and forces (F, A, 3) or (F, 3A),
/// energies (F,), forces None when absent. ValueError names an array of the wrong shape.
datasets::MolecularDataset molecules_from_py(
    const pybind11::array_t<std::int32_t, pybind11::array::c_style | pybind11::array::forcecast>& z,
    const pybind11::array_t<double, pybind11::array::c_style | pybind11::array::forcecast>&
        positions,
    const pybind11::array_t<double, pybind11::array::c_style | pybind11::array::forcecast>&
        energies,
    const pybind11::object& forces, const pybind11::dict& metadata = pybind11::dict());

}  // namespace adamant::python
