// Bindings of adamant::rl: environments (Gymnasium's classic control), the batched VecEnv and their
// spaces. The Gymnasium-style API (reset -> (obs, info), step -> 5-tuple, space objects, gymnasium
// registration) is assembled in the pure-Python module adamant.rl from these calls.
//
// Each call returns fresh numpy arrays (as Gymnasium does); VecEnv fills them with the GIL released
// and no per-environment Python work.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/rl/env.hpp"
#include "adamant/rl/render.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace rl = adamant::rl;

namespace adamant::python {
namespace {

using F32Array = py::array_t<float, py::array::c_style | py::array::forcecast>;
using I64Array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

py::array_t<float> f32_vector(const std::vector<float>& v) {
  py::array_t<float> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

rl::ResetOptions reset_options(std::optional<double> low, std::optional<double> high) {
  rl::ResetOptions o;
  o.low = low;
  o.high = high;
  return o;
}

void check_action_size(const F32Array& a, py::ssize_t expected, const char* what) {
  if (a.size() != expected)
    throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(expected) +
                                " action values, got " + std::to_string(a.size()));
}

}  // namespace

void bind_rl(py::module_& m) {
  py::class_<rl::Space>(m, "Space", "gymnasium Discrete(n) or Box(low, high, shape, float32)")
      .def_property_readonly(
          "is_discrete", [](const rl::Space& s) { return s.kind == rl::Space::Kind::kDiscrete; })
      .def_readonly("n", &rl::Space::n)
      .def_property_readonly("low", [](const rl::Space& s) { return f32_vector(s.low); })
      .def_property_readonly("high", [](const rl::Space& s) { return f32_vector(s.high); })
      .def_readonly("shape", &rl::Space::shape)
      .def("__repr__", &rl::Space::describe);

  py::class_<rl::Env>(m, "Env", "one environment as gymnasium.make(id) returns it")
      .def(py::init([](const std::string& id) { return rl::make(id); }), py::arg("id"))
      .def_property_readonly("id", &rl::Env::id)
      .def_property_readonly("observation_space", &rl::Env::observation_space,
                             py::return_value_policy::reference_internal)
      .def_property_readonly("action_space", &rl::Env::action_space,
                             py::return_value_policy::reference_internal)
      .def_property_readonly("max_episode_steps", &rl::Env::max_episode_steps)
      .def_property_readonly("elapsed_steps", &rl::Env::elapsed_steps)
      .def(
          "reset",
          [](rl::Env& e, std::optional<std::uint64_t> seed, std::optional<double> low,
             std::optional<double> high) {
            py::array_t<float> obs(e.obs_dim());
            e.reset(obs.mutable_data(), seed, reset_options(low, high));
            return obs;
          },
          py::arg("seed") = py::none(), py::arg("low") = py::none(), py::arg("high") = py::none())
      .def(
          "step_discrete",
          [](rl::Env& e, std::int64_t action) {
            py::array_t<float> obs(e.obs_dim());
            const rl::StepResult r = e.step(action, obs.mutable_data());
            return py::make_tuple(obs, r.reward, r.terminated, r.truncated);
          },
          py::arg("action"))
      .def(
          "step_box",
          [](rl::Env& e, const F32Array& action) {
            check_action_size(action, e.action_space().size(), "Env.step");
            py::array_t<float> obs(e.obs_dim());
            const rl::StepResult r = e.step(action.data(), obs.mutable_data());
            return py::make_tuple(obs, r.reward, r.terminated, r.truncated);
          },
          py::arg("action"))
      .def_property("state", &rl::Env::state, &rl::Env::set_state,
                    "the internal float64 state (list)");

  py::class_<rl::VecEnv>(m, "VecEnv", "num_envs copies of one environment, next-step autoreset")
      .def(py::init([](const std::string& id, int n, int threads, const std::string& mode,
                       bool vector_math) {
             return rl::VecEnv(id, n, threads, rl::parse_autoreset_mode(mode),
                               vector_math ? rl::VecMath::kVector : rl::VecMath::kExact);
           }),
           py::arg("id"), py::arg("num_envs"), py::arg("num_threads") = 1,
           py::arg("autoreset_mode") = "next_step", py::arg("vector_math") = false)
      .def_property_readonly(
          "autoreset_mode",
          [](const rl::VecEnv& v) { return std::string(rl::to_string(v.autoreset_mode())); })
      .def(
          "reset_masked",
          [](rl::VecEnv& v, std::optional<std::uint64_t> seed,
             const py::array_t<bool, py::array::c_style | py::array::forcecast>& mask) {
            if (mask.ndim() != 1 || mask.size() != v.num_envs())
              throw std::invalid_argument("reset_mask must have shape (" +
                                          std::to_string(v.num_envs()) + ",)");
            std::vector<std::uint8_t> bytes(mask.data(), mask.data() + mask.size());
            py::array_t<float> obs({v.num_envs(), v.obs_dim()});
            v.reset(obs.mutable_data(), seed, bytes.data());
            return obs;
          },
          py::arg("seed"), py::arg("mask"))
      .def("final_observations",
           [](const rl::VecEnv& v) {
             const std::vector<float>& f = v.final_observations();
             py::array_t<float> a(
                 {static_cast<py::ssize_t>(v.num_envs()), static_cast<py::ssize_t>(v.obs_dim())});
             if (!f.empty()) std::copy(f.begin(), f.end(), a.mutable_data());
             py::array_t<bool> has(v.num_envs());
             for (int i = 0; i < v.num_envs(); ++i)
               has.mutable_data()[i] = !v.final_mask().empty() && v.final_mask()[i] != 0;
             return py::make_tuple(a, has);
           })
      .def("states",
           [](const rl::VecEnv& v) {
             const std::vector<double> st = v.states();
             const py::ssize_t n = v.num_envs();
             py::array_t<double> a({n, static_cast<py::ssize_t>(st.size()) / n});
             std::copy(st.begin(), st.end(), a.mutable_data());
             return a;
           })
      .def_property_readonly("num_envs", &rl::VecEnv::num_envs)
      .def_property_readonly("single_observation_space", &rl::VecEnv::single_observation_space,
                             py::return_value_policy::reference_internal)
      .def_property_readonly("single_action_space", &rl::VecEnv::single_action_space,
                             py::return_value_policy::reference_internal)
      .def("set_num_threads", &rl::VecEnv::set_num_threads, py::arg("n"))
      .def(
          "reset",
          [](rl::VecEnv& v, std::optional<std::uint64_t> seed) {
            py::array_t<float> obs({v.num_envs(), v.obs_dim()});
            float* o = obs.mutable_data();
            {
              py::gil_scoped_release nogil;
              v.reset(o, seed);
            }
            return obs;
          },
          py::arg("seed") = py::none())
      .def(
          "step",
          [](rl::VecEnv& v, const py::array& actions) {
            const py::ssize_t n = v.num_envs();
            py::array_t<float> obs({n, static_cast<py::ssize_t>(v.obs_dim())});
            py::array_t<double> rewards(n);
            py::array_t<bool> terminated(n), truncated(n);
            float* o = obs.mutable_data();
            double* r = rewards.mutable_data();
            auto* te = reinterpret_cast<std::uint8_t*>(terminated.mutable_data());
            auto* tr = reinterpret_cast<std::uint8_t*>(truncated.mutable_data());
            if (v.single_action_space().kind == rl::Space::Kind::kDiscrete) {
              const I64Array a = I64Array::ensure(actions);
              if (!a || a.size() != n)
                throw std::invalid_argument("VecEnv.step: expected " + std::to_string(n) +
                                            " integer actions");
              py::gil_scoped_release nogil;
              v.step(a.data(), o, r, te, tr);
            } else {
              const F32Array a = F32Array::ensure(actions);
              if (!a) throw std::invalid_argument("VecEnv.step: actions must be numeric");
              check_action_size(a, n * v.single_action_space().size(), "VecEnv.step");
              py::gil_scoped_release nogil;
              v.step(a.data(), o, r, te, tr);
            }
            return py::make_tuple(obs, rewards, terminated, truncated);
          },
          py::arg("actions"));

  m.def("registered_ids", &rl::registered_ids, "the environment ids make() knows");
  m.def(
      "render",
      [](const std::string& id, const std::vector<double>& state) {
        const rl::Image img = rl::render(id, state);
        py::array_t<std::uint8_t> a({img.height, img.width, 3});
        std::memcpy(a.mutable_data(), img.pixels.data(), img.pixels.size());
        return a;
      },
      py::arg("id"), py::arg("state"),
      "an (H, W, 3) uint8 frame of environment `id` in internal state `state`, drawn like "
      "Gymnasium's render_mode='rgb_array'");
}

}  // namespace adamant::python
