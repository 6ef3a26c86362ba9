#!/usr/bin/python3
"""Hyper-gradients through an Adam run: adamant.hyper against torch autograd, in one run.

Task (the golden file's MLP case, tests/golden/torch_hypergrad.h5, on seeded data): a 2-H-H-1
tanh MLP (H = --hidden, default 16; PyTorch layout), full-batch mean squared error on 64
training samples, meta-loss the mean squared error on 64 validation samples at theta_T, Adam
(lr 0.01, betas 0.9 / 0.999, eps 1e-8) for T steps (--steps, default 60).

Timed, each the best of --repeat runs (default 5), one thread:
  plain      adamant.hyper.unroll with wrt=() -- the run alone: T gradients and T fused steps
  forward    forward mode, wrt = (lr, beta1, beta2, eps): k = 4 tangents
  reverse    reverse mode, wrt = (lr, beta1, beta2, eps, theta0), checkpoints every ceil(sqrt T)
  torch      a functional torch unroll of the same Adam (PyTorch 1.13 numerics, the hyper-
             parameters as tensors, create_graph=True), then torch.autograd.grad of the meta-loss
             with respect to the four hyper-parameters and theta0 (what reverse mode returns)
The ratios printed: forward / plain, reverse / plain, torch / reverse. Both sides' derivatives
are compared (max relative difference) so the timings are of the same numbers.

Memory: reverse mode's peak state-sized bytes (adamant's own count, UnrollResult.peak_bytes)
for T = 100, 400, 1600, 6400, and forward mode's, to show sqrt(T) against a constant.

  /usr/bin/python3 bench/compare_torch_hyper.py [--steps 60] [--hidden 16] [--repeat 5]
"""

import argparse
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "build", "release", "python"))
from adamant import hyper  # noqa: E402


def data(hidden, seed=0):
    rng = np.random.default_rng(seed)
    X, Xv = rng.uniform(-2, 2, size=(64, 2)), rng.uniform(-2, 2, size=(64, 2))
    f = lambda A: np.sin(A[:, 0]) * np.cos(A[:, 1])  # noqa: E731
    y, yv = f(X) + 0.05 * rng.normal(size=64), f(Xv) + 0.05 * rng.normal(size=64)
    n = hidden * 2 + hidden + hidden * hidden + hidden + hidden + 1
    theta0 = rng.normal(size=n) * (1 / math.sqrt(hidden))
    return X, y, Xv, yv, theta0


def torch_unroll(torch, X, y, Xv, yv, theta0, hidden, steps, lr, b1, b2, eps):
    dt = torch.float64
    X, y, Xv, yv = (torch.tensor(a, dtype=dt) for a in (X, y, Xv, yv))
    hp = [torch.tensor(v, dtype=dt, requires_grad=True) for v in (lr, b1, b2, eps)]
    th0 = torch.tensor(theta0, dtype=dt, requires_grad=True)
    sizes = [(hidden, 2), (hidden,), (hidden, hidden), (hidden,), (1, hidden), (1,)]

    def loss(theta, A, t):
        parts, o = [], 0
        for s in sizes:
            n = math.prod(s)
            parts.append(theta[o:o + n].reshape(s))
            o += n
        h = torch.tanh(A @ parts[0].T + parts[1])
        h = torch.tanh(h @ parts[2].T + parts[3])
        return ((h @ parts[4].T + parts[5]).squeeze(1) - t).pow(2).mean()

    lr_, b1_, b2_, eps_ = hp
    theta, m, v = th0, torch.zeros_like(th0), torch.zeros_like(th0)
    for t in range(1, steps + 1):
        g, = torch.autograd.grad(loss(theta, X, y), theta, create_graph=True)
        m = b1_ * m + (1 - b1_) * g
        v = b2_ * v + (1 - b2_) * g * g
        denom = v.sqrt() / (1 - b2_ ** t).sqrt() + eps_
        theta = theta - (lr_ / (1 - b1_ ** t)) * m / denom
    F = loss(theta, Xv, yv)
    grads = torch.autograd.grad(F, hp + [th0])
    return float(F), [float(x) for x in grads[:4]], grads[4].detach().numpy()


def best(f, repeat):
    out, ts = None, []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    X, y, Xv, yv, theta0 = data(a.hidden)
    layers = (2, a.hidden, a.hidden, 1)
    train = hyper.mlp_regression(X, y, layers=layers)
    meta = hyper.mlp_regression(Xv, yv, layers=layers)
    kw = dict(steps=a.steps, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, meta=meta)
    hp4 = ("lr", "beta1", "beta2", "eps")
    t_plain, _ = best(lambda: hyper.unroll(train, theta0, wrt=(), **kw), a.repeat)
    t_fwd, rf = best(lambda: hyper.unroll(train, theta0, mode="forward", wrt=hp4, **kw), a.repeat)
    t_rev, rr = best(lambda: hyper.unroll(train, theta0, mode="reverse", wrt=hp4 + ("theta0",),
                                          **kw), a.repeat)
    print(f"adamant.hyper vs torch autograd: MLP 2-{a.hidden}-{a.hidden}-1 tanh ({train.dim} "
          f"parameters), 64 samples, Adam, T = {a.steps} steps, best of {a.repeat}, one thread\n")
    print(f"{'run':<34} {'time (ms)':>10} {'ratio':>22}")
    print(f"{'plain run (T gradients + steps)':<34} {t_plain * 1e3:10.2f}")
    print(f"{'forward mode, k = 4':<34} {t_fwd * 1e3:10.2f} {t_fwd / t_plain:15.2f} x plain")
    print(f"{'reverse mode, 4 hypers + theta0':<34} {t_rev * 1e3:10.2f} {t_rev / t_plain:15.2f} x plain")
    try:
        import torch
        torch.set_num_threads(1)
        t_torch, (F, dh, d0) = best(lambda: torch_unroll(torch, X, y, Xv, yv, theta0, a.hidden,
                                                         a.steps, 0.01, 0.9, 0.999, 1e-8),
                                    a.repeat)
        print(f"{'torch autograd (same outputs)':<34} {t_torch * 1e3:10.2f} "
              f"{t_torch / t_rev:15.2f} x reverse")
        rel = max(abs(rr.grad[k] - w) / abs(w) for k, w in zip(hp4, dh))
        rel0 = np.abs(rr.grad["theta0"] - d0).max() / np.abs(d0).max()
        relf = max(abs(rf.grad[k] - w) / abs(w) for k, w in zip(hp4, dh))
        print(f"\nagreement with torch: hypers {rel:.1e} (reverse), {relf:.1e} (forward); "
              f"theta0 {rel0:.1e}; meta-loss {abs(rr.meta_loss - F) / abs(F):.1e}")
    except ImportError:
        print("torch autograd: skipped (python3-torch is not installed)")
    print("\nmemory (state-sized buffers, adamant's count) against T:")
    print(f"{'T':>6} {'reverse (KiB)':>14} {'K':>4} {'forward k=4 (KiB)':>18}")
    for T in (100, 400, 1600, 6400):
        r = hyper.unroll(train, theta0, mode="reverse", wrt=hp4 + ("theta0",),
                         **{**kw, "steps": T})
        f = hyper.unroll(train, theta0, mode="forward", wrt=hp4, **{**kw, "steps": T})
        print(f"{T:6d} {r.peak_bytes / 1024:14.1f} {r.checkpoint_every:4d} "
              f"{f.peak_bytes / 1024:18.1f}")


if __name__ == "__main__":
    main()
