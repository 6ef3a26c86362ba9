"""Two-player min-max games and the optimizers that train them (the C++ ``adamant::gan``).

A game is a vector field over ``z = (x, y)``: the player ``x`` minimises ``f_x``, the player
``y`` maximises ``f_y``, and ``xi(z) = (grad_x f_x, -grad_y f_y)``; gradient descent-ascent is
``z <- z - lr * xi(z)``. Games (``float64`` numpy in and out)::

    from adamant import gan
    g = gan.bilinear()                             # f = xy; gan.bilinear(A, B=..., C=..., b=..., c=...)
    g = gan.dirac(loss="standard", gamma=0.5)      # Dirac-GAN with R1 penalty, instance_noise=...
    g = gan.mixture("ring", batch_size=128)        # MLP GAN on 8 Gaussians ("grid": 25)
    g.vector_field(z), g.jacobian(z), g.objectives(z), g.equilibrium()
    gan.eigenvalues(g)                             # of the Jacobian, at the equilibrium by default

Optimizers: a scheme (``simultaneous``, ``alternating``, ``optimistic``, ``extragradient``,
``past``, ``consensus``, ``sga``) and one core optimizer per player (``sgd`` with any momentum,
``adam``, ``amsgrad``, ``oadam``, ``rmsprop``, ``adagrad``, ``lion``), each with its own learning
rate (TTUR); ``step`` updates a ``float64`` array in place::

    opt = gan.optimizer(g, "extragradient", rule="adam", lr=1e-3, lr_y=4e-3, beta1=0.5)
    z = g.initial_point()                          # or any float64 array of g.dim entries
    for _ in range(1000):
        opt.step(g, z)
    opt.average                                    # the averaged iterate (averaging="uniform")
    opt = gan.preset("negmom", g, lr=0.1)          # the study's named methods (gan.method_names())

Studies (``adamant gan study`` from Python)::

    r = gan.study("dirac", methods=["simgd", "extragradient", "consensus"], steps=500)
    print(r.format())                              # the convergence table
    gan.save_study("dirac.h5", r); gan.plot_study(r, "dirac")   # dirac_field.png, ...
    f = gan.load_study("dirac.h5")                 # f.trajectories["simgd"]["iterates"], ...

Bad input (an unknown method or rule, ``lr <= 0``, a ``beta1`` of 1, sizes that do not match)
raises ``ValueError`` with the library's message. The file layout is in docs/schema.md.
"""

import os
from typing import Dict, Iterable, Optional, Sequence, Union

import numpy as np

from ._core import gan as _g

__all__ = [
    "Game", "BilinearGame", "DiracGan", "MixtureGan", "GameOptimizer", "GameOptimizerOptions",
    "PlayerOptions", "StudyOptions", "StudyResult", "MethodRun", "StudyFile", "bilinear", "dirac",
    "mixture", "player", "optimizer", "preset", "method_names", "trajectory", "eigenvalues",
    "hamiltonian", "update_eigenvalues", "modes", "mode_stats", "study", "save_study",
    "load_study", "plot_study",
]

Game = _g.Game
BilinearGame = _g.BilinearGame
DiracGan = _g.DiracGan
MixtureGan = _g.MixtureGan
GameOptimizer = _g.GameOptimizer
GameOptimizerOptions = _g.GameOptimizerOptions
PlayerOptions = _g.PlayerOptions
StudyOptions = _g.StudyOptions
StudyResult = _g.StudyResult
MethodRun = _g.MethodRun
StudyFile = _g.StudyFile

PathLike = Union[str, "os.PathLike[str]"]


def _checked(what: str, message: str):
    if message:
        raise ValueError(f"{what}: {message}")


def _loss(name: str):
    try:
        return _g.parse_gan_loss(name)
    except Exception as e:  # the library's message lists the names
        raise ValueError(str(e)) from None


def _matrix(a, name: str) -> np.ndarray:
    m = np.atleast_2d(np.asarray(a, dtype=np.float64))
    if m.ndim != 2:
        raise ValueError(f"{name} must be a matrix, got shape {np.shape(a)}")
    return m


def bilinear(A=1.0, B=None, C=None, b=None, c=None) -> BilinearGame:
    """``f(x, y) = x'Ay + x'Bx/2 - y'Cy/2 + b'x + c'y`` (``A`` is n x m; a scalar means 1 x 1)."""
    o = _g.BilinearOptions()
    o.A = _matrix(A, "A")
    if B is not None:
        o.B = _matrix(B, "B")
    if C is not None:
        o.C = _matrix(C, "C")
    if b is not None:
        o.b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    if c is not None:
        o.c = np.atleast_1d(np.asarray(c, dtype=np.float64))
    _checked("bilinear", o.validate())
    return _g.BilinearGame(o)


