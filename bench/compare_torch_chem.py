#!/usr/bin/env python3
"""Training throughput of adamant::chem against the same Behler-Parrinello model in PyTorch.

Runs ``bench_chem`` (see bench_chem.cpp for the workload), which writes its inputs — standardised
descriptors x (F, A, n) and their derivatives dx (F, A, n, 3A), element indices, reference
energies and forces, shifts, the initial parameters in core::Mlp's layout — and times itself.
Then builds the same model in PyTorch (float64): one ``nn.Sequential`` of ``nn.Linear`` + ``Tanh``
per element with adamant's initial weights, E = Σ_i NN_e(i)(x_i) + shift, the force
F = −Σ_i dx_iᵀ ∇_x NN(x_i) by ``torch.autograd.grad(..., create_graph=True)`` (the double
backward), the loss mean over the minibatch of p_e ((E − E_ref)/A)² + p_f/(3A) Σ (F − F_ref)²,
and ``torch.optim.Adam(lr=1e-3)``. Before timing it checks that its loss and gradient at the
initial parameters equal adamant's (relative difference printed; > 1e-9 is an error). Timing as
in bench_chem: one warm-up epoch, then the median of --reps epochs; torch.set_num_threads(1).
Prints frames/s of both and the ratio adamant / PyTorch.

Needs Debian's /usr/bin/python3 (torch, h5py, numpy).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import torch


def build_model(sizes, num_elements, params):
    """One MLP per element with adamant's parameters (per layer: W (out, in) row-major, b)."""
    nets, offset = [], 0
    for _ in range(num_elements):
        layers = []
        for l in range(len(sizes) - 1):
            lin = torch.nn.Linear(sizes[l], sizes[l + 1], dtype=torch.float64)
            nw = sizes[l] * sizes[l + 1]
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(params[offset:offset + nw].reshape(sizes[l + 1], sizes[l])))
                offset += nw
                lin.bias.copy_(torch.from_numpy(params[offset:offset + sizes[l + 1]]))
                offset += sizes[l + 1]
            layers.append(lin)
            if l < len(sizes) - 2:
                layers.append(torch.nn.Tanh())
        nets.append(torch.nn.Sequential(*layers))
    if offset != params.size:
        raise SystemExit(f"parameter count mismatch: {offset} vs {params.size}")
    return torch.nn.ModuleList(nets)


def flat_grad(model):
    return np.concatenate([np.concatenate([m.weight.grad.numpy().ravel(), m.bias.grad.numpy()])
                           for net in model for m in net if isinstance(m, torch.nn.Linear)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--exe", default="build/release/bench/bench_chem")
    ap.add_argument("--data", default="datasets/data/ethanol_md_gfn2xtb.h5")
    ap.add_argument("--frames", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--hidden", default="32,32")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json", help="write both results here")
    a = ap.parse_args()
    torch.set_num_threads(1)

    with tempfile.TemporaryDirectory() as tmp:
        inputs, cjson = os.path.join(tmp, "inputs.h5"), os.path.join(tmp, "adamant.json")
        cmd = [a.exe, "--data", a.data, "--frames", str(a.frames), "--batch", str(a.batch),
               "--hidden", a.hidden, "--reps", str(a.reps), "--out", inputs, "--json", cjson]
        print("running", " ".join(cmd), flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        print(out.stdout, end="")
        with open(cjson) as f:
            ad = json.load(f)
        with h5py.File(inputs, "r") as f:
            x, dx = f["x"][...], f["dx"][...]
            element, energies, forces = f["element"][...], f["energies"][...], f["forces"][...]
            shifts, params, sizes = f["shifts"][...], f["params"][...], list(f["layer_sizes"][...])
            grad0, loss0 = f["grad0"][...], float(f.attrs["loss0"])
            num_elements, batch = int(f.attrs["num_elements"]), int(f.attrs["batch"])

    F, A, n = x.shape
    model = build_model([int(s) for s in sizes], num_elements, params)
    X, DX = torch.from_numpy(x), torch.from_numpy(dx)
    E_ref, F_ref = torch.from_numpy(energies), torch.from_numpy(forces)
    shift_atoms = torch.from_numpy(shifts[element]).sum()
    groups = [torch.from_numpy(np.flatnonzero(element == e)) for e in range(num_elements)]

    def loss_of(b0, b1):
        xb = X[b0:b1].clone().requires_grad_(True)            # (B, A, n)
        e_atoms = torch.zeros(b1 - b0, A, dtype=torch.float64)
        for e, idx in enumerate(groups):
            e_atoms[:, idx] = model[e](xb[:, idx, :]).squeeze(-1)
        energy = e_atoms.sum(1) + shift_atoms                   # (B,)
        (gx,) = torch.autograd.grad(energy.sum(), xb, create_graph=True)
        force = -torch.einsum("ban,banc->bc", gx, DX[b0:b1])   # (B, 3A)
        per_frame = ((energy - E_ref[b0:b1]) / A) ** 2 + ((force - F_ref[b0:b1]) ** 2).sum(1) / (3 * A)
        return per_frame.mean()

    # Same numbers first.
    model.zero_grad()
    loss = loss_of(0, min(batch, F))
    loss.backward()
    g = flat_grad(model)
    dl = abs(loss.item() - loss0) / abs(loss0)
    dg = np.abs(g - grad0).max() / np.abs(grad0).max()
    print(f"PyTorch vs adamant at the initial parameters: loss rel. diff {dl:.1e}, "
          f"gradient max rel. diff {dg:.1e}")
    if dl > 1e-9 or dg > 1e-9:
        raise SystemExit("the two implementations disagree: not the same model")

    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        for b in range(0, F, batch):
            opt.zero_grad()
            loss_of(b, min(b + batch, F)).backward()
            opt.step()

    epoch()
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t0)
    sec = statistics.median(times)
    tfps = F / sec
    ratio = ad["frames_per_second"] / tfps
    print(f"PyTorch {torch.__version__}: {sec:.4f} s per epoch (median of {a.reps}), "
          f"{tfps:.1f} frames/s, 1 thread")
    print(f"\nframes/s (energy + force loss, minibatch {batch}, {F} frames of {A} atoms): "
          f"adamant {ad['frames_per_second']:.1f}, PyTorch {tfps:.1f}, ratio {ratio:.2f}x")
    print(f"Target >= 3x faster than PyTorch on the CPU: {'MET' if ratio >= 3 else 'NOT MET'}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"adamant": ad, "torch": {"seconds_per_epoch": sec, "frames_per_second": tfps,
                                                "version": torch.__version__}, "ratio": ratio}, f,
                      indent=1)


if __name__ == "__main__":
    sys.exit(main())
