#!/usr/bin/python3
"""CartPole-v1 throughput of adamant.rl against a numpy re-implementation of Gymnasium's
CartPole, measured in the same run, plus the time the default PPO config takes to solve it.

Gymnasium itself is not installed on this machine (and cannot be), so the in-run reference is
this file's own re-implementation of Gymnasium 1.x's CartPole-v1 (gymnasium/envs/classic_control/
cartpole.py: the same equations, constants, termination rule, time limit and per-step work):

  (i)  RefCartPole: one environment in plain Python + `math` doing the work Gymnasium's
       CartPoleEnv.step does per step: validate the action, math.cos/math.sin, the dynamics in
       Python floats (`theta_dot ** 2`, `costheta ** 2`), a new float64 state, the bounds check,
       the reward rule (steps_beyond_terminated), a float32 numpy observation built per step,
       and a TimeLimit-style step counter (500). It leaves out the extra Python calls of the
       wrappers gymnasium.make adds (OrderEnforcing, PassiveEnvChecker, TimeLimit), so it is
       somewhat faster than gymnasium.make("CartPole-v1") itself.
  (ii) RefCartPoleVec: N environments as structure of arrays, like Gymnasium's
       CartPoleVectorEnv: float64 state (4 × N), np.cos/np.sin over the batch, float32
       observations (N × 4), float32 rewards, per-env step counters with truncation at 500 and
       next-step autoreset (an environment that finished at the previous step is reset from the
       shared Generator and returns reward 0 with both flags false).

Dynamics (Barto, Sutton & Anderson 1983; equations as in Florian 2007), τ = 0.02, explicit Euler:
    temp  = (F + m_p l θ̇² sin θ) / (m_c + m_p),           F = +10 (action 1) or −10
    θ̈     = (g sin θ − cos θ · temp) / (l (4/3 − m_p cos²θ / (m_c + m_p)))
    ẍ     = temp − m_p l θ̈ cos θ / (m_c + m_p)
    x += τ ẋ,  ẋ += τ ẍ,  θ += τ θ̇,  θ̇ += τ θ̈
g = 9.8, m_c = 1.0, m_p = 0.1, l = 0.5; terminated when |x| > 2.4 or |θ| > 12·2π/360;
reward 1 per step; reset: uniform(−0.05, 0.05) for all four state variables.

What this script does, in one run:
  1. Checks that the reference is faithful: from the same float64 states and actions, the
     reference's step and adamant.rl's Env.step (its float64 state) agree to 1e-12 (relative),
     for the single-env and the vectorized reference; reset(seed=s) observations are compared too.
  2. Runs bench_rl (C++: single Env, VecEnv at 1/1024/16384 envs on 1 and 2 threads, and PPO
     solving CartPole-v1 for --solve-seeds seeds) with --json.
  3. Times from Python: adamant.rl.make("CartPole-v1").step against (i), with the same fixed
     action pattern and auto reset; adamant.rl.make_vec(..., N, threads) at N = 1024 and 16384 on
     1 and 2 threads, in both math modes (exact; vector_math=True), against (ii) at the same N
     (numpy runs on one thread), with the same precomputed random actions. When gymnasium is
     importable (Gymnasium is pure Python: a source checkout on PYTHONPATH runs on Debian's
     numpy), also against (iii) gymnasium.make("CartPole-v1") and (iv) Gymnasium's own
     CartPoleVectorEnv, which the 5x target is then judged against. Warm-up, then the median of
     several repetitions.
  4. Records the background load of each measurement (cores other processes and the hypervisor
     kept busy, from /proc/stat minus this process's own CPU time; above ~0.1: disturbed).
  5. Prints one table with ratios, the issue's figures for Gymnasium 1.4 (quoted, not measured
     here) and the targets.

Run with Debian's interpreter and the built extension on the path:
    PYTHONPATH=build/release/python /usr/bin/python3 bench/compare_gym.py
and with Gymnasium from source (git clone of Farama-Foundation/Gymnasium, plus its
farama_notifications dependency) as well:
    PYTHONPATH=build/release/python:/path/to/Gymnasium /usr/bin/python3 bench/compare_gym.py
"""

