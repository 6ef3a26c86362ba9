"""Gymnasium's classic-control environments, ported to C++ and exact to Gymnasium 1.x.

``make(id)`` returns an environment with Gymnasium's API::

    env = adamant.rl.make("CartPole-v1")
    obs, info = env.reset(seed=0)              # the same float32 observation as gymnasium.make
    obs, reward, terminated, truncated, info = env.step(env.action_space.sample())

``make_vec(id, num_envs)`` returns a batched environment (numpy arrays of ``num_envs`` rows,
no Python work per environment, Gymnasium's next-step autoreset; ``reset(seed=s)`` seeds
environment ``i`` with ``s + i``)::

    envs = adamant.rl.make_vec("CartPole-v1", 1024, num_threads=2)
    obs, info = envs.reset(seed=0)             # (1024, 4) float32
    obs, rewards, terminated, truncated, info = envs.step(np.zeros(1024, dtype=np.int64))

Ids: CartPole-v1, Acrobot-v1, MountainCar-v0, MountainCarContinuous-v0, Pendulum-v1. Seeding
reproduces numpy's ``SeedSequence`` + ``PCG64``, so ``reset(seed=s)`` gives Gymnasium's initial
state bit for bit and a plain ``reset()`` continues the same stream. When ``gymnasium`` is
importable, the ids are also registered with it as ``adamant/<id>`` (real ``gymnasium.Env``
subclasses): ``gymnasium.make("adamant/CartPole-v1")``.

Agents with Stable-Baselines3's vocabulary, trained in C++ (see :class:`PPO`)::

    model = adamant.rl.PPO("CartPole-v1", seed=0).learn(100_000, progress_bar=True)
    action, _ = model.predict(obs, deterministic=True)
    adamant.rl.evaluate_policy(model, "CartPole-v1", n_eval_episodes=100)   # (mean, std)
    model.save("cartpole.h5")                  # the file `adamant rl train` writes
    model = adamant.rl.PPO.load("cartpole.h5")

``env`` may also be a user's own ``gymnasium.Env`` (a list of them, a factory, or a
``gymnasium.vector.VectorEnv``), stepped from C++.
"""

from typing import Any, Dict, Optional, Tuple

import numpy as np

from ._core import rl as _rl

__all__ = ["Discrete", "Box", "Env", "VecEnv", "make", "make_vec", "registered_ids", "PPO", "A2C",
           "REINFORCE", "evaluate_policy", "learn_population", "Policy", "AgentConfig",
           "default_config"]


def registered_ids():
    """The environment ids :func:`make` accepts."""
    return list(_rl.registered_ids())


class Discrete:
    """Gymnasium's ``Discrete(n)``: the integers ``0 .. n-1``."""

    def __init__(self, n: int, seed: Optional[int] = None):
        self.n = int(n)
        self.shape: Tuple[int, ...] = ()
        self.dtype = np.dtype(np.int64)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed: Optional[int] = None):
        self._rng = np.random.default_rng(seed)
        return [seed]

    def sample(self) -> np.int64:
        return np.int64(self._rng.integers(self.n))

    def contains(self, x: Any) -> bool:
        if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
            return 0 <= int(x) < self.n
        if isinstance(x, np.ndarray) and x.shape == () and np.issubdtype(x.dtype, np.integer):
            return 0 <= int(x) < self.n
        return False

    __contains__ = contains

    def __repr__(self):
        return f"Discrete({self.n})"

    def __eq__(self, other):
        return isinstance(other, Discrete) and other.n == self.n


