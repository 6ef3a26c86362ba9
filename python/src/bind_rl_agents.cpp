// Bindings of adamant::rl's agents: the training config, a run advanced update by update
// (rl::Agent), policies (act, save, load, evaluate) and adapters that let the C++ trainer step a
// user's own Python environments: a gymnasium.Env per copy (rl::VecEnv::from_envs) or one
// gymnasium.vector.VectorEnv. The Stable-Baselines3-style classes (PPO, A2C, REINFORCE) are
// assembled in the pure-Python module adamant.rl from these calls.
//
// GIL: Agent.update runs with the GIL released; the Python environments and the Python schedules
// take it only around their own calls, so a run on the built-in environments never touches
// Python. Python objects held by C++ (environments inside the VecEnv, schedules inside the config)
// are released under the GIL whatever thread drops the last reference.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/rl/agents.hpp"
#include "adamant/rl/env.hpp"
#include "bindings.hpp"

namespace py = pybind11;
namespace rl = adamant::rl;

namespace adamant::python {
namespace {

/// A Python object C++ may copy and drop on any thread: the reference is released under the GIL.
struct PyRef {
  std::shared_ptr<py::object> o;
  PyRef() = default;
  explicit PyRef(py::object obj)
      : o(new py::object(std::move(obj)), [](py::object* p) {
          py::gil_scoped_acquire gil;
          delete p;
        }) {}
  py::object& operator*() const { return *o; }
};

/// The name a Python environment goes by: env.spec.id, else its class name.
std::string env_name(const py::object& env) {
  if (py::hasattr(env, "spec") && !env.attr("spec").is_none() &&
      py::hasattr(env.attr("spec"), "id"))
    return py::str(env.attr("spec").attr("id"));
  return py::str(py::type::of(env).attr("__name__"));
}

/// env.spec.max_episode_steps when there is one, else an integer attribute max_episode_steps
/// (adamant.rl.Env has one), else 0 (no time limit known).
int env_time_limit(const py::object& env) {
  if (py::hasattr(env, "spec") && !env.attr("spec").is_none()) {
    const py::object spec = env.attr("spec");
    if (py::hasattr(spec, "max_episode_steps") && !spec.attr("max_episode_steps").is_none())
      return spec.attr("max_episode_steps").cast<int>();
  }
  if (py::hasattr(env, "max_episode_steps") &&
      py::isinstance<py::int_>(env.attr("max_episode_steps")))
    return env.attr("max_episode_steps").cast<int>();
  return 0;
}

/// A gymnasium space (duck-typed: Discrete has n, Box has low / high / shape) as rl::Space.
rl::Space space_from_py(const py::object& s, const std::string& what) {
  rl::Space out;
  if (py::hasattr(s, "n") && !py::hasattr(s, "low")) {
    out.kind = rl::Space::Kind::kDiscrete;
    out.n = s.attr("n").cast<std::int64_t>();
    if (py::hasattr(s, "start") && s.attr("start").cast<std::int64_t>() != 0)
      throw std::invalid_argument(what + ": Discrete spaces must start at 0, got start " +
                                  std::string(py::str(s.attr("start"))));
    if (out.n < 1) throw std::invalid_argument(what + ": Discrete(" + std::to_string(out.n) + ")");
    return out;
  }
  if (py::hasattr(s, "low") && py::hasattr(s, "high") && py::hasattr(s, "shape")) {
    out.kind = rl::Space::Kind::kBox;
    py::module_ np = py::module_::import("numpy");
    auto flat = [&](const char* name) {
      py::array_t<float, py::array::c_style | py::array::forcecast> a =
          np.attr("asarray")(s.attr(name), "float32").attr("ravel")();
      return std::vector<float>(a.data(), a.data() + a.size());
    };
    out.low = flat("low");
    out.high = flat("high");
    for (const py::handle d : s.attr("shape")) out.shape.push_back(d.cast<int>());
    if (out.shape.size() != 1)
      throw std::invalid_argument(what + ": only 1-D Box spaces are supported, got shape " +
                                  std::string(py::str(s.attr("shape"))));
    return out;
  }
  throw std::invalid_argument(what + " must be a Box or Discrete space, got " +
                              std::string(py::str(s)));
}

/// Copies a Python observation into `dst` (obs_dim floats), naming the env and call on a
/// mismatch.
void copy_obs(const py::handle& obs, float* dst, py::ssize_t size, const std::string& where) {
  const auto a = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(obs);
  if (!a || a.size() != size)
    throw std::invalid_argument(where + ": expected an observation of " + std::to_string(size) +
                                " numbers, got " + std::string(py::str(py::repr(obs))));
  std::copy(a.data(), a.data() + size, dst);
}

/// env.reset(seed=seed) (or env.reset()), checked to return (obs, info), its obs copied into
/// `obs` (size floats). Called under the GIL.
void reset_into(const py::object& env, std::optional<std::uint64_t> seed, float* obs,
                py::ssize_t size, const std::string& id) {
  const py::object r = seed ? env.attr("reset")(py::arg("seed") = *seed) : env.attr("reset")();
  const py::tuple t = r.cast<py::tuple>();
  if (t.size() != 2)
    throw std::invalid_argument(id + ".reset must return (obs, info), got " +
                                std::to_string(t.size()) + " values");
  copy_obs(t[0], obs, size, id + ".reset");
}

/// One gymnasium.Env (reset(seed=) -> (obs, info), step(a) -> 5-tuple) as an rl::Env.
class PyEnv final : public rl::Env {
 public:
  explicit PyEnv(py::object env) : env_(std::move(env)) {
    const py::object& e = *env_;
    id_ = env_name(e);
    obs_ = space_from_py(e.attr("observation_space"), id_ + ".observation_space");
    if (obs_.kind != rl::Space::Kind::kBox)
      throw std::invalid_argument(id_ + ".observation_space must be a Box (got a Discrete)");
    act_ = space_from_py(e.attr("action_space"), id_ + ".action_space");
    limit_ = env_time_limit(e);
  }
  std::string id() const override { return id_; }
  const rl::Space& observation_space() const override { return obs_; }
  const rl::Space& action_space() const override { return act_; }
  int max_episode_steps() const override { return limit_; }

