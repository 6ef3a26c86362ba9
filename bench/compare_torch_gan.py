#!/usr/bin/env python3
"""Gaussian-mixture GAN training throughput of adamant::gan against the same GAN in PyTorch.

Runs ``bench_gan`` (see bench_gan.cpp for the workload), which writes, per precision, the layer
sizes, the initial parameters, its first minibatches, the vector field at the start and the
parameters after those steps, and times itself. Then builds the same GAN in PyTorch: generator
and discriminator ``nn.Sequential`` of ``nn.Linear`` + ``ReLU`` with adamant's initial weights,
the non-saturating losses f_x = mean softplus(-D(G(s))) (generator, minimised) and
f_y = mean log D(x) + mean log(1 - D(G(s))) (discriminator, maximised: ``torch.optim.Adam(...,
maximize=True)``), both gradients from one forward pass (``autograd.grad`` for each player), and
simultaneous Adam steps (beta1 0.5, lr 2e-4). Before timing it checks, in each precision, that
its gradients at the initial parameters on adamant's first minibatch and its parameters after
adamant's first steps on adamant's minibatches equal adamant's (max relative difference printed;
float64 above 1e-10 or float32 above 1e-4 is an error).

Timing as in bench_gan: 20 warm-up steps, then the median of --reps repetitions of --steps
steps, each step drawing its own minibatch (torch.randint + torch.randn, like adamant's draw),
torch.set_num_threads(1). Prints steps/s of both and the ratio adamant / PyTorch.

Needs Debian's /usr/bin/python3 (torch, h5py, numpy).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import torch

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def mlp(sizes, flat, dtype):
    layers, k = [], 0
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1], dtype=dtype)
        n = sizes[i] * sizes[i + 1]
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(flat[k:k + n].reshape(sizes[i + 1], sizes[i])))
            k += n
            lin.bias.copy_(torch.from_numpy(flat[k:k + sizes[i + 1]]))
            k += sizes[i + 1]
        layers += [lin, torch.nn.ReLU()]
    if k != flat.size:
        raise SystemExit(f"parameter count mismatch: {k} vs {flat.size}")
    return torch.nn.Sequential(*layers[:-1])


def flat(params):
    return np.concatenate([p.detach().numpy().ravel().astype(np.float64) for p in params])


class TorchGan:
    def __init__(self, gsizes, dsizes, z0, dtype):
        ng = sum(gsizes[i + 1] * (gsizes[i] + 1) for i in range(len(gsizes) - 1))
        self.G = mlp(gsizes, z0[:ng].astype(np.float64), dtype)
        self.D = mlp(dsizes, z0[ng:].astype(np.float64), dtype)
        if dtype == torch.float32:
            self.G, self.D = self.G.float(), self.D.float()
        self.gp, self.dp = list(self.G.parameters()), list(self.D.parameters())
        self.og = torch.optim.Adam(self.gp, lr=2e-4, betas=(0.5, 0.999))
        self.od = torch.optim.Adam(self.dp, lr=2e-4, betas=(0.5, 0.999), maximize=True)

    def grads(self, real, latent):
        s_fake = self.D(self.G(latent))[:, 0]
        s_real = self.D(real)[:, 0]
        f_x = torch.nn.functional.softplus(-s_fake).mean()
        f_y = -(torch.nn.functional.softplus(-s_real).mean() +
                torch.nn.functional.softplus(s_fake).mean())
        gx = torch.autograd.grad(f_x, self.gp, retain_graph=True)
        gy = torch.autograd.grad(f_y, self.dp)
        return gx, gy

    def step(self, real, latent):
        gx, gy = self.grads(real, latent)
        for p, g in zip(self.gp, gx):
            p.grad = g
        for p, g in zip(self.dp, gy):
            p.grad = g
        self.og.step()
        self.od.step()


def check(f, name, dtype, tol):
    gsizes = [int(v) for v in f[name]["generator_sizes"][...]]
    dsizes = [int(v) for v in f[name]["discriminator_sizes"][...]]
    z0, xi0, z_after = f[name]["z0"][...], f[name]["xi0"][...], f[name]["z_after"][...]
    real, latent = f[name]["real"][...], f[name]["latent"][...]
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    m = TorchGan(gsizes, dsizes, z0.astype(np_dtype), dtype)
    gx, gy = m.grads(torch.from_numpy(real[0].astype(np_dtype)),
                     torch.from_numpy(latent[0].astype(np_dtype)))
    xi = np.concatenate([flat(gx), -flat(gy)])  # xi = (grad f_x, -grad f_y)
    dg = np.abs(xi - xi0).max() / np.abs(xi0).max()
    for k in range(real.shape[0]):
        m.step(torch.from_numpy(real[k].astype(np_dtype)),
               torch.from_numpy(latent[k].astype(np_dtype)))
    z = np.concatenate([flat(m.gp), flat(m.dp)])
    dz = np.abs(z - z_after).max() / np.abs(z_after).max()
    # The steps move each parameter by ~lr; compare the motion too.
    dm = np.abs((z - z0) - (z_after - z0)).max() / np.abs(z_after - z0).max()
    print(f"  {name}: gradient max rel. diff {dg:.1e}; parameters after {real.shape[0]} Adam "
          f"steps {dz:.1e} (of the motion {dm:.1e})")
    if dg > tol or dz > tol:
        raise SystemExit(f"{name}: the two implementations disagree: not the same computation")
    return gsizes, dsizes, z0


def cpu_sample():
    """(busy seconds of the machine incl. steal, this process's CPU seconds, wall time)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    busy = (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / tick
    t = os.times()
    return busy, t.user + t.system, time.perf_counter()


def background(a, b):
    """Cores other work kept busy between two samples (as bench_util.hpp)."""
    return max(0.0, ((b[0] - a[0]) - (b[1] - a[1])) / (b[2] - a[2]))


def time_torch(gsizes, dsizes, z0, dtype, batch, steps, reps, mixture):
    torch.manual_seed(0)
    m = TorchGan(gsizes, dsizes, z0.astype(np.float64 if dtype == torch.float64 else np.float32),
                 dtype)
    if mixture == "ring":
        k = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
        modes, sigma = torch.stack([2 * torch.cos(k), 2 * torch.sin(k)], 1), 0.02
    else:
        g = torch.arange(-4.0, 5.0, 2.0, dtype=torch.float64)
        modes, sigma = torch.cartesian_prod(g, g), 0.05
    modes = modes.to(dtype)
    latent_dim = gsizes[0]

    def one():
        idx = torch.randint(modes.shape[0], (batch,))
        real = modes[idx] + sigma * torch.randn(batch, 2, dtype=dtype)
        latent = torch.randn(batch, latent_dim, dtype=dtype)
        m.step(real, latent)

    for _ in range(20):
        one()
    times = []
    c0 = cpu_sample()
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(steps):
            one()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), background(c0, cpu_sample())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exe", default="build/release/bench/bench_gan")
    ap.add_argument("--mixture", default="ring")
    ap.add_argument("--hidden", default="64,64")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--precision", default="both", choices=["both", "float64", "float32"])
    ap.add_argument("--json", help="write both results here")
    a = ap.parse_args()
    torch.set_num_threads(1)
    precisions = ["float64", "float32"] if a.precision == "both" else [a.precision]

    with tempfile.TemporaryDirectory() as tmp:
        inputs, cjson = os.path.join(tmp, "inputs.h5"), os.path.join(tmp, "adamant.json")
        cmd = [a.exe, "--mixture", a.mixture, "--hidden", a.hidden, "--batch", str(a.batch),
               "--steps", str(a.steps), "--reps", str(a.reps), "--precision", a.precision,
               "--out", inputs, "--json", cjson]
        print("running", " ".join(cmd), flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        print(out.stdout, end="")
        with open(cjson) as f:
            ad = json.load(f)
        print("PyTorch against adamant on adamant's initial parameters and minibatches:")
        setups = {}
        with h5py.File(inputs, "r") as f:
            for p in precisions:
                setups[p] = check(f, p, DTYPES[p], 1e-10 if p == "float64" else 1e-4)

    rows, result = [], {"adamant": ad, "torch": {"version": torch.__version__}}
    for p in precisions:
        sec, tbg = time_torch(*setups[p], DTYPES[p], a.batch, a.steps, a.reps, a.mixture)
        tsps = a.steps / sec
        sps = ad[p]["steps_per_second"]
        rows.append((p, sps, tsps, sps / tsps, max(ad[p]["background"], tbg)))
        result["torch"][p] = {"steps_per_second": tsps, "seconds": sec, "background": tbg}
        result[f"ratio_{p}"] = sps / tsps
    print(f"\nPyTorch {torch.__version__}, 1 thread; {a.mixture} mixture GAN, hidden {a.hidden}, "
          f"batch {a.batch}, simultaneous Adam (b1 0.5, lr 2e-4); median of {a.reps} x {a.steps} "
          f"steps")
    print(f"{'precision':<10} {'adamant steps/s':>16} {'torch steps/s':>14} {'ratio':>7} "
          f"{'bg':>5}")
    for p, sps, tsps, r, bg in rows:
        print(f"{p:<10} {sps:16.1f} {tsps:14.1f} {r:6.2f}x {bg:5.2f}")
    print("ratio = adamant / PyTorch steps per second; bg = most cores other work used during "
          "either timing (> 0.1: another process shared the machine; both sides run on one "
          "thread)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
