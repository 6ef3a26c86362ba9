"""Mixed precision from Python: 16-bit parameters (numpy float16, or bfloat16 bit patterns in
uint16) with float32 master weights. The conversions agree with numpy's float16 and torch's
bfloat16 rounding, the master weights are exactly the float32 optimizer's, and the loss scale
skips and backs off as torch's GradScaler does."""

import numpy as np
import pytest

from adamant import optim


def test_to_bfloat16_rounds_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = np.concatenate([
        rng.standard_normal(20000).astype(np.float32) * 10.0 ** rng.integers(-30, 30, 20000),
        # ties: halfway between neighbouring bfloat16 values
        (np.arange(1, 2000, dtype=np.uint32) << 16 | 0x8000).view(np.float32),
        np.array([0.0, -0.0, np.inf, -np.inf, 3.4028235e38, 1e-40], np.float32),
    ]).astype(np.float32)
    ours = optim.to_bfloat16(x)
    theirs = torch.from_numpy(x).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(optim.from_bfloat16(ours),
                                  torch.from_numpy(x).to(torch.bfloat16).float().numpy())
    assert ours.shape == x.shape


@pytest.mark.parametrize("kind", ["float16", "bfloat16"])
def test_master_weights_are_the_float32_run_and_params_them_rounded(kind):
    rng = np.random.default_rng(9)
    start = rng.standard_normal(3000).astype(np.float32)
    if kind == "float16":
        p16 = start.astype(np.float16)
        to16, to32 = (lambda a: a.astype(np.float16)), (lambda h: h.astype(np.float32))
    else:
        p16 = optim.to_bfloat16(start)
        to16, to32 = optim.to_bfloat16, optim.from_bfloat16
    p32 = to32(p16).copy()
    mixed = optim.AdamW(p16, lr=1e-2, weight_decay=0.1, clip_grad_norm=20.0)
    ref = optim.AdamW(p32, lr=1e-2, weight_decay=0.1, clip_grad_norm=20.0)
    assert mixed.dtype == kind
    for _ in range(5):
        g16 = to16(rng.standard_normal(3000).astype(np.float32))
        r = mixed.step(g16)
        ref.step(to32(g16))
        assert r.applied and not r.overflow
        np.testing.assert_array_equal(mixed.master, p32)
        # numpy's own float16 rounding (and ours for bfloat16) of the master weights
        np.testing.assert_array_equal(p16, to16(p32))


def test_dynamic_loss_scale_skips_and_backs_off():
    p = np.ones(4, np.float16)
    opt = optim.Adam(p, lr=1e-3, loss_scale=65536.0, dynamic_loss_scale=True, growth_interval=2)
    bad = np.array([1, 1, np.inf, 1], np.float16)
    r = opt.step(bad)
    assert r.overflow and not r.applied and r.nonfinite_index == 2
    assert opt.loss_scale == 32768.0 and opt.step_count == 0
    np.testing.assert_array_equal(p, np.ones(4, np.float16))
    good = np.full(4, 0.5, np.float16)
    opt.step(good)
    opt.step(good)
    assert opt.loss_scale == 65536.0
    assert (p < 1).all()


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="loss scaling is for 16-bit parameters"):
        optim.Adam(np.zeros(3), loss_scale=8.0)
    p = np.zeros(3, np.float16)
    opt = optim.Adam(p)
    with pytest.raises(TypeError, match="grad has dtype float32"):
        opt.step(np.zeros(3, np.float32))
    with pytest.raises(ValueError, match="params have 3"):
        opt.step(np.zeros(4, np.float16))
    with pytest.raises(ValueError, match="loss scale must be finite and > 0"):
        optim.Adam(np.zeros(3, np.float16), loss_scale=0.0)
    from adamant._core import core
    with pytest.raises(TypeError, match="float16 or uint16"):
        optim.MixedPrecisionOptimizer(core.AdamOptions(), np.zeros(3), core.OptimizerOptions(),
                                      core.LossScaleOptions())
