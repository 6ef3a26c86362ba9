#pragma once
// One binding function per adamant module (bind_<module>.cpp), called from module.cpp.

#include <pybind11/pybind11.h>

namespace adamant::python {

void bind_core(pybind11::module_& m);
void bind_datasets(pybind11::module_& m);
void bind_rl(pybind11::module_& m);
void bind_finance(pybind11::module_& m);
void bind_chem(pybind11::module_& m);
void bind_gan(pybind11::module_& m);

}  // namespace adamant::python
