#!/usr/bin/python3
"""Adam / AdamW / AMSGrad step throughput: adamant against the memory-bandwidth bound and
against PyTorch's CPU optimizers, all measured in the same run.

What it measures:
  1. Runs the C++ benchmark bench_optim (build/release/bench/bench_optim), which measures the
     machine's memory bandwidth with a STREAM-style triad and times
     adamant::core::Optimizer<float>::step on one thread and on all threads (see
     bench/bench_optim.cpp and bench/README.md for the bytes-per-element accounting).
  2. Times torch.optim.Adam(foreach=True), torch.optim.AdamW(foreach=True, weight_decay=1e-2)
     and torch.optim.Adam(amsgrad=True, foreach=True) on one flat float32 parameter tensor of
     the same sizes, with torch.set_num_threads matched to the C++ run (1, then all threads):
     the gradient is a fixed random tensor set through p.grad, warm-up steps come first, and the
     time per step is the median of several timed repetitions of a few steps each.
  3. Records the background load of every measurement: the cores other processes (and the
     hypervisor, as steal time) kept busy meanwhile, from /proc/stat minus this process's own
     CPU time. On a small shared machine a row with background load above ~0.1 is disturbed.
  4. Prints one table: elements per second (n / seconds per step), the percentage of the
     bandwidth bound, and the ratio adamant / torch at equal thread counts.

Run with Debian's interpreter (it has torch):  /usr/bin/python3 bench/compare_torch.py
"""

import argparse
import gc
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import torch

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_EXE = REPO / "build" / "release" / "bench" / "bench_optim"
RULES = ("adam", "adamw", "amsgrad")


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


def make_torch_optimizer(rule, param):
    if rule == "adam":
        return torch.optim.Adam([param], lr=1e-3, foreach=True)
    if rule == "adamw":
        return torch.optim.AdamW([param], lr=1e-3, weight_decay=1e-2, foreach=True)
    if rule == "amsgrad":
        return torch.optim.Adam([param], lr=1e-3, amsgrad=True, foreach=True)
    raise ValueError(f"unknown rule {rule!r}")


def time_torch(rule, p0, grad, threads):
    """Median seconds per step of torch's optimizer over a copy of p0 with gradient `grad`."""
    torch.set_num_threads(threads)
    param = torch.nn.Parameter(p0.clone())
    param.grad = grad
    opt = make_torch_optimizer(rule, param)
    # Warm-up: at least two steps (the first allocates the state) and 0.1 s.
    warm, t0 = 0, time.perf_counter()
    while warm < 2 or time.perf_counter() - t0 < 0.1:
        opt.step()
        warm += 1
    per_step = (time.perf_counter() - t0) / warm
    steps = max(1, round(0.05 / per_step))
    reps = 3 if per_step * steps > 0.1 else 7
    times = []
    c0 = cpu_sample()
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.step()
        times.append((time.perf_counter() - t0) / steps)
    background = background_cores(c0, cpu_sample())
    del opt, param
    gc.collect()
    return {"step_s_median": statistics.median(times), "step_s_best": min(times),
            "reps": reps, "steps_per_rep": steps, "background_cores": background}


