"""adamant's data files: price panels and molecular datasets in HDF5, text imports, bundled data.

The C++ library (``adamant::datasets``) reads, validates and writes; this module only wraps its
results in two dataclasses:

:class:`Prices`
    ``dates`` -- ``numpy`` array of ISO-8601 strings ``'YYYY-MM-DD'``, shape ``(T,)``, strictly
    increasing (``prices.dates.astype('datetime64[D]')`` gives numpy dates);
    ``tickers`` -- ``list`` of ``N`` unique strings;
    ``prices`` -- ``float64`` array ``(T, N)``, positive, ``NaN`` where a price is missing
    (e.g. before a listing);
    ``metadata`` -- ``dict`` of strings (``source``, ``licence``, ...).

:class:`Molecules`
    ``atomic_numbers`` -- ``int32`` ``(A,)``; ``positions`` -- ``float64`` ``(F, A, 3)`` in Å;
    ``energies`` -- ``float64`` ``(F,)`` in eV; ``forces`` -- ``float64`` ``(F, A, 3)`` in eV/Å,
    or ``None``; ``metadata`` -- ``dict`` of str / int / float (``method``, ``units``, ...).

Functions::

    load_prices(path) -> Prices            save_prices(path, prices)
    load_molecules(path) -> Molecules      save_molecules(path, molecules)
    import_prices_csv(csv) -> Prices       # header date,TICKER,...; empty/NaN/NA/null = missing
    import_xyz(xyz) -> Molecules           # extended XYZ as ase.io.write(format='extxyz') writes
    export_xyz(path, molecules)            # extended XYZ that ase.io.read(path, ':') reads
    info(path) -> str                      # what any HDF5 file holds (`adamant data info`)
    bundled(name) -> str                   # path of a shipped file; bundled() lists them

Bad input raises :class:`DataError` (a ``ValueError``) whose message names the file, the object
or line, and what was expected; ``err.file`` and ``err.object`` hold the first two. Writes are
atomic: a temporary file is renamed into place, so a failed write leaves the old file.

The files are plain HDF5 (docs/schema.md): ``h5py.File(path)['prices'][...]`` works too.

Example::

    import adamant
    p = adamant.data.load_prices(adamant.data.bundled("stock_prices_20"))
    p.prices.shape        # (7126, 20)
    m = adamant.data.load_molecules(adamant.data.bundled("ethanol_md_gfn2xtb"))
    m.positions.shape     # (2000, 9, 3)
"""

import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

import numpy as np

from ._core import datasets as _d

DataError = _d.DataError
DataError.__module__ = __name__
DataError.__doc__ = ("A problem with a data file; the message names the file, the object (or "
                     "line) and what was expected. Attributes: file, object.")

__all__ = [
    "Prices", "Molecules", "DataError", "load_prices", "save_prices", "load_molecules",
    "save_molecules", "import_prices_csv", "import_xyz", "export_xyz", "info", "bundled",
    "atomic_number", "element_symbol",
]

PathLike = Union[str, "os.PathLike[str]"]

atomic_number = _d.atomic_number
element_symbol = _d.element_symbol


@dataclass
class Prices:
    """A price panel: ``prices[t, i]`` is the price of ``tickers[i]`` on ``dates[t]``."""

    dates: np.ndarray
    tickers: List[str]
    prices: np.ndarray
    metadata: Dict[str, str] = field(default_factory=dict)

    @property
    def shape(self):
        """``(number of dates, number of tickers)``."""
        return self.prices.shape


@dataclass
class Molecules:
    """Frames of one molecule: the same atoms, in the same order, in every frame."""

    atomic_numbers: np.ndarray
    positions: np.ndarray
    energies: np.ndarray
    forces: Optional[np.ndarray] = None
    metadata: Dict[str, Union[str, int, float]] = field(default_factory=dict)

    @property
    def num_frames(self) -> int:
        return int(self.energies.shape[0])

    @property
    def num_atoms(self) -> int:
        return int(self.atomic_numbers.shape[0])

    @property
    def symbols(self) -> List[str]:
        """Element symbols of the atoms (``['C', 'C', 'O', 'H', ...]``)."""
        return [_d.element_symbol(int(z)) for z in self.atomic_numbers]


