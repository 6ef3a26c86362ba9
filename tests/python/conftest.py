# Makes `import adamant` find the package built by the release preset when PYTHONPATH does not
# already point at a build (scripts/test.sh sets it).
import os
import sys

_BUILD = os.path.join(os.path.dirname(__file__), "..", "..", "build", "release", "python")
try:
    import adamant  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.abspath(_BUILD))