def dirac(loss: str = "standard", gamma: float = 0.0, instance_noise: float = 0.0) -> DiracGan:
    """The Dirac-GAN (Mescheder et al. 2018): ``z = (theta, psi)``; ``loss`` ``"standard"``,
    ``"nonsaturating"`` or ``"wasserstein"``; R1 weight ``gamma``; instance noise sigma."""
    o = _g.DiracOptions()
    o.loss = _loss(loss)
    o.gamma = float(gamma)
    o.instance_noise = float(instance_noise)
    _checked("dirac", o.validate())
    return _g.DiracGan(o)


def _mixture_options(kind: str = "ring", latent_dim: int = 2,
                     generator_hidden: Sequence[int] = (64, 64),
                     discriminator_hidden: Sequence[int] = (64, 64), activation: str = "relu",
                     batch_size: int = 128, loss: str = "nonsaturating",
                     instance_noise: float = 0.0, seed: int = 0,
                     gamma: float = 0.0) -> "_g.MixtureOptions":
    o = _g.MixtureOptions()
    try:
        o.mixture = kind
        o.activation = activation
    except Exception as e:
        raise ValueError(str(e)) from None
    o.latent_dim = int(latent_dim)
    o.generator_hidden = [int(h) for h in generator_hidden]
    o.discriminator_hidden = [int(h) for h in discriminator_hidden]
    o.batch_size = int(batch_size)
    o.loss = _loss(loss)
    o.instance_noise = float(instance_noise)
    o.seed = int(seed)
    o.gamma = float(gamma)  # R1 is refused for the mixture GAN (validate says why)
    _checked("mixture", o.validate())
    return o


def mixture(kind: str = "ring", **options) -> MixtureGan:
    """A GAN on a 2-D Gaussian mixture, ``"ring"`` (8 modes) or ``"grid"`` (25 modes), with MLP
    generator and discriminator. Keywords: ``latent_dim`` (2), ``generator_hidden`` and
    ``discriminator_hidden`` ((64, 64)), ``activation`` ("relu"), ``batch_size`` (128), ``loss``
    ("nonsaturating"), ``instance_noise`` (0), ``seed`` (0). ``initial_point()`` gives PyTorch's
    default initialisation from the seed; ``sample(z, n, seed)`` generator samples."""
    return _g.MixtureGan(_mixture_options(kind, **options))


def player(rule: str = "sgd", lr: float = 0.1, **options) -> PlayerOptions:
    """One player's core optimizer: any rule of ``adamant.core.rule_names()`` (but its SGD presets
    ``momentum`` / ``nesterov``) with PyTorch's defaults, ``lr``, and any of the rule's own
    options as keywords (``momentum`` for sgd / rmsprop, may be negative; ``beta1``, ``beta2``,
    ``eps`` for the Adam family; ...). A keyword the rule does not have is a ValueError."""
    p = _player_unchecked(rule, lr, **options)
    _checked("player", p.validate())
    return p


def _dims(game_or_dim, x_dim: Optional[int]):
    if isinstance(game_or_dim, _g.Game):
        return game_or_dim.dim, game_or_dim.x_dim
    if x_dim is None:
        raise ValueError("give a game, or dim and x_dim")
    return int(game_or_dim), int(x_dim)


def _averaging(name: str):
    names = {"none": _g.Averaging.none, "uniform": _g.Averaging.uniform, "ema": _g.Averaging.ema}
    if name not in names:
        raise ValueError(f"unknown averaging {name!r} (known: none, uniform, ema)")
    return names[name]


def optimizer(game, scheme: str = "simultaneous", *, rule: str = "sgd", lr: float = 0.1,
              lr_y: Optional[float] = None, x: Optional[dict] = None,
              y: Optional[dict] = None, n_d: int = 1, gamma: float = 0.1, lambda_: float = 1.0,
              averaging: str = "uniform", ema_beta: float = 0.99,
              x_dim: Optional[int] = None, **options) -> GameOptimizer:
    """A game optimizer for ``game`` (or ``game=dim`` with ``x_dim``). Both players get
    ``rule``, ``lr`` and the rule's own options given as further keywords (``momentum``,
    ``beta1``, ``beta2``, ``eps``, ...; PyTorch's defaults otherwise); ``lr_y`` is the second
    player's learning rate (TTUR; default ``lr``); ``x`` / ``y`` are dicts overriding one
    player's keywords (e.g. ``y=dict(rule="adam", lr=4e-3)``). ``n_d``: discriminator steps per
    generator step (alternating); ``gamma``: consensus weight; ``lambda_``: SGA weight."""
    o = _g.GameOptimizerOptions()
    try:
        o.scheme = _g.parse_scheme(scheme)
    except Exception as e:
        raise ValueError(str(e)) from None
    common = dict(rule=rule, lr=lr, **options)
    ox = dict(common, **(x or {}))
    oy = dict(common, **({"lr": lr_y} if lr_y is not None else {}), **(y or {}))
    o.x = _player_unchecked(**ox)
    o.y = _player_unchecked(**oy)
    o.n_d = int(n_d)
    o.gamma = float(gamma)
    o.lambda_ = float(lambda_)
    o.averaging = _averaging(averaging)
    o.ema_beta = float(ema_beta)
    _checked("optimizer", o.validate())
    dim, xd = _dims(game, x_dim)
    return _g.GameOptimizer(o, dim, xd)


