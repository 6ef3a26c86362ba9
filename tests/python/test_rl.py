"""adamant.rl against Gymnasium 1.4's recorded episodes (tests/golden), and its Gymnasium API."""

import os
import sys
import types

import h5py
import numpy as np
import pytest

import adamant
from adamant import rl

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden",
                      "gymnasium_classic_control_subset.h5")
IDS = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"]


def golden_episodes(env_id):
    with h5py.File(GOLDEN, "r") as f:
        g = f[env_id]
        for name in sorted(g):
            e = g[name]
            yield name, int(e.attrs["reset_seed"]), {k: e[k][...] for k in e}


def controller(env_id, obs):
    """The feedback controllers the golden README describes (even seeds)."""
    if env_id == "CartPole-v1":
        x, x_dot, theta, theta_dot = (float(v) for v in obs)
        return int(theta + 0.3 * theta_dot + 0.01 * x + 0.05 * x_dot > 0)
    return 2 if float(obs[1]) >= 0 else 0


def test_registered_ids():
    assert sorted(rl.registered_ids()) == sorted(IDS)


@pytest.mark.parametrize("env_id", IDS)
def test_replays_gymnasium_episodes(env_id):
    env = rl.make(env_id)
    last_seed = None
    checked = 0
    for name, seed, ep in golden_episodes(env_id):
        obs, info = env.reset(seed=None if seed < 0 else seed)
        assert info == {}
        if seed >= 0:
            last_seed = seed
        assert obs.dtype == np.float32 and obs.shape == env.observation_space.shape
        # Reset states are bit-identical to Gymnasium's.
        np.testing.assert_array_equal(obs, ep["observations"][0], err_msg=f"{env_id} {name}")
        closed_loop = last_seed is not None and last_seed % 2 == 0 and env_id in (
            "CartPole-v1", "MountainCar-v0")
        T = len(ep["rewards"])
        for t in range(T):
            if closed_loop:
                a = controller(env_id, obs)
                # Over hundreds of steps the few-ulp sin/cos differences (golden README) can
                # flip a decision taken at u ~ 0; the early ones must agree.
                if t < 20:
                    assert a == int(ep["actions"][t]), f"{env_id} {name} step {t}"
            elif isinstance(env.action_space, rl.Discrete):
                a = int(ep["actions"][t])
            else:
                a = np.asarray(ep["actions"][t], dtype=np.float32).reshape(env.action_space.shape)
            obs, reward, terminated, truncated, info = env.step(a)
            assert isinstance(reward, float)
            if t < 20:
                np.testing.assert_allclose(obs, ep["observations"][t + 1], rtol=1e-5, atol=1e-6,
                                           err_msg=f"{env_id} {name} step {t}")
            if closed_loop or t < 20:
                assert reward == pytest.approx(float(ep["rewards"][t]), rel=1e-6, abs=1e-9)
            if terminated or truncated:
                break
        # The episode ends on the recorded step with the recorded flags.
        assert t == T - 1, f"{env_id} {name}: ended at step {t}, Gymnasium at {T - 1}"
        assert terminated == bool(ep["terminated"][-1]) and truncated == bool(ep["truncated"][-1])
        checked += 1
    assert checked >= 2


def test_one_step_from_recorded_states():
    """One step from each recorded float64 state lands on the next recorded state."""
    for env_id in IDS:
        env = rl.make(env_id)
        for name, seed, ep in golden_episodes(env_id):
            env.reset(seed=0)
            states = ep["states"]
            for t in range(min(len(ep["rewards"]), 50)):
                env.state = states[t]
                a = ep["actions"][t]
                a = int(a) if isinstance(env.action_space, rl.Discrete) else np.asarray(
                    a, dtype=np.float32).reshape(env.action_space.shape)
                env.step(a)
                np.testing.assert_allclose(env.state, states[t + 1], rtol=1e-14, atol=1e-15,
                                           err_msg=f"{env_id} {name} step {t}")
            break