  void reset(float* obs, std::optional<std::uint64_t> seed,
             const rl::ResetOptions& options) override {
    if (options.low || options.high || options.x_init || options.y_init)
      throw std::invalid_argument(id_ + ": reset options are not passed to Python environments");
    py::gil_scoped_acquire gil;
    reset_into(*env_, seed, obs, obs_.size(), id_);
    elapsed_ = 0;
  }
  rl::StepResult step(std::int64_t action, float* obs) override {
    py::gil_scoped_acquire gil;
    return finish((*env_).attr("step")(action), obs);
  }
  rl::StepResult step(const float* action, float* obs) override {
    py::gil_scoped_acquire gil;
    py::array_t<float> a(static_cast<py::ssize_t>(act_.size()));
    std::copy(action, action + act_.size(), a.mutable_data());
    return finish((*env_).attr("step")(a), obs);
  }
  std::vector<double> state() const override {
    throw std::logic_error(id_ + ": a Python environment has no C++ state");
  }
  void set_state(const std::vector<double>&) override {
    throw std::logic_error(id_ + ": a Python environment has no C++ state");
  }
  int elapsed_steps() const override { return elapsed_; }
  rl::Generator& np_random() override { return rng_; }

 private:
  rl::StepResult finish(const py::object& r, float* obs) {
    const py::tuple t = r.cast<py::tuple>();
    if (t.size() != 5)
      throw std::invalid_argument(id_ +
                                  ".step must return (obs, reward, terminated, truncated, info), "
                                  "got " +
                                  std::to_string(t.size()) + " values");
    copy_obs(t[0], obs, obs_.size(), id_ + ".step");
    rl::StepResult s;
    s.reward = t[1].cast<double>();
    s.terminated = t[2].cast<bool>();
    s.truncated = t[3].cast<bool>();
    if (!std::isfinite(s.reward))
      throw std::invalid_argument(id_ + ".step returned a non-finite reward");
    ++elapsed_;
    return s;
  }

