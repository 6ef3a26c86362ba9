"""Optimizers that update a numpy array in place, with PyTorch's numerics and defaults.

Every constructor takes the parameter array first (float32 or float64, C-contiguous, writable;
it is never copied), the rule's hyper-parameters with ``torch.optim``'s names and defaults,
and the composition options shared by all rules:

``clip_grad_norm``, ``clip_grad_value``
    gradient clipping before the moment update (``clip_grad_norm`` follows PyTorch's
    ``clip_grad_norm_``: the gradient is scaled by ``min(1, c / (||g|| + 1e-6))``).
``clip_update_norm``, ``clip_update_value``
    clipping of the update after the moment estimates.
``schedule``
    a :class:`Schedule` (learning rate as a function of the step); default: constant ``lr``.
``groups``
    :class:`ParamGroup` ranges tiling the array, each with its own ``lr_scale`` and
    ``weight_decay`` (e.g. no decay on biases).
``non_finite``
    ``"raise"`` (default: :class:`adamant.NonFiniteGradientError` naming the first NaN/Inf
    index, nothing changes) or ``"skip"`` (the step is skipped and counted).
``num_threads``
    threads for arrays of 131072 elements or more (0: all cores); the results are
    bit-identical to one thread.

``opt.step(grad)`` updates the array and returns a :class:`StepResult`;
``opt.state_dict()`` / ``opt.load_state_dict(d)`` save and restore the state exactly.

Example::

    params = np.zeros(1000, dtype=np.float32)
    opt = adamant.optim.AdamW(params, lr=1e-3, clip_grad_norm=1.0)
    opt.step(grad)
"""

from ._core import core as _c

Schedule = _c.Schedule
ParamGroup = _c.ParamGroup
StepResult = _c.StepResult
Optimizer = _c.Optimizer
clip_grad_norm_ = _c.clip_grad_norm_
clip_grad_value_ = _c.clip_grad_value_

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion",
    "OptimisticAdam", "Schedule", "ParamGroup", "StepResult", "Optimizer",
    "clip_grad_norm_", "clip_grad_value_",
]

_NON_FINITE = {"raise": _c.NonFinitePolicy.raise_, "skip": _c.NonFinitePolicy.skip}


def _options(clip_grad_norm=0.0, clip_grad_value=0.0, clip_update_norm=0.0,
             clip_update_value=0.0, schedule=None, groups=(), non_finite="raise",
             num_threads=1):
    if non_finite not in _NON_FINITE:
        raise ValueError(f"non_finite must be 'raise' or 'skip', got {non_finite!r}")
    o = _c.OptimizerOptions()
    o.clip_grad_norm = clip_grad_norm
    o.clip_grad_value = clip_grad_value
    o.clip_update_norm = clip_update_norm
    o.clip_update_value = clip_update_value
    o.schedule = schedule
    o.groups = list(groups)
    o.non_finite = _NON_FINITE[non_finite]
    o.num_threads = num_threads
    return o


def _make(rule, params, fields, composition):
    for name, value in fields.items():
        setattr(rule, name, value)
    return _c.Optimizer(rule, params, _options(**composition))


def SGD(params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
        maximize=False, **composition):
    """SGD with momentum (negative allowed), dampening, Nesterov and L2 weight decay."""
    return _make(_c.SgdOptions(), params, dict(
        lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
        nesterov=nesterov, maximize=maximize), composition)


def Adagrad(params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10, maximize=False, **composition):
    """Adagrad (Duchi, Hazan & Singer 2011)."""
    return _make(_c.AdagradOptions(), params, dict(
        lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize),
        composition)


def RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
            centered=False, maximize=False, **composition):
    """RMSprop (Hinton 2012), optionally centred and with momentum."""
    return _make(_c.RmspropOptions(), params, dict(
        lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
        centered=centered, maximize=maximize), composition)


def Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
         maximize=False, **composition):
    """Adam (Kingma & Ba 2015) with coupled L2 decay; ``amsgrad=True`` for AMSGrad."""
    return _make(_c.AdamOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
        amsgrad=amsgrad, maximize=maximize), composition)


def AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
          maximize=False, **composition):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019)."""
    return _make(_c.AdamOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
        decoupled_weight_decay=True, amsgrad=amsgrad, maximize=maximize), composition)


def Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False,
           **composition):
    """AdaMax, Adam's infinity-norm variant (Kingma & Ba 2015)."""
    return _make(_c.AdamaxOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
        maximize=maximize), composition)


def NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          momentum_decay=4e-3, **composition):
    """NAdam (Dozat 2016), as PyTorch 1.13 computes it."""
    return _make(_c.NadamOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
        momentum_decay=momentum_decay), composition)


def RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, **composition):
    """RAdam, rectified Adam (Liu et al. 2020)."""
    return _make(_c.RadamOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay),
        composition)


def Lion(params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False,
         **composition):
    """Lion, sign momentum with decoupled decay (Chen et al. 2023)."""
    return _make(_c.LionOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], weight_decay=weight_decay, maximize=maximize),
        composition)


def OptimisticAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   maximize=False, **composition):
    """Optimistic Adam for min-max games (Daskalakis, Ilyas, Syrgkanis & Zeng 2018)."""
    return _make(_c.OptimisticAdamOptions(), params, dict(
        lr=lr, beta1=betas[0], beta2=betas[1], eps=eps, weight_decay=weight_decay,
        maximize=maximize), composition)
