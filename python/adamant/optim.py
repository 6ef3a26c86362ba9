"""Optimizers that update a numpy array in place, with PyTorch's numerics and defaults.

Every constructor takes the parameter array first (float32 or float64, C-contiguous, writable;
it is never copied), the rule's hyper-parameters with ``torch.optim``'s names and defaults (the
keywords and their defaults are the C++ options' field list, e.g. ``adamant._core.core.AdamOptions``;
nothing is restated here), and the composition options shared by all rules:

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
``hypergradient_lr``
    > 0: hypergradient descent on the learning rate (Baydin et al. 2018; Adam-HD with Adam):
    before each step ``lr += hypergradient_lr * g . u_prev``, ``u_prev`` the previous update per
    unit learning rate; ``StepResult.lr`` reports the rate used. No schedule or groups with it.
``num_threads``
    threads for arrays of 131072 elements or more (0: all cores); the results are
    bit-identical to one thread.

**Mixed precision.** When ``params`` is a ``float16`` array, or a ``uint16`` array of bfloat16
bit patterns (numpy has no bfloat16: :func:`to_bfloat16` / :func:`from_bfloat16` convert, and a
torch bfloat16 tensor's ``.view(torch.int16).numpy().view(np.uint16)`` shares its memory), the
constructor returns a :class:`MixedPrecisionOptimizer`: float32 master weights and moments, the
16-bit parameters rewritten, rounded, in the same pass as each update. Gradients come in the
same 16-bit dtype, multiplied by the loss scale:

``loss_scale``
    the factor the gradients arrive multiplied by (default 1).
``dynamic_loss_scale``
    adjust it as torch's ``GradScaler`` does: a gradient with an Inf or NaN skips the step and
    multiplies the scale by ``backoff_factor`` (0.5); ``growth_interval`` (2000) good steps in a
    row multiply it by ``growth_factor`` (2). Read the current value from ``opt.loss_scale``.

``opt.step(grad)`` updates the array and returns a :class:`StepResult`;
``opt.state_dict()`` / ``opt.load_state_dict(d)`` save and restore the state exactly.

Example::

    params = np.zeros(1000, dtype=np.float32)
    opt = adamant.optim.AdamW(params, lr=1e-3, clip_grad_norm=1.0)
    opt.step(grad)
"""

import inspect

from ._core import core as _c

Schedule = _c.Schedule
ParamGroup = _c.ParamGroup
StepResult = _c.StepResult
Optimizer = _c.Optimizer
MixedPrecisionOptimizer = _c.MixedPrecisionOptimizer
LossScaleOptions = _c.LossScaleOptions
to_bfloat16 = _c.to_bfloat16
from_bfloat16 = _c.from_bfloat16
clip_grad_norm_ = _c.clip_grad_norm_
clip_grad_value_ = _c.clip_grad_value_

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Lion",
    "OptimisticAdam", "Schedule", "ParamGroup", "StepResult", "Optimizer",
    "clip_grad_norm_", "clip_grad_value_", "MixedPrecisionOptimizer", "LossScaleOptions",
    "to_bfloat16", "from_bfloat16",
]

_NON_FINITE = {"raise": _c.NonFinitePolicy.raise_, "skip": _c.NonFinitePolicy.skip}


def _options(non_finite="raise", groups=(), **fields):
    """An OptimizerOptions: the C++ defaults, with the given composition keywords set."""
    if non_finite not in _NON_FINITE:
        raise ValueError(f"non_finite must be 'raise' or 'skip', got {non_finite!r}")
    o = _c.OptimizerOptions()
    o.non_finite = _NON_FINITE[non_finite]
    o.groups = list(groups)
    for name, value in fields.items():
        if name.startswith("_") or not hasattr(o, name):
            raise TypeError(f"unknown optimizer option {name!r}")
        setattr(o, name, value)
    return o


