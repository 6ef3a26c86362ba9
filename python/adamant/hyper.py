"""Hyper-gradients through whole optimizer runs.

A run of T optimizer steps from theta0 is one deterministic function of the optimizer's
hyper-parameters (lr, beta1, beta2, eps, weight decay, ...) and of theta0, so a meta-loss at the
final parameters can be differentiated through it -- "learning the optimizer", and meta-learning
with Adam as the inner loop. :func:`unroll` runs the C++ core's optimizer step
(``adamant.optim``'s, value for value) and returns the derivatives:

- ``mode="forward"`` carries tangents of the parameters and of every optimizer slot; memory
  (1 + k) x the optimizer state for k directions, independent of the number of steps.
- ``mode="reverse"`` runs the adjoint backwards, recomputing states from checkpoints (every
  ceil(sqrt(T))-th state kept): every hyper-parameter and d/d theta0 at once, memory
  O(sqrt(T) n).

Example::

    import numpy as np
    from adamant import hyper
    r = hyper.unroll(hyper.rosenbrock(), np.array([-1.2, 1.0]), rule="adam", steps=200, lr=0.02)
    r.meta_loss, r.grad["lr"], r.grad["theta0"]
"""

import numpy as np

from ._core import hyper as _h
from .optim import Schedule

Problem = _h.Problem

_DEFAULT_WRT = ("lr", "beta1", "beta2", "eps", "theta0")


def rosenbrock(dim=2):
    """The chained Rosenbrock function; dim=2 is (1 - x)^2 + 100 (y - x^2)^2."""
    return _h.rosenbrock(int(dim))


def test_problem(name):
    """One of the core's test problems: quadratic, rosenbrock, saddle, ridge or huber."""
    return _h.test_problem(name)


def problem(fun, hvp, dim, name="python problem"):
    """A problem written in Python, for :func:`unroll` (as training or meta problem).

    ``fun(theta)`` returns ``(f, grad)`` (a float and an array of shape ``(dim,)``);
    ``hvp(theta, U)`` returns the exact Hessian-vector products ``H(theta) @ U`` for ``U`` of
    shape ``(dim, k)`` (its columns are directions), as an array of that shape. Each call goes
    through the interpreter, so a Python problem runs at numpy's speed, not the core's; what it
    returns is checked (shape, and the unroll's finiteness checks) and an exception it raises
    ends the unroll with that exception.
    """
    if not callable(fun) or not callable(hvp):
        raise TypeError("problem(fun, hvp, dim): fun and hvp must be callable")
    return _h.python_problem(fun, hvp, int(dim), str(name))


def _mlp(X, y, layers, activation, output, layout, loss):
    if layout != "torch":
        raise ValueError(f"layout must be 'torch', got {layout!r}")
    return _h.mlp_problem([int(n) for n in layers], activation, output,
                          np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64),
                          loss)


def mlp_regression(X, y, layers=(2, 16, 16, 1), activation="tanh", layout="torch",
                   output="identity"):
    """Full-batch mean squared error of the core MLP on (X, y).

    theta is flat in PyTorch's layout ("torch"): [W1 (out x in, row-major), b1, W2, b2, ...],
    as ``torch.nn.utils.parameters_to_vector`` of ``nn.Sequential(Linear, act, Linear, ...)``.
    y has shape (samples,) or (samples, outputs). The Hessian-vector product is exact
    (forward over reverse through the network).
    """
    return _mlp(X, y, layers, activation, output, layout, "mse")


def mlp_classification(X, labels, layers, activation="tanh", layout="torch"):
    """Full-batch mean cross-entropy of the core MLP's logits against integer class labels."""
    return _mlp(X, np.asarray(labels, dtype=np.float64), layers, activation, "identity", layout,
                "cross_entropy")


class UnrollResult:
    """What :func:`unroll` returns.

    Attributes: ``theta`` (theta_T), ``meta_loss`` (the meta problem's loss at theta_T, the
    training problem's when there is no meta problem), ``grad`` (dict: hyper-parameter name ->
    float, "theta0" -> array), and what it cost: ``gradient_evals``, ``hvp_directions``,
    ``peak_bytes`` (state-sized buffers held at most), ``checkpoint_every`` (reverse mode).
    """

    def __init__(self, r):
        self.theta = np.array(r.theta)
        self.meta_loss = float(r.meta_loss)
        self.grad = {name: float(v) for name, v in r.grad}
        if r.grad_theta0.size:
            self.grad["theta0"] = np.array(r.grad_theta0)
        self.gradient_evals = int(r.gradient_evals)
        self.hvp_directions = int(r.hvp_directions)
        self.peak_bytes = int(r.peak_bytes)
        self.checkpoint_every = int(r.checkpoint_every)

    def __repr__(self):
        g = ", ".join(f"{k}={v:.6g}" for k, v in self.grad.items() if k != "theta0")
        return f"UnrollResult(meta_loss={self.meta_loss:.6g}, grad: {g})"


