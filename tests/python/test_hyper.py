"""adamant.hyper: hyper-gradients through optimizer runs, against torch autograd.

The recorded references (tests/golden/torch_hypergrad.h5) are replayed through the Python API
in both modes; a functional torch unroll (autograd through Adam with the hyper-parameters as
tensors) on fresh seeds checks the same thing live, and central differences of adamant.optim's
own run check the rules torch has no reference for.
"""

import math
import os

import numpy as np
import pytest

from adamant import hyper, optim

h5py = pytest.importorskip("h5py")

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "torch_hypergrad.h5")


def _golden_cases():
    with h5py.File(GOLDEN, "r") as f:
        return sorted(f.keys())


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("case", _golden_cases())
def test_torch_autograd_references(case, mode):
    with h5py.File(GOLDEN, "r") as f:
        g = f[case]
        a = {k: g.attrs[k] for k in g.attrs}
        data = {k: g[k][()] for k in g}
    names = a["hyper_names"].split(",")
    steps = int(a["steps"])
    if case.startswith("rosenbrock"):
        problem, meta = hyper.rosenbrock(), None
    else:
        problem = hyper.mlp_regression(data["X_train"], data["y_train"], layers=(2, 16, 16, 1),
                                       activation="tanh", layout="torch")
        meta = hyper.mlp_regression(data["X_val"], data["y_val"], layers=(2, 16, 16, 1),
                                    activation="tanh", layout="torch")
    schedule = optim.Schedule.cosine(float(a["lr"]), steps) if "cosine" in case else None
    rule = a["rule"]
    r = hyper.unroll(problem, data["theta0"], rule="adam" if rule == "amsgrad" else rule,
                     steps=steps, lr=a["lr"], beta1=a["beta1"], beta2=a["beta2"], eps=a["eps"],
                     weight_decay=a.get("weight_decay", 0.0), amsgrad=rule == "amsgrad",
                     schedule=schedule, meta=meta, mode=mode, wrt=tuple(names) + ("theta0",))
    np.testing.assert_allclose(r.theta, data["thetaT"], rtol=0, atol=1e-12 * abs(data["thetaT"]).max())
    assert r.meta_loss == pytest.approx(float(data["meta_loss"]), rel=1e-12)
    for k, name in enumerate(names):
        assert r.grad[name] == pytest.approx(data["d_meta_d_hyper"][k], rel=1e-8), name
    d0 = data["d_meta_d_theta0"]
    assert np.abs(r.grad["theta0"] - d0).max() <= 1e-8 * np.abs(d0).max()


def test_python_api_defaults_and_result():
    r = hyper.unroll(hyper.rosenbrock(), np.array([-1.2, 1.0]), steps=50, lr=0.02)
    assert set(r.grad) == {"lr", "beta1", "beta2", "eps", "theta0"}
    assert r.grad["theta0"].shape == (2,)
    assert r.checkpoint_every == 8 and r.hvp_directions == 50
    # SGD has no betas: the default wrt keeps what the rule has.
    s = hyper.unroll(hyper.rosenbrock(), np.array([-1.2, 1.0]), rule="sgd", steps=20, lr=1e-4,
                     momentum=0.9)
    assert set(s.grad) == {"lr", "theta0"}
    f = hyper.unroll(hyper.rosenbrock(), np.array([-1.2, 1.0]), rule="sgd", steps=20, lr=1e-4,
                     momentum=0.9, mode="forward", wrt=("lr", "momentum", "theta0"))
    assert f.grad["lr"] == pytest.approx(s.grad["lr"], rel=1e-10)
    np.testing.assert_allclose(f.grad["theta0"], s.grad["theta0"], rtol=1e-10)
    assert "momentum" in hyper.real_fields("sgd")


def test_errors_name_what_is_wrong():
    p = hyper.rosenbrock()
    with pytest.raises(ValueError, match="sgd has no real hyper-parameter 'beta1'"):
        hyper.unroll(p, np.zeros(2), rule="sgd", wrt=("beta1",))
    with pytest.raises(ValueError, match=r"theta0 must have shape \(2,\)"):
        hyper.unroll(p, np.zeros(3))
    with pytest.raises(ValueError, match="unknown mode 'sideways'"):
        hyper.unroll(p, np.zeros(2), mode="sideways")
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1"):
        hyper.unroll(p, np.zeros(2), beta2=1.0)
    with pytest.raises(ValueError, match="layout must be 'torch'"):
        hyper.mlp_regression(np.zeros((4, 2)), np.zeros(4), layout="jax")
    with pytest.raises(ValueError, match="X has 3 columns, the network takes 2 inputs"):
        hyper.mlp_regression(np.zeros((4, 3)), np.zeros(4), layers=(2, 4, 1))
    with pytest.raises(ValueError, match="adam has no option 'momentum'"):
        hyper.unroll(p, np.zeros(2), momentum=0.9)