def _player_unchecked(rule="sgd", lr=0.1, **options):
    p = _g.PlayerOptions()
    try:
        p.rule = rule
    except Exception as e:
        raise ValueError(str(e)) from None
    p.lr = float(lr)
    for k, v in options.items():
        if not hasattr(type(p), k):
            raise ValueError(f"unknown player option {k!r}")
        setattr(p, k, float(v))
    return p


def method_names():
    """The study's named methods (simgd, altgd, momentum, negmom, adam, adam05, adam0,
    optimistic, oadam, extragradient, extraadam, past, consensus, sga)."""
    return list(_g.method_names())


def _preset_options(name: str, lr: float, lr_adam: float, lr_ratio: float):
    try:
        return _g.method_preset(name, float(lr), float(lr_adam), float(lr_ratio))
    except Exception as e:
        raise ValueError(str(e)) from None


def preset(name: str, game, lr: float = 0.1, lr_adam: float = 0.01, lr_ratio: float = 1.0,
           x_dim: Optional[int] = None) -> GameOptimizer:
    """The study's method ``name`` as an optimizer: SGD-family methods use ``lr``, Adam-family
    ``lr_adam``; the second player's rate is multiplied by ``lr_ratio``."""
    o = _preset_options(name, lr, lr_adam, lr_ratio)
    _checked(name, o.validate())
    dim, xd = _dims(game, x_dim)
    return _g.GameOptimizer(o, dim, xd)


def _z(game, z) -> np.ndarray:
    if z is None:
        if isinstance(game, _g.MixtureGan):
            return game.initial_point()
        return game.equilibrium()
    a = np.ascontiguousarray(z, dtype=np.float64)
    if a.shape != (game.dim,):
        raise ValueError(f"z must have shape ({game.dim},), got {np.shape(z)}")
    return a


def trajectory(game, opt: GameOptimizer, z0, steps: int) -> np.ndarray:
    """Runs ``steps`` steps of ``opt`` from ``z0`` (not modified); returns the iterates,
    ``(steps + 1, game.dim)``."""
    z = np.array(_z(game, z0), dtype=np.float64, copy=True)
    out = np.empty((int(steps) + 1, z.size))
    out[0] = z
    for t in range(int(steps)):
        opt.step(game, z)
        out[t + 1] = z
    return out


def eigenvalues(game, z=None) -> np.ndarray:
    """Eigenvalues (complex) of the game Jacobian ``J = d xi / dz`` at ``z`` (default: the
    equilibrium)."""
    return _g.jacobian_eigenvalues(game, _z(game, z))


def hamiltonian(game, z) -> float:
    """``0.5 * |xi(z)|^2``."""
    return _g.hamiltonian(game, _z(game, z))


def update_eigenvalues(game, method: Union[str, GameOptimizerOptions], z=None,
                       lr: float = 0.1, lr_ratio: float = 1.0, h: float = 1e-6) -> np.ndarray:
    """Eigenvalues of one step of a memoryless method (SGD without momentum: simgd, altgd,
    extragradient, consensus, sga) linearised at ``z`` (default: the equilibrium); all inside
    the unit circle means locally convergent."""
    o = _preset_options(method, lr, lr, lr_ratio) if isinstance(method, str) else method
    try:
        return _g.update_eigenvalues(game, o, _z(game, z), float(h))
    except Exception as e:
        raise ValueError(str(e)) from None


def modes(kind: str = "ring") -> np.ndarray:
    """The mixture's mode centres, ``(8, 2)`` for ``"ring"``, ``(25, 2)`` for ``"grid"``."""
    return _g.mixture_modes(kind)


