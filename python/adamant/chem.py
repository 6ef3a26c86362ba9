"""Neural interatomic potentials (the C++ ``adamant::chem``): Behler-Parrinello symmetry
functions, one MLP per element, training on energies and forces, and an ASE calculator.

Fit, evaluate and use a potential::

    from adamant import chem, data
    mols = data.load_molecules(data.bundled("ethanol_md_gfn2xtb"))
    result = chem.fit(mols, epochs=200, progress=print)      # 950 / 50 / 1000 frames by default
    result.test.force_mae * 1e3                              # meV/Å on held-out frames
    chem.save_potential("ethanol.h5", result.potential)
    pot = chem.load_potential("ethanol.h5")
    energy, forces = pot.energy_forces(mols.atomic_numbers, mols.positions[0])

With ASE (Debian's python3-ase)::

    from ase.md.verlet import VelocityVerlet
    atoms = ase.Atoms(numbers=mols.atomic_numbers, positions=mols.positions[0])
    atoms.calc = chem.Calculator("ethanol.h5")       # or Calculator(potential=pot)
    VelocityVerlet(atoms, timestep=0.5 * ase.units.fs).run(100)

Keyword options of :func:`fit` are the fields of :class:`TrainOptions` (``num_train``, ``seed``,
``epochs``, ``batch_size``, ``optimizer`` (any rule of ``adamant.core.rule_names()``), the rule's
own options (``lr``, the initial learning rate, ``beta1``, ``eps``, ``weight_decay``, ...),
``lr_final``,
``clip`` ("none", "grad", "update"), ``clip_value``, ``huber``, ``patience``, ``num_threads``,
``checkpoint``, ``resume``, the energy / force weights ...) plus ``hidden`` (the hidden widths),
``activation`` and ``cutoff_radius`` / ``cutoff`` ("cos", "tanh3", "poly").
"""

import os
from typing import Callable, Optional, Union

import numpy as np

from ._core import chem as _c
from . import data as _data

__all__ = [
    "DescriptorOptions", "DescriptorSet", "NetworkOptions", "Potential", "Metrics", "TrainOptions",
    "TrainResult", "StudyOptions", "standard_descriptor_set", "compute_descriptors", "fit",
    "evaluate", "parity_plot", "save_potential", "load_potential", "clipping_study", "MdOptions",
    "MdResult", "run_md", "md_plot", "Calculator",
]

DescriptorOptions = _c.DescriptorOptions
DescriptorSet = _c.DescriptorSet
NetworkOptions = _c.NetworkOptions
Potential = _c.Potential
Metrics = _c.Metrics
TrainOptions = _c.TrainOptions
TrainResult = _c.TrainResult
StudyOptions = _c.StudyOptions
standard_descriptor_set = _c.standard_descriptor_set
compute_descriptors = _c.compute_descriptors
parity_plot = _c.parity_plot
MdOptions = _c.MdOptions
MdResult = _c.MdResult
md_plot = _c.md_plot

PathLike = Union[str, os.PathLike]
Molecules = Union["_data.Molecules", PathLike]


def _molecules(m: Molecules) -> "_data.Molecules":
    return m if isinstance(m, _data.Molecules) else _data.load_molecules(m)


def _set(obj, name, value):
    if not hasattr(obj, name):
        raise TypeError(f"unknown option {name!r}")
    setattr(obj, name, value)


def train_options(**kwargs) -> TrainOptions:
    """A :class:`TrainOptions` from keyword arguments (see the module docstring)."""
    o = TrainOptions()
    if "optimizer" in kwargs:  # first: it resets the rule's other options
        o.optimizer = kwargs.pop("optimizer")
    for k, v in kwargs.items():
        # o.network and o.descriptors are references into o: setting their fields sets o's.
        if k in ("hidden", "activation"):
            _set(o.network, k, v)
        elif k in ("cutoff_radius", "cutoff", "num_radial", "rs_min", "rs_max", "angular",
                   "zetas", "angular_etas"):
            _set(o.descriptors, k, v)
        else:
            _set(o, k, v)
    msg = o.validate()
    if msg:
        raise ValueError(msg)
    return o


def fit(molecules: Molecules, progress: Optional[Callable] = None, comm=None,
        **options) -> TrainResult:
    """Trains a potential on a molecules file or :class:`adamant.data.Molecules` (with forces).

    ``progress(p)`` is called after each epoch with ``p.epoch``, ``p.loss``, ``p.lr`` and
    ``p.validation`` (a :class:`Metrics`). Returns a :class:`TrainResult` (``potential``,
    ``train`` / ``validation`` / ``test`` metrics, the learning ``curve``, the frame indices).

    ``comm``: an mpi4py communicator (under ``mpirun``); every rank calls ``fit`` with the same
    arguments, evaluates its share of each minibatch's frames, and gets the model one process
    fits, bit for bit. Write files from one rank (``comm.rank == 0``).
    """
    m = _molecules(molecules)
    if m.forces is None:
        raise ValueError("training needs forces: the molecules have none")
    o = options.pop("options", None) or train_options(**options)
    if comm is not None:
        o.split_over_mpi(comm.py2f())
    return _c.train(m.atomic_numbers, m.positions, m.energies, m.forces, o, progress)


