// Bindings of core/hyper.hpp: problems with exact Hessian-vector products and the unroll in
// forward and reverse mode. adamant/hyper.py puts the documented Python API in front.

#include <pybind11/eigen.h>
#include <pybind11/stl.h>

#include "adamant/core/hyper.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace ac = adamant::core;
namespace ah = adamant::core::hyper;

namespace adamant::python {
namespace {

using CArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

std::size_t check_theta(const ah::Problem& p, const CArray& theta, const char* what) {
  if (theta.ndim() != 1 || static_cast<std::size_t>(theta.shape(0)) != p.dim())
    throw std::invalid_argument(std::string(what) + " must have shape (" + std::to_string(p.dim()) +
                                ",) for " + p.describe());
  return p.dim();
}

Eigen::MatrixXd to_matrix(const CArray& a, const char* what) {
  if (a.ndim() == 1) {
    Eigen::MatrixXd m(a.shape(0), 1);
    for (py::ssize_t i = 0; i < a.shape(0); ++i) m(i, 0) = a.at(i);
    return m;
  }
  if (a.ndim() != 2) throw std::invalid_argument(std::string(what) + " must be 1-D or 2-D");
  Eigen::MatrixXd m(a.shape(0), a.shape(1));
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j) m(i, j) = a.at(i, j);
  return m;
}

}  // namespace

void bind_hyper(py::module_& m) {
  py::class_<ah::Problem, std::shared_ptr<ah::Problem>>(
      m, "Problem", "A twice-differentiable objective with exact Hessian-vector products")
      .def_property_readonly("dim", &ah::Problem::dim)
      .def(
          "value",
          [](const ah::Problem& p, const CArray& theta) {
            check_theta(p, theta, "theta");
            return p.value(theta.data(), nullptr);
          },
          py::arg("theta"), "f(theta)")
      .def(
          "gradient",
          [](const ah::Problem& p, const CArray& theta) {
            const std::size_t n = check_theta(p, theta, "theta");
            py::array_t<double> g(static_cast<py::ssize_t>(n));
            p.value(theta.data(), g.mutable_data());
            return g;
          },
          py::arg("theta"), "the gradient of f at theta")
      .def(
          "hvp",
          [](const ah::Problem& p, const CArray& theta, const CArray& u) {
            const std::size_t n = check_theta(p, theta, "theta");
            if (u.ndim() == 1) {
              check_theta(p, u, "u");
              py::array_t<double> hu(static_cast<py::ssize_t>(n));
              p.hvp(theta.data(), u.data(), hu.mutable_data(), 1);
              return hu;
            }
            if (u.ndim() != 2 || static_cast<std::size_t>(u.shape(0)) != n)
              throw std::invalid_argument("u must have shape (" + std::to_string(n) + ",) or (" +
                                          std::to_string(n) + ", k)");
            py::array_t<double> hu({u.shape(0), u.shape(1)});
            p.hvp(theta.data(), u.data(), hu.mutable_data(), static_cast<std::size_t>(u.shape(1)));
            return hu;
          },
          py::arg("theta"), py::arg("u"),
          "H(theta) @ u, exact; u of shape (n,) or (n, k) (k directions as columns)")
      .def("__repr__", &ah::Problem::describe);

  m.def(
      "rosenbrock", [](int dim) { return std::shared_ptr<ah::Problem>(ah::rosenbrock(dim)); },
      py::arg("dim") = 2);
  m.def(
      "test_problem",
      [](const std::string& name) -> std::shared_ptr<ah::Problem> {
        for (auto& p : ac::standard_problems<double>())
          if (p->name() == name)
            return ah::from_test_problem(std::shared_ptr<const ac::Problem<double>>(std::move(p)));
        throw std::invalid_argument("unknown test problem '" + name +
                                    "' (known: quadratic, rosenbrock, saddle, ridge, huber)");
      },
      py::arg("name"));
  m.def(
      "mlp_problem",
      [](const std::vector<int>& layers, const std::string& activation, const std::string& output,
         const CArray& x, const CArray& y, const std::string& loss) {
        ac::MlpSpec spec;
        spec.layer_sizes = layers;
        spec.hidden = ac::parse_activation(activation);
        spec.output = ac::parse_activation(output);
        if (x.ndim() != 2) throw std::invalid_argument("X must be 2-D (samples, features)");
        return std::shared_ptr<ah::Problem>(
            ah::mlp_problem(spec, to_matrix(x, "X"), to_matrix(y, "y"), ah::parse_loss(loss)));
      },
      py::arg("layers"), py::arg("activation"), py::arg("output"), py::arg("X"), py::arg("y"),
      py::arg("loss"));

  py::class_<ah::UnrollResult>(m, "UnrollResult")
      .def_readonly("theta", &ah::UnrollResult::theta)
      .def_readonly("meta_loss", &ah::UnrollResult::meta_loss)
      .def_readonly("grad", &ah::UnrollResult::grad)
      .def_readonly("grad_theta0", &ah::UnrollResult::grad_theta0)
      .def_readonly("gradient_evals", &ah::UnrollResult::gradient_evals)
      .def_readonly("hvp_directions", &ah::UnrollResult::hvp_directions)
      .def_readonly("peak_bytes", &ah::UnrollResult::peak_bytes)
      .def_readonly("checkpoint_every", &ah::UnrollResult::checkpoint_every);

  m.def(
      "unroll",
      [](const std::shared_ptr<ah::Problem>& problem, const CArray& theta0, const std::string& rule,
         const std::vector<std::pair<std::string, double>>& fields, std::int64_t steps,
         std::optional<ac::Schedule> schedule, const std::shared_ptr<ah::Problem>& meta,
         const std::string& mode, std::vector<std::string> wrt, double clip_grad_norm,
         std::int64_t checkpoint_every) {
        if (!problem) throw std::invalid_argument("problem is None");
        check_theta(*problem, theta0, "theta0");
        ah::UnrollOptions o;
        o.rule = ac::rule_options(rule);
        for (const auto& [name, v] : fields)
          if (!ac::set_field(o.rule, name, v))
            throw std::invalid_argument(ac::rule_name(o.rule) + " has no option '" + name + "'");
        o.steps = steps;
        o.schedule = std::move(schedule);
        o.mode = ah::parse_mode(mode);
        o.wrt = std::move(wrt);
        o.clip_grad_norm = clip_grad_norm;
        o.checkpoint_every = checkpoint_every;
        const Eigen::Map<const Eigen::VectorXd> th(theta0.data(), theta0.shape(0));
        py::gil_scoped_release release;
        return ah::unroll(*problem, th, o, meta.get());
      },
      py::arg("problem"), py::arg("theta0"), py::arg("rule"), py::arg("fields"), py::arg("steps"),
      py::arg("schedule"), py::arg("meta"), py::arg("mode"), py::arg("wrt"),
      py::arg("clip_grad_norm"), py::arg("checkpoint_every"));
  m.def(
      "real_fields",
      [](const std::string& rule) { return ah::real_fields(ac::rule_options(rule)); },
      py::arg("rule"), "The differentiable hyper-parameters of a rule, in field order");
}

}  // namespace adamant::python
