"""Shared by the tests: the `adamant` command line built beside the Python package."""

import os
import subprocess

import adamant

CLI = os.path.join(os.path.dirname(adamant.__file__), "..", "..", "apps", "adamant")
HAVE_CLI = os.path.isfile(CLI)


def cli(*args, cwd=None):
    """Runs ``adamant *args``; returns the CompletedProcess (text stdout / stderr)."""
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"