def evaluate(potential: Potential, molecules: Molecules, frames=(), num_threads: int = 1):
    """``(metrics, energies (F,), forces (F, A, 3))`` of ``potential`` on the given frames (all
    when empty); energies in eV, forces in eV/Å, MAEs in the same units."""
    m = _molecules(molecules)
    metrics, e, f = _c.evaluate(potential, m.atomic_numbers, m.positions, m.energies, m.forces,
                                list(frames), num_threads)
    return metrics, e, f.reshape(f.shape[0], -1, 3)


def save_potential(path: PathLike, potential: Potential, metadata: Optional[dict] = None) -> None:
    """Writes the model file (docs/schema.md, "chem_model"), atomically."""
    _c.save_potential(os.fspath(path), potential, {str(k): str(v) for k, v in (metadata or {}).items()})


def load_potential(path: PathLike) -> Potential:
    """Reads and validates a model file (``adamant.data.DataError`` naming what is wrong)."""
    return _c.load_potential(os.fspath(path))


def clipping_study(md: PathLike, contacts: PathLike, png: Optional[PathLike] = None,
                   **options):
    """none / clip-grad / clip-update / Huber on MD frames mixed with close contacts; returns the
    C++ StudyResult (``rows``, ``curves``, ``report()``)."""
    o = StudyOptions()
    for k, v in options.items():
        _set(o, k, v)
    return _c.clipping_study(os.fspath(md), os.fspath(contacts), o, os.fspath(png) if png else "")


def run_md(potential: Potential, numbers, positions, cell=None, **options) -> MdResult:
    """Molecular dynamics from one structure: velocity-Verlet NVE, or BAOAB Langevin NVT with
    ``langevin=True``. Options are :class:`MdOptions` fields (``timestep`` fs, ``steps``,
    ``temperature`` K, ``friction`` 1/fs, ``seed``, ``record_every``, ...). The result has
    ``time``, ``total`` / ``potential`` / ``kinetic`` energies, ``temperature``, ``positions``
    of the recorded frames and the energy ``drift``."""
    o = MdOptions()
    for k, v in options.items():
        _set(o, k, v)
    msg = o.validate()
    if msg:
        raise ValueError(msg)
    return _c.run_md(potential, np.asarray(numbers, dtype=np.int32),
                     np.asarray(positions, dtype=np.float64), cell, o)


try:  # ASE is optional: the calculator exists only where ASE does.
    from ase.calculators.calculator import Calculator as _AseCalculator, all_changes as _all_changes
except ImportError:  # pragma: no cover - Debian's python3-ase is a test dependency
    _AseCalculator = None

if _AseCalculator is not None:

    class Calculator(_AseCalculator):
        """An ASE calculator on an adamant potential: ``energy`` (eV), ``forces`` (eV/Å),
        ``free_energy``. Periodic cells are supported when every direction is periodic (the
        potential's neighbour list is fully periodic or not at all)."""

        implemented_properties = ["energy", "free_energy", "forces"]

        def __init__(self, model: Optional[PathLike] = None, potential: Optional[Potential] = None,
                     **kwargs):
            if (model is None) == (potential is None):
                raise ValueError("give a model file or a potential (one of them)")
            super().__init__(**kwargs)
            self.potential = load_potential(model) if model is not None else potential

        def calculate(self, atoms=None, properties=("energy",), system_changes=_all_changes):
            super().calculate(atoms, properties, system_changes)
            a = self.atoms
            pbc = np.asarray(a.pbc, dtype=bool)
            if pbc.any() and not pbc.all():
                raise ValueError("adamant potentials support fully periodic cells or none, "
                                 f"got pbc={a.pbc.tolist()}")
            cell = np.asarray(a.cell[:], dtype=np.float64) if pbc.all() else None
            e, f = self.potential.energy_forces(a.numbers.astype(np.int32),
                                                np.asarray(a.positions, dtype=np.float64), cell)
            self.results = {"energy": e, "free_energy": e, "forces": f}
else:  # pragma: no cover

    class Calculator:  # noqa: D401 - placeholder that explains itself
        """Needs ASE (Debian's python3-ase)."""

        def __init__(self, *args, **kwargs):
            raise ImportError("adamant.chem.Calculator needs ASE: apt-get install python3-ase")