class Box:
    """Gymnasium's ``Box(low, high, shape, float32)``."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed: Optional[int] = None):
        self.dtype = np.dtype(dtype)
        shape = tuple(shape) if shape is not None else np.shape(low)
        self.low = np.broadcast_to(np.asarray(low, self.dtype), shape).copy()
        self.high = np.broadcast_to(np.asarray(high, self.dtype), shape).copy()
        self.shape: Tuple[int, ...] = tuple(int(d) for d in shape)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed: Optional[int] = None):
        self._rng = np.random.default_rng(seed)
        return [seed]

    def is_bounded(self) -> bool:
        return bool(np.all(np.isfinite(self.low)) and np.all(np.isfinite(self.high)))

    def sample(self) -> np.ndarray:
        """Uniform on bounded axes, normal on unbounded ones (Gymnasium's rule)."""
        lo = self.low.astype(np.float64)
        hi = self.high.astype(np.float64)
        out = np.empty(self.shape, np.float64)
        bounded = np.isfinite(lo) & np.isfinite(hi)
        out[bounded] = self._rng.uniform(lo[bounded], hi[bounded])
        out[~bounded] = self._rng.normal(size=int((~bounded).sum()))
        return np.clip(out, lo, hi).astype(self.dtype)

    def contains(self, x: Any) -> bool:
        try:
            a = np.asarray(x)
        except Exception:
            return False
        if a.shape != self.shape or not np.can_cast(a.dtype, self.dtype):
            return False
        return bool(np.all(a >= self.low) and np.all(a <= self.high))

    __contains__ = contains

    def __repr__(self):
        lo = self.low.min() if self.low.size else 0.0
        hi = self.high.max() if self.high.size else 0.0
        return f"Box({lo}, {hi}, {self.shape}, {self.dtype})"

    def __eq__(self, other):
        return (isinstance(other, Box) and other.shape == self.shape
                and np.array_equal(other.low, self.low) and np.array_equal(other.high, self.high))


def _space(s) -> Any:
    if s.is_discrete:
        return Discrete(s.n)
    return Box(s.low, s.high, tuple(s.shape))


def _reset_bounds(options: Optional[Dict[str, Any]]):
    if not options:
        return None, None
    unknown = set(options) - {"low", "high"}
    if unknown:
        raise ValueError(f"reset options: unknown keys {sorted(unknown)}; expected 'low', 'high'")
    low, high = options.get("low"), options.get("high")
    return (None if low is None else float(low)), (None if high is None else float(high))


class Env:
    """One environment with Gymnasium's API (see the module docstring)."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 50}

    def __init__(self, id: str, render_mode: Optional[str] = None):
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode {render_mode!r}: only 'rgb_array' is supported")
        self._env = _rl.Env(id)
        self.id = id
        self.render_mode = render_mode
        self.observation_space = _space(self._env.observation_space)
        self.action_space = _space(self._env.action_space)
        self._discrete = isinstance(self.action_space, Discrete)
        self.max_episode_steps = self._env.max_episode_steps

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None):
        low, high = _reset_bounds(options)
        return self._env.reset(seed, low, high), {}

    def step(self, action):
        if self._discrete:
            a = np.asarray(action)
            if a.shape != () or not np.issubdtype(a.dtype, np.integer):
                raise ValueError(f"{self.id}: action {action!r} is not in {self.action_space}")
            obs, reward, terminated, truncated = self._env.step_discrete(int(a))
        else:
            obs, reward, terminated, truncated = self._env.step_box(
                np.asarray(action, dtype=np.float32))
        return obs, float(reward), bool(terminated), bool(truncated), {}

    @property
    def state(self) -> np.ndarray:
        """The internal float64 state."""
        return np.asarray(self._env.state, dtype=np.float64)

    @state.setter
    def state(self, value):
        self._env.state = [float(v) for v in np.asarray(value, dtype=np.float64).ravel()]

    def render(self):
        if self.render_mode != "rgb_array":
            return None
        return _rl.render(self.id, self._env.state)

    def close(self):
        pass

    @property
    def unwrapped(self):
        return self

    def __repr__(self):
        return f"<adamant.rl.Env {self.id}>"


class VecEnv:
    """``num_envs`` copies of one environment (see the module docstring)."""

    def __init__(self, id: str, num_envs: int, num_threads: int = 1,
                 autoreset_mode: Any = "next_step", vector_math: bool = False):
        if num_envs < 1:
            raise ValueError(f"make_vec: num_envs must be >= 1, got {num_envs}")
        # A string ("next_step", "same_step", "disabled") or gymnasium.vector.AutoresetMode.
        mode = getattr(autoreset_mode, "value", autoreset_mode)
        self._env = _rl.VecEnv(id, int(num_envs), int(num_threads), str(mode), bool(vector_math))
        self.vector_math = bool(vector_math)
        self.autoreset_mode = self._env.autoreset_mode
        self.metadata = {"autoreset_mode": _gym_autoreset_mode(self.autoreset_mode)}
        self.id = id
        self.num_envs = int(num_envs)
        self.single_observation_space = _space(self._env.single_observation_space)
        self.single_action_space = _space(self._env.single_action_space)
        obs = self.single_observation_space
        self.observation_space = Box(np.broadcast_to(obs.low, (num_envs,) + obs.shape),
                                     np.broadcast_to(obs.high, (num_envs,) + obs.shape))

    def reset(self, *, seed: Optional[int] = None, options: Optional[Dict[str, Any]] = None):
        options = dict(options or {})
        mask = options.pop("reset_mask", None)
        if options:
            raise ValueError(f"VecEnv.reset: unknown options {sorted(options)}; batched "
                             "environments take only 'reset_mask'")
        if mask is None:
            return self._env.reset(seed), {}
        mask = np.asarray(mask)
        if mask.dtype != np.bool_ or mask.shape != (self.num_envs,):
            raise ValueError(f"options['reset_mask'] must be a bool array of shape "
                             f"({self.num_envs},), got {mask.dtype} {mask.shape}")
        return self._env.reset_masked(seed, mask), {}

    def step(self, actions):
        obs, rewards, terminated, truncated = self._env.step(np.asarray(actions))
        info = {}
        if self.autoreset_mode == "same_step":
            final, has = self._env.final_observations()
            if has.any():
                # Gymnasium's layout: an object array of per-env final observations, a mask.
                fo = np.full(self.num_envs, None, dtype=object)
                for i in np.flatnonzero(has):
                    fo[i] = final[i]
                info = {"final_obs": fo, "_final_obs": has.copy(), "final_info": {},
                        "_final_info": has.copy()}
        return obs, rewards, terminated, truncated, info

    @property
    def state(self) -> np.ndarray:
        """The internal float64 states as Gymnasium's vector envs hold them: shape
        ``(state_dim, num_envs)`` (CartPole: rows x, x_dot, theta, theta_dot); a copy."""
        return self._env.states().T.copy()

    def close(self):
        pass

    def __repr__(self):
        return f"<adamant.rl.VecEnv {self.id} x {self.num_envs}>"


def make(id: str, render_mode: Optional[str] = None) -> Env:
    """``gymnasium.make(id)`` for the classic-control ids (registered time limits included)."""
    return Env(id, render_mode=render_mode)


def make_vec(id: str, num_envs: int, num_threads: int = 1,
             autoreset_mode: Any = "next_step", vector_math: bool = False) -> VecEnv:
    """A batched environment of ``num_envs`` copies (``gymnasium.make_vec`` semantics).

    ``autoreset_mode``: "next_step" (Gymnasium's default), "same_step" (the final observation in
    ``info["final_obs"]``) or "disabled" (reset ended envs with
    ``reset(options={"reset_mask": mask})``), or a ``gymnasium.vector.AutoresetMode``.

    ``vector_math`` (CartPole-v1 only): SIMD sine and cosine from glibc's libmvec and ``x * x``
    squares, the arithmetic of Gymnasium's ``CartPoleVectorEnv`` (numpy's SIMD ``np.sin`` /
    ``np.cos`` and ``np.square``), about twice as fast. Each step then differs from the exact
    mode (the single ``Env``'s numbers, bit for bit) by a few ulps; results still do not depend
    on ``num_threads``."""
    return VecEnv(id, num_envs, num_threads, autoreset_mode, vector_math)


def _gym_autoreset_mode(mode: str):
    """gymnasium.vector.AutoresetMode when gymnasium is importable, else the name."""
    try:
        from gymnasium.vector import AutoresetMode
    except ImportError:
        return mode
    return {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP,
            "disabled": AutoresetMode.DISABLED}[mode]


def _register_with_gymnasium():
    """Registers ``adamant/<id>`` with gymnasium when it is importable."""
    try:
        import gymnasium
    except ImportError:
        return False

    def env_class(env_id):
        class AdamantEnv(gymnasium.Env):
            metadata = Env.metadata

            def __init__(self, render_mode=None):
                self._inner = Env(env_id, render_mode=render_mode)
                self.render_mode = render_mode
                self.observation_space = _to_gym_space(gymnasium, self._inner.observation_space)
                self.action_space = _to_gym_space(gymnasium, self._inner.action_space)

            def reset(self, *, seed=None, options=None):
                super().reset(seed=seed)
                return self._inner.reset(seed=seed, options=options)

            def step(self, action):
                return self._inner.step(action)

            def render(self):
                return self._inner.render()

        AdamantEnv.__name__ = AdamantEnv.__qualname__ = env_id.replace("-", "_")
        return AdamantEnv

    for env_id in registered_ids():
        name = f"adamant/{env_id}"
        if name in gymnasium.envs.registry:
            continue
        # The C++ environment applies its registered time limit itself: no TimeLimit wrapper.
        gymnasium.register(id=name, entry_point=env_class(env_id), max_episode_steps=None,
                           disable_env_checker=True)
    return True


def _to_gym_space(gymnasium, space):
    if isinstance(space, Discrete):
        return gymnasium.spaces.Discrete(space.n)
    return gymnasium.spaces.Box(space.low, space.high, space.shape, np.float32)


GYMNASIUM_REGISTERED = _register_with_gymnasium()


from ._rl_agents import (A2C, PPO, REINFORCE, AgentConfig, Policy, default_config,  # noqa: E402
                         evaluate_policy, learn_population)
