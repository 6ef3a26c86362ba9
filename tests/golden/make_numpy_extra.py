#!/usr/bin/python3
"""Writes tests/golden/numpy_generator_extra.h5: numpy 1.24 Generator streams that
numpy_pcg64.h5 does not cover, for tests/rl/test_random.cpp.

Every stream comes from a fresh numpy.random.Generator(PCG64(seed)) unless stated:
  normal/seed_S/first        standard_normal(512)
  normal/seed_S/sum_200000   float64 sum (in order) of standard_normal(200000), and
  normal/seed_S/tail_count   how many of those have |x| > r (the ziggurat's base strip)
  integers/ranges            (k, 2) int64 [low, high) pairs, used in turn, 40 cycles
  integers/seed_S            the int64 results of the scalar calls integers(low, high)
  mixed/seed_S               a cycle of integers(3), random(), standard_normal(),
                             uniform(-2, 2), integers(0, 1000) as float64, 60 cycles
  uniform_vec/seed_S         uniform(low=[-pi, -1], high=[pi, 1]) 50 times, shape (50, 2)
  seedseq/<name>             SeedSequence(entropy) for entropy lists and big ints: attribute
                             entropy_words (uint32 little-endian words), datasets pool and
                             state_u32_8 = generate_state(8), state_u64_4 = generate_state(4, u64)

Run with Debian's numpy 1.24: /usr/bin/python3 tests/golden/make_numpy_extra.py
"""
import os

import h5py
import numpy as np

SEEDS = [0, 1, 42, 12345]
RANGES = [(0, 2), (0, 3), (0, 5), (-3, 4), (0, 1000), (0, 2**31), (0, 2**32 - 1), (0, 2**32),
          (0, 2**32 + 1), (0, 2**40), (10, 11), (-2**62, 2**62), (5, 6 + 2**33)]


def gen(seed):
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))


def words(value):
    out = []
    while True:
        out.append(value & 0xFFFFFFFF)
        value >>= 32
        if value == 0:
            return out


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_generator_extra.h5")
    with h5py.File(out, "w") as f:
        f.attrs["numpy_version"] = np.__version__
        for s in SEEDS:
            g = f.create_group(f"normal/seed_{s}")
            g.attrs["seed"] = s
            g["first"] = gen(s).standard_normal(512)
            big = gen(s).standard_normal(200000)
            total = 0.0
            for v in big:
                total += float(v)
            g["sum_200000"] = np.float64(total)
            g["tail_count"] = np.int64(np.sum(np.abs(big) > 3.6541528853610088))
        f["integers/ranges"] = np.array(RANGES, dtype=np.int64)
        for s in SEEDS:
            r = gen(s)
            vals = [int(r.integers(lo, hi)) for _ in range(40) for (lo, hi) in RANGES]
            f[f"integers/seed_{s}"] = np.array(vals, dtype=np.int64)
        for s in SEEDS:
            r = gen(s)
            vals = []
            for _ in range(60):
                vals += [float(r.integers(3)), r.random(), r.standard_normal(),
                         r.uniform(-2, 2), float(r.integers(0, 1000))]
            f[f"mixed/seed_{s}"] = np.array(vals, dtype=np.float64)
        for s in SEEDS:
            r = gen(s)
            rows = [r.uniform(low=np.array([-np.pi, -1.0]), high=np.array([np.pi, 1.0]))
                    for _ in range(50)]
            f[f"uniform_vec/seed_{s}"] = np.array(rows, dtype=np.float64)
        cases = {"list_6": [1, 2, 3, 4, 5, 6], "list_0_0": [0, 0], "bigint_2p100_7": 2**100 + 7,
                 "bigint_2p64": 2**64, "u32max": 2**32 - 1}
        for name, ent in cases.items():
            ss = np.random.SeedSequence(ent)
            g = f.create_group(f"seedseq/{name}")
            w = []
            if isinstance(ent, list):
                for e in ent:
                    w += words(e)
            else:
                w = words(ent)
            g["entropy_words"] = np.array(w, dtype=np.uint32)
            g["pool"] = ss.pool
            g["state_u32_8"] = ss.generate_state(8)
            g["state_u64_4"] = ss.generate_state(4, np.uint64)
    print("wrote", out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
