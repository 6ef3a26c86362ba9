"""Policy-gradient agents with Stable-Baselines3's vocabulary (re-exported by :mod:`adamant.rl`).

Training runs in C++ (``adamant::rl::Agent``): the networks, the optimizer, the rollouts and, for
the built-in environments, the environments themselves, with the GIL released. A user's own
``gymnasium.Env`` (or ``gymnasium.vector.VectorEnv``) is stepped from C++ too, the GIL taken only
around its ``reset`` / ``step``.
"""

import math
import os
import sys
import time
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from ._core import rl as _rl

__all__ = ["PPO", "A2C", "REINFORCE", "evaluate_policy", "learn_population", "Policy",
           "AgentConfig", "default_config"]

Policy = _rl.Policy
AgentConfig = _rl.AgentConfig
default_config = _rl.default_config

Schedule = Union[float, Callable[[float], float]]
PathLike = Union[str, os.PathLike]


def _activation_name(fn) -> str:
    """"tanh" / "relu" / ... from a name or a torch.nn activation class (SB3's activation_fn)."""
    if isinstance(fn, str):
        return fn.lower()
    name = getattr(fn, "__name__", None) or type(fn).__name__
    return name.lower()


def _net_arch(arch) -> Tuple[list, list]:
    """SB3's net_arch: [64, 64] (both networks) or dict(pi=[...], vf=[...])."""
    if isinstance(arch, dict):
        unknown = set(arch) - {"pi", "vf"}
        if unknown:
            raise ValueError(f"policy_kwargs net_arch: unknown keys {sorted(unknown)}; "
                             "expected 'pi' and 'vf'")
        return list(arch.get("pi", [64, 64])), list(arch.get("vf", [64, 64]))
    arch = list(arch)
    return arch, arch


class _Logger:
    """What a Stable-Baselines3 callback may call on ``model.logger``: ``record`` (kept in
    ``name_to_value``, the last value per key), ``record_mean``, ``dump`` (a no-op)."""

    def __init__(self):
        self.name_to_value: Dict[str, Any] = {}

    def record(self, key: str, value: Any, exclude=None) -> None:
        del exclude
        self.name_to_value[key] = value

    def record_mean(self, key: str, value: Any, exclude=None) -> None:
        self.record(key, value, exclude)

    def dump(self, step: int = 0) -> None:
        del step


def _is_sb3_callback(cb) -> bool:
    """A Stable-Baselines3 BaseCallback (or anything with its protocol)."""
    return all(callable(getattr(cb, m, None)) for m in ("init_callback", "on_step"))


class _Sb3CallbackAdapter:
    """Drives a Stable-Baselines3 ``BaseCallback`` from learn(): ``init_callback(model)`` and
    ``on_training_start`` once, then per update ``on_rollout_start``, ``update_locals``, one
    ``on_step`` (``False`` stops) and ``on_rollout_end``, and ``on_training_end`` at the end.
    The rollout runs in C++, so ``on_step`` is called once per update rather than once per
    environment step; ``self.num_timesteps`` / ``self.n_calls`` count accordingly."""

    def __init__(self, cb, model):
        self.cb = cb
        cb.init_callback(model)
        if callable(getattr(cb, "on_training_start", None)):
            cb.on_training_start({"total_timesteps": model._agent.progress()["total_steps"]}, {})

    def __call__(self, info) -> bool:
        cb = self.cb
        if callable(getattr(cb, "on_rollout_start", None)):
            cb.on_rollout_start()
        if callable(getattr(cb, "update_locals", None)):
            cb.update_locals({"progress": info, "self": info["model"]})
        keep_going = cb.on_step()
        if callable(getattr(cb, "on_rollout_end", None)):
            cb.on_rollout_end()
        return keep_going is not False

    def finish(self) -> None:
        if callable(getattr(self.cb, "on_training_end", None)):
            self.cb.on_training_end()