def test_hvp_against_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    p = hyper.mlp_regression(X, y, layers=(3, 6, 1), activation="silu")
    th = rng.normal(size=p.dim) * 0.5
    u = rng.normal(size=(p.dim, 3))
    hu = p.hvp(th, u)
    for j in range(3):
        h = 1e-6
        fd = (p.gradient(th + h * u[:, j]) - p.gradient(th - h * u[:, j])) / (2 * h)
        np.testing.assert_allclose(hu[:, j], fd, atol=1e-6 * max(1.0, abs(fd).max()))
    np.testing.assert_allclose(p.hvp(th, u[:, 1]), hu[:, 1], rtol=1e-14, atol=1e-15)
    labels = rng.integers(0, 3, size=20)
    c = hyper.mlp_classification(X, labels, layers=(3, 5, 3))
    th = rng.normal(size=c.dim) * 0.5
    v = rng.normal(size=c.dim)
    fd = (c.gradient(th + 1e-6 * v) - c.gradient(th - 1e-6 * v)) / 2e-6
    np.testing.assert_allclose(c.hvp(th, v), fd, atol=1e-6 * max(1.0, abs(fd).max()))


def _run_optim(problem, theta0, steps, make):
    p = np.array(theta0, dtype=np.float64)
    opt = make(p)  # adamant.optim, torch's keywords (betas=(beta1, beta2))
    for _ in range(steps):
        g = problem.gradient(p)
        opt.step(g)
    return p


def _torch_keywords(kw):
    kw = dict(kw)
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    return kw


@pytest.mark.parametrize("rule,make,field,value", [
    ("nadam", lambda p, **k: optim.NAdam(p, **_torch_keywords(k)), "beta1", 0.9),
    ("rmsprop", lambda p, **k: optim.RMSprop(p, **k), "alpha", 0.99),
    ("radam", lambda p, **k: optim.RAdam(p, **_torch_keywords(k)), "beta2", 0.99),
])
def test_finite_differences_through_adamant_optim(rule, make, field, value):
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(16, 2)), rng.normal(size=16)
    train = hyper.mlp_regression(X, y, layers=(2, 4, 1))
    theta0 = rng.normal(size=train.dim) * 0.5
    kw = dict(lr=0.01, eps=1e-3, **{field: value})
    r = hyper.unroll(train, theta0, rule=rule, steps=12, mode="reverse", wrt=(field, "lr"), **kw)
    h = 1e-7
    fp = train.value(_run_optim(train, theta0, 12, lambda p: make(p, **{**kw, field: value + h})))
    fm = train.value(_run_optim(train, theta0, 12, lambda p: make(p, **{**kw, field: value - h})))
    assert r.grad[field] == pytest.approx((fp - fm) / (2 * h), rel=1e-5, abs=1e-7)


def test_groups_run_as_the_optimizer_runs_them():
    rng = np.random.default_rng(8)
    X, y = rng.normal(size=(16, 2)), rng.normal(size=16)
    train = hyper.mlp_regression(X, y, layers=(2, 4, 1))  # W1 8, b1 4, W2 4, b2 1
    theta0 = rng.normal(size=train.dim) * 0.5
    groups = [optim.ParamGroup(0, 8, lr_scale=0.5), optim.ParamGroup(8, 12, weight_decay=0.0),
              optim.ParamGroup(12, train.dim, lr_scale=2.0, weight_decay=0.1)]
    kw = dict(lr=0.02, eps=1e-3, weight_decay=0.01)
    r = hyper.unroll(train, theta0, rule="adamw", steps=10, wrt=("lr", "weight_decay"),
                     groups=groups, **kw)

    def run(lr, wd):
        return _run_optim(train, theta0, 10, lambda p: optim.AdamW(
            p, lr=lr, eps=1e-3, weight_decay=wd, groups=groups))

    assert np.array_equal(r.theta, run(0.02, 0.01))
    h = 1e-6
    fd_lr = (train.value(run(0.02 + h, 0.01)) - train.value(run(0.02 - h, 0.01))) / (2 * h)
    fd_wd = (train.value(run(0.02, 0.01 + h)) - train.value(run(0.02, 0.01 - h))) / (2 * h)
    assert r.grad["lr"] == pytest.approx(fd_lr, rel=1e-5)
    assert r.grad["weight_decay"] == pytest.approx(fd_wd, rel=1e-5, abs=1e-9)
    with pytest.raises(ValueError, match="groups end at 8"):
        hyper.unroll(train, theta0, groups=[optim.ParamGroup(0, 8)])


