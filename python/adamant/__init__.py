"""adamant: fast, exact Adam-family optimizers for the CPU, and the work they do.

The C++ library does the work; this package is a thin front end over its extension
``adamant._core``. Submodules:

- :mod:`adamant.optim` -- optimizers updating numpy arrays in place, schedules, clipping.
- :mod:`adamant.data` -- HDF5 price panels and molecular datasets, CSV / extended-XYZ import,
  the bundled datasets.
- :mod:`adamant.rl` -- Gymnasium-exact classic-control environments (``make``, ``make_vec``).
- :mod:`adamant.finance` -- estimators, mean-variance portfolios (exact QP and projected Adam),
  the efficient frontier and a rolling backtest.
- :mod:`adamant.chem` -- Behler-Parrinello neural potentials: symmetry functions, training on
  energies and forces, evaluation, molecular dynamics, an ASE calculator.
- :mod:`adamant.gan` -- two-player min-max games (bilinear, Dirac-GAN, Gaussian-mixture GAN),
  game optimizers, Jacobian spectra and the method-comparison study.
- :mod:`adamant.hyper` -- hyper-gradients through whole optimizer runs (forward and reverse
  mode): d meta-loss / d (lr, betas, eps, weight decay, theta0).
"""

from . import _core
from . import chem
from . import data
from . import finance
from . import gan
from . import hyper
from . import optim
from . import rl
from ._core.core import NonFiniteGradientError

__version__ = _core.__version__
__all__ = ["chem", "data", "finance", "gan", "hyper", "optim", "rl", "NonFiniteGradientError",
           "__version__"]
