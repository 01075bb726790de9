"""Finding the previous release with or without the template's tags in the clone."""

import tarfile
import tomllib
from pathlib import Path

import pytest
from packaging.version import Version

from .releases import (
    RECORDED_RELEASES,
    SNAPSHOT_PATHS,
    SNAPSHOTS,
    checkout_release,
    git,
    previous_release,
    release_archive,
    release_version,
    snapshot_of,
)


def _commit(repo: Path, message: str) -> str:
    (repo / "file.txt").write_text(message, encoding="utf-8")
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "--no-verify", "-m", message, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = tmp_path / "template"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    return repo, [_commit(repo, f"change {n}") for n in range(3)]


def _record(path: Path, releases: dict[str, str]) -> Path:
    path.write_text("".join(f'"{v}" = "{c}"\n' for v, c in releases.items()), encoding="utf-8")
    return path


def test_recorded_commits_stand_in_for_missing_tags(
    history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    repo, commits = history
    recorded = _record(tmp_path / "releases.toml", {"0.1.0": commits[0], "0.2.0": commits[1]})
    assert previous_release(repo, recorded) == ("0.2.0", commits[1])


def test_tags_win_and_head_is_not_its_own_previous_release(
    history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    repo, commits = history
    git("tag", "0.3.0", commits[2], cwd=repo)
    git("tag", "0.2.0", commits[0], cwd=repo)
    recorded = _record(tmp_path / "releases.toml", {"0.2.0": commits[1]})
    assert previous_release(repo, recorded) == ("0.2.0", commits[0])


def test_a_recorded_commit_missing_from_the_clone_is_ignored(
    history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    repo, commits = history
    recorded = _record(tmp_path / "releases.toml", {"0.1.0": commits[0], "0.9.0": "0" * 40})
    assert previous_release(repo, recorded) == ("0.1.0", commits[0])


def test_no_release_at_all_fails_with_what_to_fetch(
    history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    repo, _ = history
    recorded = _record(tmp_path / "releases.toml", {})
    with pytest.raises(pytest.fail.Exception, match="git fetch --unshallow --tags"):
        previous_release(repo, recorded)


def test_every_release_tag_is_recorded_with_its_commit() -> None:
    root = RECORDED_RELEASES.parent.parent
    recorded = tomllib.loads(RECORDED_RELEASES.read_text(encoding="utf-8"))
    for tag in git("tag", "--list", cwd=root).split():
        if release_version(tag) is None:
            continue
        tagged = git("rev-list", "-n", "1", tag, cwd=root).strip()
        assert recorded.get(tag) == tagged, (
            f"release {tag} is commit {tagged}: record it in {RECORDED_RELEASES.name}"
        )


def test_a_shallow_clone_updates_from_the_newest_recorded_snapshot(
    history: tuple[Path, list[str]], tmp_path: Path
) -> None:
    repo, _ = history
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    source = tmp_path / "source"
    (source / "template").mkdir(parents=True)
    (source / "copier.yml").write_text("_subdirectory: template\n", encoding="utf-8")
    with tarfile.open(snapshot_of("0.2.0", snapshots), mode="w:xz") as tar:
        tar.add(source / "copier.yml", arcname="copier.yml")
        tar.add(source / "template", arcname="template")
    recorded = _record(tmp_path / "releases.toml", {"0.1.0": "1" * 40, "0.2.0": "2" * 40})

    assert previous_release(repo, recorded, snapshots) == ("0.2.0", "2" * 40)
    product = tmp_path / "release"
    product.mkdir()
    checkout_release(product, "0.2.0", "2" * 40, repo, snapshots)
    assert (product / "copier.yml").read_text(encoding="utf-8") == "_subdirectory: template\n"


def test_the_newest_release_snapshot_matches_its_tag() -> None:
    """The snapshot is what `git archive` gives for the release (checked where the tag is)."""
    root = RECORDED_RELEASES.parent.parent
    recorded = tomllib.loads(RECORDED_RELEASES.read_text(encoding="utf-8"))
    newest = str(max(Version(name) for name in recorded))
    assert snapshot_of(newest).is_file(), (
        f"add {snapshot_of(newest).relative_to(root)}: git archive --format=tar {newest} "
        f"{' '.join(SNAPSHOT_PATHS)} | xz -9e > {SNAPSHOTS.name}/{newest}.tar.xz"
    )
    if newest not in git("tag", "--list", cwd=root).split():
        return
    with (
        release_archive(newest, root) as tagged,
        tarfile.open(snapshot_of(newest), mode="r:xz") as kept,
    ):
        assert _contents(tagged) == _contents(kept)


def _contents(tar: tarfile.TarFile) -> dict[str, bytes]:
    files = {}
    for member in tar.getmembers():
        if member.isfile():
            extracted = tar.extractfile(member)
            assert extracted is not None
            files[member.name] = extracted.read()
    return files
