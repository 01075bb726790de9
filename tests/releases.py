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
import tomllib
from pathlib import Path

import pytest
from packaging.version import InvalidVersion, Version

from .matrix import TEMPLATE_ROOT

RECORDED_RELEASES = Path(__file__).with_name("releases.toml")
# What Copier reads of the newest release (copier.yml, template/, hooks/, partials/), as
# `git archive` gives it: a clone with no history (a shallow CI checkout) updates from it.
SNAPSHOTS = Path(__file__).with_name("release-snapshots")
SNAPSHOT_PATHS = ("copier.yml", "template", "hooks", "partials")

MISSING_RELEASES = (
    "No earlier release is reachable from HEAD in {root}: no release tag (a PEP 440 "
    "version such as 0.2.0), none of the commits recorded in {recorded} is in this "
    "clone's history, and no snapshot of a recorded release is in {snapshots}. "
    "The update test updates a product from the previous release, so it "
    "needs that history: run `git fetch --tags` (in a shallow clone, "
    "`git fetch --unshallow --tags`)."
)


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(f"`git {' '.join(args)}` failed in {cwd}:\n{result.stderr}")
    return result.stdout


def release_version(tag: str) -> Version | None:
    try:
        return Version(tag)
    except InvalidVersion:
        return None


def _is_ancestor_of_head(commit: str, root: Path) -> bool:
    result = subprocess.run(
        ["git", "merge-base", "--is-ancestor", commit, "HEAD"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _tagged_releases(root: Path) -> dict[Version, str]:
    releases: dict[Version, str] = {}
    for tag in git("tag", "--merged", "HEAD", cwd=root).split():
        version = release_version(tag)
        if version is not None:
            releases[version] = git("rev-list", "-n", "1", tag, cwd=root).strip()
    return releases


def _recorded_releases(root: Path, recorded: Path) -> dict[Version, str]:
    """Releases listed in releases.toml whose commit this clone holds below HEAD."""
    listed = tomllib.loads(recorded.read_text(encoding="utf-8"))
    return {
        Version(name): commit
        for name, commit in listed.items()
        if _is_ancestor_of_head(commit, root)
    }


def _snapshotted_releases(recorded: Path, snapshots: Path) -> dict[Version, str]:
    """Recorded releases whose files are kept in `snapshots`."""
    listed = tomllib.loads(recorded.read_text(encoding="utf-8"))
    return {
        Version(name): commit
        for name, commit in listed.items()
        if snapshot_of(name, snapshots).is_file()
    }


def snapshot_of(version: str, snapshots: Path = SNAPSHOTS) -> Path:
    return snapshots / f"{version}.tar.xz"


def previous_release(
    root: Path = TEMPLATE_ROOT,
    recorded: Path = RECORDED_RELEASES,
    snapshots: Path = SNAPSHOTS,
) -> tuple[str, str]:
    """The newest release below HEAD (not HEAD itself): its version and its commit.

    Tags win; the recorded commits stand in for tags a checkout did not fetch, and the
    snapshot of a recorded release for history a shallow checkout does not have.
    """
    head = git("rev-parse", "HEAD", cwd=root).strip()
    releases = _recorded_releases(root, recorded) | _tagged_releases(root)
    if not releases:
        releases = _snapshotted_releases(recorded, snapshots)
    candidates = [
        (version, commit)
        for version, commit in releases.items()
        if not version.is_prerelease and commit != head
    ]
    if not candidates:
        pytest.fail(MISSING_RELEASES.format(root=root, recorded=recorded, snapshots=snapshots))
    version, commit = max(candidates)
    return str(version), commit


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


def has_commit(commit: str, root: Path = TEMPLATE_ROOT) -> bool:
    result = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def release_archive(revision: str, root: Path = TEMPLATE_ROOT) -> tarfile.TarFile:
    """The files Copier reads (SNAPSHOT_PATHS) at `revision`, as `git archive` gives them."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", revision, *SNAPSHOT_PATHS],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    return tarfile.open(fileobj=io.BytesIO(archive))


def checkout_release(
    repo: Path, version: str, commit: str, root: Path = TEMPLATE_ROOT, snapshots: Path = SNAPSHOTS
) -> None:
    """Write the files of a release into `repo`: from git when the clone has its commit,
    else from its snapshot."""
    if has_commit(commit, root):
        with release_archive(commit, root) as tar:
            tar.extractall(repo, filter="data")
        return
    with tarfile.open(snapshot_of(version, snapshots), mode="r:xz") as tar:
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
    old, old_commit = previous_release()
    new = next_version(old)
    git("init", "--quiet", str(repo), cwd=repo.parent)
    checkout_release(repo, old, old_commit)
    commit_all(repo, f"Template {old}")
    tag(repo, old)
    clear_work_tree(repo)
    copy_working_tree(repo)
    commit_all(repo, f"Template {new} (the working tree under test)")
    tag(repo, new)
    return old, new