_LOSS_SCALE = {"loss_scale": "scale", "dynamic_loss_scale": "dynamic",
               "growth_factor": "growth_factor", "backoff_factor": "backoff_factor",
               "growth_interval": "growth_interval"}


def _loss_scale(composition):
    """Pops the loss-scale keywords from ``composition``: (LossScaleOptions, any given)."""
    o = _c.LossScaleOptions()
    given = [k for k in _LOSS_SCALE if k in composition]
    for k in given:
        setattr(o, _LOSS_SCALE[k], composition.pop(k))
    return o, bool(given)


def _constructor(name, make_options, doc, fixed=()):
    """An optimizer constructor whose keywords are the C++ options' fields, in their order, with
    the C++ defaults (``beta1``, ``beta2`` as torch's ``betas`` pair); ``fixed`` fields keep the
    value ``make_options()`` gives them."""
    proto = make_options()
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter("params", kind)]
    for field in type(proto).fields:
        if field in fixed or field == "beta2":
            continue
        if field == "beta1":
            parameters.append(inspect.Parameter("betas", kind, default=(proto.beta1, proto.beta2)))
        else:
            parameters.append(inspect.Parameter(field, kind, default=getattr(proto, field)))
    parameters.append(inspect.Parameter("composition", inspect.Parameter.VAR_KEYWORD))
    signature = inspect.Signature(parameters)

    def constructor(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        params = values.pop("params")
        composition = values.pop("composition")
        rule = make_options()
        for field, value in values.items():
            if field == "betas":
                rule.beta1, rule.beta2 = value
            else:
                setattr(rule, field, value)
        scaling, scaled = _loss_scale(composition)
        dtype = getattr(params, "dtype", None)
        if dtype is not None and dtype.itemsize == 2 and dtype.kind in "fu":
            return _c.MixedPrecisionOptimizer(rule, params, _options(**composition), scaling)
        if scaled:
            raise ValueError("loss scaling is for 16-bit parameters (float16, or uint16 bfloat16 "
                             f"bit patterns); params have dtype {dtype}")
        return _c.Optimizer(rule, params, _options(**composition))

    constructor.__name__ = constructor.__qualname__ = name
    constructor.__signature__ = signature
    constructor.__doc__ = doc
    return constructor


SGD = _constructor("SGD", _c.SgdOptions,
                   "SGD with momentum (negative allowed), dampening, Nesterov and L2 weight decay.")
Adagrad = _constructor("Adagrad", _c.AdagradOptions, "Adagrad (Duchi, Hazan & Singer 2011).")
RMSprop = _constructor("RMSprop", _c.RmspropOptions,
                       "RMSprop (Hinton 2012), optionally centred and with momentum.")
Adam = _constructor("Adam", _c.AdamOptions,
                    "Adam (Kingma & Ba 2015) with coupled L2 decay; ``amsgrad=True`` for AMSGrad.",
                    fixed=("decoupled_weight_decay",))
AdamW = _constructor("AdamW", _c.AdamOptions.adamw,
                     "AdamW: Adam with decoupled weight decay (Loshchilov & Hutter 2019).",
                     fixed=("decoupled_weight_decay",))
Adamax = _constructor("Adamax", _c.AdamaxOptions,
                      "AdaMax, Adam's infinity-norm variant (Kingma & Ba 2015).")
NAdam = _constructor("NAdam", _c.NadamOptions, "NAdam (Dozat 2016), as PyTorch 1.13 computes it.")
RAdam = _constructor("RAdam", _c.RadamOptions, "RAdam, rectified Adam (Liu et al. 2020).")
Lion = _constructor("Lion", _c.LionOptions,
                    "Lion, sign momentum with decoupled decay (Chen et al. 2023).")
OptimisticAdam = _constructor(
    "OptimisticAdam", _c.OptimisticAdamOptions,
    "Optimistic Adam for min-max games (Daskalakis, Ilyas, Syrgkanis & Zeng 2018).")
