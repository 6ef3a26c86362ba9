#!/usr/bin/python3
"""Time and environment steps to solve CartPole-v1: adamant's PPO against Stable-Baselines3's PPO,
in the same run, both on one thread.

Stable-Baselines3 and Gymnasium are not Debian packages; both are pure Python and run from source
on Debian's numpy and torch (PYTHONPATH=<gymnasium checkout>:<stable-baselines3 checkout>). When
either is not importable the comparison is skipped with a message (exit status 0).

Protocol, per seed:
  adamant  rl.PPO("CartPole-v1", seed=s) with its defaults (default_config: 8 envs x 64 steps,
           25 000 steps, lr 3e-3 annealed) trained in one learn() call, then a greedy evaluation.
  SB3      PPO("MlpPolicy", make_vec_env("CartPole-v1", 8)) with RL Zoo's tuned CartPole-v1
           hyper-parameters (n_steps 32, batch 256, gae_lambda 0.8, gamma 0.98, n_epochs 20,
           ent_coef 0, learning rate and clip range linear from 1e-3 and 0.2, 100 000 steps),
           trained in chunks of --check-every steps; after each chunk a greedy evaluation of
           --check-episodes episodes (not timed) stops it once the mean is >= 475. This gives SB3
           its best case: the time to the first chunk that is solved.
Solved means a greedy mean return >= 475 over 100 evaluation episodes (reset seeds 1000000 + i);
the training wall-clock excludes every evaluation. The ratio printed is SB3 time / adamant time.
"""

import argparse
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--check-every", type=int, default=10_000)
    ap.add_argument("--check-episodes", type=int, default=20)
    a = ap.parse_args()
    try:
        import gymnasium  # noqa: F401
        import stable_baselines3 as sb3
        import torch
        from stable_baselines3.common.env_util import make_vec_env
    except ImportError as e:
        print(f"skipped: Stable-Baselines3 / Gymnasium not importable ({e}); run with "
              "PYTHONPATH=<gymnasium>:<stable-baselines3> source checkouts")
        return 0
    import numpy as np
    from adamant import rl

    torch.set_num_threads(1)
    threshold = 475.0
    env = rl.make("CartPole-v1")

    def greedy_mean(predict, episodes, seed0=1_000_000):
        rets = []
        for i in range(episodes):
            obs, _ = env.reset(seed=seed0 + i)
            done, ret = False, 0.0
            while not done:
                obs, r, te, tr, _ = env.step(predict(obs))
                ret += r
                done = te or tr
            rets.append(ret)
        return float(np.mean(rets))

    rows = []
    for seed in range(a.seeds):
        m_steps = rl.default_config("CartPole-v1").total_steps
        t = time.perf_counter()
        m = rl.PPO("CartPole-v1", seed=seed).learn(m_steps)
        at = time.perf_counter() - t
        am = greedy_mean(lambda o: int(m.predict(o, deterministic=True)[0]), 100)

        lin = lambda v: (lambda p: p * v)  # noqa: E731  RL Zoo's lin_<v>
        model = sb3.PPO("MlpPolicy", make_vec_env("CartPole-v1", n_envs=8, seed=seed),
                        n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                        ent_coef=0.0, learning_rate=lin(1e-3), clip_range=lin(0.2), seed=seed,
                        device="cpu", verbose=0)
        st, steps = 0.0, 0
        while steps < 100_000:
            t = time.perf_counter()
            model.learn(a.check_every, reset_num_timesteps=False)
            st += time.perf_counter() - t
            steps = model.num_timesteps
            pred = lambda o: int(model.predict(o, deterministic=True)[0])  # noqa: E731
            if greedy_mean(pred, a.check_episodes) >= threshold:
                break
        sm = greedy_mean(lambda o: int(model.predict(o, deterministic=True)[0]), 100)
        rows.append((seed, m_steps, at, am, steps, st, sm))
        print(f"seed {seed}: adamant {m_steps} steps {at:.2f} s mean {am:.1f} | "
              f"SB3 {sb3.__version__} {steps} steps {st:.2f} s mean {sm:.1f}", flush=True)

    solved_a = sum(r[3] >= threshold for r in rows)
    solved_s = sum(r[6] >= threshold for r in rows)
    ta = statistics.median(r[2] for r in rows)
    ts = statistics.median(r[5] for r in rows)
    print(f"\nCartPole-v1, {a.seeds} seeds, one thread each (torch {torch.__version__}):")
    print(f"  adamant PPO: solved {solved_a}/{a.seeds}, median {ta:.2f} s, "
          f"{statistics.median(r[1] for r in rows):.0f} env steps")
    print(f"  SB3 PPO (RL Zoo hyper-parameters, stopped at the first solved check): solved "
          f"{solved_s}/{a.seeds}, median {ts:.2f} s, "
          f"{statistics.median(r[4] for r in rows):.0f} env steps")
    print(f"  ratio (SB3 time / adamant time): {ts / ta:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
