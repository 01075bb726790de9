"""pytest plugin for a recorded generated suite (see sitecustomize.py): collect Python only.

pytest's collection lists every directory on its way to the test folder, the project
root included, and asks of each entry whether it is a directory and where its conftest
files are. For a file that is neither a directory nor a Python module, the answer never
matters (no plugin of the suite collects other files), but asking would make the root's
deploy files inputs of the suite. So such a file is ignored before it is asked about;
the `collect` listing (directories and Python files) is what the suite depends on.
With doctest globs configured (other files collected), nothing is skipped.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import sitecustomize


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.suffix == ".py" or config.getoption("doctestglob", None):
        return None
    try:
        mode = sitecustomize.unrecorded_stat(collection_path).st_mode
    except OSError:
        return True
    return None if stat.S_ISDIR(mode) else True
