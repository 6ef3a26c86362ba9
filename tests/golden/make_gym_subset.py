#!/usr/bin/python3
"""Copies a subset of the Gymnasium golden file into tests/golden/gymnasium_classic_control_subset.h5.

The full reference (gymnasium_classic_control.h5, Gymnasium 1.4.0 on numpy 1.24, 9.8 MB) is too
large for the repository. The subset keeps the same layout: one group per environment id with
its attributes, `episode_NNNN` groups (original names) with `observations`, `states`, `actions`,
`rewards`, `terminated`, `truncated` and the attribute `reset_seed` (-1: a plain reset() that
continues the generator of the previous episode's seeded reset). Per environment it keeps
  * CartPole-v1 and MountainCar-v0: the first three (seeded, continuation) pairs — seeds 0 and 2
    controller-driven, seed 1 random actions — and the pair of the odd (random-action) seed with
    the longest episode, so a long open-loop replay is covered;
  * Acrobot-v1, MountainCarContinuous-v0, Pendulum-v1 (random actions throughout, full-length
    episodes of 500, 999 and 200 steps): the first two pairs, seeds 0 and 1.
Every kept continuation episode is kept together with the seeded episode before it.
Added attributes: `policy` on each episode ("controller": replay closed-loop with the golden
README's controller; "recorded": replay the recorded actions) and, on each environment group,
`source_episodes` (how many the full file has) and `episodes` (how many the subset keeps).

Usage: /usr/bin/python3 tests/golden/make_gym_subset.py /path/to/gymnasium_classic_control.h5
"""
import os
import sys

import h5py
import numpy as np

CONTROLLER_ENVS = ("CartPole-v1", "MountainCar-v0")


def controller_actions(env_id, obs):
    """The golden README's feedback controllers on the float32 observations (in float64)."""
    o = obs[:-1].astype(np.float64)
    if env_id == "CartPole-v1":
        u = ((o[:, 2] + 0.3 * o[:, 3]) + 0.01 * o[:, 0]) + 0.05 * o[:, 1]
        return (u > 0).astype(np.int64)
    return np.where(o[:, 1] >= 0, 2, 0).astype(np.int64)


def seed_of_pair(group, names, k):
    seed = int(group[names[k]].attrs["reset_seed"])
    return int(group[names[k - 1]].attrs["reset_seed"]) if seed == -1 else seed


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src_path = sys.argv[1]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "gymnasium_classic_control_subset.h5")
    with h5py.File(src_path, "r") as src, h5py.File(out, "w") as dst:
        for k, v in src.attrs.items():
            dst.attrs[k] = v
        dst.attrs["subset_of"] = os.path.basename(src_path)
        for env_id in src:
            g = src[env_id]
            names = sorted(g)
            for n in names[::2]:
                assert int(g[n].attrs["reset_seed"]) >= 0, (env_id, n)
            for n in names[1::2]:
                assert int(g[n].attrs["reset_seed"]) == -1, (env_id, n)
            keep = list(range(6 if env_id in CONTROLLER_ENVS else 4))
            if env_id in CONTROLLER_ENVS:
                odd = [k for k in range(0, len(names), 2) if seed_of_pair(g, names, k) % 2 == 1]
                longest = max(odd, key=lambda k: (g[names[k]]["actions"].shape[0], -k))
                if longest not in keep:
                    keep += [longest, longest + 1]
            dg = dst.create_group(env_id)
            for k, v in g.attrs.items():
                dg.attrs[k] = v
            dg.attrs["source_episodes"] = len(names)
            dg.attrs["episodes"] = len(keep)
            for k in keep:
                e = g[names[k]]
                de = dg.create_group(names[k])
                for a, v in e.attrs.items():
                    de.attrs[a] = v
                for d in e:
                    data = e[d][:]
                    de.create_dataset(d, data=data, compression="gzip", compression_opts=9,
                                      shuffle=True)
                policy = "recorded"
                if env_id in CONTROLLER_ENVS and seed_of_pair(g, names, k) % 2 == 0:
                    want = controller_actions(env_id, e["observations"][:])
                    assert np.array_equal(want, e["actions"][:]), (env_id, names[k])
                    policy = "controller"
                de.attrs["policy"] = policy
    print("wrote", out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