def test_a_join_schedule_through_python():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(16, 2)), rng.normal(size=16)
    train = hyper.mlp_regression(X, y, layers=(2, 4, 1))
    theta0 = rng.normal(size=train.dim) * 0.5

    def join(lr0):
        return optim.Schedule.join([optim.Schedule.constant(lr0), optim.Schedule.cosine(0.03, 6)],
                                   [4])

    r = hyper.unroll(train, theta0, steps=10, eps=1e-3, schedule=join(0.01),
                     wrt=("schedule.parts.0.lr", "schedule.parts.1.lr"))
    h = 1e-7

    def run(lr0):
        return train.value(_run_optim(train, theta0, 10,
                                      lambda p: optim.Adam(p, eps=1e-3, schedule=join(lr0))))

    assert r.grad["schedule.parts.0.lr"] == pytest.approx((run(0.01 + h) - run(0.01 - h)) / (2 * h),
                                                          rel=1e-5)
    with pytest.raises(ValueError, match="lr does nothing under the schedule"):
        hyper.unroll(train, theta0, steps=10, schedule=join(0.01))


def test_clipping_by_value_runs_as_the_optimizer_runs_it():
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(16, 2)), 3 * rng.normal(size=16)
    train = hyper.mlp_regression(X, y, layers=(2, 4, 1))
    theta0 = rng.normal(size=train.dim) * 0.5
    clip = dict(clip_grad_value=0.2, clip_update_value=0.03)
    r = hyper.unroll(train, theta0, steps=10, lr=0.05, eps=1e-3, wrt=("lr",), **clip)

    def run(lr):
        return _run_optim(train, theta0, 10, lambda p: optim.Adam(p, lr=lr, eps=1e-3, **clip))

    assert np.array_equal(r.theta, run(0.05))
    assert not np.array_equal(r.theta, _run_optim(train, theta0, 10,
                                                  lambda p: optim.Adam(p, lr=0.05, eps=1e-3)))
    h = 1e-7
    fd = (train.value(run(0.05 + h)) - train.value(run(0.05 - h))) / (2 * h)
    assert r.grad["lr"] == pytest.approx(fd, rel=1e-5)
    with pytest.raises(ValueError, match="clip_update_value must be finite and >= 0"):
        hyper.unroll(train, theta0, steps=2, clip_update_value=-1.0)


def _rosenbrock_in_numpy():
    def fun(x):
        a, b = x
        f = 100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2
        return f, np.array([-400.0 * a * (b - a * a) - 2.0 * (1.0 - a), 200.0 * (b - a * a)])

    def hvp(x, U):
        a, b = x
        H = np.array([[1200.0 * a * a - 400.0 * b + 2.0, -400.0 * a], [-400.0 * a, 200.0]])
        return H @ U

    return hyper.problem(fun, hvp, 2, name="rosenbrock in numpy")


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_a_problem_written_in_python(mode):
    theta0 = np.array([-1.2, 1.0])
    kw = dict(rule="amsgrad", steps=80, lr=0.02, mode=mode, wrt=("lr", "beta1", "theta0"))
    mine = hyper.unroll(_rosenbrock_in_numpy(), theta0, **kw)
    core = hyper.unroll(hyper.rosenbrock(), theta0, **kw)
    assert np.allclose(mine.theta, core.theta, rtol=1e-13, atol=0)
    assert mine.grad["lr"] == pytest.approx(core.grad["lr"], rel=1e-10)
    assert mine.grad["beta1"] == pytest.approx(core.grad["beta1"], rel=1e-10)
    assert np.allclose(mine.grad["theta0"], core.grad["theta0"], rtol=1e-10, atol=0)
    assert repr(_rosenbrock_in_numpy()) == "rosenbrock in numpy"