def _prices(d) -> Prices:
    return Prices(np.array(d["dates"], dtype=str), list(d["tickers"]), d["prices"],
                  dict(d["metadata"]))


def _molecules(d) -> Molecules:
    return Molecules(d["atomic_numbers"], d["positions"], d["energies"], d["forces"],
                     dict(d["metadata"]))


def load_prices(path: PathLike) -> Prices:
    """Reads a prices file (validated: see :class:`Prices`)."""
    return _prices(_d.read_prices(os.fspath(path)))


def save_prices(path: PathLike, prices: Prices) -> None:
    """Writes ``prices`` to ``path`` in the prices schema (validated first, written atomically)."""
    _d.write_prices(os.fspath(path), [str(x) for x in prices.dates],
                    [str(x) for x in prices.tickers], prices.prices, dict(prices.metadata))


def load_molecules(path: PathLike) -> Molecules:
    """Reads a molecules file (validated: see :class:`Molecules`)."""
    return _molecules(_d.read_molecules(os.fspath(path)))


def save_molecules(path: PathLike, molecules: Molecules) -> None:
    """Writes ``molecules`` in the molecules schema (validated first, written atomically).

    ``positions`` and ``forces`` may be ``(F, A, 3)`` or ``(F, 3A)``.
    """
    m = molecules
    _d.write_molecules(os.fspath(path), m.atomic_numbers, m.positions, m.energies, m.forces,
                       dict(m.metadata))


def import_prices_csv(path: PathLike) -> Prices:
    """Reads a CSV of prices: a header ``date,TICKER1,...`` then one row per date (YYYY-MM-DD,
    strictly increasing); an empty cell, ``NaN``, ``NA`` or ``null`` is a missing price.
    Errors name the file, line and column (``prices.csv:17: column AAPL: 'abc' is not a
    number``)."""
    return _prices(_d.import_prices_csv(os.fspath(path)))


def import_xyz(path: PathLike) -> Molecules:
    """Reads extended XYZ as ASE writes it: ``energy=`` in each comment line,
    ``Properties=species:S:1:pos:R:3[:forces:R:3]``. Comment-line keys with the same value in
    every frame become metadata. Periodic frames are rejected (the schema has no cell)."""
    return _molecules(_d.import_extxyz(os.fspath(path)))


def export_xyz(path: PathLike, molecules: Molecules) -> None:
    """Writes extended XYZ (energies, forces, metadata; shortest round-trip numbers)."""
    m = molecules
    _d.export_extxyz(os.fspath(path), m.atomic_numbers, m.positions, m.energies, m.forces,
                     dict(m.metadata))


def info(path: PathLike) -> str:
    """A human-readable summary of any HDF5 file (schema, datasets, shapes, attributes)."""
    return _d.describe(os.fspath(path))


def _data_dirs() -> List[str]:
    env = os.environ.get("ADAMANT_DATA_DIR")
    dirs = [env] if env else []
    return dirs + [d for d in _d.data_dirs() if os.path.isdir(d)]


def bundled(name: Optional[str] = None):
    """The path of a data file shipped with adamant (``'stock_prices_20'`` or
    ``'stock_prices_20.h5'``); with no name, the sorted list of shipped names.

    Searched in ``$ADAMANT_DATA_DIR``, the source tree's ``datasets/data`` and the installed
    ``share/adamant``. Raises FileNotFoundError naming what is available.
    """
    dirs = _data_dirs()
    available = sorted({f[:-3] for d in dirs for f in os.listdir(d) if f.endswith(".h5")})
    if name is None:
        return available
    file = name if name.endswith(".h5") else name + ".h5"
    for d in dirs:
        p = os.path.join(d, file)
        if os.path.isfile(p):
            return p
    looked = ", ".join(dirs) or "no existing directory"
    raise FileNotFoundError(f"no bundled data file {file!r} (looked in {looked}; available: "
                            f"{', '.join(available) or 'none'})")