def test_spaces_follow_gymnasium():
    env = rl.make("CartPole-v1")
    assert isinstance(env.action_space, rl.Discrete) and env.action_space.n == 2
    assert env.action_space.shape == () and env.action_space.dtype == np.int64
    obs_space = env.observation_space
    assert obs_space.shape == (4,) and obs_space.dtype == np.float32
    np.testing.assert_array_equal(
        obs_space.high, np.array([4.8, np.finfo(np.float32).max, 0.41887903,
                                  np.finfo(np.float32).max], dtype=np.float32))
    env.action_space.seed(3)
    samples = [env.action_space.sample() for _ in range(50)]
    assert set(int(s) for s in samples) == {0, 1}
    assert all(env.action_space.contains(s) for s in samples)
    assert not env.action_space.contains(2) and not env.action_space.contains(0.5)
    obs, _ = env.reset(seed=1)
    assert obs in obs_space

    pend = rl.make("Pendulum-v1")
    assert isinstance(pend.action_space, rl.Box)
    np.testing.assert_array_equal(pend.action_space.low, [-2.0])
    np.testing.assert_array_equal(pend.action_space.high, [2.0])
    pend.action_space.seed(0)
    a = pend.action_space.sample()
    assert a.dtype == np.float32 and a.shape == (1,) and pend.action_space.contains(a)
    assert not pend.action_space.contains(np.array([2.5], dtype=np.float32))


def test_reset_continues_the_seeded_stream_and_seeds_reproduce():
    a, b = rl.make("CartPole-v1"), rl.make("CartPole-v1")
    o1, _ = a.reset(seed=7)
    o2, _ = a.reset()
    p1, _ = b.reset(seed=7)
    p2, _ = b.reset()
    np.testing.assert_array_equal(o1, p1)
    np.testing.assert_array_equal(o2, p2)
    assert not np.array_equal(o1, o2)


