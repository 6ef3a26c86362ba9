#pragma once
// Gymnasium 1.x classic-control environments in C++: CartPole-v1, Acrobot-v1, MountainCar-v0,
// MountainCarContinuous-v0 and Pendulum-v1, each as gymnasium.make(id) returns it (registered
// time limit included). Internal state is float64 and observations float32 exactly as
// Gymnasium computes them; reset(seed) seeds a numpy-exact Generator (random.hpp) the way
// gymnasium.utils.seeding.np_random does, and a reset without a seed continues that stream.
// Each environment's source states its dynamics equations (and the Gymnasium file it follows).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adamant/rl/random.hpp"

namespace adamant::rl {

/// gymnasium.spaces.Discrete(n) or gymnasium.spaces.Box(low, high, shape, float32).
struct Space {
  enum class Kind { kDiscrete, kBox };
  Kind kind = Kind::kDiscrete;
  std::int64_t n = 0;            ///< Discrete: number of actions
  std::vector<float> low, high;  ///< Box: bounds per element (±inf allowed)
  std::vector<int> shape;        ///< Box: shape (1-D for these envs); Discrete: {}
  int size() const;              ///< Discrete: 1; Box: product of shape
  bool contains(std::int64_t a) const;
  bool contains(const float* x, int size) const;
  /// Gymnasium's sample() semantics (Discrete: integers(n); Box: uniform on bounded axes).
  void sample(Generator& rng, float* out) const;
  std::int64_t sample_discrete(Generator& rng) const;
  std::string describe() const;  ///< "Discrete(2)", "Box(-2.0, 2.0, (1,), float32)"
};

/// reset(options={"low": ..., "high": ...}) where the environment supports it (CartPole,
/// Acrobot, MountainCar, MountainCarContinuous: utils.maybe_parse_reset_bounds, low > high is an
/// error); Pendulum-v1 takes {"x_init": ..., "y_init": ...} instead (θ ~ U(−x_init, x_init),
/// θ̇ ~ U(−y_init, y_init); defaults π and 1). Options an environment does not take throw
/// std::invalid_argument.
struct ResetOptions {
  std::optional<double> low, high;
  std::optional<double> x_init, y_init;  ///< Pendulum-v1 only
};

struct StepResult {
  double reward = 0;
  bool terminated = false;  ///< a terminal state of the MDP
  bool truncated = false;   ///< the registered time limit (TimeLimit wrapper)
};

class Env {
 public:
  virtual ~Env() = default;
  virtual std::string id() const = 0;
  virtual const Space& observation_space() const = 0;
  virtual const Space& action_space() const = 0;
  virtual int max_episode_steps() const = 0;
  int obs_dim() const { return observation_space().size(); }

  /// Writes the first observation (obs_dim floats). A seed reseeds the generator; without one
  /// the generator continues (or is seeded from entropy on the very first reset). Throws
  /// std::invalid_argument for options the environment does not accept.
  virtual void reset(float* obs, std::optional<std::uint64_t> seed = std::nullopt,
                     const ResetOptions& options = {}) = 0;
  /// Discrete action spaces. Throws std::invalid_argument for an action outside the space and
  /// std::logic_error when called before reset.
  virtual StepResult step(std::int64_t action, float* obs) = 0;
  /// Box action spaces (action_space().size() floats).
  virtual StepResult step(const float* action, float* obs) = 0;