def mode_stats(samples, kind: str = "ring", min_share: float = 0.01) -> Dict[str, float]:
    """Mode coverage of ``(N, 2)`` samples: ``modes_captured`` (modes holding at least
    ``min_share * N`` high-quality samples), ``num_modes`` and ``high_quality`` (the share of
    samples within 3 sigma of a mode)."""
    s = np.ascontiguousarray(samples, dtype=np.float64)
    if s.ndim != 2 or s.shape[1] != 2:
        raise ValueError(f"samples must have shape (N, 2), got {np.shape(samples)}")
    captured, num, hq = _g.mode_stats(kind, s, float(min_share))
    return {"modes_captured": captured, "num_modes": num, "high_quality": hq}


def study(game: str = "dirac", methods: Optional[Iterable[str]] = None,
          steps: Optional[int] = None, *, mixture: Optional[str] = None,
          lr: Optional[float] = None, lr_adam: Optional[float] = None, lr_ratio: float = 1.0,
          n_d: int = 1, consensus_gamma: float = 1.0, sga_lambda: float = 1.0,
          loss: Optional[str] = None, gamma: float = 0.0, instance_noise: float = 0.0,
          start=None, A=None, seed: int = 0, batch_size: int = 128,
          generator_hidden: Sequence[int] = (64, 64),
          discriminator_hidden: Sequence[int] = (64, 64), eval_samples: int = 2000,
          snapshots: int = 6, curve_points: int = 51, eigen_every: int = 10,
          threads: int = 0, progress=None) -> StudyResult:
    """``adamant gan study``: every method from one start (the same minibatches for the
    mixtures). ``game``: ``"dirac"``, ``"bilinear"`` (f = x'Ay, ``A`` default 1), ``"ring"``,
    ``"grid"`` or ``"mixture"`` (with ``mixture="ring"``/``"grid"``). ``methods`` / ``steps``
    default to the game's (see :func:`adamant._core.gan.study_defaults`); ``lr`` / ``lr_adam``
    default to the game's learning rates. The result has ``runs`` (per method: ``iterates``,
    ``metrics``, ``final_distance``, ``rate``, ``modes``, ``snapshots``, ...), ``table()`` and
    ``format()``. ``progress(line)`` (e.g. ``print``) receives the progress lines of long runs."""
    if game == "mixture":
        game = mixture or "ring"
    o = _g.study_defaults(game)
    if methods is not None:
        o.methods = [str(m) for m in methods]
    if steps is not None:
        o.steps = int(steps)
    o.lr_sgd = 0.0 if lr is None else float(lr)
    o.lr_adam = 0.0 if lr_adam is None else float(lr_adam)
    o.lr_ratio = float(lr_ratio)
    o.n_d = int(n_d)
    o.consensus_gamma = float(consensus_gamma)
    o.sga_lambda = float(sga_lambda)
    d = _g.DiracOptions()
    d.loss = _loss(loss or "standard")
    d.gamma = float(gamma)
    d.instance_noise = float(instance_noise)
    o.dirac = d
    if A is not None:
        b = _g.BilinearOptions()
        b.A = _matrix(A, "A")
        o.bilinear = b
    if game in ("ring", "grid"):
        o.mixture = _mixture_options(game, generator_hidden=generator_hidden,
                                     discriminator_hidden=discriminator_hidden,
                                     batch_size=batch_size, loss=loss or "nonsaturating",
                                     instance_noise=instance_noise, seed=seed, gamma=gamma)
    if start is not None:
        o.start = np.atleast_1d(np.asarray(start, dtype=np.float64))
    o.eval_samples = int(eval_samples)
    o.snapshots = int(snapshots)
    o.curve_points = int(curve_points)
    o.eigen_every = int(eigen_every)
    o.num_threads = int(threads)
    _checked("study", o.validate())
    return _g.run_study(o, progress)


def save_study(path: PathLike, result: StudyResult) -> None:
    """Writes the study atomically (trajectories, /convergence, eigenvalues, curves,
    snapshots; docs/schema.md)."""
    _g.write_study(os.fspath(path), result)


def load_study(path: PathLike) -> StudyFile:
    """Reads a study file back (checked): ``methods``, ``convergence`` and ``settings``,
    ``trajectories[name]`` (``iterates``, ``metrics``, ``method``, ``game``), ``eigenvalues`` and
    ``eigen_steps``, ``curves``, ``snapshots[name][step]``, ``equilibrium``."""
    return _g.read_study(os.fspath(path))


def plot_study(result: StudyResult, prefix: PathLike):
    """PNGs ``<prefix>_field.png``, ``_distance.png``, ``_eigenvalues.png`` (dirac, bilinear) or
    ``_samples.png``, ``_modes.png`` (mixtures); returns their paths."""
    return list(_g.plot_study(result, os.fspath(prefix)))