  PyRef env_;
  std::string id_;
  rl::Space obs_, act_;
  int limit_ = 0, elapsed_ = 0;
  rl::Generator rng_{std::uint64_t{0}};
};

/// A gymnasium.vector.VectorEnv with next-step autoreset as an rl::VecEnvBackend.
class PyVecEnv final : public rl::VecEnvBackend {
 public:
  explicit PyVecEnv(py::object env) : env_(std::move(env)) {
    const py::object& e = *env_;
    if (py::hasattr(e, "metadata")) {
      const py::object md = e.attr("metadata");
      if (py::isinstance<py::dict>(md) && md.contains("autoreset_mode")) {
        const py::object mode = md["autoreset_mode"];
        const std::string name = py::hasattr(mode, "name") ? std::string(py::str(mode.attr("name")))
                                                           : std::string(py::str(mode));
        if (name != "NEXT_STEP" && name != "next_step" && name != "NextStep")
          throw std::invalid_argument(
              "the vector environment's autoreset_mode is " + name +
              "; training needs NEXT_STEP (gymnasium's default), where the step after an "
              "episode's end only resets that environment");
      }
    }
    id = env_name(e);
    num_envs = e.attr("num_envs").cast<int>();
    obs_space = space_from_py(e.attr("single_observation_space"), id + ".single_observation_space");
    if (obs_space.kind != rl::Space::Kind::kBox)
      throw std::invalid_argument(id + ".single_observation_space must be a Box");
    act_space = space_from_py(e.attr("single_action_space"), id + ".single_action_space");
    obs_dim = obs_space.size();
    max_episode_steps = env_time_limit(e);
  }
  void reset(float* obs, std::optional<std::uint64_t> seed) override {
    py::gil_scoped_acquire gil;
    reset_into(*env_, seed, obs, static_cast<py::ssize_t>(num_envs) * obs_dim, id);
  }
  void step_discrete(const std::int64_t* actions, float* obs, double* rewards,
                     std::uint8_t* terminated, std::uint8_t* truncated) override {
    py::gil_scoped_acquire gil;
    py::array_t<std::int64_t> a(num_envs);
    std::copy(actions, actions + num_envs, a.mutable_data());
    finish((*env_).attr("step")(a), obs, rewards, terminated, truncated);
  }
  void step_box(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
                std::uint8_t* truncated) override {
    py::gil_scoped_acquire gil;
    const py::ssize_t d = act_space.size();
    py::array_t<float> a({static_cast<py::ssize_t>(num_envs), d});
    std::copy(actions, actions + num_envs * d, a.mutable_data());
    finish((*env_).attr("step")(a), obs, rewards, terminated, truncated);
  }

 private:
  void finish(const py::object& r, float* obs, double* rewards, std::uint8_t* terminated,
              std::uint8_t* truncated) {
    const py::tuple t = r.cast<py::tuple>();
    if (t.size() != 5)
      throw std::invalid_argument(id + ".step must return 5 values, got " +
                                  std::to_string(t.size()));
    copy_obs(t[0], obs, static_cast<py::ssize_t>(num_envs) * obs_dim, id + ".step");
    const auto rw = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(t[1]);
    const auto te = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(t[2]);
    const auto tr = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(t[3]);
    if (!rw || !te || !tr || rw.size() != num_envs || te.size() != num_envs ||
        tr.size() != num_envs)
      throw std::invalid_argument(id + ".step must return " + std::to_string(num_envs) +
                                  " rewards, terminated and truncated flags");
    for (int i = 0; i < num_envs; ++i) {
      rewards[i] = rw.data()[i];
      if (!std::isfinite(rewards[i]))
        throw std::invalid_argument(id + ".step returned a non-finite reward for env " +
                                    std::to_string(i));
      terminated[i] = te.data()[i];
      truncated[i] = tr.data()[i];
    }
  }

  PyRef env_;
};

/// A Python callable as a schedule of progress_remaining (called under the GIL).
rl::AgentConfig::ProgressSchedule schedule_from_py(const py::object& f, const char* what) {
  if (f.is_none()) return {};
  if (!PyCallable_Check(f.ptr()))
    throw std::invalid_argument(std::string(what) +
                                " must be callable (progress_remaining -> value)");
  PyRef ref(f);
  const std::string name = what;
  return [ref, name](double progress) {
    py::gil_scoped_acquire gil;
    const py::object v = (*ref)(progress);
    try {
      return v.cast<double>();
    } catch (const py::cast_error&) {
      throw std::invalid_argument(name + "(" + std::to_string(progress) +
                                  ") must return a number, got " + std::string(py::str(v)));
    }
  };
}

py::array_t<double> vec(const Eigen::VectorXd& v) {
  py::array_t<double> a(v.size());
  std::copy(v.data(), v.data() + v.size(), a.mutable_data());
  return a;
}

py::dict update_dict(const rl::UpdateRecord& u) {
  py::dict d;
  d["env_steps"] = u.env_steps;
  d["policy_loss"] = u.policy_loss;
  d["value_loss"] = u.value_loss;
  d["entropy"] = u.entropy;
  d["approx_kl"] = u.approx_kl;
  d["clip_fraction"] = u.clip_fraction;
  d["grad_norm"] = u.grad_norm;
  d["lr"] = u.lr;
  d["explained_variance"] = u.explained_variance;
  d["epochs"] = u.epochs;
  d["steps_per_second"] = u.steps_per_second;
  d["wall_time"] = u.wall_time;
  return d;
}

/// Acting with a policy: a PolicyRunner sized on demand and its own sampling stream.
struct Actor {
  Actor(const rl::Policy& p, std::uint64_t seed) : policy(p), rng(seed) {
    const std::string why = p.validate();
    if (!why.empty()) throw std::invalid_argument("policy: " + why);
  }
  rl::Policy policy;
  rl::Generator rng;
  std::unique_ptr<rl::PolicyRunner> runner;
  int capacity = 0;

