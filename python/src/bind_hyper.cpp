// Bindings of core/hyper.hpp: problems with exact Hessian-vector products and the unroll in
// forward and reverse mode. adamant/hyper.py puts the documented Python API in front.

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include "adamant/core/hyper.hpp"
#include "adamant/meta/maml.hpp"
#include "adamant/meta/tune.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace ac = adamant::core;
namespace ah = adamant::core::hyper;
namespace am = adamant::meta;

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

// A problem written in Python: fun(theta) -> (f, grad) and hvp(theta, U) -> H·U (U of shape
// (n, k)). The unroll runs with the GIL released; each call takes it back, checks what came back
// and copies it out, so nothing Python holds is touched without the GIL.
class PythonProblem final : public ah::Problem {
 public:
  PythonProblem(py::function fun, py::function hvp, std::size_t dim, std::string name)
      : fun_(std::move(fun)), hvp_(std::move(hvp)), dim_(dim), name_(std::move(name)) {
    if (dim_ == 0) throw std::invalid_argument("problem: dim must be >= 1");
  }
  ~PythonProblem() override {
    py::gil_scoped_acquire gil;
    fun_ = py::function();
    hvp_ = py::function();
  }
  std::string describe() const override { return name_; }
  std::size_t dim() const override { return dim_; }
  double value(const double* theta, double* grad) const override {
    py::gil_scoped_acquire gil;
    py::object r = fun_(vector(theta));
    py::tuple t;
    if (!py::isinstance<py::tuple>(r) || (t = r.cast<py::tuple>()).size() != 2)
      throw std::invalid_argument(name_ + ": fun(theta) must return (f, grad), got " +
                                  py::str(r.get_type()).cast<std::string>());
    const double f = t[0].cast<double>();
    if (grad != nullptr) {
      const CArray g = CArray::ensure(t[1]);
      if (!g || g.ndim() != 1 || static_cast<std::size_t>(g.shape(0)) != dim_)
        throw std::invalid_argument(name_ + ": fun(theta) returned a gradient that is not of " +
                                    "shape (" + std::to_string(dim_) + ",)");
      std::copy(g.data(), g.data() + dim_, grad);
    }
    return f;
  }
  void hvp(const double* theta, const double* u, double* hu, std::size_t k) const override {
    py::gil_scoped_acquire gil;
    py::array_t<double> U({static_cast<py::ssize_t>(dim_), static_cast<py::ssize_t>(k)});
    std::copy(u, u + dim_ * k, U.mutable_data());
    const CArray r = CArray::ensure(hvp_(vector(theta), U));
    const bool one = k == 1 && r && r.ndim() == 1 && static_cast<std::size_t>(r.shape(0)) == dim_;
    if (!one && (!r || r.ndim() != 2 || static_cast<std::size_t>(r.shape(0)) != dim_ ||
                 static_cast<std::size_t>(r.shape(1)) != k))
      throw std::invalid_argument(name_ + ": hvp(theta, U) must return an array of U's shape (" +
                                  std::to_string(dim_) + ", " + std::to_string(k) + ")");
    std::copy(r.data(), r.data() + dim_ * k, hu);
  }

