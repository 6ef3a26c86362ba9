// Bindings of adamant::gan: games (vector field, Jacobian, objectives), game optimizers stepping
// a float64 numpy array in place, diagnostics, and the method-comparison study. The friendly
// keyword API is in the pure-Python module adamant.gan.

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "adamant/gan/games.hpp"
#include "adamant/gan/mixture.hpp"
#include "adamant/gan/optimizers.hpp"
#include "adamant/gan/study.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace gan = adamant::gan;

namespace adamant::python {
namespace {

using Game = gan::Game<double>;
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

py::object attr_value(const datasets::AttrValue& v) {
  switch (v.kind) {
    case datasets::AttrValue::Kind::kInt:
      return py::int_(v.i);
    case datasets::AttrValue::Kind::kFloat:
      return py::float_(v.f);
    default:
      return py::str(v.s);
  }
}

py::dict trajectory_dict(const datasets::Trajectory& t) {
  py::dict d;
  d["game"] = t.game;
  d["method"] = t.method;
  d["iterates"] = t.iterates;
  d["metrics"] = table_dict(t.metrics);
  return d;
}

}  // namespace

void bind_gan(py::module_& m) {
  py::enum_<gan::GanLoss>(m, "GanLoss")
      .value("standard", gan::GanLoss::kStandard)
      .value("nonsaturating", gan::GanLoss::kNonSaturating)
      .value("wasserstein", gan::GanLoss::kWasserstein);
  m.def("parse_gan_loss", &gan::parse_gan_loss, py::arg("name"));
  py::enum_<gan::Scheme>(m, "Scheme")
      .value("simultaneous", gan::Scheme::kSimultaneous)
      .value("alternating", gan::Scheme::kAlternating)
      .value("optimistic", gan::Scheme::kOptimistic)
      .value("extragradient", gan::Scheme::kExtragradient)
      .value("past", gan::Scheme::kPastExtragradient)
      .value("consensus", gan::Scheme::kConsensus)
      .value("sga", gan::Scheme::kSga);
  m.def("parse_scheme", &gan::parse_scheme, py::arg("name"));
  py::enum_<gan::Averaging>(m, "Averaging")
      .value("none", gan::Averaging::kNone)
      .value("uniform", gan::Averaging::kUniform)
      .value("ema", gan::Averaging::kEma);

  py::class_<Game>(m, "Game", "a two-player game over z = (x, y); xi = (grad_x f_x, -grad_y f_y)")
      .def_property_readonly("name", &Game::name)
      .def_property_readonly("dim", &Game::dim)
      .def_property_readonly("x_dim", &Game::x_dim)
      .def_property_readonly("has_jacobian", &Game::has_jacobian)
      .def_property_readonly("has_equilibrium", &Game::has_equilibrium)
      .def(
          "vector_field",
          [](Game& g, const Eigen::VectorXd& z) {
            Eigen::VectorXd xi(g.dim());
            g.vector_field(z, xi);
            return xi;
          },
          py::arg("z"))
      .def(
          "jacobian",
          [](Game& g, const Eigen::VectorXd& z) {
            Eigen::MatrixXd j(g.dim(), g.dim());
            g.jacobian(z, j);
            return RowMatrixXd(j);
          },
          py::arg("z"))
      .def("equilibrium", &Game::equilibrium)
      .def("next_batch", &Game::next_batch)
      .def(
          "objectives",
          [](Game& g, const Eigen::VectorXd& z) {
            double fx = 0, fy = 0;
            g.objectives(z, &fx, &fy);
            return py::make_tuple(fx, fy);
          },
          py::arg("z"))
      .def("clone", &Game::clone);

  py::class_<gan::BilinearOptions>(m, "BilinearOptions")
      .def(py::init<>())
      .def_readwrite("A", &gan::BilinearOptions::A)
      .def_readwrite("B", &gan::BilinearOptions::B)
      .def_readwrite("C", &gan::BilinearOptions::C)
      .def_readwrite("b", &gan::BilinearOptions::b)
      .def_readwrite("c", &gan::BilinearOptions::c)
      .def("validate", &gan::BilinearOptions::validate);
  py::class_<gan::BilinearGame<double>, Game>(m, "BilinearGame")
      .def(py::init<gan::BilinearOptions>(), py::arg("options"));

  py::class_<gan::DiracOptions>(m, "DiracOptions")
      .def(py::init<>())
      .def_readwrite("loss", &gan::DiracOptions::loss)
      .def_readwrite("gamma", &gan::DiracOptions::gamma)
      .def_readwrite("instance_noise", &gan::DiracOptions::instance_noise)
      .def("validate", &gan::DiracOptions::validate);
  py::class_<gan::DiracGan<double>, Game>(m, "DiracGan")
      .def(py::init<gan::DiracOptions>(), py::arg("options"));

  py::class_<gan::MixtureOptions>(m, "MixtureOptions")
      .def(py::init<>())
      .def_property(
          "mixture",
          [](const gan::MixtureOptions& o) { return std::string(gan::to_string(o.mixture)); },
          [](gan::MixtureOptions& o, const std::string& s) { o.mixture = gan::parse_mixture(s); })
      .def_readwrite("latent_dim", &gan::MixtureOptions::latent_dim)
      .def_readwrite("generator_hidden", &gan::MixtureOptions::generator_hidden)
      .def_readwrite("discriminator_hidden", &gan::MixtureOptions::discriminator_hidden)
      .def_property(
          "activation",
          [](const gan::MixtureOptions& o) { return std::string(core::to_string(o.activation)); },
          [](gan::MixtureOptions& o, const std::string& s) {
            o.activation = core::parse_activation(s);
          })
      .def_readwrite("batch_size", &gan::MixtureOptions::batch_size)
      .def_readwrite("loss", &gan::MixtureOptions::loss)
      .def_readwrite("instance_noise", &gan::MixtureOptions::instance_noise)
      .def_readwrite("gamma", &gan::MixtureOptions::gamma)
      .def_readwrite("seed", &gan::MixtureOptions::seed)
      .def("validate", &gan::MixtureOptions::validate);
  py::class_<gan::MixtureGan<double>, Game>(m, "MixtureGan")
      .def(py::init<gan::MixtureOptions>(), py::arg("options"))
      .def("initial_point", &gan::MixtureGan<double>::initial_point)
      .def(
          "sample",
          [](const gan::MixtureGan<double>& g, const Eigen::VectorXd& z, int n,
             std::uint64_t seed) { return RowMatrixXd(g.sample(z, n, seed)); },
          py::arg("z"), py::arg("n"), py::arg("seed") = 0)
      .def_property_readonly("real",
                             [](const gan::MixtureGan<double>& g) { return RowMatrixXd(g.real()); })
      .def_property_readonly(
          "latent", [](const gan::MixtureGan<double>& g) { return RowMatrixXd(g.latent()); })
      .def_property_readonly(
          "generator_size",
          [](const gan::MixtureGan<double>& g) { return g.generator().num_parameters(); })
      .def_property_readonly("discriminator_size", [](const gan::MixtureGan<double>& g) {
        return g.discriminator().num_parameters();
      });
  m.def(
      "mixture_modes",
      [](const std::string& s) { return RowMatrixXd(gan::mixture_modes(gan::parse_mixture(s))); },
      py::arg("mixture"));
  m.def(
      "mixture_sigma",
      [](const std::string& s) { return gan::mixture_sigma(gan::parse_mixture(s)); },
      py::arg("mixture"));
  m.def(
      "mode_stats",
      [](const std::string& mixture,
         const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>& samples,
         double min_share) {
        const gan::ModeStats s = gan::mode_stats(gan::parse_mixture(mixture), samples, min_share);
        return py::make_tuple(s.modes_captured, s.num_modes, s.high_quality_share);
      },
      py::arg("mixture"), py::arg("samples"), py::arg("min_share") = 0.01);

  py::class_<gan::PlayerOptions> player(m, "PlayerOptions");
  player.def(py::init<>())
      .def_property(
          "rule", [](const gan::PlayerOptions& p) { return p.name; },
          [](gan::PlayerOptions& p, const std::string& name) { p.use(name); },
          "a rule name of the core's table (setting it resets the rule's options but lr)")
      .def_readwrite("options", &gan::PlayerOptions::rule,
                     "the rule's options (an adamant.core options object)")
      .def("validate", &gan::PlayerOptions::validate)
      .def("describe", &gan::PlayerOptions::describe);
  // lr, momentum, beta1, beta2, eps, ...: generated from the core's field lists.
  def_rule_fields<decltype(player), gan::PlayerOptions>(
      player, [](gan::PlayerOptions& p) -> core::RuleOptions& { return p.rule; });
  py::class_<gan::GameOptimizerOptions>(m, "GameOptimizerOptions")
      .def(py::init<>())
      .def_readwrite("scheme", &gan::GameOptimizerOptions::scheme)
      .def_readwrite("x", &gan::GameOptimizerOptions::x)
      .def_readwrite("y", &gan::GameOptimizerOptions::y)
      .def_readwrite("n_d", &gan::GameOptimizerOptions::n_d)
      .def_readwrite("gamma", &gan::GameOptimizerOptions::gamma)
      .def_readwrite("lambda_", &gan::GameOptimizerOptions::lambda)
      .def_readwrite("averaging", &gan::GameOptimizerOptions::averaging)
      .def_readwrite("ema_beta", &gan::GameOptimizerOptions::ema_beta)
      .def("validate", &gan::GameOptimizerOptions::validate)
      .def("describe", &gan::GameOptimizerOptions::describe);
  py::class_<gan::GameOptimizer<double>>(m, "GameOptimizer")
      .def(py::init<const gan::GameOptimizerOptions&, Eigen::Index, Eigen::Index>(),
           py::arg("options"), py::arg("dim"), py::arg("x_dim"))
      .def("step", &gan::GameOptimizer<double>::step, py::arg("game"), py::arg("z"),
           "one step; z (float64, contiguous) is updated in place")
      .def_property_readonly("average", &gan::GameOptimizer<double>::average)
      .def_property_readonly("steps", &gan::GameOptimizer<double>::steps)
      .def_property_readonly("evaluations", &gan::GameOptimizer<double>::evaluations);
  m.def("method_preset", &gan::method_preset, py::arg("name"), py::arg("lr_sgd"),
        py::arg("lr_adam"), py::arg("lr_ratio") = 1.0);
  m.def("method_names", &gan::method_names);
  m.def("jacobian_eigenvalues", &gan::jacobian_eigenvalues, py::arg("game"), py::arg("z"));
  m.def("hamiltonian", &gan::hamiltonian, py::arg("game"), py::arg("z"));
  m.def("update_eigenvalues", &gan::update_eigenvalues, py::arg("game"), py::arg("options"),
        py::arg("z"), py::arg("h") = 1e-6);

  py::class_<gan::StudyOptions>(m, "StudyOptions")
      .def(py::init<>())
      .def_readwrite("game", &gan::StudyOptions::game)
      .def_readwrite("methods", &gan::StudyOptions::methods)
      .def_readwrite("steps", &gan::StudyOptions::steps)
      .def_readwrite("lr_sgd", &gan::StudyOptions::lr_sgd)
      .def_readwrite("lr_adam", &gan::StudyOptions::lr_adam)
      .def_readwrite("lr_ratio", &gan::StudyOptions::lr_ratio)
      .def_readwrite("n_d", &gan::StudyOptions::n_d)
      .def_readwrite("consensus_gamma", &gan::StudyOptions::consensus_gamma)
      .def_readwrite("sga_lambda", &gan::StudyOptions::sga_lambda)
      .def_readwrite("dirac", &gan::StudyOptions::dirac)
      .def_readwrite("bilinear", &gan::StudyOptions::bilinear)
      .def_readwrite("mixture", &gan::StudyOptions::mixture)
      .def_readwrite("start", &gan::StudyOptions::start)
      .def_readwrite("eigen_every", &gan::StudyOptions::eigen_every)
      .def_readwrite("snapshots", &gan::StudyOptions::snapshots)
      .def_readwrite("eval_samples", &gan::StudyOptions::eval_samples)
      .def_readwrite("curve_points", &gan::StudyOptions::curve_points)
      .def_readwrite("num_threads", &gan::StudyOptions::num_threads)
      .def("validate", &gan::StudyOptions::validate);
  py::class_<gan::MethodRun>(m, "MethodRun")
      .def_readonly("name", &gan::MethodRun::name)
      .def_readonly("options", &gan::MethodRun::options)
      .def_property_readonly("iterates",
                             [](const gan::MethodRun& r) { return r.trajectory.iterates; })
      .def_property_readonly(
          "metrics", [](const gan::MethodRun& r) { return table_dict(r.trajectory.metrics); })
      .def_readonly("eigen_steps", &gan::MethodRun::eigen_steps)
      .def_readonly("eigenvalues", &gan::MethodRun::eigenvalues)
      .def_readonly("update_eigenvalues", &gan::MethodRun::update_eigenvalues)
      .def_readonly("snapshot_steps", &gan::MethodRun::snapshot_steps)
      .def_readonly("snapshots", &gan::MethodRun::snapshots)
      .def_property_readonly("curve", [](const gan::MethodRun& r) { return table_dict(r.curve); })
      .def_readonly("modes_late", &gan::MethodRun::modes_late)
      .def_readonly("high_quality_late", &gan::MethodRun::high_quality_late)
      .def_readonly("evaluations", &gan::MethodRun::evaluations)
      .def_readonly("final_distance", &gan::MethodRun::final_distance)
      .def_readonly("avg_distance", &gan::MethodRun::avg_distance)
      .def_readonly("rate", &gan::MethodRun::rate)
      .def_readonly("modes", &gan::MethodRun::modes)
      .def_readonly("high_quality", &gan::MethodRun::high_quality)
      .def_readonly("diverged", &gan::MethodRun::diverged)
      .def_readonly("wall_seconds", &gan::MethodRun::wall_seconds);
  py::class_<gan::StudyResult>(m, "StudyResult")
      .def_readonly("options", &gan::StudyResult::options)
      .def_readonly("runs", &gan::StudyResult::runs)
      .def_readonly("equilibrium", &gan::StudyResult::equilibrium)
      .def_readonly("equilibrium_eigenvalues", &gan::StudyResult::equilibrium_eigenvalues)
      .def_readonly("wall_seconds", &gan::StudyResult::wall_seconds)
      .def("table", [](const gan::StudyResult& r) { return table_dict(r.table()); })
      .def("format", &gan::StudyResult::format);
  m.def(
      "run_study",
      [](const gan::StudyOptions& o, const py::object& progress) {
        std::function<void(const std::string&)> cb;
        if (!progress.is_none())
          // Called from the study's worker threads: an exception must not cross them, so a
          // failing callback is reported as unraisable (printed) and the study goes on.
          cb = [progress](const std::string& line) {
            py::gil_scoped_acquire gil;
            try {
              progress(line);
            } catch (py::error_already_set& e) {
              e.discard_as_unraisable("adamant.gan.study progress callback");
            }
          };
        py::gil_scoped_release release;
        return gan::run_study(o, cb);
      },
      py::arg("options"), py::arg("progress") = py::none(),
      "Runs the study; progress(line) is called with each progress line.");
  m.def("write_study", &gan::write_study, py::arg("path"), py::arg("result"));
  py::class_<gan::StudyFile>(m, "StudyFile", "a file written by write_study, read back")
      .def_readonly("methods", &gan::StudyFile::methods)
      .def_property_readonly("convergence",
                             [](const gan::StudyFile& f) { return table_dict(f.convergence); })
      .def_property_readonly("settings",
                             [](const gan::StudyFile& f) {
                               py::dict d;
                               for (const auto& [k, v] : f.convergence.metadata)
                                 d[k.c_str()] = attr_value(v);
                               return d;
                             })
      .def_property_readonly("trajectories",
                             [](const gan::StudyFile& f) {
                               py::dict d;
                               for (const auto& [k, t] : f.trajectories)
                                 d[k.c_str()] = trajectory_dict(t);
                               return d;
                             })
      .def_readonly("eigen_steps", &gan::StudyFile::eigen_steps)
      .def_readonly("eigenvalues", &gan::StudyFile::eigenvalues)
      .def_property_readonly("curves",
                             [](const gan::StudyFile& f) {
                               py::dict d;
                               for (const auto& [k, t] : f.curves) d[k.c_str()] = table_dict(t);
                               return d;
                             })
      .def_readonly("snapshots", &gan::StudyFile::snapshots)
      .def_readonly("equilibrium", &gan::StudyFile::equilibrium)
      .def_readonly("equilibrium_eigenvalues", &gan::StudyFile::equilibrium_eigenvalues);
  m.def("read_study", &gan::read_study, py::arg("path"));
  m.def("study_defaults", &gan::study_defaults, py::arg("game"));
  m.def("study_method", &gan::study_method, py::arg("options"), py::arg("name"));
  m.def("plot_study", &gan::plot_study, py::arg("result"), py::arg("prefix"));
}

}  // namespace adamant::python