  py::array act(const py::array& obs_in, bool deterministic) {
    const auto obs = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(obs_in);
    const int O = policy.obs_dim;
    if (!obs || obs.ndim() < 1 || obs.ndim() > 2 || obs.shape(obs.ndim() - 1) != O)
      throw std::invalid_argument("predict: observations must have shape (" + std::to_string(O) +
                                  ",) or (n, " + std::to_string(O) + "), got " +
                                  std::string(py::str(obs_in.attr("shape"))));
    const bool single = obs.ndim() == 1;
    const int n = single ? 1 : static_cast<int>(obs.shape(0));
    if (n > capacity || !runner) {
      capacity = std::max(n, 1);
      runner = std::make_unique<rl::PolicyRunner>(policy, capacity);
    }
    if (policy.action_space.kind == rl::Space::Kind::kDiscrete) {
      py::array_t<std::int64_t> a(n);
      std::int64_t* out = a.mutable_data();
      {
        py::gil_scoped_release nogil;
        runner->act(obs.data(), n, deterministic, &rng, out, nullptr);
      }
      if (single) return py::array_t<std::int64_t>(std::vector<py::ssize_t>{}, out);
      return std::move(a);
    }
    const int D = policy.action_space.size();
    py::array_t<float> a({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(D)});
    float* out = a.mutable_data();
    {
      py::gil_scoped_release nogil;
      runner->act(obs.data(), n, deterministic, &rng, nullptr, out);
    }
    if (single) return py::array_t<float>(static_cast<py::ssize_t>(D), out);
    return std::move(a);
  }
};

}  // namespace

void bind_rl_agents(py::module_& m) {
  py::class_<rl::AgentConfig> cfg(m, "AgentConfig",
                                  "everything a training run depends on (rl::AgentConfig)");
  cfg.def(py::init<>())
      .def_readwrite("env_id", &rl::AgentConfig::env_id)
      .def_property(
          "algo", [](const rl::AgentConfig& c) { return std::string(rl::to_string(c.algo)); },
          [](rl::AgentConfig& c, const std::string& s) { c.algo = rl::parse_algo(s); })
      .def_readwrite("seed", &rl::AgentConfig::seed)
      .def_readwrite("total_steps", &rl::AgentConfig::total_steps)
      .def_readwrite("num_envs", &rl::AgentConfig::num_envs)
      .def_readwrite("num_threads", &rl::AgentConfig::num_threads)
      .def_readwrite("precision", &rl::AgentConfig::precision)
      .def_readwrite("actor_hidden", &rl::AgentConfig::actor_hidden)
      .def_readwrite("critic_hidden", &rl::AgentConfig::critic_hidden)
      .def_property(
          "activation",
          [](const rl::AgentConfig& c) { return std::string(core::to_string(c.activation)); },
          [](rl::AgentConfig& c, const std::string& s) {
            c.activation = core::parse_activation(s);
          })
      .def_readwrite("actor_output_scale", &rl::AgentConfig::actor_output_scale)
      .def_readwrite("init_log_std", &rl::AgentConfig::init_log_std)
      .def_readwrite("normalize_obs", &rl::AgentConfig::normalize_obs)
      .def_readwrite("obs_clip", &rl::AgentConfig::obs_clip)
      .def_readwrite("normalize_reward", &rl::AgentConfig::normalize_reward)
      .def_readwrite("reward_clip", &rl::AgentConfig::reward_clip)
      .def_readwrite("rule", &rl::AgentConfig::rule,
                     "the update rule's options (any adamant.core options class)")
      .def_property(
          "optimizer", [](const rl::AgentConfig& c) { return core::rule_name(c.rule); },
          [](rl::AgentConfig& c, const std::string& name) {
            const double lr = c.lr();
            c.rule = core::rule_options(name);  // PyTorch's defaults, the same lr
            c.set_lr(lr);
          },
          "a rule name of the core's table (setting it resets the rule's other options)")
      .def_readwrite("max_grad_norm", &rl::AgentConfig::max_grad_norm)
      .def_readwrite("anneal_lr", &rl::AgentConfig::anneal_lr)
      .def_readwrite("gamma", &rl::AgentConfig::gamma)
      .def_readwrite("gae_lambda", &rl::AgentConfig::gae_lambda)
      .def_readwrite("n_steps", &rl::AgentConfig::n_steps)
      .def_readwrite("normalize_advantage", &rl::AgentConfig::normalize_advantage)
      .def_readwrite("ent_coef", &rl::AgentConfig::ent_coef)
      .def_readwrite("vf_coef", &rl::AgentConfig::vf_coef)
      .def_readwrite("baseline", &rl::AgentConfig::baseline)
      .def_readwrite("n_epochs", &rl::AgentConfig::n_epochs)
      .def_readwrite("num_minibatches", &rl::AgentConfig::num_minibatches)
      .def_readwrite("clip_range", &rl::AgentConfig::clip_range)
      .def_readwrite("clip_range_vf", &rl::AgentConfig::clip_range_vf)
      .def_readwrite("target_kl", &rl::AgentConfig::target_kl)
      .def(
          "set_lr_schedule",
          [](rl::AgentConfig& c, const py::object& f) {
            c.lr_schedule = schedule_from_py(f, "lr_schedule");
          },
          py::arg("schedule"), "f(progress_remaining) -> lr per update, or None")
      .def(
          "set_clip_range_schedule",
          [](rl::AgentConfig& c, const py::object& f) {
            c.clip_range_schedule = schedule_from_py(f, "clip_range_schedule");
          },
          py::arg("schedule"), "f(progress_remaining) -> PPO clip range per update, or None")
      .def_property_readonly("has_lr_schedule",
                             [](const rl::AgentConfig& c) { return bool(c.lr_schedule); })
      .def(
          "set_python_envs",
          [](rl::AgentConfig& c, const py::list& envs) {
            if (envs.empty()) throw std::invalid_argument("set_python_envs: no environments");
            std::vector<PyRef> refs;
            for (const py::handle e : envs)
              refs.emplace_back(py::reinterpret_borrow<py::object>(e));
            c.env_id = env_name(*refs.front());
            c.num_envs = static_cast<int>(refs.size());
            // Checked now (spaces, names) so that a bad env fails at construction, not in learn.
            for (const PyRef& r : refs) PyEnv probe(*r);
            c.make_env = [refs]() {
              std::vector<std::unique_ptr<rl::Env>> list;
              py::gil_scoped_acquire gil;
              for (const PyRef& r : refs) list.push_back(std::make_unique<PyEnv>(*r));
              return rl::VecEnv::from_envs(std::move(list));
            };
          },
          py::arg("envs"), "train on these gymnasium.Env objects, one per environment copy")
      .def(
          "set_python_vector_env",
          [](rl::AgentConfig& c, const py::object& env) {
            PyRef ref(env);
            PyVecEnv probe(env);
            c.env_id = probe.id;
            c.num_envs = probe.num_envs;
            c.make_env = [ref]() {
              py::gil_scoped_acquire gil;
              return rl::VecEnv(std::make_unique<PyVecEnv>(*ref));
            };
          },
          py::arg("env"), "train on this gymnasium.vector.VectorEnv (next-step autoreset)")
      .def_property_readonly("user_env", [](const rl::AgentConfig& c) { return bool(c.make_env); })
      .def("validate", &rl::AgentConfig::validate)
      .def("describe", &rl::AgentConfig::describe)
      .def("__repr__", &rl::AgentConfig::describe);
  def_rule_fields<decltype(cfg), rl::AgentConfig>(
      cfg, [](rl::AgentConfig& c) -> core::RuleOptions& { return c.rule; });

  m.def(
      "default_config",
      [](const std::string& env_id, const std::string& algo) {
        return rl::default_config(env_id, rl::parse_algo(algo));
      },
      py::arg("env_id"), py::arg("algo") = "ppo",
      "the tuned defaults for a built-in environment and algorithm (what `adamant rl train` uses)");

  py::class_<rl::Policy>(m, "Policy", "a trained policy (actor, log-std, observation statistics)")
      .def_readonly("env_id", &rl::Policy::env_id)
      .def_property_readonly("algo",
                             [](const rl::Policy& p) { return std::string(rl::to_string(p.algo)); })
      .def_readonly("obs_dim", &rl::Policy::obs_dim)
      .def_readonly("action_space", &rl::Policy::action_space)
      .def_readonly("normalize_obs", &rl::Policy::normalize_obs)
      .def_property_readonly("obs_mean", [](const rl::Policy& p) { return vec(p.obs_mean); })
      .def_property_readonly("obs_var", [](const rl::Policy& p) { return vec(p.obs_var); })
      .def_readonly("obs_clip", &rl::Policy::obs_clip)
      .def_readonly("normalize_reward", &rl::Policy::normalize_reward)
      .def_readonly("reward_clip", &rl::Policy::reward_clip)
      .def_property_readonly("return_stats",
                             [](const rl::Policy& p) {
                               return py::make_tuple(p.return_mean, p.return_var, p.return_count);
                             })
      .def_property_readonly("actor_params",
                             [](const rl::Policy& p) { return vec(p.actor_params); })
      .def_property_readonly("critic_params",
                             [](const rl::Policy& p) { return vec(p.critic_params); })
      .def_property_readonly("log_std", [](const rl::Policy& p) { return vec(p.log_std); })
      .def("validate", &rl::Policy::validate);

  py::class_<Actor>(m, "Actor", "acts with a policy (float64), sampling from its own stream")
      .def(py::init<const rl::Policy&, std::uint64_t>(), py::arg("policy"), py::arg("seed") = 0)
      .def("act", &Actor::act, py::arg("obs"), py::arg("deterministic"),
           "actions for one observation (O,) or a batch (n, O)");

  py::class_<rl::Agent>(m, "Agent", "a training run advanced one update at a time")
      .def(py::init<const rl::AgentConfig&>(), py::arg("config"))
      .def("update", &rl::Agent::update, py::call_guard<py::gil_scoped_release>(),
           "one rollout and its optimisation; False once the budget is spent")
      .def("extend", &rl::Agent::extend, py::arg("steps"))
      .def("progress",
           [](const rl::Agent& a) {
             const rl::Progress p = a.progress();
             py::dict d;
             d["env_steps"] = p.env_steps;
             d["total_steps"] = p.total_steps;
             d["episodes"] = p.episodes;
             d["updates"] = p.updates;
             d["mean_return_last20"] = p.mean_return_last20;
             d["steps_per_second"] = p.steps_per_second;
             d["elapsed"] = p.elapsed;
             return d;
           })
      .def("last_update", [](const rl::Agent& a) { return update_dict(a.last_update()); })
      .def("policy", &rl::Agent::policy)
      .def("learning_curve",
           [](const rl::Agent& a) { return table_dict(a.result().episode_table()); })
      .def("updates", [](const rl::Agent& a) { return table_dict(a.result().update_table()); })
      .def_property_readonly("config", &rl::Agent::config)
      .def(
          "save",
          [](const rl::Agent& a, const std::string& path) {
            const rl::TrainResult r = a.result();
            rl::save_policy(path, r.policy, &r);
          },
          py::arg("path"), "the policy file `adamant rl train` writes, with curves and config");

  m.def(
      "save_policy",
      [](const std::string& path, const rl::Policy& p) { rl::save_policy(path, p, nullptr); },
      py::arg("path"), py::arg("policy"));
  m.def("load_policy", &rl::load_policy, py::arg("path"));
  m.def(
      "evaluate",
      [](const rl::Policy& p, const std::string& env_id, int episodes, std::uint64_t seed,
         bool greedy, int threads) {
        rl::EvalResult r;
        {
          py::gil_scoped_release nogil;
          r = rl::evaluate(p, env_id, episodes, seed, greedy, threads);
        }
        return py::make_tuple(r.mean, r.std, r.returns, r.lengths);
      },
      py::arg("policy"), py::arg("env_id"), py::arg("episodes") = 100, py::arg("seed") = 0,
      py::arg("greedy") = true, py::arg("num_threads") = 1,
      "(mean, std, returns, lengths) of episodes of a built-in environment, episode i reset with "
      "seed + i");
}

}  // namespace adamant::python
