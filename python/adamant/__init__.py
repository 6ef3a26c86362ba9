"""adamant: fast, exact Adam-family optimizers for the CPU, and the work they do.

The C++ library does the work; this package is a thin front end over its extension
``adamant._core``. Submodules:

- :mod:`adamant.optim` -- optimizers updating numpy arrays in place, schedules, clipping.
"""

from . import _core
from . import optim
from ._core.core import NonFiniteGradientError

__version__ = _core.__version__
__all__ = ["optim", "NonFiniteGradientError", "__version__"]