import argparse
import json
import math
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

try:
    import adamant.rl as arl
except ImportError as e:  # pragma: no cover - a setup problem, reported plainly
    sys.exit(f"compare_gym.py: cannot import adamant.rl ({e}); build the extension "
             "(cmake --build build/release --target adamant_python) and set "
             "PYTHONPATH=build/release/python")

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_EXE = REPO / "build" / "release" / "bench" / "bench_rl"
ENV_ID = "CartPole-v1"
# The same action pattern as bench_rl's single-env loop: action = bit (i mod 64) of this word.
ACTION_WORD = 0x9E3779B97F4A7C15
PATTERN = [(ACTION_WORD >> k) & 1 for k in range(64)]

# Quoted from the issue (Gymnasium 1.4 on this class of machine); NOT measured here.
QUOTED_GYM_SINGLE = 60e3      # steps/s through gymnasium.make("CartPole-v1")
QUOTED_GYM_VEC_16384 = 18e6   # env-steps/s, CartPoleVectorEnv with 16384 envs
TARGET_VEC_FACTOR = 5.0       # ≥ 5× Gymnasium's CartPoleVectorEnv at 16384 envs on 2 threads
TARGET_SOLVE_S = 1.0          # CartPole-v1 solved in ≤ 1 s wall-clock (median over seeds)


# ---- the reference: Gymnasium's CartPole-v1, re-implemented -----------------------------------

GRAVITY = 9.8
MASSCART = 1.0
MASSPOLE = 0.1
TOTAL_MASS = MASSPOLE + MASSCART
LENGTH = 0.5  # half the pole's length
POLEMASS_LENGTH = MASSPOLE * LENGTH
FORCE_MAG = 10.0
TAU = 0.02
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4
MAX_EPISODE_STEPS = 500
RESET_LOW, RESET_HIGH = -0.05, 0.05


class RefCartPole:
    """(i) One CartPole-v1 with Gymnasium's per-step work, plain Python + math."""

    def __init__(self):
        self.np_random = np.random.default_rng()
        self.state = None
        self.steps_beyond_terminated = None
        self.elapsed_steps = 0

    @staticmethod
    def _valid_action(a):
        # Discrete(2).contains: a Python int or an integer numpy scalar in [0, 2).
        if isinstance(a, int) and not isinstance(a, bool):
            v = a
        elif isinstance(a, (np.integer, np.ndarray)) and np.issubdtype(np.asarray(a).dtype,
                                                                        np.integer):
            if np.shape(a) != ():
                return False
            v = int(a)
        else:
            return False
        return 0 <= v < 2

    def reset(self, *, seed=None):
        if seed is not None:
            # gymnasium.utils.seeding.np_random: Generator(PCG64(SeedSequence(seed))).
            self.np_random = np.random.default_rng(seed)
        self.state = self.np_random.uniform(low=RESET_LOW, high=RESET_HIGH, size=(4,))
        self.steps_beyond_terminated = None
        self.elapsed_steps = 0
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        if not self._valid_action(action):
            raise ValueError(f"{action!r} is not a valid CartPole action")
        if self.state is None:
            raise RuntimeError("call reset before step")
        x, x_dot, theta, theta_dot = self.state
        force = FORCE_MAG if action == 1 else -FORCE_MAG
        costheta = math.cos(theta)
        sintheta = math.sin(theta)
        temp = (force + POLEMASS_LENGTH * theta_dot ** 2 * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            LENGTH * (4.0 / 3.0 - MASSPOLE * costheta ** 2 / TOTAL_MASS))
        xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * xacc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * thetaacc
        self.state = (x, x_dot, theta, theta_dot)
        terminated = bool(x < -X_THRESHOLD or x > X_THRESHOLD
                          or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD)
        if not terminated:
            reward = 1.0
        elif self.steps_beyond_terminated is None:
            self.steps_beyond_terminated = 0
            reward = 1.0
        else:
            self.steps_beyond_terminated += 1
            reward = 0.0
        self.elapsed_steps += 1
        truncated = self.elapsed_steps >= MAX_EPISODE_STEPS
        return np.array(self.state, dtype=np.float32), reward, terminated, truncated, {}