def unroll(problem, theta0, rule="adam", steps=60, lr=None, beta1=None, beta2=None, eps=None,
           weight_decay=0.0, amsgrad=False, schedule=None, meta=None, mode="reverse",
           wrt=_DEFAULT_WRT, clip_grad_norm=0.0, checkpoint_every=0, groups=(),
           clip_grad_value=0.0, clip_update_value=0.0, **options):
    """Run ``rule`` for ``steps`` steps on ``problem`` from ``theta0`` and differentiate.

    lr, beta1, beta2, eps: None keeps the rule's default. Further options of the rule
    (``momentum``, ``alpha``, ...) go in as keywords. ``schedule`` is an
    :class:`adamant.optim.Schedule`; with one, ``lr`` is its base rate (the schedule rebuilt with
    base ``lr`` is the one run) and ``grad["lr"]`` the derivative with respect to it; a join is
    run as given, its parts' rates named ``"schedule.parts.0.lr"``, ... in ``wrt``.
    ``meta`` is the problem whose loss at theta_T is differentiated (default: ``problem``).
    ``wrt`` names real hyper-parameters of the rule and "theta0"; the default asks for those of
    ("lr", "beta1", "beta2", "eps", "theta0") the rule has. ``clip_grad_norm`` > 0 clips by
    global norm (PyTorch's clip_grad_norm_), differentiated through the scale factor;
    ``clip_grad_value`` / ``clip_update_value`` > 0 clamp each gradient / update element as
    :class:`adamant.optim.Optimizer` does (a clamped element is a constant of its step).
    ``groups``: :class:`adamant.optim.ParamGroup` ranges tiling θ, each with its own ``lr_scale``
    and ``weight_decay`` (run as the optimizer runs them; those two are constants of the run).
    """
    fields = {}
    for name, v in (("lr", lr), ("beta1", beta1), ("beta2", beta2), ("eps", eps)):
        if v is not None:
            fields[name] = float(v)
    reals = set(_h.real_fields(rule))
    if "weight_decay" in reals:
        fields["weight_decay"] = float(weight_decay)
    elif weight_decay:
        raise ValueError(f"{rule} has no option 'weight_decay'")
    if amsgrad:
        fields["amsgrad"] = 1.0
    for name, v in options.items():
        fields[name] = float(v)
    if schedule is not None and not isinstance(schedule, Schedule):
        raise TypeError("schedule must be an adamant.optim.Schedule")
    if wrt is _DEFAULT_WRT:
        wrt = [w for w in _DEFAULT_WRT if w == "theta0" or w in reals]
    elif isinstance(wrt, str):
        wrt = [wrt]
    theta0 = np.ascontiguousarray(theta0, dtype=np.float64)
    r = _h.unroll(problem, theta0, rule, list(fields.items()), int(steps), schedule, meta, mode,
                  list(wrt), float(clip_grad_norm), int(checkpoint_every), list(groups),
                  float(clip_grad_value), float(clip_update_value))
    return UnrollResult(r)


def real_fields(rule):
    """The differentiable hyper-parameters of a rule, in its field order."""
    return list(_h.real_fields(rule))


def _fields(rule, options):
    return [(k, float(v)) for k, v in options.items()]


def tune(rule="adam", tune=("lr", "beta1", "beta2", "eps"), inner_steps=50, outer_steps=40,
         tasks_per_step=4, outer_lr=0.1, eval_tasks=100, shots=20, seed=0, hidden=(32, 32),
         activation="tanh", progress=None, **options):
    """Learn the rule's hyper-parameters over Finn et al.'s sine-regression task family
    (``adamant hyper tune``): an outer Adam on log lr / logit betas / log eps along the exact
    reverse-mode hyper-gradient of the mean ln validation MSE, beside a grid search with the
    same number of inner runs, evaluated on held-out tasks. The rule's starting options go in as
    keywords (``lr=1e-3``). Returns a ``TuneResult``: ``meta_loss``, ``path`` (outer steps x
    tuned), ``grid_*``, ``evals`` (start, grid, tuned: ``mean``, ``stderr``, ``hyper``),
    ``write(path)``, ``plot(png)``; ``progress`` is called with a line per outer step."""
    return _h.tune(rule, _fields(rule, options), list(tune), int(inner_steps), int(outer_steps),
                   int(tasks_per_step), float(outer_lr), int(eval_tasks), int(shots), int(seed),
                   [int(h) for h in hidden], activation, progress)


def maml(rule="adam", inner_steps=5, iterations=1000, meta_batch=10, outer_lr=1e-3, shots=10,
         query=10, eval_tasks=1000, eval_points=100, seed=0, hidden=(40, 40), activation="relu",
         progress=None, **options):
    """MAML with an inner loop of ``rule`` (default Adam, lr 0.01) on sine regression
    (``adamant hyper maml``): the second-order meta-gradient (reverse mode through the inner
    optimizer), first-order MAML and a pretrained baseline. Returns a ``MamlResult`` with
    ``methods`` (``name``, ``theta0``, ``curve``, ``mse_after``, ``se_after``, ``mse_before``,
    ...), ``write(path)``, ``plot(png)``."""
    if rule == "adam" and "lr" not in options:
        options = dict(options, lr=0.01)
    return _h.maml(rule, _fields(rule, options), int(inner_steps), int(iterations),
                   int(meta_batch), float(outer_lr), int(shots), int(query), int(eval_tasks),
                   int(eval_points), int(seed), [int(h) for h in hidden], activation, progress)


read_tune = _h.read_tune
read_maml = _h.read_maml


__all__ = ["Problem", "UnrollResult", "maml", "mlp_classification", "mlp_regression", "problem",
           "read_maml", "read_tune", "real_fields", "rosenbrock", "test_problem", "tune", "unroll"]