def test_a_python_problem_that_misbehaves_gets_a_clear_error():
    theta0 = np.zeros(3)
    short = hyper.problem(lambda x: (float(x @ x), 2 * x[:2]), lambda x, U: 2 * U, 3, "short")
    with pytest.raises(ValueError, match=r"short: fun\(theta\) returned a gradient that is not of "
                                         r"shape \(3,\)"):
        hyper.unroll(short, theta0, steps=3, lr=0.1)
    wrong_hvp = hyper.problem(lambda x: (float(x @ x), 2 * x), lambda x, U: U[:2], 3, "hv")
    with pytest.raises(ValueError, match=r"hv: hvp\(theta, U\) must return an array of U's shape"):
        hyper.unroll(wrong_hvp, theta0 + 1, steps=3, lr=0.1, mode="reverse")

    def boom(x):
        raise RuntimeError("the user's own error")

    with pytest.raises(RuntimeError, match="the user's own error"):
        hyper.unroll(hyper.problem(boom, lambda x, U: U, 3), theta0, steps=3, lr=0.1)
    nan = hyper.problem(lambda x: (0.0, np.full(3, np.nan)), lambda x, U: U, 3, "nan")
    with pytest.raises(ValueError, match="step 1 is not finite"):
        hyper.unroll(nan, theta0, steps=3, lr=0.1)
    with pytest.raises(TypeError):
        hyper.problem(None, lambda x, U: U, 3)


torch = pytest.importorskip("torch")


def _torch_unroll(X, y, Xv, yv, theta0, lr, b1, b2, eps, steps, amsgrad):
    """A functional Adam unroll in torch (PyTorch 1.13's single-tensor numerics), differentiated
    by autograd: the independent reference, on data adamant never saw."""
    dt = torch.float64
    X, y, Xv, yv = (torch.tensor(a, dtype=dt) for a in (X, y, Xv, yv))
    hp = [torch.tensor(v, dtype=dt, requires_grad=True) for v in (lr, b1, b2, eps)]
    th0 = torch.tensor(theta0, dtype=dt, requires_grad=True)
    sizes = [(16, 2), (16,), (1, 16), (1,)]

    def loss(theta, A, t):
        parts, o = [], 0
        for s in sizes:
            n = math.prod(s)
            parts.append(theta[o:o + n].reshape(s))
            o += n
        h = torch.tanh(A @ parts[0].T + parts[1])
        return ((h @ parts[2].T + parts[3]).squeeze(1) - t).pow(2).mean()

    lr_, b1_, b2_, eps_ = hp
    theta, m, v, vmax = th0, torch.zeros_like(th0), torch.zeros_like(th0), torch.zeros_like(th0)
    for t in range(1, steps + 1):
        g, = torch.autograd.grad(loss(theta, X, y), theta, create_graph=True)
        m = b1_ * m + (1 - b1_) * g
        v = b2_ * v + (1 - b2_) * g * g
        bc1, bc2 = 1 - b1_ ** t, 1 - b2_ ** t
        if amsgrad:
            vmax = torch.maximum(vmax, v)
            denom = vmax.sqrt() / bc2.sqrt() + eps_
        else:
            denom = v.sqrt() / bc2.sqrt() + eps_
        theta = theta - (lr_ / bc1) * m / denom
    F = loss(theta, Xv, yv)
    grads = torch.autograd.grad(F, hp + [th0])
    return float(F), [float(x) for x in grads[:4]], grads[4].detach().numpy()


@pytest.mark.parametrize("seed,amsgrad", [(101, False), (202, True)])
def test_live_torch_autograd_on_new_seeds(seed, amsgrad):
    rng = np.random.default_rng(seed)
    X, Xv = rng.uniform(-2, 2, size=(64, 2)), rng.uniform(-2, 2, size=(64, 2))
    f = lambda A: np.sin(A[:, 0]) * np.cos(A[:, 1])  # noqa: E731
    y, yv = f(X) + 0.05 * rng.normal(size=64), f(Xv) + 0.05 * rng.normal(size=64)
    theta0 = rng.normal(size=16 * 2 + 16 + 16 + 1) * 0.4
    lr, b1, b2, eps, steps = 0.01, 0.85, 0.995, 1e-7, 40
    F, dh, d0 = _torch_unroll(X, y, Xv, yv, theta0, lr, b1, b2, eps, steps, amsgrad)
    train = hyper.mlp_regression(X, y, layers=(2, 16, 1))
    meta = hyper.mlp_regression(Xv, yv, layers=(2, 16, 1))
    for mode in ("forward", "reverse"):
        r = hyper.unroll(train, theta0, steps=steps, lr=lr, beta1=b1, beta2=b2, eps=eps,
                         amsgrad=amsgrad, meta=meta, mode=mode)
        assert r.meta_loss == pytest.approx(F, rel=1e-12)
        for name, want in zip(("lr", "beta1", "beta2", "eps"), dh):
            assert r.grad[name] == pytest.approx(want, rel=1e-8), (mode, name)
        assert np.abs(r.grad["theta0"] - d0).max() <= 1e-8 * np.abs(d0).max()