class RefCartPoleVec:
    """(ii) N CartPole-v1 environments, structure of arrays, like CartPoleVectorEnv."""

    def __init__(self, num_envs):
        self.num_envs = int(num_envs)
        self.np_random = np.random.default_rng()
        self.state = None  # (4, N) float64: x, x_dot, theta, theta_dot
        self.steps = np.zeros(self.num_envs, dtype=np.int32)
        self.prev_done = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed=None):
        if seed is not None:
            self.np_random = np.random.default_rng(seed)
        self.state = self.np_random.uniform(low=RESET_LOW, high=RESET_HIGH,
                                            size=(4, self.num_envs))
        self.steps[:] = 0
        self.prev_done[:] = False
        return self.state.T.astype(np.float32), {}

    def step(self, actions):
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or not np.all((actions >= 0) & (actions < 2)):
            raise ValueError("actions must be num_envs integers in {0, 1}")
        x, x_dot, theta, theta_dot = self.state
        force = np.sign(actions - 0.5) * FORCE_MAG
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        temp = (force + POLEMASS_LENGTH * theta_dot ** 2 * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            LENGTH * (4.0 / 3.0 - MASSPOLE * costheta ** 2 / TOTAL_MASS))
        xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * xacc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * thetaacc
        self.state = np.stack((x, x_dot, theta, theta_dot))
        terminated = ((x < -X_THRESHOLD) | (x > X_THRESHOLD)
                      | (theta < -THETA_THRESHOLD) | (theta > THETA_THRESHOLD))
        self.steps += 1
        truncated = self.steps >= MAX_EPISODE_STEPS
        reward = np.ones(self.num_envs, dtype=np.float32)
        # Next-step autoreset: the environments that finished at the previous step start over.
        done_before = self.prev_done
        k = int(done_before.sum())
        if k:
            self.state[:, done_before] = self.np_random.uniform(low=RESET_LOW, high=RESET_HIGH,
                                                                size=(4, k))
            self.steps[done_before] = 0
            reward[done_before] = 0.0
            terminated[done_before] = False
            truncated[done_before] = False
        self.prev_done = terminated | truncated
        return self.state.T.astype(np.float32), reward, terminated, truncated, {}


# ---- faithfulness checks ----------------------------------------------------------------------

