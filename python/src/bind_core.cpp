// Bindings of adamant::core: rule options, schedules, the optimizer over a numpy buffer, clipping.
//
// An Optimizer is bound to one numpy array (float32 or float64, C-contiguous, writable) and
// updates it in place through a pointer into its memory: no copy is ever made of the parameters
// or of the gradient (a gradient of another dtype, layout or size is rejected, not converted).
// The GIL is released during a step, so multi-threaded steps run in parallel with Python threads.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <deque>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "adamant/core/mixed_precision.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/core/schedule.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace ac = adamant::core;

namespace adamant::python {
namespace {

/// Checks that `a` can be updated in place as a flat buffer of T; throws TypeError/ValueError
/// naming `what` otherwise.
void require_buffer(const py::array& a, const char* what, bool writable) {
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(std::string(what) +
                          " must be C-contiguous (use numpy.ascontiguousarray)");
  if (writable && !a.writeable()) throw py::value_error(std::string(what) + " is read-only");
}

/// A gradient for params: a readable flat buffer of the same dtype and size (no conversion).
void require_gradient_of(const py::array& grad, const py::array& params) {
  require_buffer(grad, "grad", false);
  if (!grad.dtype().is(params.dtype()))
    throw py::type_error("grad has dtype " + py::str(grad.dtype()).cast<std::string>() +
                         ", params have " + py::str(params.dtype()).cast<std::string>() +
                         " (no conversion is made: pass the same dtype)");
  if (grad.size() != params.size())
    throw py::value_error("grad has " + std::to_string(grad.size()) + " elements, params have " +
                          std::to_string(params.size()));
}

bool is_float32(const py::array& a) { return a.dtype().is(py::dtype::of<float>()); }
bool is_float64(const py::array& a) { return a.dtype().is(py::dtype::of<double>()); }

class PyOptimizer {
 public:
  template <typename RuleOptions>
  PyOptimizer(const RuleOptions& rule, py::array params, ac::OptimizerOptions options)
      : params_(std::move(params)) {
    require_buffer(params_, "params", true);
    const auto n = static_cast<std::size_t>(params_.size());
    if (is_float32(params_)) {
      opt_ = std::make_unique<ac::Optimizer<float>>(rule, n, std::move(options));
    } else if (is_float64(params_)) {
      opt_ = std::make_unique<ac::Optimizer<double>>(rule, n, std::move(options));
    } else {
      throw py::type_error("params must be a float32 or float64 numpy array, got dtype " +
                           py::str(params_.dtype()).cast<std::string>());
    }
  }

  ac::StepResult step(const py::array& grad) {
    require_gradient_of(grad, params_);
    return std::visit(
        [&](auto& opt) {
          using T = typename std::decay_t<decltype(*opt)>::Vector::Scalar;
          T* p = static_cast<T*>(params_.mutable_data());
          const T* g = static_cast<const T*>(grad.data());
          py::gil_scoped_release release;
          return opt->step(p, g, static_cast<std::size_t>(params_.size()));
        },
        opt_);
  }

  py::dict state_dict() const {
    return std::visit(
        [](const auto& opt) {
          const auto& s = opt->state();
          py::dict d, slots, scalars;
          d["step"] = s.step;
          d["skipped_steps"] = s.skipped_steps;
          for (std::size_t i = 0; i < s.slots.size(); ++i)
            slots[py::str(s.slot_names[i])] = py::array(static_cast<py::ssize_t>(s.slots[i].size()),
                                                        s.slots[i].data());  // a copy
          for (std::size_t i = 0; i < s.scalars.size(); ++i)
            scalars[py::str(s.scalar_names[i])] = s.scalars[i];
          d["slots"] = slots;
          d["scalars"] = scalars;
          return d;
        },
        opt_);
  }

