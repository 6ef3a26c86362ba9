// Python bindings of adamant::chem: symmetry functions, the Behler-Parrinello potential (energy,
// forces, model files), training and evaluation on molecular data, the clipping study and
// molecular dynamics. The pure-Python layer (python/adamant/chem.py) adds keyword options and
// the ASE calculator. Structures cross as (numbers, positions (A, 3), cell (3, 3) or None);
// molecular data sets as the arrays of adamant.data.Molecules. std::invalid_argument becomes
// ValueError, datasets::DataError adamant.data.DataError.

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <string>
#include <vector>

#include "adamant/chem/descriptors.hpp"
#include "adamant/chem/md.hpp"
#include "adamant/chem/potential.hpp"
#include "adamant/chem/train.hpp"
#include "bindings.hpp"
#ifdef ADAMANT_HAVE_DIST
#include "adamant/dist/dist.hpp"
#endif

namespace py = pybind11;
namespace chem = adamant::chem;
namespace ds = adamant::datasets;

namespace adamant::python {
namespace {

using F64Array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I32Array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

chem::Structure structure_from(const I32Array& numbers, const F64Array& positions,
                               const py::object& cell) {
  if (numbers.ndim() != 1) throw py::value_error("numbers must be a 1-D array of atomic numbers");
  const auto a = numbers.shape(0);
  if (positions.ndim() != 2 || positions.shape(0) != a || positions.shape(1) != 3)
    throw py::value_error("positions must have shape (" + std::to_string(a) + ", 3)");
  chem::Structure s;
  s.atomic_numbers.assign(numbers.data(), numbers.data() + a);
  s.positions = Eigen::Map<const chem::RowMatrixXd>(positions.data(), a, 3);
  if (!cell.is_none()) {
    const F64Array c = cell.cast<F64Array>();
    if (c.ndim() != 2 || c.shape(0) != 3 || c.shape(1) != 3)
      throw py::value_error("cell must have shape (3, 3) (cell vectors as rows) or be None");
    s.cell = Eigen::Map<const chem::RowMatrixXd>(c.data(), 3, 3);
  }
  return s;
}

/// Molecular data for training / evaluation: molecules_from_py, validated (frame counts agree).
ds::MolecularDataset dataset_from(const I32Array& numbers, const F64Array& positions,
                                  const F64Array& energies, const py::object& forces) {
  ds::MolecularDataset d = molecules_from_py(numbers, positions, energies, forces);
  if (const std::string bad = d.validate(); !bad.empty()) throw py::value_error(bad);
  return d;
}

}  // namespace

void bind_chem(py::module_& m) {
  // ---- descriptors ----
  py::class_<chem::DescriptorOptions>(m, "DescriptorOptions")
      .def(py::init<>())
      .def_readwrite("cutoff_radius", &chem::DescriptorOptions::cutoff_radius)
      .def_property(
          "cutoff", [](const chem::DescriptorOptions& o) { return chem::to_string(o.cutoff); },
          [](chem::DescriptorOptions& o, const std::string& s) {
            o.cutoff = chem::parse_cutoff(s);
          })
      .def_readwrite("num_radial", &chem::DescriptorOptions::num_radial)
      .def_readwrite("rs_min", &chem::DescriptorOptions::rs_min)
      .def_readwrite("rs_max", &chem::DescriptorOptions::rs_max)
      .def_property(
          "angular",
          [](const chem::DescriptorOptions& o) {
            return o.angular == chem::SymmetryType::kG3 ? "G3" : "G9";
          },
          [](chem::DescriptorOptions& o, const std::string& s) {
            if (s == "G3" || s == "g3")
              o.angular = chem::SymmetryType::kG3;
            else if (s == "G9" || s == "g9")
              o.angular = chem::SymmetryType::kG9;
            else
              throw py::value_error("angular must be 'G3' (narrow) or 'G9' (wide), got '" + s +
                                    "'");
          })
      .def_readwrite("zetas", &chem::DescriptorOptions::zetas)
      .def_readwrite("angular_etas", &chem::DescriptorOptions::angular_etas)
      .def("validate", &chem::DescriptorOptions::validate);

  py::class_<chem::DescriptorSet>(m, "DescriptorSet")
      .def_readonly("elements", &chem::DescriptorSet::elements)
      .def_readonly("cutoff_radius", &chem::DescriptorSet::cutoff_radius)
      .def_property_readonly("size", &chem::DescriptorSet::size)
      .def_property_readonly("functions",
                             [](const chem::DescriptorSet& s) {
                               std::vector<std::string> out;
                               for (const auto& f : s.functions) out.push_back(f.describe());
                               return out;
                             })
      .def("describe", &chem::DescriptorSet::describe)
      .def("__repr__", &chem::DescriptorSet::describe);

  m.def("standard_descriptor_set", &chem::standard_descriptor_set, py::arg("elements"),
        py::arg("options") = chem::DescriptorOptions{});
  m.def(
      "compute_descriptors",
      [](const chem::DescriptorSet& set, const I32Array& numbers, const F64Array& positions,
         const py::object& cell, bool derivatives) {
        chem::Descriptors d =
            chem::compute_descriptors(set, structure_from(numbers, positions, cell), derivatives);
        return py::make_tuple(d.values, derivatives ? py::cast(d.derivatives) : py::none());
      },
      py::arg("set"), py::arg("numbers"), py::arg("positions"), py::arg("cell") = py::none(),
      py::arg("derivatives") = true);

  // ---- the potential ----
  py::class_<chem::NetworkOptions>(m, "NetworkOptions")
      .def(py::init<>())
      .def_readwrite("hidden", &chem::NetworkOptions::hidden)
      .def_property(
          "activation", [](const chem::NetworkOptions& o) { return core::to_string(o.activation); },
          [](chem::NetworkOptions& o, const std::string& s) {
            o.activation = core::parse_activation(s);
          })
      .def("validate", &chem::NetworkOptions::validate);

  py::class_<chem::Potential>(m, "Potential")
      .def_property_readonly("descriptors", &chem::Potential::descriptors)
      .def_property_readonly("elements",
                             [](const chem::Potential& p) { return p.descriptors().elements; })
      .def_property_readonly("num_parameters", &chem::Potential::num_parameters)
      .def_property_readonly("hidden", [](const chem::Potential& p) { return p.options().hidden; })
      .def_readonly("shifts", &chem::Potential::shifts)
      .def_readonly("params", &chem::Potential::params, "the flat parameter buffer (read-only)")
      .def(
          "energy_forces",
          [](const chem::Potential& p, const I32Array& numbers, const F64Array& positions,
             const py::object& cell) {
            const chem::Structure s = structure_from(numbers, positions, cell);
            chem::RowMatrixXd f;
            double e = 0;
            {
              py::gil_scoped_release nogil;
              e = p.energy_forces(s, &f);
            }
            return py::make_tuple(e, f);
          },
          py::arg("numbers"), py::arg("positions"), py::arg("cell") = py::none(),
          "Energy (eV) and forces (A, 3) in eV/Å of one structure.");
  m.def("save_potential", &chem::save_potential, py::arg("path"), py::arg("potential"),
        py::arg("metadata") = std::map<std::string, std::string>{});
  m.def("load_potential", &chem::load_potential, py::arg("path"));

  // ---- training and evaluation ----
  py::class_<chem::Metrics>(m, "Metrics")
      .def_readonly("energy_mae", &chem::Metrics::energy_mae)
      .def_readonly("energy_rmse", &chem::Metrics::energy_rmse)
      .def_readonly("force_mae", &chem::Metrics::force_mae)
      .def_readonly("force_rmse", &chem::Metrics::force_rmse)
      .def_readonly("frames", &chem::Metrics::frames)
      .def("__repr__", [](const chem::Metrics& x) {
        return "Metrics(frames=" + std::to_string(x.frames) +
               ", energy_mae=" + std::to_string(x.energy_mae * 1e3) +
               " meV, force_mae=" + std::to_string(x.force_mae * 1e3) + " meV/Å)";
      });

  py::class_<chem::TrainOptions> to(m, "TrainOptions");
  to.def(py::init<>())
      .def_readwrite("num_train", &chem::TrainOptions::num_train)
      .def_readwrite("num_validation", &chem::TrainOptions::num_validation)
      .def_readwrite("num_test", &chem::TrainOptions::num_test)
      .def_readwrite("seed", &chem::TrainOptions::seed)
      .def_readwrite("descriptors", &chem::TrainOptions::descriptors)
      .def_readwrite("network", &chem::TrainOptions::network)
      .def_readwrite("rule", &chem::TrainOptions::rule,
                     "the update rule's options (any adamant.core options class)")
      .def_property(
          "optimizer", [](const chem::TrainOptions& o) { return core::rule_name(o.rule); },
          [](chem::TrainOptions& o, const std::string& name) {
            const double lr = o.lr();
            o.rule = core::rule_options(name);  // PyTorch's defaults, the same lr
            o.set_lr(lr);
          },
          "a rule name of the core's table (setting it resets the rule's other options)")
      .def(
          "split_over_mpi",
          [](chem::TrainOptions& o, long long fortran_handle) {
#ifdef ADAMANT_HAVE_DIST
            // mpi4py's comm.py2f(): the communicator's Fortran handle, turned back into MPI_Comm
            o.block_sum = std::make_shared<dist::MpiBlockSum>(
                dist::Comm(MPI_Comm_f2c(static_cast<MPI_Fint>(fortran_handle))));
#else
            (void)o;
            (void)fortran_handle;
            throw std::runtime_error(
                "this adamant was built without MPI (adamant::dist): install Open MPI "
                "(scripts/setup.sh) and rebuild to train over a communicator");
#endif
          },
          py::arg("fortran_handle"),
          "Split each minibatch's frames over the ranks of an MPI communicator given by its "
          "Fortran handle (mpi4py: comm.py2f()); the fitted model is the same bits")
      .def_property_readonly(
          "mpi_ranks",
          [](const chem::TrainOptions& o) { return o.block_sum ? o.block_sum->processes() : 1; },
          "processes each minibatch is split over (1: this one)")
      .def_readwrite("lr_final", &chem::TrainOptions::lr_final)
      .def_readwrite("schedule", &chem::TrainOptions::schedule)
      .def_readwrite("epochs", &chem::TrainOptions::epochs)
      .def_readwrite("batch_size", &chem::TrainOptions::batch_size)
      .def_readwrite("energy_weight_start", &chem::TrainOptions::energy_weight_start)
      .def_readwrite("energy_weight_limit", &chem::TrainOptions::energy_weight_limit)
      .def_readwrite("force_weight_start", &chem::TrainOptions::force_weight_start)
      .def_readwrite("force_weight_limit", &chem::TrainOptions::force_weight_limit)
      .def_property(
          "clip", [](const chem::TrainOptions& o) { return chem::to_string(o.clip); },
          [](chem::TrainOptions& o, const std::string& s) { o.clip = chem::parse_clip_mode(s); })
      .def_readwrite("clip_value", &chem::TrainOptions::clip_value)
      .def_readwrite("huber", &chem::TrainOptions::huber)
      .def_readwrite("huber_delta_energy", &chem::TrainOptions::huber_delta_energy)
      .def_readwrite("huber_delta_force", &chem::TrainOptions::huber_delta_force)
      .def_readwrite("patience", &chem::TrainOptions::patience)
      .def_readwrite("eval_every", &chem::TrainOptions::eval_every)
      .def_readwrite("num_threads", &chem::TrainOptions::num_threads)
      .def_readwrite("checkpoint", &chem::TrainOptions::checkpoint)
      .def_readwrite("checkpoint_every", &chem::TrainOptions::checkpoint_every)
      .def_readwrite("resume", &chem::TrainOptions::resume)
      .def_readwrite("divergence_loss", &chem::TrainOptions::divergence_loss)
      .def("validate", &chem::TrainOptions::validate)
      .def("describe", &chem::TrainOptions::describe);
  // The rule's options as keywords, generated from the core's field lists: lr, beta1, eps, ...
  def_rule_fields<decltype(to), chem::TrainOptions>(
      to, [](chem::TrainOptions& o) -> core::RuleOptions& { return o.rule; });

  py::class_<chem::Progress>(m, "Progress")
      .def_readonly("epoch", &chem::Progress::epoch)
      .def_readonly("epochs", &chem::Progress::epochs)
      .def_readonly("loss", &chem::Progress::loss)
      .def_readonly("lr", &chem::Progress::lr)
      .def_readonly("validation", &chem::Progress::validation)
      .def_readonly("elapsed", &chem::Progress::elapsed);

  py::class_<chem::TrainResult>(m, "TrainResult")
      .def_readonly("potential", &chem::TrainResult::potential)
      .def_property_readonly("curve",
                             [](const chem::TrainResult& r) { return table_dict(r.curve); })
      .def_readonly("train", &chem::TrainResult::train)
      .def_readonly("validation", &chem::TrainResult::validation)
      .def_readonly("test", &chem::TrainResult::test)
      .def_readonly("train_frames", &chem::TrainResult::train_frames)
      .def_readonly("validation_frames", &chem::TrainResult::validation_frames)
      .def_readonly("test_frames", &chem::TrainResult::test_frames)
      .def_readonly("epochs_run", &chem::TrainResult::epochs_run)
      .def_readonly("best_epoch", &chem::TrainResult::best_epoch)
      .def_readonly("stopped_early", &chem::TrainResult::stopped_early)
      .def_readonly("diverged", &chem::TrainResult::diverged)
      .def_readonly("wall_seconds", &chem::TrainResult::wall_seconds);

  m.def(
      "train",
      [](const I32Array& numbers, const F64Array& positions, const F64Array& energies,
         const py::object& forces, const chem::TrainOptions& options,
         const std::function<void(const chem::Progress&)>& progress) {
        const ds::MolecularDataset d = dataset_from(numbers, positions, energies, forces);
        std::function<void(const chem::Progress&)> cb;
        if (progress)
          cb = [&progress](const chem::Progress& p) {
            py::gil_scoped_acquire gil;
            progress(p);
          };
        py::gil_scoped_release nogil;
        return chem::train(d, options, cb);
      },
      py::arg("numbers"), py::arg("positions"), py::arg("energies"), py::arg("forces"),
      py::arg("options"), py::arg("progress") = nullptr);

  m.def(
      "evaluate",
      [](const chem::Potential& p, const I32Array& numbers, const F64Array& positions,
         const F64Array& energies, const py::object& forces, const std::vector<int>& frames,
         int num_threads) {
        const ds::MolecularDataset d = dataset_from(numbers, positions, energies, forces);
        Eigen::VectorXd e;
        chem::RowMatrixXd f;
        chem::Metrics mt;
        {
          py::gil_scoped_release nogil;
          mt = chem::evaluate(p, d, frames, &e, &f, num_threads);
        }
        return py::make_tuple(mt, e, f);
      },
      py::arg("potential"), py::arg("numbers"), py::arg("positions"), py::arg("energies"),
      py::arg("forces"), py::arg("frames") = std::vector<int>{}, py::arg("num_threads") = 1);

  m.def("parity_plot", &chem::parity_plot, py::arg("png_path"), py::arg("ref_energy"),
        py::arg("pred_energy"), py::arg("ref_forces"), py::arg("pred_forces"), py::arg("title"));

  // ---- the clipping study ----
  py::class_<chem::StudyOptions>(m, "StudyOptions")
      .def(py::init<>())
      .def_readwrite("seeds", &chem::StudyOptions::seeds)
      .def_readwrite("num_md_train", &chem::StudyOptions::num_md_train)
      .def_readwrite("num_contacts_train", &chem::StudyOptions::num_contacts_train)
      .def_readwrite("num_test", &chem::StudyOptions::num_test)
      .def_readwrite("epochs", &chem::StudyOptions::epochs)
      .def_readwrite("lr", &chem::StudyOptions::lr)
      .def_readwrite("clip_value", &chem::StudyOptions::clip_value)
      .def_readwrite("update_fraction", &chem::StudyOptions::update_fraction)
      .def_readwrite("num_threads", &chem::StudyOptions::num_threads)
      .def("validate", &chem::StudyOptions::validate);

  py::class_<chem::StudyRow>(m, "StudyRow")
      .def_readonly("method", &chem::StudyRow::method)
      .def_readonly("seed", &chem::StudyRow::seed)
      .def_readonly("diverged", &chem::StudyRow::diverged)
      .def_readonly("epochs_run", &chem::StudyRow::epochs_run)
      .def_readonly("final_loss", &chem::StudyRow::final_loss)
      .def_readonly("test", &chem::StudyRow::test);

  py::class_<chem::StudyResult>(m, "StudyResult")
      .def_readonly("rows", &chem::StudyResult::rows)
      .def_property_readonly("curves",
                             [](const chem::StudyResult& r) { return table_dict(r.curves); })
      .def("report", &chem::StudyResult::report);

  m.def(
      "clipping_study",
      [](const std::string& md_path, const std::string& contacts_path,
         const chem::StudyOptions& options, const std::string& png) {
        py::gil_scoped_release nogil;
        chem::StudyResult r = chem::clipping_study(ds::read_molecules(md_path),
                                                   ds::read_molecules(contacts_path), options);
        if (!png.empty()) chem::study_plot(png, r);
        return r;
      },
      py::arg("md_path"), py::arg("contacts_path"), py::arg("options"), py::arg("png") = "");

  // ---- molecular dynamics ----
  py::class_<chem::MdOptions>(m, "MdOptions")
      .def(py::init<>())
      .def_readwrite("timestep", &chem::MdOptions::timestep)
      .def_readwrite("steps", &chem::MdOptions::steps)
      .def_readwrite("langevin", &chem::MdOptions::langevin)
      .def_readwrite("temperature", &chem::MdOptions::temperature)
      .def_readwrite("initial_temperature", &chem::MdOptions::initial_temperature)
      .def_readwrite("friction", &chem::MdOptions::friction)
      .def_readwrite("seed", &chem::MdOptions::seed)
      .def_readwrite("record_every", &chem::MdOptions::record_every)
      .def_readwrite("blowup_energy", &chem::MdOptions::blowup_energy)
      .def("validate", &chem::MdOptions::validate);

  py::class_<chem::MdResult>(m, "MdResult")
      .def_readonly("time", &chem::MdResult::time)
      .def_readonly("potential", &chem::MdResult::potential)
      .def_readonly("kinetic", &chem::MdResult::kinetic)
      .def_readonly("total", &chem::MdResult::total)
      .def_readonly("temperature", &chem::MdResult::temperature)
      .def_property_readonly("positions",
                             [](const chem::MdResult& r) {
                               const auto f = r.trajectory.positions.rows();
                               const auto a = r.trajectory.positions.cols() / 3;
                               py::array_t<double> out({f, a, Eigen::Index{3}});
                               std::copy(r.trajectory.positions.data(),
                                         r.trajectory.positions.data() + f * a * 3,
                                         out.mutable_data());
                               return out;
                             })
      .def_readonly("drift", &chem::MdResult::drift)
      .def_readonly("max_deviation", &chem::MdResult::max_deviation)
      .def_readonly("drift_per_atom_per_ps", &chem::MdResult::drift_per_atom_per_ps)
      .def_readonly("mean_temperature", &chem::MdResult::mean_temperature)
      .def_readonly("blew_up", &chem::MdResult::blew_up)
      .def_readonly("steps_done", &chem::MdResult::steps_done)
      .def_readonly("wall_seconds", &chem::MdResult::wall_seconds);

  m.def(
      "run_md",
      [](const chem::Potential& p, const I32Array& numbers, const F64Array& positions,
         const py::object& cell, const chem::MdOptions& options) {
        const chem::Structure s = structure_from(numbers, positions, cell);
        py::gil_scoped_release nogil;
        return chem::run_md(p, s, options);
      },
      py::arg("potential"), py::arg("numbers"), py::arg("positions"), py::arg("cell"),
      py::arg("options"));
  m.def("md_plot", &chem::md_plot, py::arg("png_path"), py::arg("result"), py::arg("title"));
}

}  // namespace adamant::python
