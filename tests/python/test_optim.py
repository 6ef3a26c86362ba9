"""adamant.optim against the installed PyTorch (live), plus the Python API's contracts."""

import numpy as np
import pytest

import adamant
from adamant import optim

torch = pytest.importorskip("torch")

STEPS = 40


def gradients(n, steps, seed):
    rng = np.random.default_rng(seed)
    g = rng.standard_normal((steps, n))
    g[7] *= 100.0   # a spike
    g[11] = 0.0     # a zero gradient
    g[13] *= 1e-9   # tiny gradients
    return g


# (adamant constructor, torch constructor, keyword arguments shared by both)
CASES = {
    "sgd_nesterov": (optim.SGD, torch.optim.SGD,
                     dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    "sgd_dampening": (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3)),
    "adagrad": (optim.Adagrad, torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    "rmsprop_centered": (optim.RMSprop, torch.optim.RMSprop,
                         dict(lr=0.01, momentum=0.5, centered=True)),
    "adam": (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    "adam_l2_maximize": (optim.Adam, torch.optim.Adam,
                         dict(lr=0.01, weight_decay=0.1, maximize=True)),
    "amsgrad": (optim.Adam, torch.optim.Adam, dict(lr=0.01, amsgrad=True, betas=(0.5, 0.9))),
    "adamw": (optim.AdamW, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
    "adamw_amsgrad": (optim.AdamW, torch.optim.AdamW, dict(lr=0.01, amsgrad=True)),
    "adamax": (optim.Adamax, torch.optim.Adamax, dict(lr=0.01)),
    "nadam": (optim.NAdam, torch.optim.NAdam, dict(lr=0.01)),
    "radam": (optim.RAdam, torch.optim.RAdam, dict(lr=0.01)),
}


@pytest.fixture(autouse=True)
def torch_scalars_in_parameter_dtype():
    # PyTorch keeps some internal scalars (NAdam's momentum product) in the default dtype;
    # adamant keeps them in double, as PyTorch does when its default dtype is float64.
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def torch_trajectory(ctor, kwargs, p0, grads):
    p = torch.tensor(p0, requires_grad=True)
    opt = ctor([p], **kwargs)
    out = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_torch_float64(case):
    ours, theirs, kwargs = CASES[case]
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal(33)
    grads = gradients(33, STEPS, 2)
    expected = torch_trajectory(theirs, kwargs, p0, grads)
    p = p0.copy()
    opt = ours(p, **kwargs)
    for t, g in enumerate(grads):
        opt.step(g)
        # 1e-12 relative; atol allows an ulp or two on an element that cancels to near zero
        np.testing.assert_allclose(p, expected[t], rtol=1e-12, atol=1e-15,
                                   err_msg=f"{case}, step {t + 1}")
    assert opt.step_count == STEPS


@pytest.mark.parametrize("case", ["adam", "adamw", "amsgrad", "rmsprop_centered"])
def test_matches_torch_float32(case):
    ours, theirs, kwargs = CASES[case]
    rng = np.random.default_rng(3)
    p0 = rng.standard_normal(64).astype(np.float32)
    grads = gradients(64, STEPS, 4).astype(np.float32)
    expected = torch_trajectory(theirs, kwargs, p0, grads)
    p = p0.copy()
    opt = ours(p, **kwargs)
    for g in grads:
        opt.step(g)
    np.testing.assert_allclose(p, expected[-1], rtol=2e-4, atol=2e-5)


def test_updates_in_place_without_copy():
    p = np.zeros(1000, dtype=np.float32)
    opt = optim.Adam(p, lr=0.1)
    assert np.shares_memory(opt.params, p)
    opt.step(np.ones(1000, dtype=np.float32))
    np.testing.assert_allclose(p, -0.1, rtol=1e-6)


def test_rejects_buffers_it_would_have_to_copy():
    p = np.zeros(10)
    opt = optim.Adam(p)
    with pytest.raises(TypeError, match="float32"):
        opt.step(np.zeros(10, dtype=np.float32))
    with pytest.raises(ValueError, match="11 elements"):
        opt.step(np.zeros(11))
    with pytest.raises(ValueError, match="C-contiguous"):
        optim.Adam(np.zeros((4, 4))[:, 0])
    ro = np.zeros(3)
    ro.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        optim.Adam(ro)
    with pytest.raises(TypeError, match="int64"):
        optim.Adam(np.zeros(3, dtype=np.int64))


@pytest.mark.parametrize("kwargs, word", [
    (dict(betas=(1.0, 0.999)), "beta1"),
    (dict(betas=(0.9, -0.1)), "beta2"),
    (dict(eps=0.0), "eps"),
    (dict(lr=-1e-3), "lr"),
])
def test_invalid_hyper_parameters_name_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        optim.Adam(np.zeros(3), **kwargs)


def test_non_finite_gradient_raises_with_index_and_changes_nothing():
    p = np.ones(5)
    opt = optim.Adam(p, lr=0.1)
    g = np.ones(5)
    g[3] = np.nan
    with pytest.raises(adamant.NonFiniteGradientError) as err:
        opt.step(g)
    assert err.value.index == 3
    assert isinstance(err.value, FloatingPointError)
    np.testing.assert_array_equal(p, 1.0)
    assert opt.step_count == 0


def test_non_finite_gradient_skip_counts_the_step():
    p = np.ones(5)
    opt = optim.Adam(p, lr=0.1, non_finite="skip")
    g = np.ones(5)
    g[2] = np.inf
    r = opt.step(g)
    assert not r.applied and r.nonfinite_index == 2
    assert opt.skipped_steps == 1 and opt.step_count == 0
    np.testing.assert_array_equal(p, 1.0)
    assert opt.step(np.ones(5)).applied
    with pytest.raises(ValueError, match="non_finite"):
        optim.Adam(p, non_finite="ignore")


def test_state_dict_round_trip_continues_bit_identically():
    rng = np.random.default_rng(5)
    p0 = rng.standard_normal(100)
    grads = rng.standard_normal((20, 100))
    a = p0.copy()
    opt_a = optim.NAdam(a, lr=0.01)  # has a scalar (the running momentum product) too
    for g in grads:
        opt_a.step(g)
    b = p0.copy()
    opt_b = optim.NAdam(b, lr=0.01)
    for g in grads[:10]:
        opt_b.step(g)
    saved, b_saved = opt_b.state_dict(), b.copy()
    c = b_saved.copy()
    opt_c = optim.NAdam(c, lr=0.01)
    opt_c.load_state_dict(saved)
    for g in grads[10:]:
        opt_c.step(g)
    np.testing.assert_array_equal(c, a)
    with pytest.raises(ValueError, match="slot"):
        optim.SGD(np.zeros(100), momentum=0.9).load_state_dict(saved)


def test_threads_give_the_same_bits():
    n = 300_000
    rng = np.random.default_rng(6)
    p0 = rng.standard_normal(n).astype(np.float32)
    grads = rng.standard_normal((5, n)).astype(np.float32)
    results = []
    for threads in (1, 2):
        p = p0.copy()
        opt = optim.AdamW(p, lr=0.01, clip_grad_norm=100.0, num_threads=threads)
        for g in grads:
            opt.step(g)
        results.append(p)
    np.testing.assert_array_equal(results[0], results[1])


def test_clip_grad_norm_matches_torch():
    rng = np.random.default_rng(7)
    g = rng.standard_normal(1000)
    t = torch.tensor(g.copy(), requires_grad=True)
    t.grad = torch.tensor(g.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_([t], 3.0).item()
    ours = g.copy()
    norm = optim.clip_grad_norm_(ours, 3.0)
    assert norm == pytest.approx(expected_norm, rel=1e-12)
    np.testing.assert_allclose(ours, t.grad.numpy(), rtol=1e-12)
    f = g.astype(np.float32)
    optim.clip_grad_value_(f, 0.5)
    assert np.abs(f).max() == pytest.approx(0.5)


def test_schedules_match_torch_lr_scheduler():
    def torch_lrs(make, steps):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        out = []
        for _ in range(steps):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return np.array(out)

    S = torch.optim.lr_scheduler
    cases = [
        (optim.Schedule.cosine(0.1, 50, 1e-3), lambda o: S.CosineAnnealingLR(o, 50, 1e-3)),
        (optim.Schedule.step(0.1, 7, 0.5), lambda o: S.StepLR(o, 7, 0.5)),
        (optim.Schedule.one_cycle(0.1, 60), lambda o: S.OneCycleLR(o, 0.1, total_steps=60)),
    ]
    for ours, theirs in cases:
        expected = torch_lrs(theirs, 60)
        got = np.array([ours(t) for t in range(60)])
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=repr(ours))


def test_schedule_drives_the_optimizer_and_groups_scale_it():
    p = np.zeros(4)
    opt = optim.SGD(p, lr=1.0, schedule=optim.Schedule.step(0.1, 1, 0.5),
                    groups=[optim.ParamGroup(0, 2), optim.ParamGroup(2, 4, lr_scale=0.0)])
    for lr in (0.1, 0.05, 0.025):
        assert opt.lr == pytest.approx(lr)
        assert opt.step(np.ones(4)).lr == pytest.approx(lr)
    np.testing.assert_allclose(p, [-0.175, -0.175, 0.0, 0.0])
    with pytest.raises(ValueError, match="group"):
        optim.SGD(np.zeros(4), groups=[optim.ParamGroup(0, 3)])


def test_no_weight_decay_on_a_bias_group():
    p = np.ones(4)
    opt = optim.AdamW(p, lr=0.1, weight_decay=0.5,
                      groups=[optim.ParamGroup(0, 2, name="weights"),
                              optim.ParamGroup(2, 4, weight_decay=0.0, name="biases")])
    opt.step(np.zeros(4))  # zero gradient: only the decay moves a parameter
    np.testing.assert_allclose(p, [0.95, 0.95, 1.0, 1.0])


def test_optimistic_adam_and_lion_run():
    for ctor in (optim.OptimisticAdam, optim.Lion):
        p = np.ones(3)
        opt = ctor(p, lr=0.01)
        opt.step(np.ones(3))
        assert np.all(p < 1.0)


def test_schedules_compose():
    S = adamant.optim.Schedule
    inner = S.cosine(0.1, 10)
    s = S.join([S.warmup(3, S.constant(0.1), start_factor=0.5), inner], [6])
    assert s.kind == "join"
    assert [s(t) for t in range(3)] == pytest.approx([0.05, 0.05 + 0.05 / 3, 0.05 + 0.1 / 3])
    assert s(4) == 0.1 and s(8) == inner(2)
    assert S.scale(0.5, inner)(3) == 0.5 * inner(3)
    with pytest.raises(ValueError, match="join schedule: boundaries must be >= 1"):
        S.join([inner, inner], [0])(0)
    params = np.zeros(1)
    opt = adamant.optim.SGD(params, lr=1.0, schedule=s)
    for t in range(12):
        opt.step(np.ones(1))
    assert params[0] == pytest.approx(-sum(s(t) for t in range(12)), rel=1e-15)


def test_a_group_with_its_own_rule():
    c = adamant._core.core
    lion = c.LionOptions()
    lion.lr = 1e-2
    params = np.linspace(-1, 1, 8)
    groups = [optim.ParamGroup(0, 4), optim.ParamGroup(4, 8, name="head", rule=lion)]
    opt = optim.Adam(params, lr=1e-2, groups=groups)
    alone_adam, alone_lion = params[:4].copy(), params[4:].copy()
    a = optim.Adam(alone_adam, lr=1e-2)
    b = optim.Lion(alone_lion, lr=1e-2)
    rng = np.random.default_rng(0)
    for _ in range(5):
        g = rng.standard_normal(8)
        opt.step(g)
        a.step(np.ascontiguousarray(g[:4]))
        b.step(np.ascontiguousarray(g[4:]))
    np.testing.assert_array_equal(params[:4], alone_adam)
    np.testing.assert_array_equal(params[4:], alone_lion)
    assert "group1.exp_avg" in opt.state_dict()["slots"]
    with pytest.raises(ValueError, match="group 1 'head': a schedule of its own needs a rule"):
        optim.Adam(np.zeros(8), groups=[optim.ParamGroup(0, 4),
                                        optim.ParamGroup(4, 8, name="head",
                                                         schedule=optim.Schedule.constant(1.0))])


def test_hypergradient_lr_adapts_the_learning_rate_as_baydin_et_al():
    """Adam-HD (Baydin et al. 2018, Algorithm 3) written out in numpy against the option."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 10))
    b = rng.normal(size=30)
    grad = lambda x: A.T @ (A @ x - b) / 30  # noqa: E731
    x = np.zeros(10)
    opt = optim.Adam(x, lr=1e-3, hypergradient_lr=1e-3)
    ref, m, v, u, a = np.zeros(10), np.zeros(10), np.zeros(10), np.zeros(10), 1e-3
    for t in range(1, 101):
        r = opt.step(grad(x))
        g = grad(ref)
        a = a + 1e-3 * g @ u
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        u = (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        ref = ref - a * u
        assert r.lr == pytest.approx(a, rel=1e-12)
    np.testing.assert_allclose(x, ref, rtol=1e-11, atol=1e-13)
    assert a > 3e-3  # it learned to go faster
    assert opt.state_dict()["scalars"]["hd_lr"] == pytest.approx(a, rel=1e-12)
    with pytest.raises(ValueError, match="it takes no schedule"):
        optim.Adam(np.zeros(3), hypergradient_lr=1e-3, schedule=optim.Schedule.constant(0.1))
