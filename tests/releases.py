"""The template's releases (PEP 440 git tags) and throwaway git copies of the template.

`copier update` only moves a product between tagged versions, so the update tests
build a small git repository holding two of them: the previous real release, taken
from its tag, and the working tree (uncommitted changes included) tagged as the next
version.
"""

import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from packaging.version import InvalidVersion, Version

from .matrix import TEMPLATE_ROOT

MISSING_TAGS = (
    "No release tag (a PEP 440 version such as 0.2.0) is reachable from HEAD in {root}. "
    "The update test updates a product from the previous release, so it needs the "
    "template's tags: run `git fetch --tags` (in a shallow clone, "
    "`git fetch --unshallow --tags`)."
)


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"`git {' '.join(args)}` failed in {cwd}:\n{result.stderr}")
    return result.stdout


def _version(tag: str) -> Version | None:
    try:
        return Version(tag)
    except InvalidVersion:
        return None


def previous_release(root: Path = TEMPLATE_ROOT) -> str:
    """The newest release tag that is an ancestor of HEAD and not HEAD itself."""
    head = git("rev-parse", "HEAD", cwd=root).strip()
    releases: list[tuple[Version, str]] = []
    for tag in git("tag", "--merged", "HEAD", cwd=root).split():
        version = _version(tag)
        if version is None or version.is_prerelease:
            continue
        if git("rev-list", "-n", "1", tag, cwd=root).strip() == head:
            continue
        releases.append((version, tag))
    if not releases:
        pytest.fail(MISSING_TAGS.format(root=root))
    return max(releases)[1]


def next_version(tag: str) -> str:
    version = Version(tag)
    return f"{version.major}.{version.minor + 1}.0"


def working_tree_files(root: Path = TEMPLATE_ROOT) -> list[str]:
    """Tracked and new files, as `git add -A` would take them (ignored files left out)."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    return sorted({name for name in listed.split("\0") if name and (root / name).is_file()})


def commit_all(repo: Path, message: str) -> None:
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, cwd=repo)


def tag(repo: Path, name: str) -> None:
    git("tag", "-a", name, "-m", f"Release {name}", cwd=repo)


def clear_work_tree(repo: Path) -> None:
    for child in repo.iterdir():
        if child.name == ".git":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def checkout_release(repo: Path, release: str, root: Path = TEMPLATE_ROOT) -> None:
    """Write the files of `release` (a tag of the real template) into `repo`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", release], cwd=root, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(repo, filter="data")


def copy_working_tree(repo: Path, root: Path = TEMPLATE_ROOT) -> None:
    for name in working_tree_files(root):
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


def two_release_template(repo: Path) -> tuple[str, str]:
    """A git copy of the template: the previous release and the working tree, both tagged.

    Returns the two tags, older first.
    """
    old = previous_release()
    new = next_version(old)
    git("init", "--quiet", str(repo), cwd=repo.parent)
    checkout_release(repo, old)
    commit_all(repo, f"Template {old}")
    tag(repo, old)
    clear_work_tree(repo)
    copy_working_tree(repo)
    commit_all(repo, f"Template {new} (the working tree under test)")
    tag(repo, new)
    return old, new
