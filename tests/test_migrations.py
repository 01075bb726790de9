"""Update migrations (`_migrations` in copier.yml, scripts in hooks/migrations/).

The real template has renamed no question yet, so the migration is exercised on a
small template with three releases, driven by the real script from hooks/migrations/:

- 1.0.0 asks `hosting` (choices `vps`, `paas`);
- 2.0.0 renames it to `deploy_target` and the choice `vps` to `docker`; the new
  question's default is `fly`, so without the migration an update would silently
  move a VPS product to Fly.io. copier.yml declares the migration for 2.0.0;
- 3.0.0 changes a file and crosses no migration.
"""

import shutil
from pathlib import Path

import copier
import pytest
import yaml
from copier.errors import UnsafeTemplateError

from .matrix import TEMPLATE_ROOT, questions
from .releases import commit_all, git, tag

MIGRATION = "hooks/migrations/rename_answer.py"

COPIER_V1 = """\
_answers_file: .copier-answers.yml
hosting:
  type: str
  help: Where does the product run?
  choices:
    Any VPS: vps
    A platform: paas
  default: paas
"""

COPIER_V2 = """\
_answers_file: .copier-answers.yml
_migrations:
  - version: "2.0.0"
    when: "{{ _stage == 'before' }}"
    command:
      - "{{ _copier_python }}"
      - "{{ _copier_conf.src_path }}/hooks/migrations/rename_answer.py"
      - "{{ _copier_conf.answers_file }}"
      - hosting
      - deploy_target
      - --value
      - vps=docker
deploy_target:
  type: str
  help: Where will the product run in production?
  choices:
    Docker on any VPS: docker
    Fly.io: fly
  default: fly
"""

ANSWERS_FILE = "{{ _copier_conf.answers_file }}.jinja"
ANSWERS_TEMPLATE = "{{ _copier_answers|to_nice_yaml -}}\n"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Template Tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@example.com")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("renamed-question") / "template"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    write(
        repo,
        {
            "copier.yml": COPIER_V1,
            ANSWERS_FILE: ANSWERS_TEMPLATE,
            "deploy.txt.jinja": "deploy with: {{ hosting }}\n",
            "README.md": "A product.\n",
        },
    )
    commit_all(repo, "1.0.0")
    tag(repo, "1.0.0")

    (repo / "deploy.txt.jinja").write_text("deploy with: {{ deploy_target }}\n")
    (repo / "copier.yml").write_text(COPIER_V2)
    (repo / "hooks" / "migrations").mkdir(parents=True)
    shutil.copy2(TEMPLATE_ROOT / MIGRATION, repo / MIGRATION)
    commit_all(repo, "2.0.0: hosting is now deploy_target")
    tag(repo, "2.0.0")

    (repo / "README.md").write_text("A product, deployed by its workflow.\n")
    commit_all(repo, "3.0.0")
    tag(repo, "3.0.0")
    return repo


def generate(template: Path, version: str, destination: Path, data: dict[str, str]) -> Path:
    copier.run_copy(
        str(template),
        destination,
        data=data,
        defaults=True,
        unsafe=False,
        quiet=True,
        vcs_ref=version,
    )
    git("init", "--quiet", cwd=destination)
    commit_all(destination, f"Start at {version}")
    return destination


def answers(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_template_declares_migrations_by_version() -> None:
    """Every migration is gated by a version, so only updates across it run (and trust) it."""
    declared = questions().get("_migrations", [])
    assert isinstance(declared, list)
    for migration in declared:
        assert "version" in migration, f"{migration} would run on every update"
        command = migration["command"]
        assert any("hooks/migrations/" in str(part) for part in command)


def test_copy_needs_no_trust_although_the_template_has_migrations(
    template: Path, tmp_path: Path
) -> None:
    project = generate(template, "3.0.0", tmp_path / "product", {"deploy_target": "docker"})
    assert (project / "deploy.txt").read_text() == "deploy with: docker\n"


def test_update_across_a_migration_asks_for_trust(template: Path, tmp_path: Path) -> None:
    project = generate(template, "1.0.0", tmp_path / "product", {"hosting": "vps"})
    with pytest.raises(UnsafeTemplateError, match="migrations"):
        copier.run_update(project, vcs_ref="2.0.0", defaults=True, overwrite=True, quiet=True)
    assert answers(project)["hosting"] == "vps"
    assert git("status", "--porcelain", cwd=project) == ""


def test_renamed_question_keeps_the_products_answer(template: Path, tmp_path: Path) -> None:
    project = generate(template, "1.0.0", tmp_path / "product", {"hosting": "vps"})
    assert (project / "deploy.txt").read_text() == "deploy with: vps\n"

    copier.run_update(
        project, vcs_ref="2.0.0", defaults=True, overwrite=True, unsafe=True, quiet=True
    )

    recorded = answers(project)
    assert "hosting" not in recorded
    assert recorded["deploy_target"] == "docker", "the update dropped the product's choice"
    assert recorded["_commit"] == "2.0.0"
    assert (project / "deploy.txt").read_text() == "deploy with: docker\n"


def test_update_that_crosses_no_migration_needs_no_trust(template: Path, tmp_path: Path) -> None:
    project = generate(template, "2.0.0", tmp_path / "product", {"deploy_target": "docker"})
    copier.run_update(project, defaults=True, overwrite=True, unsafe=False, quiet=True)
    assert answers(project)["_commit"] == "3.0.0"
    assert (project / "README.md").read_text() == "A product, deployed by its workflow.\n"
    assert (project / "deploy.txt").read_text() == "deploy with: docker\n"


def test_rename_is_idempotent_and_refuses_bad_arguments(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("rename_answer", TEMPLATE_ROOT / MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    path = tmp_path / ".copier-answers.yml"
    path.write_text("_commit: 1.0.0\nhosting: vps\nproject_name: Acme\n")
    assert module.main([str(path), "hosting", "deploy_target", "--value", "vps=docker"]) == 0
    once = path.read_text()
    assert yaml.safe_load(once) == {
        "_commit": "1.0.0",
        "deploy_target": "docker",
        "project_name": "Acme",
    }
    assert module.main([str(path), "hosting", "deploy_target", "--value", "vps=docker"]) == 0
    assert path.read_text() == once

    with pytest.raises(SystemExit, match="OLD=NEW"):
        module.main([str(path), "hosting", "deploy_target", "--value", "vps"])
    with pytest.raises(SystemExit, match="not found"):
        module.main([str(tmp_path / "missing.yml"), "hosting", "deploy_target"])
