"""Finding the previous release with or without the template's tags in the clone."""

import tomllib
from pathlib import Path

import pytest

from .releases import RECORDED_RELEASES, git, previous_release, release_version


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