class _ProgressBar:
    """One line on stderr, rewritten after each update."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.last = 0.0

    def show(self, p: Dict[str, Any], final: bool = False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now - self.last < 0.1:
            return
        self.last = now
        frac = min(1.0, p["env_steps"] / max(1, p["total_steps"]))
        bar = "#" * int(30 * frac)
        ret = p["mean_return_last20"]
        ret_s = "-" if math.isnan(ret) else f"{ret:8.2f}"
        sys.stderr.write(f"\r[{bar:<30}] {100 * frac:5.1f}% {p['env_steps']}/{p['total_steps']} "
                         f"steps, return(20) {ret_s}, {p['steps_per_second']:.0f} steps/s")
        if final:
            sys.stderr.write("\n")
        sys.stderr.flush()


class _Algorithm:
    """What PPO, A2C and REINFORCE share: see :class:`PPO`."""

    _algo = "ppo"

    def __init__(self, env, *, n_envs: Optional[int] = None, learning_rate: Optional[Schedule] = None,
                 n_steps: Optional[int] = None, batch_size: Optional[int] = None,
                 n_epochs: Optional[int] = None, gamma: Optional[float] = None,
                 gae_lambda: Optional[float] = None, clip_range: Optional[Schedule] = None,
                 clip_range_vf: Optional[float] = None, normalize_advantage: Optional[bool] = None,
                 ent_coef: Optional[float] = None, vf_coef: Optional[float] = None,
                 max_grad_norm: Optional[float] = None, target_kl: Optional[float] = None,
                 use_baseline: Optional[bool] = None, normalize_obs: Optional[bool] = None,
                 normalize_reward: Optional[bool] = None, clip_obs: Optional[float] = None,
                 clip_reward: Optional[float] = None,
                 anneal_lr: Optional[bool] = None, policy_kwargs: Optional[dict] = None,
                 optimizer: Optional[str] = None, optimizer_kwargs: Optional[dict] = None,
                 precision: Optional[str] = None, num_threads: int = 1, seed: int = 0,
                 verbose: int = 0):
        self.verbose = verbose
        self.seed = int(seed)
        self._agent = None
        self._policy: Optional[Policy] = None
        self._actor = None
        self.num_timesteps = 0
        self.env, self.env_id, builtin = self._resolve_env(env)
        c = default_config(self.env_id if builtin else "", self._algo)
        if not builtin:
            if isinstance(self.env, list):
                c.set_python_envs(self.env)
            else:
                c.set_python_vector_env(self.env)
        if optimizer is not None:
            c.optimizer = optimizer  # first: it resets the rule's other options
        for k, v in (optimizer_kwargs or {}).items():
            if not hasattr(c, k):
                raise TypeError(f"optimizer_kwargs: unknown option {k!r}")
            setattr(c, k, v)
        c.seed = self.seed
        c.num_threads = int(num_threads)
        if precision is not None:
            c.precision = precision
        if n_envs is not None:
            if not builtin:
                raise ValueError("n_envs applies to built-in environment ids; for your own "
                                 "environments pass one env per copy (a list or a factory)")
            c.num_envs = int(n_envs)
        simple = dict(n_steps=n_steps, n_epochs=n_epochs, gamma=gamma, gae_lambda=gae_lambda,
                      clip_range_vf=clip_range_vf, normalize_advantage=normalize_advantage,
                      ent_coef=ent_coef, vf_coef=vf_coef, max_grad_norm=max_grad_norm,
                      target_kl=target_kl, baseline=use_baseline, normalize_obs=normalize_obs,
                      normalize_reward=normalize_reward, obs_clip=clip_obs,
                      reward_clip=clip_reward,
                      anneal_lr=anneal_lr)
        for k, v in simple.items():
            if v is not None:
                setattr(c, k, v)
        if learning_rate is not None:
            if callable(learning_rate):
                c.set_lr_schedule(learning_rate)
                c.anneal_lr = False
                c.lr = float(learning_rate(1.0))
            else:
                c.lr = float(learning_rate)
        if clip_range is not None:
            if callable(clip_range):
                c.set_clip_range_schedule(clip_range)
                c.clip_range = float(clip_range(1.0))
            else:
                c.clip_range = float(clip_range)
        if policy_kwargs:
            unknown = set(policy_kwargs) - {"net_arch", "activation_fn", "log_std_init",
                                            "ortho_init"}
            if unknown:
                raise TypeError(f"policy_kwargs: unknown keys {sorted(unknown)}")
            if "net_arch" in policy_kwargs:
                c.actor_hidden, c.critic_hidden = _net_arch(policy_kwargs["net_arch"])
            if "activation_fn" in policy_kwargs:
                c.activation = _activation_name(policy_kwargs["activation_fn"])
            if "log_std_init" in policy_kwargs:
                c.init_log_std = float(policy_kwargs["log_std_init"])
        if batch_size is not None:
            if self._algo != "ppo":
                raise TypeError(f"batch_size is PPO's; {self._algo.upper()} uses the whole rollout")
            rollout = c.num_envs * c.n_steps
            if batch_size < 1 or rollout % batch_size:
                raise ValueError(f"batch_size {batch_size} must divide the rollout n_envs * n_steps "
                                 f"= {rollout} (adamant splits it into equal minibatches)")
            c.num_minibatches = rollout // int(batch_size)
        msg = c.validate()
        if msg:
            raise ValueError(msg)
        self.config = c

    # ---- environments ----

    @staticmethod
    def _resolve_env(env):
        """(env object or None, id, built-in?) for an id, a gymnasium.Env, a list of them, a
        factory returning one, or a gymnasium.vector.VectorEnv."""
        if isinstance(env, str):
            if env in _rl.registered_ids():
                return None, env, True
            try:
                import gymnasium
            except ImportError:
                raise ValueError(f"unknown environment id {env!r}: the built-in ones are "
                                 f"{_rl.registered_ids()}, and gymnasium is not importable") from None
            return [gymnasium.make(env)], env, False
        if hasattr(env, "num_envs") and hasattr(env, "single_action_space"):
            return env, None, False  # a vector env
        if isinstance(env, (list, tuple)):
            return list(env), None, False
        if hasattr(env, "step") and hasattr(env, "reset"):
            return [env], None, False
        if callable(env):
            return [env()], None, False
        raise TypeError(f"env must be an environment id, a gymnasium.Env, a list of them, a "
                        f"factory or a gymnasium.vector.VectorEnv; got {type(env).__name__}")

    # ---- training ----

    def learn(self, total_timesteps: int, callback: Optional[Callable] = None,
              progress_bar: bool = False, reset_num_timesteps: bool = True):
        """Trains for ``total_timesteps`` more environment transitions.

        ``callback(progress)`` is called after every update with a dict (``env_steps``,
        ``episodes``, ``updates``, ``mean_return_last20``, ``steps_per_second``, ``elapsed``,
        ``last_update`` (the update's losses, lr, approx_kl, ...), ``model``); returning
        ``False`` stops training. ``callback`` may also be a Stable-Baselines3 ``BaseCallback``
        (a subclass with ``_on_step``, or anything with ``init_callback`` and ``on_step``): it is
        given this model (``self.model``, ``self.training_env``, ``self.logger``,
        ``self.num_timesteps``) and its ``on_step`` runs once per update, not per environment
        step, since the rollout runs in C++. A second ``learn`` continues the same run (parameters,
        optimizer state, environments, counters) with a new budget; the learning-rate plan
        (``anneal_lr`` or a callable ``learning_rate``) starts again over it.
        ``reset_num_timesteps`` is accepted for Stable-Baselines3 compatibility; counters always
        continue.
        """
        del reset_num_timesteps
        self._begin(total_timesteps, "learn")
        bar = _ProgressBar(progress_bar)
        sb3 = None
        if callback is not None and _is_sb3_callback(callback):
            sb3 = _Sb3CallbackAdapter(callback, self)
            callback = sb3
        while self._agent.update():
            p = self._agent.progress()
            self.num_timesteps = p["env_steps"]
            bar.show(p)
            if callback is not None:
                info = dict(p)
                info["last_update"] = self._agent.last_update()
                info["model"] = self
                if callback(info) is False:
                    break
        bar.show(self._finish(), final=True)
        if sb3 is not None:
            sb3.finish()
        return self

    def _begin(self, total_timesteps: int, who: str) -> None:
        """Creates the run (or extends it) for ``total_timesteps`` more transitions."""
        total_timesteps = int(total_timesteps)
        if total_timesteps < 1:
            raise ValueError(f"{who}: total_timesteps must be >= 1, got {total_timesteps}")
        if self._agent is None:
            if self._policy is not None:
                raise NotImplementedError(
                    f"{who}() on a loaded model: a policy file holds the networks but not the "
                    "optimizer state; train a new model instead")
            self.config.total_steps = total_timesteps
            self._agent = _rl.Agent(self.config)
        else:
            self._agent.extend(total_timesteps)

    def _finish(self) -> Dict[str, Any]:
        p = self._agent.progress()
        self.num_timesteps = p["env_steps"]
        self._policy = self._agent.policy()
        self._actor = None
        return p

    def get_env(self):
        """The user's environment objects given at construction (env list, factory result or
        vector env); ``None`` for a built-in id, whose environments live in C++."""
        return self.env

    @property
    def logger(self) -> _Logger:
        """A minimal logger for Stable-Baselines3 callbacks (``record`` keeps the last value per
        key in ``logger.name_to_value``)."""
        if getattr(self, "_logger", None) is None:
            self._logger = _Logger()
        return self._logger

    @property
    def policy(self) -> Policy:
        """The current policy (after learn or load)."""
        if self._policy is None:
            if self._agent is None:
                raise RuntimeError("the model has no policy yet: call learn() first")
            self._policy = self._agent.policy()
        return self._policy

    @property
    def learning_curve(self) -> Dict[str, np.ndarray]:
        """Per finished episode: env_steps, return, length, wall_time."""
        self._need_run()
        return self._agent.learning_curve()

    @property
    def updates(self) -> Dict[str, np.ndarray]:
        """Per update: losses, entropy, approx_kl, clip_fraction, grad_norm, lr, ..."""
        self._need_run()
        return self._agent.updates()

    def _need_run(self):
        if self._agent is None:
            raise RuntimeError("no training run: call learn() first")

    # ---- acting ----

    def predict(self, observation, state=None, episode_start=None, deterministic: bool = False):
        """``(action, None)`` for one observation ``(obs_dim,)`` (an integer or a ``(D,)`` array)
        or a batch ``(n, obs_dim)`` (``(n,)`` or ``(n, D)``), as Stable-Baselines3 returns it.
        Sampled actions draw from the model's own stream, seeded with ``seed``."""
        del state, episode_start
        if self._actor is None:
            self._actor = _rl.Actor(self.policy, self.seed)
        return self._actor.act(np.asarray(observation, dtype=np.float32), bool(deterministic)), None

    # ---- files ----

    def save(self, path: PathLike) -> None:
        """Writes the policy file ``adamant rl train`` writes (HDF5; with the learning curve, the
        per-update metrics and the config when the model was trained here). Atomic."""
        p = os.fspath(path)
        if self._agent is not None:
            self._agent.save(p)
        else:
            _rl.save_policy(p, self.policy)

    @classmethod
    def load(cls, path: PathLike, env=None, seed: int = 0):
        """A model acting with the policy in ``path`` (written by :meth:`save` or by
        ``adamant rl train``); ``env`` defaults to the file's environment id."""
        policy = _rl.load_policy(os.fspath(path))
        if policy.algo != cls._algo:
            raise ValueError(f"{os.fspath(path)} holds a {policy.algo.upper()} policy; load it "
                             f"with adamant.rl.{policy.algo.upper()}.load")
        model = cls.__new__(cls)
        model.verbose = 0
        model.seed = int(seed)
        model._agent = None
        model._policy = policy
        model._actor = None
        model.num_timesteps = 0
        model.config = None
        if env is None:
            env = policy.env_id
        model.env, model.env_id, _ = cls._resolve_env(env)
        return model

    def __repr__(self):
        desc = self.config.describe() if self.config is not None else f"loaded {self.env_id}"
        return f"<adamant.rl.{type(self).__name__}: {desc}>"


class PPO(_Algorithm):
    """Proximal policy optimisation (clipped surrogate, GAE(λ), minibatch epochs).

    ``env``: a built-in id ("CartPole-v1", ...), any gymnasium id (when gymnasium is
    importable), a ``gymnasium.Env`` (or anything with its reset/step API and Box / Discrete
    spaces), a list of them (one per environment copy), a factory returning one, or a
    ``gymnasium.vector.VectorEnv`` with next-step autoreset.

    Keywords, as Stable-Baselines3 names them: ``n_envs`` (built-in ids), ``learning_rate``
    (a float or a callable of progress_remaining), ``n_steps``, ``batch_size`` (must divide
    n_envs * n_steps), ``n_epochs``, ``gamma``, ``gae_lambda``, ``clip_range`` (float or
    callable), ``clip_range_vf``, ``normalize_advantage``, ``ent_coef``, ``vf_coef``,
    ``max_grad_norm``, ``target_kl``, ``policy_kwargs=dict(net_arch=[64, 64] or
    dict(pi=[...], vf=[...]), activation_fn="tanh" or torch.nn.Tanh, log_std_init=0.0)``,
    ``seed``; VecNormalize's ``normalize_obs`` / ``normalize_reward`` (running mean and variance
    of the observations, and of the discounted return to scale rewards) with ``clip_obs`` /
    ``clip_reward`` (default 10), their statistics saved in the policy file and frozen when
    acting; and adamant's own: ``optimizer`` (any rule of ``adamant.core.rule_names()``),
    ``optimizer_kwargs`` (its options: ``eps``, ``beta1``, ...), ``anneal_lr`` (linear decay to 0 per optimizer step), ``precision`` ("float32" or
    "float64"), ``num_threads`` (results do not depend on it). Unset values are adamant's tuned
    defaults for the environment (``default_config``, what ``adamant rl train`` uses), so
    ``PPO("CartPole-v1", seed=s).learn(n)`` equals ``adamant rl train --seed s --steps n``.
    """

    _algo = "ppo"


class A2C(_Algorithm):
    """Advantage actor-critic (n-step advantages over a batch of environments); keywords as
    :class:`PPO` (no batch_size, n_epochs, clip_range)."""

    _algo = "a2c"


class REINFORCE(_Algorithm):
    """REINFORCE with reward-to-go and, with ``use_baseline`` (default), a learned value
    baseline; ``n_envs`` episodes per update. Keywords as :class:`PPO` where they apply."""

    _algo = "reinforce"


def _episode_python(model, env, n_eval_episodes: int, deterministic: bool, seed: int):
    returns, lengths = [], []
    for i in range(n_eval_episodes):
        obs, _ = env.reset(seed=seed + i)
        done, ret, length = False, 0.0, 0
        while not done:
            action, _ = model.predict(obs, deterministic=deterministic)
            obs, reward, terminated, truncated, _ = env.step(action)
            ret += float(reward)
            length += 1
            done = bool(terminated) or bool(truncated)
        returns.append(ret)
        lengths.append(length)
    return returns, lengths


def learn_population(models: Sequence["_Algorithm"], total_timesteps: int, num_threads: int = 0,
                     progress_bar: bool = False) -> list:
    """Trains several models at once, ``num_threads`` runs at a time (0: every core), each
    exactly as its own ``model.learn(total_timesteps)`` would (bit for bit: every run has its
    own environments, networks, optimizer and streams, and runs one C++ update after another
    with the GIL released). ``models`` are PPO / A2C / REINFORCE instances with any settings —
    N seeds of one configuration, or a hyper-parameter sweep; afterwards each is as after
    ``learn`` (``policy``, ``learning_curve``, ``save``, a further ``learn`` continue). Returns
    ``models``. A user's Python environments work too but serialise on the GIL."""
    import concurrent.futures as cf

    models = list(models)
    if not models:
        raise ValueError("learn_population: no models")
    if len({id(m) for m in models}) != len(models):
        raise ValueError("learn_population: a model appears twice")
    for m in models:
        if not isinstance(m, _Algorithm):
            raise TypeError(f"learn_population: {m!r} is not an adamant.rl PPO / A2C / REINFORCE")
    for m in models:
        m._begin(total_timesteps, "learn_population")
    workers = int(num_threads) if int(num_threads) > 0 else (os.cpu_count() or 1)
    workers = min(workers, len(models))

    def run(m):
        while m._agent.update():
            pass

    start = time.monotonic()
    with cf.ThreadPoolExecutor(max_workers=workers) as ex:
        futures = [ex.submit(run, m) for m in models]
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=0.2)
            if progress_bar:
                n = len(futures) - len(pending)
                sys.stderr.write(f"\r{n}/{len(futures)} runs done, {time.monotonic() - start:.1f} "
                                 f"s, {workers} at a time")
                sys.stderr.flush()
        if progress_bar:
            sys.stderr.write("\n")
        for f in futures:
            f.result()  # re-raises a run's exception
    for m in models:
        m._finish()
    return models


