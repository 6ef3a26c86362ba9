"""adamant.rl's agents from Python: PPO / A2C / REINFORCE with Stable-Baselines3's vocabulary,
bit-identical to the command line, on the built-in envs and on a user's own Python envs."""

import os
import sys

import h5py
import numpy as np
import pytest

from adamant import rl
from helpers import CLI, cli

HAVE_CLI = os.path.isfile(CLI)


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset)
                     else None)
    return out


def same_run(a, b):
    """The two models' runs: learning curves (wall time aside), update metrics, parameters."""
    ca, cb = a.learning_curve, b.learning_curve
    ua, ub = a.updates, b.updates
    for k in ("env_steps", "return", "length"):
        if not np.array_equal(ca[k], cb[k]):
            return False
    for k in ("policy_loss", "value_loss", "entropy", "approx_kl", "lr", "grad_norm"):
        if not np.array_equal(ua[k], ub[k], equal_nan=True):
            return False
    return (np.array_equal(a.policy.actor_params, b.policy.actor_params)
            and np.array_equal(a.policy.critic_params, b.policy.critic_params))


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not beside this build")
@pytest.mark.parametrize("algo", ["ppo", "a2c"])
def test_python_run_equals_the_command_line_bit_for_bit(tmp_path, algo):
    cls = {"ppo": rl.PPO, "a2c": rl.A2C}[algo]
    model = cls("CartPole-v1", seed=2).learn(6000)
    model.save(tmp_path / "py.h5")
    r = cli("rl", "train", "--algo", algo, "--seed", "2", "--steps", "6000", "--quiet",
            "--eval-episodes", "0", "-o", str(tmp_path / "cli.h5"))
    assert r.returncode == 0, r.stderr
    a, b = datasets(tmp_path / "py.h5"), datasets(tmp_path / "cli.h5")
    assert sorted(a) == sorted(b)
    timing = {"learning_curve/wall_time", "updates/wall_time", "updates/steps_per_second"}
    differ = [k for k in a if k not in timing and not np.array_equal(a[k], b[k], equal_nan=True)]
    assert differ == []
    # Both sides read each other's files.
    loaded = cls.load(tmp_path / "cli.h5")
    obs = np.random.default_rng(0).normal(size=(7, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict(obs, deterministic=True)[0],
                                  model.predict(obs, deterministic=True)[0])
    r = cli("rl", "eval", "--policy", str(tmp_path / "py.h5"), "--episodes", "3")
    assert r.returncode == 0, r.stderr


def test_predict_single_and_batched_discrete_and_box():
    m = rl.PPO("CartPole-v1", seed=0).learn(1024)
    a, state = m.predict(np.zeros(4, np.float32), deterministic=True)
    assert state is None and a.shape == () and a.dtype == np.int64 and int(a) in (0, 1)
    batch, _ = m.predict(np.zeros((5, 4)), deterministic=True)
    assert batch.shape == (5,) and np.all(batch == a)
    sampled = np.concatenate([m.predict(np.zeros((64, 4)))[0] for _ in range(4)])
    assert set(np.unique(sampled)) == {0, 1}  # a near-uniform initial policy samples both
    p = rl.PPO("Pendulum-v1", seed=0, n_envs=2, n_steps=64).learn(128)
    a, _ = p.predict(np.zeros(3, np.float32), deterministic=True)
    assert a.shape == (1,) and a.dtype == np.float32 and -2 <= a[0] <= 2
    b, _ = p.predict(np.ones((4, 3)))
    assert b.shape == (4, 1) and np.all(np.abs(b) <= 2)
    with pytest.raises(ValueError, match=r"shape \(3,\) or \(n, 3\)"):
        p.predict(np.zeros(4))


def test_save_load_round_trip_and_evaluate_policy(tmp_path):
    m = rl.PPO("CartPole-v1", seed=1).learn(8192)
    m.save(tmp_path / "m.h5")
    loaded = rl.PPO.load(tmp_path / "m.h5")
    assert loaded.policy.env_id == "CartPole-v1" and loaded.policy.algo == "ppo"
    np.testing.assert_array_equal(loaded.policy.actor_params, m.policy.actor_params)
    mean, std = rl.evaluate_policy(m, "CartPole-v1", n_eval_episodes=8)
    assert rl.evaluate_policy(loaded, n_eval_episodes=8) == (mean, std)
    # The C++ path (built-in id) and the Python loop (an env object) run the same episodes.
    returns, lengths = rl.evaluate_policy(m, rl.make("CartPole-v1"), n_eval_episodes=8,
                                          return_episode_rewards=True)
    assert np.mean(returns) == pytest.approx(mean) and len(lengths) == 8
    assert mean > 30  # 8192 steps of PPO already beat a random policy's ~22
    with pytest.raises(ValueError, match="PPO policy; load it with adamant.rl.PPO.load"):
        rl.A2C.load(tmp_path / "m.h5")
    with pytest.raises(NotImplementedError, match="loaded model"):
        loaded.learn(100)


def test_schedules_callbacks_and_continued_learning():
    seen = []
    m = rl.PPO("CartPole-v1", seed=0, n_steps=64, n_envs=4, batch_size=64,
               learning_rate=lambda p: seen.append(p) or 1e-3 * p,
               clip_range=lambda p: 0.1 + 0.1 * p)
    assert m.config.num_minibatches == 4 and m.config.lr == 1e-3  # learning_rate(1.0)
    seen.clear()
    calls = []
    m.learn(2048, callback=lambda info: calls.append(info["last_update"]["lr"]))
    lr = m.updates["lr"]
    assert len(seen) == len(lr) == len(calls) and np.allclose(lr, 1e-3 * np.array(seen))
    steps = m.updates["env_steps"]
    np.testing.assert_allclose(seen, np.clip(1 - steps / 2048, 0, 1))
    # Stop early from the callback, then continue the same run.
    m2 = rl.A2C("CartPole-v1", seed=0)
    m2.learn(10_000, callback=lambda info: info["updates"] < 3)
    assert len(m2.updates["lr"]) == 3
    before = m2.num_timesteps
    m2.learn(1000)
    assert m2.num_timesteps >= before + 900
    assert m2.updates["lr"][3] == m2.config.lr  # anneal_lr starts its plan again


class _Sb3StyleCallback:
    """Stable-Baselines3's BaseCallback protocol written out (SB3 is not installed in CI):
    init_callback stores model / training_env / logger, on_step counts and calls _on_step."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after
        self.events = []
        self.n_calls = 0
        self.num_timesteps = 0

    def init_callback(self, model):
        self.model, self.training_env, self.logger = model, model.get_env(), model.logger
        self.events.append("init")

    def on_training_start(self, locals_, globals_):
        self.locals, self.globals = locals_, globals_
        self.num_timesteps = self.model.num_timesteps
        self.events.append("training_start")

    def on_rollout_start(self):
        self.events.append("rollout_start")

    def update_locals(self, locals_):
        self.locals.update(locals_)

    def on_step(self):
        self.n_calls += 1
        self.num_timesteps = self.model.num_timesteps
        self.logger.record("custom/timesteps", self.num_timesteps)
        self.events.append("step")
        return self.stop_after is None or self.n_calls < self.stop_after

    def on_rollout_end(self):
        self.events.append("rollout_end")

    def on_training_end(self):
        self.events.append("training_end")


def test_sb3_style_callback_objects():
    m = rl.PPO("CartPole-v1", seed=0, n_envs=4, n_steps=32, batch_size=64)
    cb = _Sb3StyleCallback()
    m.learn(1024, callback=cb)
    n = len(m.updates["lr"])
    assert n == 8 and cb.n_calls == n
    assert cb.events == (["init", "training_start"] + ["rollout_start", "step", "rollout_end"] * n
                         + ["training_end"])
    assert cb.model is m and cb.training_env is None  # built-in: the envs live in C++
    assert cb.num_timesteps == m.num_timesteps > 900
    assert m.logger.name_to_value["custom/timesteps"] == m.num_timesteps
    assert cb.locals["progress"]["updates"] == n
    stop = _Sb3StyleCallback(stop_after=3)  # on_step returning False stops training
    m2 = rl.PPO("CartPole-v1", seed=0, n_envs=4, n_steps=32, batch_size=64)
    m2.learn(10_000, callback=stop)
    assert len(m2.updates["lr"]) == 3 and stop.events[-1] == "training_end"


def test_real_sb3_base_callback_when_importable():
    callbacks = pytest.importorskip("stable_baselines3.common.callbacks")

    class Count(callbacks.BaseCallback):
        def _on_step(self):
            return self.n_calls < 5

    m = rl.PPO("CartPole-v1", seed=0, n_envs=4, n_steps=32, batch_size=64)
    cb = Count()
    m.learn(10_000, callback=cb)
    assert cb.n_calls == 5 == len(m.updates["lr"]) and cb.num_timesteps == m.num_timesteps


def test_learn_population_equals_single_runs(tmp_path):
    def models():
        return [rl.PPO("CartPole-v1", seed=0, n_envs=4, n_steps=32, batch_size=64),
                rl.PPO("CartPole-v1", seed=1, n_envs=4, n_steps=32, batch_size=64),
                rl.A2C("CartPole-v1", seed=0, learning_rate=3e-3)]

    singles = [m.learn(3000) for m in models()]
    pop = rl.learn_population(models(), 3000, num_threads=2)
    for a, b in zip(singles, pop):
        np.testing.assert_array_equal(a.policy.actor_params, b.policy.actor_params)
        for k in ("env_steps", "return", "length"):
            np.testing.assert_array_equal(a.learning_curve[k], b.learning_curve[k])
        assert a.num_timesteps == b.num_timesteps
    # A population model continues like any other.
    pop[0].learn(500)
    singles[0].learn(500)
    np.testing.assert_array_equal(pop[0].policy.actor_params, singles[0].policy.actor_params)
    with pytest.raises(ValueError, match="no models"):
        rl.learn_population([], 100)
    m = rl.PPO("CartPole-v1")
    with pytest.raises(ValueError, match="twice"):
        rl.learn_population([m, m], 100)
    with pytest.raises(TypeError, match="not an adamant.rl"):
        rl.learn_population([object()], 100)


def test_options_follow_sb3_names_and_errors_name_the_problem(monkeypatch):
    m = rl.PPO("CartPole-v1", n_envs=4, n_steps=32, n_epochs=3, gamma=0.98, ent_coef=0.01,
               policy_kwargs=dict(net_arch=dict(pi=[32], vf=[16, 16]), activation_fn="relu"),
               optimizer="adamw", optimizer_kwargs=dict(eps=1e-6, weight_decay=0.01))
    c = m.config
    assert (c.num_envs, c.n_steps, c.n_epochs, c.gamma, c.ent_coef) == (4, 32, 3, 0.98, 0.01)
    assert c.actor_hidden == [32] and c.critic_hidden == [16, 16] and c.activation == "relu"
    assert c.optimizer == "adamw" and c.eps == 1e-6 and c.weight_decay == 0.01
    with pytest.raises(ValueError, match="batch_size 100 must divide"):
        rl.PPO("CartPole-v1", n_envs=4, n_steps=32, batch_size=100)
    with pytest.raises(TypeError, match="batch_size is PPO's"):
        rl.A2C("CartPole-v1", batch_size=8)
    with pytest.raises(TypeError, match="policy_kwargs: unknown keys"):
        rl.PPO("CartPole-v1", policy_kwargs=dict(features_extractor=1))
    with pytest.raises(ValueError, match="gamma must be in"):
        rl.PPO("CartPole-v1", gamma=2.0)
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # as on a machine without it
    with pytest.raises(ValueError, match="unknown environment id 'CartPole-v7'"):
        rl.PPO("CartPole-v7")
    monkeypatch.undo()
    with pytest.raises(TypeError, match="env must be"):
        rl.PPO(42)
    with pytest.raises(ValueError, match="total_timesteps must be >= 1"):
        rl.PPO("CartPole-v1").learn(0)
    with pytest.raises(ValueError, match="lr_schedule.*finite and >= 0"):
        rl.PPO("CartPole-v1", learning_rate=lambda p: 1e-3 if p == 1.0 else -1.0).learn(2048)


# ---- a user's own environments ----

def test_python_envs_train_exactly_like_the_builtin_port():
    """adamant.rl.Env objects (the Gymnasium API, stepped through Python) as a user's envs give
    the built-in run bit for bit: the adapter adds no numbers of its own."""
    # A user's env gets the generic defaults (default_config("")), CartPole its tuned ones: the
    # same values given explicitly make the runs comparable.
    kw = dict(seed=4, n_steps=128, learning_rate=1e-3)
    ref = rl.PPO("CartPole-v1", n_envs=4, **kw).learn(2048)
    envs = [rl.make("CartPole-v1") for _ in range(4)]
    user = rl.PPO(envs, **kw).learn(2048)
    assert user.config.num_envs == 4 and user.config.env_id == "Env"
    assert same_run(ref, user)
    vec = rl.PPO(rl.make_vec("CartPole-v1", 4), **kw).learn(2048)
    assert same_run(ref, vec)
    reinforce = rl.REINFORCE(lambda: rl.make("CartPole-v1"), seed=0, n_envs=None)
    reinforce.learn(600)  # a factory: one copy; REINFORCE reads the time limit from the env
    assert reinforce.num_timesteps >= 600


class Corridor:
    """A small env written in Python: walk right along a corridor of 8 cells to the exit
    (+1, terminated), -0.01 per step, truncated after 30 steps."""

    class _Discrete:
        n = 2

    class _Box:
        low = np.array([0.0], np.float32)
        high = np.array([1.0], np.float32)
        shape = (1,)

    observation_space, action_space = _Box(), _Discrete()
    max_episode_steps = 30

    def reset(self, *, seed=None, options=None):
        self.rng = np.random.default_rng(seed) if seed is not None else getattr(
            self, "rng", np.random.default_rng())
        self.pos, self.t = int(self.rng.integers(0, 3)), 0
        return np.array([self.pos / 7], np.float32), {}

    def step(self, action):
        self.pos = max(0, min(7, self.pos + (1 if int(action) == 1 else -1)))
        self.t += 1
        done = self.pos == 7
        return (np.array([self.pos / 7], np.float32), 1.0 if done else -0.01, done,
                self.t >= 30 and not done, {})


def test_a_small_python_env_is_learned():
    model = rl.PPO([Corridor() for _ in range(4)], seed=0, n_steps=64).learn(8000)
    returns, lengths = rl.evaluate_policy(model, Corridor(), n_eval_episodes=10,
                                          return_episode_rewards=True)
    # The greedy policy walks straight to the exit: 5 to 7 steps from cells 0..2.
    assert max(lengths) <= 7 and min(returns) >= 1 - 0.07, (returns, lengths)


def test_python_env_errors_reach_the_caller():
    class Broken(Corridor):
        def step(self, action):
            raise RuntimeError("the simulator crashed")

    with pytest.raises(RuntimeError, match="the simulator crashed"):
        rl.PPO([Broken()], seed=0, n_steps=16).learn(64)

    class WrongShape(Corridor):
        def reset(self, *, seed=None, options=None):
            return np.zeros(3, np.float32), {}

    with pytest.raises(ValueError, match=r"WrongShape.reset: expected an observation of 1"):
        rl.PPO([WrongShape()], seed=0, n_steps=16).learn(64)

    class DiscreteObs(Corridor):
        observation_space = Corridor._Discrete()

    with pytest.raises(ValueError, match="observation_space must be a Box"):
        rl.PPO([DiscreteObs()])
    with pytest.raises(ValueError, match="differs from env 0"):
        rl.PPO([Corridor(), rl.make("CartPole-v1")]).learn(64)
    with pytest.raises(ValueError, match="n_envs applies to built-in"):
        rl.PPO([Corridor()], n_envs=4)


def test_real_gymnasium_cartpole_gives_the_builtin_learning_curve():
    gymnasium = pytest.importorskip("gymnasium")
    kw = dict(seed=0, n_steps=128, learning_rate=1e-3)
    ref = rl.PPO("CartPole-v1", n_envs=4, **kw).learn(4096)
    model = rl.PPO([gymnasium.make("CartPole-v1") for _ in range(4)], **kw).learn(4096)
    assert same_run(ref, model)
    vec = gymnasium.make_vec("CartPole-v1", 4, vectorization_mode="sync")
    assert same_run(ref, rl.PPO(vec, **kw).learn(4096))
    same_step = gymnasium.make_vec("CartPole-v1", 4, vectorization_mode="sync", vector_kwargs={
        "autoreset_mode": gymnasium.vector.AutoresetMode.SAME_STEP})
    with pytest.raises(ValueError, match="autoreset_mode is SAME_STEP; training needs NEXT_STEP"):
        rl.PPO(same_step)


def test_vecnormalize_statistics_are_saved_and_restored(tmp_path):
    m = rl.PPO("Pendulum-v1", seed=0, n_envs=4, n_steps=64, normalize_obs=True,
               normalize_reward=True, clip_obs=5.0, clip_reward=8.0).learn(1024)
    p = m.policy
    assert p.normalize_obs and p.normalize_reward and p.obs_clip == 5.0 and p.reward_clip == 8.0
    mean, var, count = p.return_stats
    assert mean < 0 and var > 1 and count > 1000  # Pendulum's returns are negative, large
    m.save(tmp_path / "p.h5")
    q = rl.PPO.load(tmp_path / "p.h5").policy
    assert q.return_stats == p.return_stats
    np.testing.assert_array_equal(q.obs_mean, p.obs_mean)
    np.testing.assert_array_equal(q.obs_var, p.obs_var)
    # Frozen when acting: predicting does not move the statistics.
    obs = np.full((3, 3), 100.0, np.float32)
    a1 = m.predict(obs, deterministic=True)[0]
    np.testing.assert_array_equal(m.policy.obs_mean, p.obs_mean)
    np.testing.assert_array_equal(m.predict(obs, deterministic=True)[0], a1)
    with pytest.raises(ValueError, match="normalize_reward is for A2C and PPO"):
        rl.REINFORCE("CartPole-v1", normalize_reward=True)