  /// The internal float64 state (CartPole: x, ẋ, θ, θ̇; Acrobot: θ1, θ2, θ̇1, θ̇2; ...) and its
  /// setter, for tests that step from a recorded state and for rendering.
  virtual std::vector<double> state() const = 0;
  virtual void set_state(const std::vector<double>& s) = 0;
  virtual int elapsed_steps() const = 0;
  virtual Generator& np_random() = 0;
};

/// gymnasium.make(id); throws std::invalid_argument naming the known ids for an unknown one.
std::unique_ptr<Env> make(const std::string& id);
std::vector<std::string> registered_ids();

/// Many copies of one environment, structure of arrays, with Gymnasium's next-step autoreset
/// (gymnasium.vector, autoreset_mode NEXT_STEP): after env i terminates or truncates, the next
/// step() ignores its action, resets it and returns the reset observation with reward 0 and both
/// flags false. reset(seed) seeds env i with seed + i, as gymnasium's vector envs do. Work is
/// split over `num_threads` in fixed contiguous blocks: results do not depend on the count.
/// Gymnasium ≥ 1.1's vector autoreset modes (gymnasium.vector.AutoresetMode):
///   kNextStep  the step after an episode's end resets that env (its action ignored) and
///              returns the reset observation with reward 0, both flags false (the default; what
///              training uses);
///   kSameStep  the step that ends an episode resets the env at once: it returns the reset
///              observation, that step's reward and flags, and the final observation apart
///              (VecEnv::final_observations, Gymnasium's info["final_obs"]);
///   kDisabled  nothing is reset automatically: reset(obs, seed, mask) resets the envs in the
///              mask (the others' observations returned unchanged), and stepping an env whose
///              episode ended without resetting it is an error.
enum class AutoresetMode { kNextStep, kSameStep, kDisabled };
/// "next_step", "same_step", "disabled" (and the inverse, also accepting Gymnasium's enum values
/// "NextStep", "SameStep", "Disabled"; throws std::invalid_argument naming the modes).
const char* to_string(AutoresetMode m);
AutoresetMode parse_autoreset_mode(const std::string& name);

/// How a CartPole-v1 VecEnv evaluates sin θ, cos θ and the two squares of a step:
///   kExact   glibc's sincos and pow(·, 2), as Gymnasium's CartPoleEnv gets them from Python on
///            glibc: every number equals the single Env's, bit for bit (the default);
///   kVector  glibc's vector math library libmvec (the widest variant the build targets: 8
///            doubles with AVX-512, 4 with AVX2, 2 with SSE2; at most 4 ulp from the exact sine
///            and cosine) and x·x squares: the arithmetic of Gymnasium's CartPoleVectorEnv, whose
///            numpy uses SIMD sin/cos and np.square. A step then differs from kExact by a few ulps
///            and trajectories part slowly, as Gymnasium's vector and single envs do. Results
///            still do not depend on the thread count, but may on the build's instruction set.
///            Other environment ids refuse it (std::invalid_argument).
enum class VecMath { kExact, kVector };

/// What a VecEnv steps, with the semantics above (next-step autoreset, reset(seed) seeding env i
/// with seed + i). The built-in kernels implement it; so do VecEnv::from_envs (any Env objects,
/// stepped one after another) and the Python binding (a gymnasium.vector.VectorEnv). Step
/// functions receive num_envs rows; the one that does not fit the action space throws
/// std::invalid_argument.
class VecEnvBackend {
 public:
  virtual ~VecEnvBackend() = default;
  virtual void reset(float* obs, std::optional<std::uint64_t> seed) = 0;
  virtual void step_discrete(const std::int64_t* actions, float* obs, double* rewards,
                             std::uint8_t* terminated, std::uint8_t* truncated) = 0;
  virtual void step_box(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
                        std::uint8_t* truncated) = 0;
  /// kDisabled: resets the envs with mask[i] != 0 (env i seeded seed + i when a seed is given);
  /// the others' current observations are written unchanged. The default throws logic_error.
  virtual void reset_masked(float* obs, std::optional<std::uint64_t> seed,
                            const std::uint8_t* mask);
  /// The float64 states, num_envs rows of Env::state(); the default throws logic_error.
  virtual std::vector<double> states() const;

  std::string id;
  AutoresetMode autoreset_mode = AutoresetMode::kNextStep;
  /// kSameStep: after each step, the final observations (num_envs × obs_dim) of the envs whose
  /// episode ended in it (final_mask[i] = 1); zero elsewhere.
  std::vector<float> final_obs;
  std::vector<std::uint8_t> final_mask;
  int num_envs = 0;
  int num_threads = 1;
  int obs_dim = 0;
  int max_episode_steps = 0;  ///< the time limit (0: none)
  Space obs_space, act_space;
};

class VecEnv {
 public:
  VecEnv(const std::string& id, int num_envs, int num_threads = 1,
         AutoresetMode autoreset_mode = AutoresetMode::kNextStep, VecMath math = VecMath::kExact);
  /// A VecEnv over another backend (a Python vector env). Throws std::invalid_argument when it
  /// is null or its sizes are inconsistent.
  explicit VecEnv(std::unique_ptr<VecEnvBackend> backend);
  /// Copies of any Env (a user's own, a Python gymnasium.Env through the binding), stepped one
  /// after another on the calling thread, with the autoreset above. All must have the same
  /// spaces and id; throws std::invalid_argument naming the first that differs.
  static VecEnv from_envs(std::vector<std::unique_ptr<Env>> envs);
  int num_envs() const;
  int obs_dim() const;
  /// The environments' time limit (0: none).
  int max_episode_steps() const;
  const std::string& id() const;
  const Space& single_observation_space() const;
  const Space& single_action_space() const;
  void set_num_threads(int n);

  AutoresetMode autoreset_mode() const;

  /// obs: num_envs × obs_dim row-major.
  void reset(float* obs, std::optional<std::uint64_t> seed = std::nullopt);
  /// Gymnasium's reset(options={"reset_mask": mask}) (any mode; needed with kDisabled): resets
  /// the envs with mask[i] != 0 and writes every env's current observation. Throws
  /// std::invalid_argument for an empty mask and std::logic_error before the first full reset.
  void reset(float* obs, std::optional<std::uint64_t> seed, const std::uint8_t* mask);
  /// kSameStep: the final observations of the last step (num_envs × obs_dim) and which envs
  /// have one (Gymnasium's info["final_obs"], info["_final_obs"]).
  const std::vector<float>& final_observations() const;
  const std::vector<std::uint8_t>& final_mask() const;
  /// The internal float64 states (num_envs × state size, row i = env i's Env::state(); for
  /// CartPole x, ẋ, θ, θ̇). Throws std::logic_error for a backend without them (a Python env).
  std::vector<double> states() const;
  /// Discrete: actions[num_envs]; rewards[num_envs]; flags as 0/1 bytes.
  void step(const std::int64_t* actions, float* obs, double* rewards, std::uint8_t* terminated,
            std::uint8_t* truncated);
  /// Box: actions num_envs × act_dim row-major.
  void step(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
            std::uint8_t* truncated);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace adamant::rl