def test_cli_hyper_grad_prints_exact_and_finite_difference_columns():
    from helpers import CLI, cli
    if not os.path.isfile(CLI):
        pytest.skip("the adamant CLI is not beside this build")
    r = cli("hyper", "grad", "--problem", "rosenbrock", "--steps", "100", "--lr", "0.02",
            "--mode", "forward", "--schedule", "cosine")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line.strip()}
    for name in ("lr", "beta1", "beta2"):  # d/d eps is ~1e-3 here: below the differences' noise
        exact, fd, rel = float(rows[name][2]), float(rows[name][3]), float(rows[name][4])
        assert rel < 1e-5 and exact == pytest.approx(fd, rel=1e-5), rows[name]
    assert "2 Hessian-vector products" not in r.stdout and "Hessian-vector products" in r.stdout
    # The same derivatives from Python.
    p = hyper.unroll(hyper.rosenbrock(), np.array([-1.2, 1.0]), steps=100, lr=0.02,
                     schedule=optim.Schedule.cosine(0.02, 100), mode="reverse")
    for name in ("lr", "eps"):
        assert p.grad[name] == pytest.approx(float(rows[name][2]), rel=1e-9)
    # With both clamps acting on the default MLP problem, the exact column still matches.
    c = cli("hyper", "grad", "--steps", "30", "--lr", "0.05", "--eps", "1e-3",
            "--clip-grad-value", "0.05", "--clip-update-value", "0.03", "--wrt", "lr,beta1")
    assert c.returncode == 0, c.stderr
    assert "clip_grad_value 0.05" in c.stdout and "clip_update_value 0.03" in c.stdout
    rows = {line.split()[0]: line.split() for line in c.stdout.splitlines() if line.strip()}
    for name in ("lr", "beta1"):
        assert float(rows[name][4]) < 1e-5, rows[name]
    bad = cli("hyper", "grad", "--optimizer", "sgd", "--wrt", "beta1")
    assert bad.returncode == 2 and "sgd has no real hyper-parameter 'beta1'" in bad.stderr


def test_cli_hyper_tune_writes_its_study(tmp_path):
    from helpers import CLI, cli
    if not os.path.isfile(CLI):
        pytest.skip("the adamant CLI is not beside this build")
    out = tmp_path / "t.h5"
    r = cli("hyper", "tune", "--tune", "lr", "--outer-steps", "8", "--tasks", "2",
            "--inner-steps", "15", "--hidden", "8", "--eval-tasks", "10", "--outer-lr", "0.3",
            "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line.strip()}
    start, tuned = float(rows["start"][1]), float(rows["tuned"][1])
    assert tuned < start  # the learned lr (from 1e-3) fits the held-out tasks better
    assert float(rows["tuned"][5]) > 1e-3
    assert out.exists() and (tmp_path / "t.png").exists()
    info = cli("data", "info", out)
    assert info.returncode == 0 and "hyper_tune: adam, tuned lr over 8 outer steps" in info.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["adamant_schema"] == "hyper_tune"
        assert f["path/meta_loss"].shape == (9,)
    bad = cli("hyper", "tune", "--tune", "amsgrad", "--no-save")
    assert bad.returncode == 2 and "adam has no real hyper-parameter 'amsgrad'" in bad.stderr


def test_python_tune_and_maml(tmp_path):
    lines = []
    t = hyper.tune(tune=("lr",), inner_steps=15, outer_steps=8, tasks_per_step=2, outer_lr=0.3,
                   eval_tasks=10, hidden=(8,), lr=1e-3, progress=lines.append)
    assert len(lines) == 8 and lines[0].startswith("tune: outer step 1/8")
    assert t.path.shape == (9, 1) and t.meta_loss.shape == (9,)
    ev = {e.name: e for e in t.evals}
    assert ev["tuned"].mean < ev["start"].mean and ev["tuned"].hyper["lr"] > 1e-3
    t.write(str(tmp_path / "t.h5"))
    t.plot(str(tmp_path / "t.png"))
    back = hyper.read_tune(str(tmp_path / "t.h5"))
    np.testing.assert_array_equal(back.meta_loss, t.meta_loss)
    m = hyper.maml(inner_steps=2, iterations=5, meta_batch=2, eval_tasks=4, eval_points=10,
                   hidden=(8,))
    assert [x.name for x in m.methods] == ["maml", "fomaml", "pretrained"]
    assert m.methods[0].curve.shape == (5,)
    m.write(str(tmp_path / "m.h5"))
    assert hyper.read_maml(str(tmp_path / "m.h5")).methods[2].mse_after == m.methods[2].mse_after
    with pytest.raises(ValueError, match="adam has no option 'momentum'"):
        hyper.tune(momentum=0.5)