 private:
  py::array_t<double> vector(const double* theta) const {
    py::array_t<double> a(static_cast<py::ssize_t>(dim_));
    std::copy(theta, theta + dim_, a.mutable_data());
    return a;
  }
  py::function fun_, hvp_;
  std::size_t dim_;
  std::string name_;
};

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

  m.def(
      "python_problem",
      [](py::function fun, py::function hvp, std::size_t dim, std::string name) {
        return std::shared_ptr<ah::Problem>(
            std::make_shared<PythonProblem>(std::move(fun), std::move(hvp), dim, std::move(name)));
      },
      py::arg("fun"), py::arg("hvp"), py::arg("dim"), py::arg("name"));

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
         std::int64_t checkpoint_every, std::vector<ac::ParamGroup> groups, double clip_grad_value,
         double clip_update_value) {
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
        o.groups = std::move(groups);
        o.clip_grad_value = clip_grad_value;
        o.clip_update_value = clip_update_value;
        const Eigen::Map<const Eigen::VectorXd> th(theta0.data(), theta0.shape(0));
        py::gil_scoped_release release;
        return ah::unroll(*problem, th, o, meta.get());
      },
      py::arg("problem"), py::arg("theta0"), py::arg("rule"), py::arg("fields"), py::arg("steps"),
      py::arg("schedule"), py::arg("meta"), py::arg("mode"), py::arg("wrt"),
      py::arg("clip_grad_norm"), py::arg("checkpoint_every"), py::arg("groups"),
      py::arg("clip_grad_value"), py::arg("clip_update_value"));
  m.def(
      "real_fields",
      [](const std::string& rule) { return ah::real_fields(ac::rule_options(rule)); },
      py::arg("rule"), "The differentiable hyper-parameters of a rule, in field order");

  // ---- learning the optimizer, MAML (meta/) ----
  py::class_<am::TuneEval>(m, "TuneEval")
      .def_readonly("name", &am::TuneEval::name)
      .def_property_readonly("rule", [](const am::TuneEval& e) { return ac::describe(e.rule); })
      .def_property_readonly("hyper",
                             [](const am::TuneEval& e) {
                               py::dict d;
                               for (const std::string& f : ac::field_names(e.rule))
                                 d[f.c_str()] = ac::get_field(e.rule, f);
                               return d;
                             })
      .def_readonly("mean", &am::TuneEval::mean)
      .def_readonly("stderr", &am::TuneEval::stderr_mean);
  py::class_<am::TuneResult>(m, "TuneResult")
      .def_property_readonly("tuned", [](const am::TuneResult& r) { return r.options.tuned; })
      .def_readonly("theta0", &am::TuneResult::theta0)
      .def_readonly("meta_loss", &am::TuneResult::meta_loss)
      .def_readonly("path", &am::TuneResult::path)
      .def_readonly("grid_lr", &am::TuneResult::grid_lr)
      .def_readonly("grid_beta1", &am::TuneResult::grid_beta1)
      .def_readonly("grid_loss", &am::TuneResult::grid_loss)
      .def_readonly("evals", &am::TuneResult::evals)
      .def_readonly("inner_runs_tuning", &am::TuneResult::inner_runs_tuning)
      .def_readonly("inner_runs_grid", &am::TuneResult::inner_runs_grid)
      .def_readonly("seconds_tuning", &am::TuneResult::seconds_tuning)
      .def_readonly("seconds_grid", &am::TuneResult::seconds_grid)
      .def(
          "write",
          [](const am::TuneResult& r, const std::string& path) { am::write_tune(path, r); },
          py::arg("path"), "HDF5 study (schema hyper_tune)")
      .def(
          "plot", [](const am::TuneResult& r, const std::string& png) { am::plot_tune(r, png); },
          py::arg("png"), "meta-loss and hyper-parameter paths");
  m.def("read_tune", &am::read_tune, py::arg("path"));
  m.def(
      "tune",
      [](const std::string& rule, const std::vector<std::pair<std::string, double>>& fields,
         std::vector<std::string> tuned, std::int64_t inner_steps, int outer_steps,
         int tasks_per_step, double outer_lr, int eval_tasks, int shots, std::uint64_t seed,
         const std::vector<int>& hidden, const std::string& activation,
         const std::function<void(const std::string&)>& progress) {
        am::TuneOptions o;
        o.start = ac::rule_options(rule);
        for (const auto& [name, v] : fields)
          if (!ac::set_field(o.start, name, v))
            throw std::invalid_argument(ac::rule_name(o.start) + " has no option '" + name + "'");
        o.tuned = std::move(tuned);
        o.inner_steps = inner_steps;
        o.outer_steps = outer_steps;
        o.tasks_per_step = tasks_per_step;
        o.outer_lr = outer_lr;
        o.eval_tasks = eval_tasks;
        o.tasks.train_points = shots;
        o.seed = seed;
        o.net.layer_sizes = {1};
        for (int h : hidden) o.net.layer_sizes.push_back(h);
        o.net.layer_sizes.push_back(1);
        o.net.hidden = ac::parse_activation(activation);
        py::gil_scoped_release release;  // the callback takes the GIL back for each line
        return am::tune(o, progress ? [&](const std::string& line) {
          py::gil_scoped_acquire gil;
          progress(line);
        } : std::function<void(const std::string&)>());
      },
      py::arg("rule"), py::arg("fields"), py::arg("tuned"), py::arg("inner_steps"),
      py::arg("outer_steps"), py::arg("tasks_per_step"), py::arg("outer_lr"), py::arg("eval_tasks"),
      py::arg("shots"), py::arg("seed"), py::arg("hidden"), py::arg("activation"),
      py::arg("progress"));

  py::class_<am::MamlMethod>(m, "MamlMethod")
      .def_readonly("name", &am::MamlMethod::name)
      .def_readonly("theta0", &am::MamlMethod::theta0)
      .def_readonly("curve", &am::MamlMethod::curve)
      .def_readonly("mse_before", &am::MamlMethod::mse_before)
      .def_readonly("se_before", &am::MamlMethod::se_before)
      .def_readonly("mse_after", &am::MamlMethod::mse_after)
      .def_readonly("se_after", &am::MamlMethod::se_after)
      .def_readonly("seconds", &am::MamlMethod::seconds);
  py::class_<am::MamlResult>(m, "MamlResult")
      .def_readonly("init", &am::MamlResult::init)
      .def_readonly("methods", &am::MamlResult::methods)
      .def(
          "write",
          [](const am::MamlResult& r, const std::string& path) { am::write_maml(path, r); },
          py::arg("path"), "HDF5 study (schema hyper_maml)")
      .def(
          "plot", [](const am::MamlResult& r, const std::string& png) { am::plot_maml(r, png); },
          py::arg("png"), "three held-out tasks, adapted");
  m.def("read_maml", &am::read_maml, py::arg("path"));
  m.def(
      "maml",
      [](const std::string& rule, const std::vector<std::pair<std::string, double>>& fields,
         std::int64_t inner_steps, int iterations, int meta_batch, double outer_lr, int shots,
         int query, int eval_tasks, int eval_points, std::uint64_t seed,
         const std::vector<int>& hidden, const std::string& activation,
         const std::function<void(const std::string&)>& progress) {
        am::MamlOptions o;
        o.inner = ac::rule_options(rule);
        for (const auto& [name, v] : fields)
          if (!ac::set_field(o.inner, name, v))
            throw std::invalid_argument(ac::rule_name(o.inner) + " has no option '" + name + "'");
        o.inner_steps = inner_steps;
        o.iterations = iterations;
        o.meta_batch = meta_batch;
        o.outer_lr = outer_lr;
        o.tasks.train_points = shots;
        o.tasks.val_points = query;
        o.eval_tasks = eval_tasks;
        o.eval_points = eval_points;
        o.seed = seed;
        o.net.layer_sizes = {1};
        for (int h : hidden) o.net.layer_sizes.push_back(h);
        o.net.layer_sizes.push_back(1);
        o.net.hidden = ac::parse_activation(activation);
        py::gil_scoped_release release;
        return am::run_maml(o, progress ? [&](const std::string& line) {
          py::gil_scoped_acquire gil;
          progress(line);
        } : std::function<void(const std::string&)>());
      },
      py::arg("rule"), py::arg("fields"), py::arg("inner_steps"), py::arg("iterations"),
      py::arg("meta_batch"), py::arg("outer_lr"), py::arg("shots"), py::arg("query"),
      py::arg("eval_tasks"), py::arg("eval_points"), py::arg("seed"), py::arg("hidden"),
      py::arg("activation"), py::arg("progress"));
}

}  // namespace adamant::python
