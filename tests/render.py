"""Render the template the way a user's `copier copy` would (no --trust)."""

from pathlib import Path

import copier

from .matrix import TEMPLATE_ROOT


def render(destination: Path, answers: dict[str, str] | None = None) -> Path:
    copier.run_copy(
        str(TEMPLATE_ROOT),
        destination,
        data=answers or {},
        defaults=True,
        unsafe=False,
        quiet=True,
        vcs_ref="HEAD",
    )
    return destination


def project_files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.parts
    }
