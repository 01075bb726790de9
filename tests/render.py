"""Render the template the way a user's `copier copy` would (no --trust)."""

import re
import subprocess
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from types import CodeType
from typing import Any

import copier
import jinja2

from .matrix import TEMPLATE_ROOT


def _compiled_once(compile_: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's `Environment.compile`, remembering what it made for a source string.

    Copier renders every path part of every file with `from_string`, which never
    caches: a render compiles the same few hundred snippets again, half of its time.
    The code Jinja makes depends only on the source and the environment's syntax
    options, which copier.yml fixes, so renders in one process share it.
    """
    made: dict[tuple[Any, ...], CodeType] = {}

    @wraps(compile_)
    def compile_source(
        env: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return compile_(env, source, name, filename, raw, defer_init)
        key = (syntax(env), source, name, filename, defer_init)
        if key not in made:
            made[key] = compile_(env, source, name, filename, raw, defer_init)
        return made[key]

    return compile_source


def syntax(env: jinja2.Environment) -> tuple[Any, ...]:
    """Everything of an environment that shapes the code Jinja generates."""
    return (
        type(env),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.is_async,
        env.finalize,
        env.autoescape,
    )


jinja2.Environment.compile = _compiled_once(jinja2.Environment.compile)  # type: ignore[method-assign]


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