  void load_state_dict(const py::dict& d) {
    std::visit(
        [&](auto& opt) {
          using T = typename std::decay_t<decltype(*opt)>::Vector::Scalar;
          ac::State<T> s = opt->state();  // the expected names, then overwritten below
          s.step = d["step"].cast<std::int64_t>();
          s.skipped_steps =
              d.contains("skipped_steps") ? d["skipped_steps"].cast<std::int64_t>() : 0;
          const py::dict slots = d["slots"].cast<py::dict>();
          const py::dict scalars =
              d.contains("scalars") ? d["scalars"].cast<py::dict>() : py::dict();
          if (slots.size() != s.slot_names.size())
            throw py::value_error("state has " + std::to_string(slots.size()) +
                                  " slots, this optimizer (" + opt->rule().name() + ") has " +
                                  std::to_string(s.slot_names.size()));
          for (std::size_t i = 0; i < s.slot_names.size(); ++i) {
            const std::string& name = s.slot_names[i];
            if (!slots.contains(name))
              throw py::value_error("state lacks slot '" + name + "' of " + opt->rule().name());
            auto a = py::array_t<T, py::array::c_style>::ensure(slots[py::str(name)]);
            if (!a || a.size() != static_cast<py::ssize_t>(s.slots[i].size()))
              throw py::value_error("slot '" + name + "' must hold " +
                                    std::to_string(s.slots[i].size()) + " numbers");
            std::copy(a.data(), a.data() + a.size(), s.slots[i].begin());
          }
          for (std::size_t i = 0; i < s.scalar_names.size(); ++i) {
            if (!scalars.contains(s.scalar_names[i]))
              throw py::value_error("state lacks scalar '" + s.scalar_names[i] + "'");
            s.scalars[i] = scalars[py::str(s.scalar_names[i])].cast<double>();
          }
          opt->set_state(std::move(s));
        },
        opt_);
  }

  const py::array& params() const { return params_; }
  std::string rule_name() const {
    return std::visit([](const auto& o) { return o->rule().name(); }, opt_);
  }
  double current_lr() const {
    return std::visit([](const auto& o) { return o->current_lr(); }, opt_);
  }
  std::int64_t step_count() const {
    return std::visit([](const auto& o) { return o->state().step; }, opt_);
  }
  std::int64_t skipped_steps() const {
    return std::visit([](const auto& o) { return o->state().skipped_steps; }, opt_);
  }
  int num_threads() const {
    return std::visit([](const auto& o) { return o->num_threads(); }, opt_);
  }
  std::string repr() const {
    std::ostringstream s;
    s << "<adamant Optimizer " << rule_name() << " over " << params_.size() << " "
      << py::str(params_.dtype()).cast<std::string>() << ", step " << step_count() << ">";
    return s.str();
  }

 private:
  py::array params_;  // keeps the buffer alive
  std::variant<std::unique_ptr<ac::Optimizer<float>>, std::unique_ptr<ac::Optimizer<double>>> opt_;
};

// A MixedPrecisionOptimizer over one numpy array of 16-bit parameters: float16 (numpy's own
// dtype) or bfloat16 as uint16 bit patterns (numpy has no bfloat16), updated in place.
class PyMixedOptimizer {
 public:
  template <typename RuleOptions>
  PyMixedOptimizer(const RuleOptions& rule, py::array params, ac::OptimizerOptions options,
                   ac::LossScaleOptions loss_scale)
      : params_(std::move(params)), type_(half_type_of(params_, "params")) {
    require_buffer(params_, "params", true);
    opt_ = std::make_unique<ac::MixedPrecisionOptimizer>(
        rule, static_cast<const std::uint16_t*>(params_.data()),
        static_cast<std::size_t>(params_.size()), type_, std::move(options), loss_scale);
  }

  /// float16 for numpy's float16, bfloat16 for uint16; TypeError otherwise.
  static ac::HalfType half_type_of(const py::array& a, const char* what) {
    const py::dtype d = a.dtype();
    if (d.itemsize() == 2 && d.kind() == 'f') return ac::HalfType::kFloat16;
    if (d.itemsize() == 2 && d.kind() == 'u') return ac::HalfType::kBFloat16;
    throw py::type_error(std::string(what) +
                         " must be float16 or uint16 (bfloat16 bit patterns) for mixed "
                         "precision, got dtype " +
                         py::str(a.dtype()).cast<std::string>());
  }

  ac::MixedStepResult step(const py::array& grad) {
    require_gradient_of(grad, params_);
    auto* p = static_cast<std::uint16_t*>(params_.mutable_data());
    const auto* g = static_cast<const std::uint16_t*>(grad.data());
    py::gil_scoped_release release;
    return opt_->step(p, g);
  }

