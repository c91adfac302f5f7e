"""Makes `import streamml` work from a plain `python3 -m pytest tests/python`.

CTest sets PYTHONPATH=<build>/python and STREAMML_BINARY_DIR=<build>. Without them, the
default build directory <repo>/build is used. A PYTHONPATH that already finds streamml wins.
"""
import importlib.util
import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _python_dir():
    binary_dir = os.environ.get("STREAMML_BINARY_DIR")
    if binary_dir:
        return pathlib.Path(binary_dir) / "python"
    return REPO / "build" / "python"


if importlib.util.find_spec("streamml") is None:
    sys.path.insert(0, str(_python_dir()))


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture(scope="session")
def streamml_python_dir():
    """The directory that holds the importable package (for subprocesses' PYTHONPATH)."""
    import streamml
    return pathlib.Path(streamml.__file__).resolve().parent.parent