def evaluate_policy(model, env=None, n_eval_episodes: int = 100, deterministic: bool = True,
                    return_episode_rewards: bool = False, seed: int = 1000000):
    """Mean and standard deviation of the return over ``n_eval_episodes`` episodes, episode i
    reset with ``seed + i`` (the default seed is what ``adamant rl train`` evaluates with, so
    no evaluation episode reuses a training seed). ``env``: a built-in id (episodes run in C++,
    all at once), a ``gymnasium.Env``, or None for the model's environment. With
    ``return_episode_rewards``: the lists of returns and of lengths instead (SB3's convention).
    """
    if n_eval_episodes < 1:
        raise ValueError(f"evaluate_policy: n_eval_episodes must be >= 1, got {n_eval_episodes}")
    if env is None:
        env = model.env_id if model.env_id is not None else model.env
        if isinstance(env, list):
            env = env[0]
    if isinstance(env, str) and env in _rl.registered_ids():
        if deterministic:
            mean, std, returns, lengths = _rl.evaluate(model.policy, env, int(n_eval_episodes),
                                                       int(seed), True)
        else:
            returns, lengths = _episode_python(model, _make_builtin(env), n_eval_episodes, False,
                                               seed)
    else:
        if isinstance(env, str):
            import gymnasium
            env = gymnasium.make(env)
        if hasattr(env, "num_envs"):
            raise TypeError("evaluate_policy: pass a single environment, not a vector env")
        returns, lengths = _episode_python(model, env, n_eval_episodes, deterministic, seed)
    if return_episode_rewards:
        return list(returns), list(lengths)
    r = np.asarray(returns, dtype=np.float64)
    return float(r.mean()), float(r.std())


def _make_builtin(env_id: str):
    from .rl import make
    return make(env_id)
