// adamant._core: the one pybind11 extension. Each module's bindings live in bind_<module>.cpp;
// this file only assembles them into submodules.

#include <pybind11/pybind11.h>

#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "adamant's C++ core (use the pure-Python package `adamant` in front of it)";
  m.attr("__version__") = ADAMANT_VERSION;
  pybind11::module_ core = m.def_submodule("core", "optimizers, schedules, clipping");
  adamant::python::bind_core(core);
  pybind11::module_ hyper = m.def_submodule(
      "hyper", "hyper-gradients through whole optimizer runs (forward and reverse mode)");
  adamant::python::bind_hyper(hyper);
  pybind11::module_ datasets = m.def_submodule(
      "datasets", "HDF5 schemas (prices, molecules), text imports, describe, DataError");
  adamant::python::bind_datasets(datasets);
  pybind11::module_ rl = m.def_submodule(
      "rl", "Gymnasium-exact classic-control environments, batched environments, agents");
  adamant::python::bind_rl(rl);
  adamant::python::bind_rl_agents(rl);
  pybind11::module_ finance = m.def_submodule(
      "finance", "estimators, mean-variance problems, efficient frontier, backtest");
  adamant::python::bind_finance(finance);
  pybind11::module_ chem = m.def_submodule(
      "chem", "symmetry functions, Behler-Parrinello potentials, training, molecular dynamics");
  adamant::python::bind_chem(chem);
  pybind11::module_ gan =
      m.def_submodule("gan", "two-player min-max games, game optimizers, dynamics diagnostics");
  adamant::python::bind_gan(gan);
}