def test_reset_options_bounds():
    env = rl.make("CartPole-v1")
    obs, _ = env.reset(seed=0, options={"low": -0.01, "high": 0.01})
    assert np.all(np.abs(obs) <= 0.01)
    with pytest.raises(ValueError, match="unknown keys"):
        env.reset(options={"lo": 0.1})


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="CartPole-v1"):
        rl.make("CartPole-v9")
    env = rl.make("CartPole-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError):
        env.step(2)
    with pytest.raises(ValueError):
        env.step(0.5)


def test_vector_env_matches_single_envs_with_next_step_autoreset():
    n = 8
    envs = rl.make_vec("CartPole-v1", n, num_threads=2)
    singles = [rl.make("CartPole-v1") for _ in range(n)]
    obs, _ = envs.reset(seed=100)
    assert obs.shape == (n, 4) and obs.dtype == np.float32
    for i, e in enumerate(singles):
        np.testing.assert_array_equal(obs[i], e.reset(seed=100 + i)[0])
    rng = np.random.default_rng(0)
    done = np.zeros(n, dtype=bool)
    ended = 0
    for _ in range(600):
        actions = rng.integers(2, size=n)
        obs, rewards, term, trunc, _ = envs.step(actions)
        assert rewards.dtype == np.float64 and term.dtype == np.bool_
        for i, e in enumerate(singles):
            if done[i]:  # next-step autoreset: the action is ignored, reward 0, flags false
                o, _ = e.reset()
                r, te, tr = 0.0, False, False
            else:
                o, r, te, tr, _ = e.step(int(actions[i]))
            np.testing.assert_array_equal(obs[i], o)
            assert (rewards[i], term[i], trunc[i]) == (r, te, tr)
            done[i] = te or tr
            ended += done[i]
    assert ended > n  # every env ended at least once, several twice


def test_vector_env_same_bits_on_any_thread_count():
    def run(threads):
        envs = rl.make_vec("Pendulum-v1", 64, num_threads=threads)
        obs, _ = envs.reset(seed=5)
        rng = np.random.default_rng(1)
        out = [obs]
        for _ in range(250):
            obs, r, te, tr, _ = envs.step(rng.uniform(-2, 2, size=(64, 1)).astype(np.float32))
            out += [obs, r, te, tr]
        return out

    for x, y in zip(run(1), run(2)):
        np.testing.assert_array_equal(x, y)


def _cartpole_vector_step(state, action):
    """One step of Gymnasium 1.4's CartPoleVectorEnv (cartpole.py) on a (4, n) float64 state,
    written out: np.cos / np.sin over the batch, np.square, explicit Euler."""
    x, x_dot, theta, theta_dot = state
    force = np.sign(action - 0.5) * 10.0
    costheta, sintheta = np.cos(theta), np.sin(theta)
    temp = (force + 0.05 * np.square(theta_dot) * sintheta) / 1.1
    thetaacc = (9.8 * sintheta - costheta * temp) / (0.5 * (4.0 / 3.0 - 0.1 * np.square(costheta)
                                                          / 1.1))
    xacc = temp - 0.05 * thetaacc * costheta / 1.1
    return np.stack((x + 0.02 * x_dot, x_dot + 0.02 * xacc, theta + 0.02 * theta_dot,
                     theta_dot + 0.02 * thetaacc))


def test_vector_math_follows_cartpole_vector_env_arithmetic():
    n = 4097
    fast = rl.make_vec("CartPole-v1", n, num_threads=2, vector_math=True)
    exact = rl.make_vec("CartPole-v1", n)
    np.testing.assert_array_equal(fast.reset(seed=3)[0], exact.reset(seed=3)[0])
    state = fast.state
    assert state.shape == (4, n) and state.dtype == np.float64
    np.testing.assert_array_equal(state, exact.state)
    for t in range(8):  # alternating pushes: no episode ends this early
        a = (np.arange(n) + t) % 2
        obs, r, te, tr, _ = fast.step(a)
        exact.step(a)
        assert not te.any()
        ref = _cartpole_vector_step(state, a)
        # numpy's SIMD sin/cos (SVML on AVX-512) and libmvec's agree to a few ulps, not bits.
        np.testing.assert_allclose(fast.state, ref, rtol=1e-13, atol=1e-14)
        np.testing.assert_array_equal(obs, fast.state.T.astype(np.float32))
        state = fast.state
    assert (fast.state != exact.state).any()  # the modes do compute differently
    np.testing.assert_allclose(fast.state, exact.state, rtol=1e-13, atol=1e-14)
    with pytest.raises(ValueError, match="CartPole-v1 only"):
        rl.make_vec("Pendulum-v1", 2, vector_math=True)


def test_vector_math_same_bits_on_any_thread_count():
    def run(threads):
        envs = rl.make_vec("CartPole-v1", 1001, num_threads=threads, vector_math=True)
        out = [envs.reset(seed=9)[0]]
        rng = np.random.default_rng(2)
        for _ in range(300):
            out += list(envs.step(rng.integers(0, 2, 1001))[:4])
        return out + [envs.state]

    for x, y in zip(run(1), run(2)):
        np.testing.assert_array_equal(x, y)


def test_vector_math_close_to_gymnasium_cartpole_vector_env():
    pytest.importorskip("gymnasium")
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
    n = 1024
    ours = rl.make_vec("CartPole-v1", n, vector_math=True)
    ref = CartPoleVectorEnv(num_envs=n)
    ours.reset(seed=0)
    ref.reset(seed=0)
    ref.state = ours.state  # the same start; Gymnasium's vector env draws resets from one stream
    for t in range(8):  # alternating pushes: no episode ends (nor resets, drawn differently)
        a = (np.arange(n) + t) % 2
        o, r, te, tr, _ = ours.step(a)
        ro, rr, rte, rtr, _ = ref.step(a)
        np.testing.assert_allclose(ours.state, ref.state, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(o, ro, rtol=1e-6, atol=1e-7)
        assert not te.any() and not rte.any()


def test_registers_with_gymnasium_when_importable(monkeypatch):
    """With a (minimal) gymnasium module importable, the ids register as gymnasium.Env classes."""
    registry = {}

    class FakeEnv:
        def reset(self, *, seed=None, options=None):
            self.seeded = seed

    def register(id, entry_point, **kwargs):
        registry[id] = (entry_point, kwargs)

    fake = types.ModuleType("gymnasium")
    fake.Env = FakeEnv
    fake.register = register
    fake.envs = types.SimpleNamespace(registry=registry)
    fake.spaces = types.SimpleNamespace(
        Discrete=lambda n: ("Discrete", n),
        Box=lambda low, high, shape, dtype: ("Box", shape))
    monkeypatch.setitem(sys.modules, "gymnasium", fake)
    assert rl._register_with_gymnasium()
    assert sorted(registry) == sorted(f"adamant/{i}" for i in IDS)
    cls, kwargs = registry["adamant/CartPole-v1"]
    assert issubclass(cls, FakeEnv) and kwargs["max_episode_steps"] is None
    env = cls()
    assert env.action_space == ("Discrete", 2)
    obs, info = env.reset(seed=0)
    ref, _ = rl.make("CartPole-v1").reset(seed=0)
    np.testing.assert_array_equal(obs, ref)
    assert len(env.step(1)) == 5


def test_adamant_exports_rl():
    assert adamant.rl is rl


def test_render_rgb_array_shows_the_cart_where_it_is():
    env = rl.make("CartPole-v1", render_mode="rgb_array")
    env.reset(seed=0)
    env.state = [0.0, 0.0, 0.0, 0.0]
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.shape == (400, 600, 3)
    env.state = [1.0, 0.0, 0.0, 0.0]  # 1 m right: the cart moves 125 px right
    moved = env.render()
    def dark(f):  # columns where the black cart is, in rows above the track line (y = 300)
        return np.nonzero((f[288:296].sum(axis=2) < 60).any(axis=0))[0]

    assert dark(moved).mean() - dark(frame).mean() == pytest.approx(125, abs=2)
    assert rl.make("CartPole-v1").render() is None  # no render_mode: Gymnasium returns None
    for env_id in IDS:
        e = rl.make(env_id, render_mode="rgb_array")
        e.reset(seed=1)
        img = e.render()
        assert img.ndim == 3 and img.shape[2] == 3 and img.std() > 0


# ---- the command line ----

from helpers import CLI, cli, is_png  # noqa: E402


@pytest.mark.skipif(not os.path.isfile(CLI), reason="the adamant CLI is not beside this build")
def test_cli_rl_train_eval_study(tmp_path):
    r = cli("rl", "train", "--env", "CartPole-v1", "--algo", "ppo", "--seed", "3", "--steps",
            "4096", "--eval-episodes", "5", "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "greedy evaluation, 5 episodes" in r.stdout
    h5 = tmp_path / "CartPole-v1_ppo_seed3.h5"  # saved by default, named after the run
    assert is_png(tmp_path / "CartPole-v1_ppo_seed3.png")
    with h5py.File(h5, "r") as f:
        steps = f["learning_curve/env_steps"][...]
        assert len(steps) > 10 and np.all(np.diff(steps) > 0) and steps[-1] <= 4096
        assert f["config"].attrs["env_id"] in (b"CartPole-v1", "CartPole-v1")
    r = cli("rl", "eval", "--policy", str(h5), "--episodes", "3", "--frames",
            str(tmp_path / "frames"), "--frame-every", "5")
    assert r.returncode == 0, r.stderr
    assert "3 greedy episodes" in r.stdout and "mean return" in r.stdout
    frames = sorted(os.listdir(tmp_path / "frames"))
    assert frames[0] == "frame_00000.png" and all(is_png(tmp_path / "frames" / f) for f in frames)
    r = cli("rl", "study", "--seeds", "2", "--steps", "2000", "--probe-every", "3",
            "--probe-batches", "3", "--quiet", "-o", str(tmp_path / "s.h5"))
    assert r.returncode == 0, r.stderr
    assert "adam+baseline" in r.stdout and is_png(tmp_path / "s.png")
    with h5py.File(tmp_path / "s.h5", "r") as f:
        assert len(f["study/lr"]) == 4


@pytest.mark.skipif(not os.path.isfile(CLI), reason="the adamant CLI is not beside this build")
def test_cli_rl_errors(tmp_path):
    r = cli("rl", "train", "--env", "CartPole-v7", cwd=tmp_path)
    assert r.returncode == 2 and "CartPole-v7" in r.stderr
    r = cli("rl", "train", "--no-save", "-o", "x.h5", cwd=tmp_path)
    assert r.returncode == 2 and "--no-save" in r.stderr
    r = cli("rl", "eval", "--policy", str(tmp_path / "missing.h5"))
    assert r.returncode != 0 and "missing.h5" in r.stderr
    assert os.listdir(tmp_path) == []  # nothing written by a refused command


class _SyncReference:
    """gymnasium.vector.SyncVectorEnv's step and masked reset (Gymnasium 1.4), written out over
    single environments: the definition the batched modes are checked against."""

    def __init__(self, envs, mode):
        self.envs, self.mode = envs, mode
        self.done = np.zeros(len(envs), bool)
        self.obs = [None] * len(envs)

    def reset(self, seed, mask=None):
        for i, e in enumerate(self.envs):
            if mask is None or mask[i]:
                self.obs[i], _ = e.reset(seed=None if seed is None else seed + i)
                self.done[i] = False
        return np.stack(self.obs)

    def step(self, actions):
        n = len(self.envs)
        rew, term, trunc = np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
        final = {}
        for i, e in enumerate(self.envs):
            if self.mode == "next_step" and self.done[i]:
                self.obs[i], _ = e.reset()
                continue
            assert not (self.mode == "disabled" and self.done[i])
            self.obs[i], rew[i], term[i], trunc[i], _ = e.step(actions[i])
            if self.mode == "same_step" and (term[i] or trunc[i]):
                final[i] = self.obs[i]
                self.obs[i], _ = e.reset()
        self.done = term | trunc
        return np.stack(self.obs), rew, term, trunc, final


@pytest.mark.parametrize("mode", ["next_step", "same_step", "disabled"])
def test_vector_autoreset_modes_follow_gymnasium(mode):
    n, steps = 6, 400
    ours = rl.make_vec("CartPole-v1", n, autoreset_mode=mode)
    assert ours.autoreset_mode == mode
    ref = _SyncReference([rl.make("CartPole-v1") for _ in range(n)], mode)
    np.testing.assert_array_equal(ours.reset(seed=3)[0], ref.reset(3))
    rng = np.random.default_rng(0)
    ended = 0
    for _ in range(steps):
        a = rng.integers(0, 2, n)
        obs, rew, term, trunc, info = ours.step(a)
        robs, rrew, rterm, rtrunc, final = ref.step(a)
        np.testing.assert_array_equal(obs, robs)
        np.testing.assert_array_equal(rew, rrew)
        np.testing.assert_array_equal(term, rterm)
        np.testing.assert_array_equal(trunc, rtrunc)
        if mode == "same_step":
            assert sorted(final) == (sorted(np.flatnonzero(info["_final_obs"])) if info else [])
            for i, f in final.items():
                np.testing.assert_array_equal(info["final_obs"][i], f)
        done = term | trunc
        ended += int(done.sum())
        if mode == "disabled" and done.any():
            with pytest.raises(RuntimeError, match="autoreset_mode is disabled"):
                ours.step(a)
            np.testing.assert_array_equal(ours.reset(options={"reset_mask": done})[0],
                                          ref.reset(None, done))
    assert ended > 10
    with pytest.raises(ValueError, match="reset_mask"):
        ours.reset(options={"reset_mask": np.ones(n + 1, bool)})


def test_vector_autoreset_modes_equal_gymnasium_sync_vector_env():
    gymnasium = pytest.importorskip("gymnasium")
    from gymnasium.vector import AutoresetMode, SyncVectorEnv
    n = 4
    for mode in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP, AutoresetMode.DISABLED):
        ours = rl.make_vec("CartPole-v1", n, autoreset_mode=mode)
        ref = SyncVectorEnv([lambda: gymnasium.make("adamant/CartPole-v1")] * n,
                            autoreset_mode=mode)
        np.testing.assert_array_equal(ours.reset(seed=1)[0], ref.reset(seed=1)[0])
        rng = np.random.default_rng(1)
        for _ in range(300):
            a = rng.integers(0, 2, n)
            o, r, te, tr, info = ours.step(a)
            ro, rr, rte, rtr, rinfo = ref.step(a)
            for x, y in ((o, ro), (r, rr), (te, rte), (tr, rtr)):
                np.testing.assert_array_equal(x, y)
            if "final_obs" in rinfo:
                np.testing.assert_array_equal(info["_final_obs"], rinfo["_final_obs"])
                for i in np.flatnonzero(rinfo["_final_obs"]):
                    np.testing.assert_array_equal(info["final_obs"][i], rinfo["final_obs"][i])
            if mode == AutoresetMode.DISABLED and (te | tr).any():
                mask = te | tr
                np.testing.assert_array_equal(ours.reset(options={"reset_mask": mask})[0],
                                              ref.reset(options={"reset_mask": mask})[0])


@pytest.mark.skipif(not os.path.isfile(CLI), reason="the adamant CLI is not beside this build")
def test_cli_rl_train_population_equals_single_seed_runs(tmp_path):
    r = cli("rl", "train", "--seeds", "4-6", "--jobs", "2", "--steps", "3000", "--eval-episodes",
            "5", "--quiet", "--out", str(tmp_path / "pop"))
    assert r.returncode == 0, r.stderr
    assert "3 runs in" in r.stdout and "seeds solved per second" in r.stdout
    summary = tmp_path / "pop" / "CartPole-v1_ppo_seeds4-6.h5"
    assert is_png(summary.with_suffix(".png"))
    with h5py.File(summary, "r") as f:
        np.testing.assert_array_equal(f["table/seed"][...], [4, 5, 6])
        assert set(f["table/solved"][...]) <= {0.0, 1.0}
    r = cli("rl", "train", "--seed", "5", "--steps", "3000", "--eval-episodes", "0", "--quiet",
            "-o", str(tmp_path / "single.h5"))
    assert r.returncode == 0, r.stderr
    with h5py.File(tmp_path / "pop" / "CartPole-v1_ppo_seed5.h5", "r") as a, \
            h5py.File(tmp_path / "single.h5", "r") as b:
        np.testing.assert_array_equal(a["model/params"][...], b["model/params"][...])
        np.testing.assert_array_equal(a["learning_curve/return"][...],
                                      b["learning_curve/return"][...])
    for bad in ("3-1", "a", "1,,2", "2,2"):
        r = cli("rl", "train", "--seeds", bad, "--no-save")
        assert r.returncode == 2 and "--seeds" in r.stderr, (bad, r.stderr)