def parse_sizes(text):
    return [int(round(float(s))) for s in text.split(",") if s]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6,1e7,1e8")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="the 'all threads' count (default: all CPUs)")
    ap.add_argument("--exe", default=str(DEFAULT_EXE), help="path to bench_optim")
    ap.add_argument("--json", help="write every number measured here as JSON")
    args = ap.parse_args()
    sizes = parse_sizes(args.sizes)
    thread_counts = [1] + ([args.threads] if args.threads > 1 else [])

    exe = pathlib.Path(args.exe)
    if not exe.exists():
        sys.exit(f"compare_torch.py: {exe} not found; build it first: "
                 "bash scripts/build.sh release  (or cmake --build build/release "
                 "--target bench_optim)")
    load = os.getloadavg()[0]
    print(f"load average before the run: {load:.2f}"
          + ("  (WARNING: other work is running; timings will be noisy)" if load > 0.5 else ""))
    print(f"torch {torch.__version__}, {sys.executable}\n", flush=True)

    # 1. The C++ side: bandwidth and adamant's steps.
    with tempfile.TemporaryDirectory() as tmp:
        cpp_json = pathlib.Path(tmp) / "bench_optim.json"
        cmd = [str(exe), "--sizes", ",".join(str(n) for n in sizes),
               "--threads", str(args.threads), "--json", str(cpp_json)]
        subprocess.run(cmd, check=True)
        cpp = json.loads(cpp_json.read_text())

    # 2. The torch side, same sizes, same thread counts.
    print("\ntiming torch ...", flush=True)
    torch_results = []
    for n in sizes:
        gen = torch.Generator().manual_seed(42)
        p0 = torch.randn(n, generator=gen, dtype=torch.float32)
        grad = 1e-2 * torch.randn(n, generator=gen, dtype=torch.float32)
        for rule in RULES:
            for th in thread_counts:
                r = time_torch(rule, p0, grad, th)
                r.update({"n": n, "rule": rule, "threads": th,
                          "elements_per_s": n / r["step_s_median"]})
                torch_results.append(r)
                print(f"  torch n={n:<10d} {rule:8s} threads={th}: "
                      f"{r['step_s_median'] * 1e6:12.1f} us/step  {r['elements_per_s']:.4g} "
                      f"elem/s  background {r['background_cores']:.2f} cores", flush=True)
        del p0, grad
        gc.collect()

    # 3. One table.
    def find(rows, n, rule, th):
        for r in rows:
            if r["n"] == n and r["rule"] == rule and r["threads"] == th:
                return r
        return None

    bw = {b["threads"]: b for b in cpp["bandwidth"]}
    print(f"\n{cpp['date']}  |  {cpp['cpu']}  |  {cpp['hardware_threads']} hardware threads"
          f"  |  torch {torch.__version__}")
    for th in thread_counts:
        b = bw[th]
        print(f"memory bandwidth, {th} thread{'s' if th > 1 else ''}: triad "
              f"{b['triad_gbs']:.2f} GB/s (STREAM count, 12 B/elem); "
              f"{b['triad_write_allocate_gbs']:.2f} GB/s with the write-allocate read; "
              f"in-place axpy {b['axpy_gbs']:.2f} GB/s; background load "
              f"{b['background_cores']:.2f} cores")
    print("bound = triad GB/s / (28 B/elem Adam, AdamW; 36 B/elem AMSGrad); "
          "%axpy = against the in-place axpy bandwidth instead\n")
    t_all = thread_counts[-1]
    head = (f"{'n':>11} {'rule':8} {'adamant 1t':>11} {'%bound':>7} {'%axpy':>6} "
            f"{'adamant ' + str(t_all) + 't':>11} {'%bound':>7} {'torch 1t':>10} {'x 1t':>6} "
            f"{'torch ' + str(t_all) + 't':>10} {'x ' + str(t_all) + 't':>6} {'bg':>5}")
    print(head)
    print("-" * len(head))
    table = []
    for n in sizes:
        for rule in RULES:
            a1 = find(cpp["steps"], n, rule, 1)
            an = find(cpp["steps"], n, rule, t_all)
            t1 = find(torch_results, n, rule, 1)
            tn = find(torch_results, n, rule, t_all)
            axpy_bound = bw[1]["axpy_gbs"] * 1e9 / a1["bytes_per_element"]
            row = {"n": n, "rule": rule,
                   "adamant_1t": a1["elements_per_s"], "pct_bound_1t": a1["percent_of_bound"],
                   "pct_axpy_bound_1t": 100 * a1["elements_per_s"] / axpy_bound,
                   "adamant_all": an["elements_per_s"], "pct_bound_all": an["percent_of_bound"],
                   "torch_1t": t1["elements_per_s"], "ratio_1t":
                   a1["elements_per_s"] / t1["elements_per_s"],
                   "torch_all": tn["elements_per_s"], "ratio_all":
                   an["elements_per_s"] / tn["elements_per_s"], "threads_all": t_all,
                   "background_cores": max(r["background_cores"] for r in (a1, an, t1, tn))}
            table.append(row)
            print(f"{n:>11} {rule:8} {row['adamant_1t']:>11.3e} {row['pct_bound_1t']:>6.1f}% "
                  f"{row['pct_axpy_bound_1t']:>5.0f}% {row['adamant_all']:>11.3e} "
                  f"{row['pct_bound_all']:>6.1f}% {row['torch_1t']:>10.3e} "
                  f"{row['ratio_1t']:>5.1f}x {row['torch_all']:>10.3e} {row['ratio_all']:>5.1f}x "
                  f"{row['background_cores']:>5.2f}")
    print("\nelements/s = n / median seconds per step; x = adamant / torch at equal threads;\n"
          "bg = most cores other work used during any of the row's four measurements "
          "(> 0.1: disturbed)")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpp": cpp, "torch_version": torch.__version__, "torch": torch_results,
                       "table": table}, f, indent=2)


if __name__ == "__main__":
    main()