  py::array master() const {
    return py::array_t<float>(static_cast<py::ssize_t>(opt_->size()), opt_->master());  // a copy
  }
  const py::array& params() const { return params_; }
  std::string type_name() const { return ac::half_type_name(type_); }
  double loss_scale() const { return opt_->loss_scale(); }
  int growth_tracker() const { return opt_->growth_tracker(); }
  std::int64_t step_count() const { return opt_->optimizer().state().step; }
  std::int64_t skipped_steps() const { return opt_->optimizer().state().skipped_steps; }
  double current_lr() const { return opt_->optimizer().current_lr(); }
  std::string repr() const {
    std::ostringstream s;
    s << "<adamant MixedPrecisionOptimizer " << opt_->optimizer().rule().name() << " over "
      << params_.size() << " " << type_name() << " (float32 master weights), step " << step_count()
      << ", loss scale " << loss_scale() << ">";
    return s.str();
  }

 private:
  py::array params_;
  ac::HalfType type_;
  std::unique_ptr<ac::MixedPrecisionOptimizer> opt_;
};

// An options struct with one read-write property per field of its field list, a repr listing
// every field (rules.hpp's describe) and a `fields()` tuple of the names.
template <typename Options>
py::class_<Options> bind_options(py::module_& m, const char* name, const char* doc) {
  py::class_<Options> c(m, name, doc);
  c.def(py::init<>());
  auto names = std::make_shared<std::vector<std::string>>();
  struct Visit {
    py::class_<Options>& c;
    std::vector<std::string>& names;
    void operator()(const char* field, double Options::*member, ac::Range r,
                    const char* what) const {
      static std::deque<std::string> help;  // docstrings outlive the module's definition
      help.push_back(std::string(what) + " (" + ac::range_text(r) + ")");
      c.def_readwrite(field, member, help.back().c_str());
      names.emplace_back(field);
    }
    void operator()(const char* field, bool Options::*member, const char* what) const {
      c.def_readwrite(field, member, what);
      names.emplace_back(field);
    }
  };
  Options::fields(Visit{c, *names});
  c.def("__repr__", [](const Options& o) { return ac::describe(o); });
  c.def_property_readonly_static("fields",
                                 [names](py::object) { return py::tuple(py::cast(*names)); });
  return c;
}

/// Calls f(Eigen::Map of T) on a float32/float64 C-contiguous writable array, in place.
template <typename F>
auto with_flat_buffer(py::array& a, F&& f) {
  require_buffer(a, "grad", true);
  if (is_float32(a))
    return f(Eigen::Map<Eigen::VectorXf>(static_cast<float*>(a.mutable_data()), a.size()));
  if (is_float64(a))
    return f(Eigen::Map<Eigen::VectorXd>(static_cast<double*>(a.mutable_data()), a.size()));
  throw py::type_error("grad must be a float32 or float64 numpy array, got dtype " +
                       py::str(a.dtype()).cast<std::string>());
}

}  // namespace

void bind_core(py::module_& m) {
  // ---- errors: NonFiniteGradientError is a FloatingPointError carrying .index and .value ----
  static py::exception<ac::NonFiniteGradientError> non_finite(m, "NonFiniteGradientError",
                                                              PyExc_FloatingPointError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ac::NonFiniteGradientError& e) {
      py::object err = py::handle(non_finite.ptr())(e.what());
      err.attr("index") = e.index();
      err.attr("value") = e.value();
      PyErr_SetObject(non_finite.ptr(), err.ptr());
    }
  });

  // ---- rule options (defaults: PyTorch's), every field from the options' field list ----
  bind_options<ac::SgdOptions>(m, "SgdOptions", "SGD with momentum, dampening, Nesterov, L2");
  bind_options<ac::AdagradOptions>(m, "AdagradOptions", "Adagrad (Duchi et al. 2011)");
  bind_options<ac::RmspropOptions>(m, "RmspropOptions", "RMSprop, optionally centred");
  bind_options<ac::AdamOptions>(m, "AdamOptions", "Adam / AMSGrad / AdamW (Kingma & Ba 2015)")
      .def_static("adamw", &ac::AdamOptions::adamw);
  bind_options<ac::AdamaxOptions>(m, "AdamaxOptions", "AdaMax (Kingma & Ba 2015)");
  bind_options<ac::NadamOptions>(m, "NadamOptions", "NAdam (Dozat 2016), PyTorch 1.13's form");
  bind_options<ac::RadamOptions>(m, "RadamOptions", "RAdam (Liu et al. 2020)");
  bind_options<ac::LionOptions>(m, "LionOptions", "Lion (Chen et al. 2023)");
  bind_options<ac::OptimisticAdamOptions>(m, "OptimisticAdamOptions",
                                          "Optimistic Adam (Daskalakis et al. 2018)");
  // The one table of rule names (rules.hpp).
  m.def("rule_names", &ac::rule_names, "The rule names, in table order");
  m.def("rule_aliases", &ac::rule_aliases, "'alias = name' for every alias");
  m.def(
      "rule_options",
      [](const std::string& name) {
        return std::visit([](const auto& o) { return py::cast(o); }, ac::rule_options(name));
      },
      py::arg("name"), "The named rule's options with their defaults (aliases accepted)");

  // ---- schedules ----
  py::class_<ac::Schedule> sched(m, "Schedule",
                                 "Learning rate as a function of the step (t = 0 first); "
                                 "PyTorch lr_scheduler closed forms");
  py::enum_<ac::Schedule::CyclicMode>(sched, "CyclicMode")
      .value("triangular", ac::Schedule::CyclicMode::kTriangular)
      .value("triangular2", ac::Schedule::CyclicMode::kTriangular2);
  sched.def_static("constant", &ac::Schedule::constant, py::arg("lr"))
      .def_static("step", &ac::Schedule::step, py::arg("lr"), py::arg("step_size"),
                  py::arg("gamma") = 0.1)
      .def_static("exponential", &ac::Schedule::exponential, py::arg("lr"), py::arg("gamma"))
      .def_static("linear", &ac::Schedule::linear, py::arg("lr"),
                  py::arg("start_factor") = 1.0 / 3.0, py::arg("end_factor") = 1.0,
                  py::arg("total_iters") = 5)
      .def_static("cosine", &ac::Schedule::cosine, py::arg("lr"), py::arg("t_max"),
                  py::arg("eta_min") = 0.0)
      .def_static("warmup_cosine", &ac::Schedule::warmup_cosine, py::arg("lr"),
                  py::arg("warmup_steps"), py::arg("total_steps"), py::arg("eta_min") = 0.0,
                  py::arg("start_factor") = 0.0)
      .def_static("cyclic", &ac::Schedule::cyclic, py::arg("base_lr"), py::arg("max_lr"),
                  py::arg("step_size_up") = 2000,
                  py::arg("mode") = ac::Schedule::CyclicMode::kTriangular,
                  py::arg("step_size_down") = -1)
      .def_static("one_cycle", &ac::Schedule::one_cycle, py::arg("max_lr"), py::arg("total_steps"),
                  py::arg("pct_start") = 0.3, py::arg("cosine_anneal") = true,
                  py::arg("div_factor") = 25.0, py::arg("final_div_factor") = 1e4)
      .def_static("warmup", &ac::Schedule::warmup, py::arg("steps"), py::arg("then"),
                  py::arg("start_factor") = 0.0,
                  "Linear warm-up from start_factor * then(0) over `steps`, then `then`")
      .def_static("join", &ac::Schedule::join, py::arg("parts"), py::arg("boundaries"),
                  "parts[0] until boundaries[0], then parts[1] restarted there, ... (optax)")
      .def_static("scale", &ac::Schedule::scale, py::arg("factor"), py::arg("inner"),
                  "factor * inner(t)")
      .def_property_readonly("kind",
                             [](const ac::Schedule& s) {
                               const std::string d = s.describe();
                               return d.substr(0, d.find('('));
                             })
      .def(
          "__call__",
          [](const ac::Schedule& s, std::int64_t t) {
            const std::string err = s.validate();
            if (!err.empty()) throw std::invalid_argument(err);
            return s(t);
          },
          py::arg("t"))
      .def("validate", &ac::Schedule::validate)
      .def("__repr__", &ac::Schedule::describe);

  // ---- composition ----
  py::enum_<ac::NonFinitePolicy>(m, "NonFinitePolicy")
      .value("raise_", ac::NonFinitePolicy::kRaise)
      .value("skip", ac::NonFinitePolicy::kSkip);
  py::class_<ac::ParamGroup>(m, "ParamGroup",
                             "A range [begin, end) with its own lr scale / decay, and optionally "
                             "its own rule (any options object) and schedule")
      .def(py::init<std::size_t, std::size_t, double, double, std::string,
                    std::optional<ac::RuleOptions>, std::optional<ac::Schedule>>(),
           py::arg("begin"), py::arg("end"), py::arg("lr_scale") = 1.0,
           py::arg("weight_decay") = -1.0, py::arg("name") = "", py::arg("rule") = py::none(),
           py::arg("schedule") = py::none())
      .def_readwrite("begin", &ac::ParamGroup::begin)
      .def_readwrite("end", &ac::ParamGroup::end)
      .def_readwrite("lr_scale", &ac::ParamGroup::lr_scale)
      .def_readwrite("weight_decay", &ac::ParamGroup::weight_decay)
      .def_readwrite("name", &ac::ParamGroup::name)
      .def_readwrite("rule", &ac::ParamGroup::rule)
      .def_readwrite("schedule", &ac::ParamGroup::schedule);
  py::class_<ac::OptimizerOptions>(m, "OptimizerOptions", "What composes around a rule")
      .def(py::init<>())
      .def_readwrite("clip_grad_value", &ac::OptimizerOptions::clip_grad_value)
      .def_readwrite("clip_grad_norm", &ac::OptimizerOptions::clip_grad_norm)
      .def_readwrite("clip_update_value", &ac::OptimizerOptions::clip_update_value)
      .def_readwrite("clip_update_norm", &ac::OptimizerOptions::clip_update_norm)
      .def_readwrite("non_finite", &ac::OptimizerOptions::non_finite)
      .def_readwrite("schedule", &ac::OptimizerOptions::schedule)
      .def_readwrite("groups", &ac::OptimizerOptions::groups)
      .def_readwrite("num_threads", &ac::OptimizerOptions::num_threads)
      .def_readwrite("hypergradient_lr", &ac::OptimizerOptions::hypergradient_lr);
  py::class_<ac::StepResult>(m, "StepResult", "What one step did")
      .def_readonly("applied", &ac::StepResult::applied)
      .def_readonly("lr", &ac::StepResult::lr)
      .def_readonly("grad_norm", &ac::StepResult::grad_norm)
      .def_readonly("grad_scale", &ac::StepResult::grad_scale)
      .def_readonly("update_norm", &ac::StepResult::update_norm)
      .def_property_readonly("nonfinite_index",
                             [](const ac::StepResult& r) -> py::object {
                               if (r.applied) return py::none();
                               return py::int_(r.nonfinite_index);
                             })
      .def("__repr__", [](const ac::StepResult& r) {
        std::ostringstream s;
        s << "StepResult(applied=" << (r.applied ? "True" : "False") << ", lr=" << r.lr
          << ", grad_norm=" << r.grad_norm << ")";
        return s.str();
      });

  // ---- the optimizer ----
  py::class_<PyOptimizer> opt(m, "Optimizer",
                              "An update rule over one numpy array, updated in place");
  opt.def(py::init<const ac::SgdOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::AdagradOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::RmspropOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::AdamOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::AdamaxOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::NadamOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::RadamOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::LionOptions&, py::array, ac::OptimizerOptions>())
      .def(py::init<const ac::OptimisticAdamOptions&, py::array, ac::OptimizerOptions>())
      .def("step", &PyOptimizer::step, py::arg("grad"),
           "Updates params in place from grad (same dtype and size); returns a StepResult")
      .def("state_dict", &PyOptimizer::state_dict,
           "Copy of the state: {'step', 'skipped_steps', 'slots': {name: array}, 'scalars'}")
      .def("load_state_dict", &PyOptimizer::load_state_dict, py::arg("state"),
           "Restores a state_dict(); the run then continues bit-identically")
      .def_property_readonly("params", &PyOptimizer::params)
      .def_property_readonly("rule", &PyOptimizer::rule_name)
      .def_property_readonly("lr", &PyOptimizer::current_lr, "Learning rate the next step will use")
      .def_property_readonly("step_count", &PyOptimizer::step_count)
      .def_property_readonly("skipped_steps", &PyOptimizer::skipped_steps)
      .def_property_readonly("num_threads", &PyOptimizer::num_threads)
      .def("__repr__", &PyOptimizer::repr);

  // ---- mixed precision ----
  py::class_<ac::LossScaleOptions>(m, "LossScaleOptions",
                                   "Loss scaling for mixed precision (torch's GradScaler)")
      .def(py::init<>())
      .def_readwrite("scale", &ac::LossScaleOptions::scale)
      .def_readwrite("dynamic", &ac::LossScaleOptions::dynamic)
      .def_readwrite("growth_factor", &ac::LossScaleOptions::growth_factor)
      .def_readwrite("backoff_factor", &ac::LossScaleOptions::backoff_factor)
      .def_readwrite("growth_interval", &ac::LossScaleOptions::growth_interval);
  py::class_<ac::MixedStepResult, ac::StepResult>(m, "MixedStepResult",
                                                  "What one mixed-precision step did")
      .def_readonly("overflow", &ac::MixedStepResult::overflow)
      .def_readonly("loss_scale", &ac::MixedStepResult::loss_scale);
  py::class_<PyMixedOptimizer> mixed(
      m, "MixedPrecisionOptimizer",
      "An update rule over a float16 or bfloat16 (uint16) numpy array, with float32 master "
      "weights and moments");
  mixed
      .def(py::init<const ac::SgdOptions&, py::array, ac::OptimizerOptions, ac::LossScaleOptions>())
      .def(py::init<const ac::AdagradOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def(py::init<const ac::RmspropOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def(
          py::init<const ac::AdamOptions&, py::array, ac::OptimizerOptions, ac::LossScaleOptions>())
      .def(py::init<const ac::AdamaxOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def(py::init<const ac::NadamOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def(py::init<const ac::RadamOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def(
          py::init<const ac::LionOptions&, py::array, ac::OptimizerOptions, ac::LossScaleOptions>())
      .def(py::init<const ac::OptimisticAdamOptions&, py::array, ac::OptimizerOptions,
                    ac::LossScaleOptions>())
      .def("step", &PyMixedOptimizer::step, py::arg("grad"),
           "Updates the float32 master weights from grad (same 16-bit dtype, multiplied by the "
           "loss scale) and writes them rounded into params; returns a MixedStepResult")
      .def_property_readonly("params", &PyMixedOptimizer::params)
      .def_property_readonly("master", &PyMixedOptimizer::master,
                             "Copy of the float32 master weights")
      .def_property_readonly("dtype", &PyMixedOptimizer::type_name, "'float16' or 'bfloat16'")
      .def_property_readonly("loss_scale", &PyMixedOptimizer::loss_scale)
      .def_property_readonly("growth_tracker", &PyMixedOptimizer::growth_tracker)
      .def_property_readonly("lr", &PyMixedOptimizer::current_lr)
      .def_property_readonly("step_count", &PyMixedOptimizer::step_count)
      .def_property_readonly("skipped_steps", &PyMixedOptimizer::skipped_steps)
      .def("__repr__", &PyMixedOptimizer::repr);
  m.def(
      "to_bfloat16",
      [](py::array_t<float, py::array::c_style | py::array::forcecast> x) {
        py::array_t<std::uint16_t> h(x.request().shape);
        ac::to_half(x.data(), h.mutable_data(), static_cast<std::size_t>(x.size()),
                    ac::HalfType::kBFloat16);
        return h;
      },
      py::arg("x"),
      "bfloat16 bit patterns (uint16) of x, rounded to nearest even as torch's "
      ".to(torch.bfloat16)");
  m.def(
      "from_bfloat16",
      [](py::array_t<std::uint16_t, py::array::c_style> h) {
        py::array_t<float> x(h.request().shape);
        ac::from_half(h.data(), x.mutable_data(), static_cast<std::size_t>(h.size()),
                      ac::HalfType::kBFloat16);
        return x;
      },
      py::arg("h"), "float32 values of bfloat16 bit patterns (uint16), exact");

  // ---- free functions (PyTorch's torch.nn.utils semantics on a flat buffer, in place) ----
  m.def(
      "clip_grad_norm_",
      [](py::array grad, double max_norm) {
        return with_flat_buffer(grad, [&](auto v) {
          using T = typename decltype(v)::Scalar;
          return ac::clip_grad_norm<T>(v, max_norm);
        });
      },
      py::arg("grad"), py::arg("max_norm"),
      "Scales grad by min(1, max_norm / (‖grad‖ + 1e-6)) in place; returns ‖grad‖ before");
  m.def(
      "clip_grad_value_",
      [](py::array grad, double clip_value) {
        with_flat_buffer(grad, [&](auto v) {
          using T = typename decltype(v)::Scalar;
          ac::clip_grad_value<T>(v, clip_value);
        });
      },
      py::arg("grad"), py::arg("clip_value"),
      "Clamps every element of grad to [-clip_value, clip_value] in place");
}

}  // namespace adamant::python
