#pragma once
// One binding function per adamant module (bind_<module>.cpp), called from module.cpp.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "adamant/core/rules.hpp"

#include "adamant/datasets/schema.hpp"

namespace adamant::python {

void bind_core(pybind11::module_& m);
void bind_hyper(pybind11::module_& m);
void bind_datasets(pybind11::module_& m);
void bind_rl(pybind11::module_& m);
void bind_rl_agents(pybind11::module_& m);
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

/// Properties of `cls` for every field any core rule has (lr, beta1, momentum, eps, amsgrad,
/// ...), generated from the field lists: each reads and writes field `name` of the
/// core::RuleOptions that `rule(obj)` returns; ValueError when the current rule lacks it.
template <typename Class, typename Owner, typename RuleOf>
void def_rule_fields(Class& cls, RuleOf rule) {
  for (const core::RuleField& f : core::all_rule_fields()) {
    const std::string name = f.name;
    const bool boolean = f.boolean;
    cls.def_property(
        name.c_str(),
        [name, boolean, rule](Owner& o) -> pybind11::object {
          const double v = core::get_field(rule(o), name);  // ValueError when the rule lacks it
          if (boolean) return pybind11::bool_(v != 0);
          return pybind11::float_(v);
        },
        [name, rule](Owner& o, double v) {
          if (!core::set_field(rule(o), name, v))
            throw std::invalid_argument(core::rule_name(rule(o)) + " has no option '" + name + "'");
        },
        f.doc.c_str());
  }
}

}  // namespace adamant::python
