"""Rendering: deterministic, no leftover template syntax, no secrets in the answers file."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .matrix import PRODUCT_QUESTIONS, TEMPLATE_ROOT, combination_params, questions
from .products import rendered
from .render import project_files, render

# Jinja that refers to a Copier answer means the template leaked into the product.
# (The product's own Jinja2 page and email templates use other names.)
_ANSWER_NAMES = "|".join(name for name in questions() if not name.startswith("_"))
LEFTOVER = re.compile(
    rf"(\{{\{{-?\s*(_copier_\w+|{_ANSWER_NAMES})\b)|(\{{%-?\s*(if|elif|for|set)\b[^%]*\b({_ANSWER_NAMES})\b)"
)


@pytest.mark.parametrize("answers", combination_params())
def test_no_leftover_template_syntax(shared_dir: Path, answers: dict[str, str]) -> None:
    project = rendered(shared_dir, answers)
    leftovers = [
        f"{name}: {match.group(0)}"
        for name, content in project_files(project).items()
        for match in LEFTOVER.finditer(content.decode("utf-8", errors="replace"))
    ]
    assert not leftovers
    names = [path.name for path in project.rglob("*")]
    assert not [name for name in names if name.endswith(".jinja") or "{" in name]


def test_same_answers_give_identical_bytes(tmp_path: Path) -> None:
    first = project_files(render(tmp_path / "a"))
    second = project_files(render(tmp_path / "b"))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_answers_file_records_every_answer_and_no_secret(tmp_path: Path) -> None:
    project = render(tmp_path / "p")
    answers = (project / ".copier-answers.yml").read_text()
    for name in PRODUCT_QUESTIONS:
        assert f"{name}: " in answers
    assert not re.search(r"(?i)(secret|password|api_key|token)\s*:", answers)


def test_options_are_chosen_by_files(tmp_path: Path) -> None:
    project = render(tmp_path / "p")
    assert (project / "supabase" / "migrations").is_dir()
    # Every RLS-exposed table in the migrations enables row level security.
    sql = "\n".join(p.read_text() for p in sorted((project / "supabase/migrations").glob("*.sql")))
    tables = set(re.findall(r"create table public\.(\w+)", sql))
    secured = set(re.findall(r"alter table public\.(\w+) enable row level security", sql))
    assert tables
    assert tables <= secured


def test_answers_file_reproduces_the_project(tmp_path: Path) -> None:
    """`copier copy --defaults --data-file answers.yml` rebuilds the product byte for byte.

    The data file is the product's own `.copier-answers.yml`, given to the Copier CLI
    exactly as the README tells a user to (the render pins the template's HEAD, as
    `render()` does, so both builds use the same template version).
    """
    original = render(
        tmp_path / "original",
        {"project_name": "Acme Invoices", "payment_gateway": "paddle", "author_name": "Acme Ltd"},
    )
    answers_file = tmp_path / "answers.yml"
    shutil.copyfile(original / ".copier-answers.yml", answers_file)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            "--data-file",
            str(answers_file),
            str(TEMPLATE_ROOT),
            str(tmp_path / "rebuilt"),
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    first, second = project_files(original), project_files(tmp_path / "rebuilt")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert b"project_name: Acme Invoices" in second[".copier-answers.yml"]


def test_answers_file_records_only_questions(tmp_path: Path) -> None:
    """Only declared questions and Copier's own keys: nothing else can leak into it."""
    project = render(tmp_path / "p")
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    declared = {name for name in questions() if not name.startswith("_")}
    assert set(recorded) - declared <= {"_commit", "_src_path"}
    assert not [
        name for name, spec in questions().items() if isinstance(spec, dict) and spec.get("secret")
    ]


def _policies(sql: str) -> list[str]:
    return re.findall(r"create policy .*?;", sql, flags=re.DOTALL)


def test_postgres_shares_the_supabase_migrations_and_policies(tmp_path: Path) -> None:
    """database=postgres adds the auth contract; every shared migration is byte-identical."""
    supabase = render(tmp_path / "supabase", {"database": "supabase"}) / "supabase/migrations"
    postgres = render(tmp_path / "postgres", {"database": "postgres"}) / "migrations"
    # Supabase's own: it counts sign-in emails for the rate limits in a table of their own
    # (postgres counts its stored sign-in links); the `usage` model has it on both.
    shared = {
        path.name: path.read_text()
        for path in supabase.glob("*.sql")
        if not path.name.endswith("_rate_limits.sql")
    }
    own = {path.name: path.read_text() for path in postgres.glob("*.sql")}
    assert shared
    assert {name: own.get(name) for name in shared} == shared
    extra = sorted(set(own) - set(shared))
    assert [name.split("_", 1)[1] for name in extra] == [
        "auth_contract.sql",
        "sign_in.sql",
        "email_change.sql",
    ]
    assert extra[0] < min(shared), "the contract comes before every shared migration"
    policies = _policies("\n".join(shared[name] for name in sorted(shared)))
    assert policies
    assert _policies("\n".join(own[name] for name in sorted(own))) == policies
    contract = own[extra[0]]
    for created in ("anon", "authenticated", "service_role"):
        assert f"'{created}'" in contract
    assert "create table if not exists auth.users" in contract
    assert "create or replace function auth.uid()" in contract
    assert "superuser" not in contract.replace("need not be a superuser", "")


def test_postgres_generates_no_supabase_files(tmp_path: Path) -> None:
    project = render(tmp_path / "p", {"database": "postgres", "deploy_target": "render"})
    package = project / "src" / "my_saas"
    assert not (project / "supabase").exists()
    assert not (package / "dev" / "local_supabase_contract.sql").exists()
    assert not (package / "auth" / "supabase.py").exists()
    assert not (project / "tests" / "fake_supabase.py").exists()
    assert (package / "dev" / "local_app_role.sql").is_file()
    for name in (".env.example", "pyproject.toml", "render.yaml", "src/my_saas/settings.py"):
        assert "supabase" not in (project / name).read_text().lower(), name
    for path in (package / "auth").glob("*.py"):
        assert "supabase" not in path.read_text().lower(), path.name


def test_postgres_without_oauth_has_no_oauth_code(tmp_path: Path) -> None:
    project = render(tmp_path / "p", {"database": "postgres", "oauth_providers": []})
    auth = project / "src" / "my_saas" / "auth"
    assert (auth / "links.py").is_file()
    assert not (auth / "oauth.py").exists()
    assert not (auth / "oauth_client.py").exists()
    assert not (project / "tests" / "test_auth_oauth.py").exists()
    assert "httpx-oauth" not in (project / "pyproject.toml").read_text()
    assert "oauth" not in (auth / "routes.py").read_text().lower()
    assert "CLIENT_ID" not in (project / ".env.example").read_text()
    assert "client_id" not in (project / "src" / "my_saas" / "settings.py").read_text()
