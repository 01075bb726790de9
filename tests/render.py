"""Render the template the way a user's `copier copy` would (no --trust)."""

import re
import subprocess
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


# Rendering uncommitted template changes stamps the answers file with a throwaway
# commit that copier makes for each render; a clean checkout stamps its HEAD.
_DRAFT_COMMIT = re.compile(rb"^_commit: .*$", re.MULTILINE)


def project_files(root: Path) -> dict[str, bytes]:
    """Every file's bytes, for comparing renders (the draft commit stamp normalised)."""
    files = {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.parts
    }
    answers = files.get(".copier-answers.yml")
    if answers is not None and template_is_dirty():
        files[".copier-answers.yml"] = _DRAFT_COMMIT.sub(b"_commit: <draft>", answers)
    return files


def template_is_dirty() -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=TEMPLATE_ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    return bool(status.stdout.strip())