def _rel_diff(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def random_states(rng, n):
    """float64 states spread over the non-terminal region (|x| ≤ 2, |θ| ≤ 0.18)."""
    return np.stack([rng.uniform(-2.0, 2.0, n), rng.uniform(-2.0, 2.0, n),
                     rng.uniform(-0.18, 0.18, n), rng.uniform(-2.0, 2.0, n)], axis=1)


def check_reference(tol=1e-12):
    """Asserts the reference steps agree with adamant.rl's from the same float64 states."""
    rng = np.random.default_rng(2024)
    out = {}
    # (i) single env: chains of up to 50 steps from random states, until termination.
    env = arl.make(ENV_ID)
    ref = RefCartPole()
    worst, steps = 0.0, 0
    for s0 in random_states(rng, 200):
        env.reset(seed=0)
        ref.reset(seed=0)
        env.state = s0
        ref.state = tuple(float(v) for v in s0)
        for _ in range(50):
            a = int(rng.integers(2))
            o1, r1, te1, tr1, _ = env.step(a)
            o2, r2, te2, tr2, _ = ref.step(a)
            worst = max(worst, _rel_diff(env.state, ref.state))
            assert te1 == te2 and r1 == r2, "single env: termination/reward differ"
            assert np.array_equal(o1, o2) or _rel_diff(o1, o2) <= 1e-6, "single env: obs differ"
            steps += 1
            if te1:
                break
    assert worst <= tol, f"single-env reference differs from adamant by {worst:.3g} (> {tol})"
    out["single_max_rel_diff"] = worst
    out["single_steps_checked"] = steps

    # (ii) vectorized: 256 states stepped together by the reference and one by one by adamant.
    n = 256
    s0 = random_states(rng, n)
    vref = RefCartPoleVec(n)
    vref.reset(seed=0)
    vref.state = s0.T.copy()
    states = s0.copy()
    alive = np.ones(n, dtype=bool)
    worst, steps = 0.0, 0
    for _ in range(30):
        acts = rng.integers(0, 2, size=n)
        _, _, term, _, _ = vref.step(acts)
        for i in np.flatnonzero(alive):
            env.reset(seed=0)
            env.state = states[i]
            _, _, te, _, _ = env.step(int(acts[i]))
            states[i] = env.state
            worst = max(worst, _rel_diff(vref.state[:, i], states[i]))
            assert bool(term[i]) == te, "vectorized: termination differs"
            steps += 1
        alive &= ~term
    assert worst <= tol, f"vectorized reference differs from adamant by {worst:.3g} (> {tol})"
    out["vec_max_rel_diff"] = worst
    out["vec_steps_checked"] = steps

    # Seeding (informational, not needed for the timing): reset(seed=s) observations.
    same = 0
    for s in range(20):
        o1, _ = env.reset(seed=s)
        o2, _ = ref.reset(seed=s)
        same += bool(np.array_equal(o1, o2))
    out["reset_obs_equal"] = f"{same}/20"
    return out


# ---- timing -----------------------------------------------------------------------------------

def cpu_sample():
    """(wall seconds, busy CPU seconds of the machine incl. steal, CPU seconds of this process)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (
            int(x) for x in f.readline().split()[1:9])
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), busy, ru.ru_utime + ru.ru_stime


def background_cores(a, b):
    """Average number of cores that other work kept busy between two cpu_sample()s."""
    wall = b[0] - a[0]
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / wall) if wall > 0 else 0.0


def time_loop(run, reps=7, rep_s=0.1):
    """run(k) does k iterations. Warm-up (≥ 0.2 s, ≥ 2 calls), then the median of `reps`
    repetitions of about rep_s seconds. Returns iterations/s and the details."""
    k, total, calls = 1, 0, 0
    t0 = time.perf_counter()
    while calls < 2 or time.perf_counter() - t0 < 0.2:
        run(k)
        total += k
        calls += 1
        if time.perf_counter() - t0 < 0.05:
            k *= 2
    per_iter = (time.perf_counter() - t0) / total
    iters = max(1, round(rep_s / per_iter))
    times = []
    c0 = cpu_sample()
    for _ in range(reps):
        t = time.perf_counter()
        run(iters)
        times.append(time.perf_counter() - t)
    bg = background_cores(c0, cpu_sample())
    med = statistics.median(times)
    return {"per_s": iters / med, "median_s": med, "best_s": min(times), "iters_per_rep": iters,
            "reps": reps, "background_cores": bg}


def time_single(env):
    """Steps/s of env.step with the fixed action pattern, resetting when an episode ends."""
    env.reset(seed=0)
    i = 0

    def run(k):
        nonlocal i
        pattern = PATTERN
        step = env.step
        for _ in range(k):
            _, _, terminated, truncated, _ = step(pattern[i & 63])
            i += 1
            if terminated or truncated:
                env.reset()

    return time_loop(run)


def vec_actions(n):
    """About 2^20 random 0/1 int64 actions as a list of batches (as bench_rl does)."""
    batches = min(1024, max(16, (1 << 20) // n))
    a = np.random.default_rng(12345).integers(0, 2, size=(batches, n), dtype=np.int64)
    return list(a)


def time_vec(env, rows):
    """Env-steps/s of env.step over the precomputed batches of actions."""
    env.reset(seed=0)
    b = 0
    nb = len(rows)

    def run(k):
        nonlocal b
        step = env.step
        for _ in range(k):
            step(rows[b])
            b += 1
            if b == nb:
                b = 0

    r = time_loop(run, reps=7, rep_s=0.1)
    r["vector_steps_per_s"] = r["per_s"]
    r["per_s"] *= len(rows[0])
    return r


# ---- main -------------------------------------------------------------------------------------

def real_gymnasium():
    """gymnasium when importable (e.g. a source checkout on PYTHONPATH), else None."""
    try:
        import gymnasium
        from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv  # noqa: F401
    except ImportError:
        return None
    return gymnasium

def fmt_rate(v):
    return "-" if v is None else f"{v:.3e}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--envs", default="1024,16384", help="VecEnv sizes timed from Python")
    ap.add_argument("--threads", type=int, default=2, help="the second thread count (default 2)")
    ap.add_argument("--solve-seeds", type=int, default=10, help="PPO seeds for bench_rl")
    ap.add_argument("--skip-solve", action="store_true", help="bench_rl --skip-solve")
    ap.add_argument("--exe", default=str(DEFAULT_EXE), help="path to bench_rl")
    ap.add_argument("--json", help="write every number measured here as JSON")
    args = ap.parse_args()
    sizes = [int(round(float(s))) for s in args.envs.split(",") if s]
    thread_counts = [1] + ([args.threads] if args.threads > 1 else [])
    exe = pathlib.Path(args.exe)
    if not exe.exists():
        sys.exit(f"compare_gym.py: {exe} not found; build it first "
                 "(cmake --build build/release --target bench_rl) or pass --exe")

    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f}"
          + ("  (WARNING: other work is running; timings will be noisy)" if load > 0.5 else ""))
    gym = real_gymnasium()
    print(f"numpy {np.__version__}, {sys.executable}; "
          + (f"Gymnasium {gym.__version__} importable: timed too, as (iii) gymnasium.make and "
             "(iv) CartPoleVectorEnv" if gym else
             "Gymnasium is not importable: the reference is this script's numpy "
             "re-implementation") + "\n", flush=True)

    # 1. Faithfulness of the reference.
    chk = check_reference()
    print(f"reference check: single env {chk['single_steps_checked']} steps, max rel. diff "
          f"{chk['single_max_rel_diff']:.2g}; vectorized {chk['vec_steps_checked']} steps, max "
          f"rel. diff {chk['vec_max_rel_diff']:.2g} (tolerance 1e-12); reset(seed) obs equal "
          f"{chk['reset_obs_equal']}\n", flush=True)

    # 2. The C++ side.
    with tempfile.TemporaryDirectory() as tmp:
        cpp_json = pathlib.Path(tmp) / "bench_rl.json"
        cmd = [str(exe), "--envs", ",".join(str(n) for n in sorted({1, *sizes})),
               "--threads", str(args.threads), "--json", str(cpp_json)]
        cmd += ["--skip-solve"] if args.skip_solve else ["--solve-seeds", str(args.solve_seeds)]
        subprocess.run(cmd, check=True)
        cpp = json.loads(cpp_json.read_text())

    # 3. The Python side.
    print("\ntiming from Python ...", flush=True)
    py = {"single_adamant": time_single(arl.make(ENV_ID)), "single_ref": time_single(RefCartPole()),
          "vec_adamant": [], "vec_ref": [], "vec_gym": []}
    if gym:
        py["single_gym"] = time_single(gym.make(ENV_ID))
        print(f"  single env: gymnasium.make {py['single_gym']['per_s']:.4g} steps/s", flush=True)
    print(f"  single env: adamant {py['single_adamant']['per_s']:.4g} steps/s, reference "
          f"{py['single_ref']['per_s']:.4g} steps/s", flush=True)
    for n in sizes:
        rows = vec_actions(n)
        r = time_vec(RefCartPoleVec(n), rows)
        r.update(num_envs=n)
        py["vec_ref"].append(r)
        print(f"  vec {n:6d} envs: numpy reference {r['per_s']:.4g} env-steps/s "
              f"(bg {r['background_cores']:.2f})", flush=True)
        if gym:
            from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv
            r = time_vec(CartPoleVectorEnv(num_envs=n), rows)
            r.update(num_envs=n)
            py["vec_gym"].append(r)
            print(f"  vec {n:6d} envs: Gymnasium CartPoleVectorEnv {r['per_s']:.4g} env-steps/s "
                  f"(bg {r['background_cores']:.2f})", flush=True)
        for th in thread_counts:
            for vm in (False, True):
                r = time_vec(arl.make_vec(ENV_ID, n, num_threads=th, vector_math=vm), rows)
                r.update(num_envs=n, threads=th, math="vector" if vm else "exact")
                py["vec_adamant"].append(r)
                print(f"  vec {n:6d} envs: adamant {th} thread(s), {r['math']} math "
                      f"{r['per_s']:.4g} env-steps/s (bg {r['background_cores']:.2f})", flush=True)

    # 4. One table.
    def cpp_vec(n, th, math_mode):
        for v in cpp.get("vec", []):
            if v["num_envs"] == n and v["threads"] == th and v.get("math") == math_mode:
                return v
        return None

    def py_vec(n, th, math_mode):
        return next((r for r in py["vec_adamant"] if r["num_envs"] == n and r["threads"] == th
                     and r["math"] == math_mode), None)

    def ref_vec(n):
        return next(r for r in py["vec_ref"] if r["num_envs"] == n)

    table = []

    def row(label, a, a_bg, ref, ref_bg, note=""):
        ratio = a / ref if (a is not None and ref) else None
        bg = max(x for x in (a_bg, ref_bg) if x is not None)
        table.append({"measurement": label, "adamant_per_s": a, "reference_per_s": ref,
                      "ratio": ratio, "background_cores": bg, "note": note})

    sa, sr = py["single_adamant"], py["single_ref"]
    row("single env, Python env.step vs (i)", sa["per_s"], sa["background_cores"], sr["per_s"],
        sr["background_cores"])
    cs = cpp.get("single")
    if cs:
        row("single env, C++ Env::step vs (i)", cs["steps_per_s"], cs["background_cores"],
            sr["per_s"], sr["background_cores"])
    if gym:
        sg = py["single_gym"]
        row("single env, Python env.step vs (iii)", sa["per_s"], sa["background_cores"],
            sg["per_s"], sg["background_cores"])
    for n in sizes:
        refs = [("(ii)", ref_vec(n))]
        if gym:
            refs.append(("(iv)", next(r for r in py["vec_gym"] if r["num_envs"] == n)))
        for tag, rv in refs:
            for th in thread_counts:
                for m in ("exact", "vector"):
                    a = py_vec(n, th, m)
                    row(f"vec {n} envs, {th}t, {m:6}, make_vec vs {tag}", a["per_s"],
                        a["background_cores"], rv["per_s"], rv["background_cores"])
            for th in thread_counts:
                for m in ("exact", "vector"):
                    c = cpp_vec(n, th, m)
                    if c:
                        row(f"vec {n} envs, {th}t, {m:6}, C++ VecEnv vs {tag}",
                            c["env_steps_per_s"], c["background_cores"], rv["per_s"],
                            rv["background_cores"])

    print(f"\n{cpp['date']}  |  {cpp['cpu']}  |  {cpp['hardware_threads']} hardware threads  |  "
          f"numpy {np.__version__}")
    print("(i) = numpy/math re-implementation of gymnasium CartPoleEnv (no wrappers); "
          "(ii) = of CartPoleVectorEnv (numpy, 1 thread)"
          + ("; (iii) = gymnasium.make; (iv) = Gymnasium's CartPoleVectorEnv" if gym else "")
          + "\nexact = the single Env's numbers bit for bit; vector = vector_math=True (libmvec "
          "SIMD sin/cos, x*x squares)\n")
    head = (f"{'measurement':50} {'adamant [1/s]':>14} {'reference':>11} {'ratio':>8} "
            f"{'bg':>5}")
    print(head)
    print("-" * len(head))
    for r in table:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        print(f"{r['measurement']:50} {fmt_rate(r['adamant_per_s']):>14} "
              f"{fmt_rate(r['reference_per_s']):>11} {ratio:>8} {r['background_cores']:>5.2f}")
    print("single env: steps/s; vec: env-steps/s (num_envs × vector steps/s); ratio = adamant / "
          "reference;\nbg = most cores other work used during either measurement (> 0.1: "
          "disturbed).")

    solve = cpp.get("solve")
    if solve:
        runs = solve["runs"]
        times_to_solve = [r["train_s"] if r["solved"] else math.inf for r in runs]
        med_solve = statistics.median(times_to_solve)
        within = sum(1 for t in times_to_solve if t <= TARGET_SOLVE_S)
        print(f"\nPPO default config on {ENV_ID} (C++, bench_rl): {solve['solved']}/"
              f"{solve['seeds']} seeds solved (greedy 100-episode mean >= 475); median training "
              f"wall-clock {solve['median_train_s']:.2f} s over {solve['median_env_steps']:.0f} "
              f"env steps; max bg {max(r['background_cores'] for r in runs):.2f}")
    # 5. Quoted figures and targets.
    big = max(sizes)
    th_all = thread_counts[-1]
    print("\nQUOTED, not measured here (the issue's figures for Gymnasium 1.4 on this class of "
          "machine):")
    print(f"  gymnasium.make('CartPole-v1').step  ~{QUOTED_GYM_SINGLE / 1e3:.0f} thousand steps/s"
          f"        adamant.rl.make from Python / quoted = {sa['per_s'] / QUOTED_GYM_SINGLE:.1f}x")
    if big == 16384:
        for m in ("exact", "vector"):
            pv, cv = py_vec(big, th_all, m), cpp_vec(big, th_all, m)
            print(f"  CartPoleVectorEnv, 16384 envs       ~{QUOTED_GYM_VEC_16384 / 1e6:.0f} "
                  f"million env-steps/s  make_vec {th_all}t {m} / quoted = "
                  f"{pv['per_s'] / QUOTED_GYM_VEC_16384:.2f}x"
                  + (f", C++ / quoted = {cv['env_steps_per_s'] / QUOTED_GYM_VEC_16384:.2f}x"
                     if cv else ""))
    print("Targets:")
    if big == 16384:
        if gym:
            ref_rate = next(r for r in py["vec_gym"] if r["num_envs"] == big)["per_s"]
            ref_name = "Gymnasium's CartPoleVectorEnv, measured in this run"
        else:
            ref_rate, ref_name = QUOTED_GYM_VEC_16384, "the quoted Gymnasium rate"
        for m in ("exact", "vector"):
            pv = py_vec(big, th_all, m)
            ratio = pv["per_s"] / ref_rate
            verdict = "MET" if ratio >= TARGET_VEC_FACTOR else "NOT MET"
            print(f"  >= {TARGET_VEC_FACTOR:.0f}x {ref_name} ({ref_rate / 1e6:.1f} M env-steps/s) "
                  f"at 16384 envs on {th_all} threads from Python, {m} math: "
                  f"{pv['per_s'] / 1e6:.1f} M = {ratio:.2f}x -> {verdict}")
    if solve:
        verdict = "MET" if med_solve <= TARGET_SOLVE_S else "NOT MET"
        print(f"  CartPole-v1 solved in <= {TARGET_SOLVE_S:.0f} s wall-clock: median time to "
              f"solve {med_solve:.2f} s (unsolved seeds count as infinite), {within}/"
              f"{len(runs)} seeds solved within {TARGET_SOLVE_S:.0f} s -> {verdict}")
    print("(A row whose bg is above ~0.1 was disturbed by other work; measure again on an idle "
          "machine before drawing conclusions.)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"check": chk, "cpp": cpp, "python": py, "table": table,
                       "quoted": {"gymnasium_make_steps_per_s": QUOTED_GYM_SINGLE,
                                  "cartpole_vector_env_16384_env_steps_per_s":
                                  QUOTED_GYM_VEC_16384}}, f, indent=2)


if __name__ == "__main__":
    main()
