"""Render the template and check the generated CI and deploy configuration.

Each file is checked by its ecosystem's own linter, offline: actionlint (with
shellcheck on `run:` scripts) and zizmor for GitHub workflows, hadolint for
Dockerfiles, yamllint and check-jsonschema for YAML, tomllib for TOML, Caddy
itself for the Caddyfile, cfn-lint for the SAM template, and a JSON schema written
from Vercel's documented fields for vercel.json. The linters are Python wheels in the
template's dev dependencies, so they sit next to the interpreter running pytest.

`ANSWER_SETS` is every combination from copier.yml. A combination's checks that do
not apply to it (no compose stack for a serverless target, say) are skipped by
looking at the answers the project was rendered with.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .linters import actionlint, project_files, run, tool, zizmor
from .matrix import combination_params
from .products import rendered

# Every combination, grouped with its other tests so they share one render.
ANSWER_SETS: list[Any] = combination_params()

YAMLLINT_CONFIG = """\
extends: default
rules:
  document-start: disable
  line-length: {max: 120}
  truthy: {check-keys: false}
  comments: {min-spaces-from-content: 1}
  # Copier writes lists in .copier-answers.yml (oauth_providers) unindented under their key.
  indentation: {indent-sequences: consistent}
"""


VERCEL_SCHEMA = Path(__file__).with_name("schemas") / "vercel.schema.json"

# Secrets each deploy workflow must name (as `${{ secrets.NAME }}`).
DEPLOY_SECRETS = {
    "docker": ("DEPLOY_HOST", "DEPLOY_USER", "DEPLOY_SSH_KEY"),
    "fly": ("FLY_API_TOKEN",),
    "render": ("RENDER_DEPLOY_HOOK_WEB", "RENDER_DEPLOY_HOOK_WORKER", "RENDER_DEPLOY_HOOK_CRON"),
    "vercel": ("VERCEL_TOKEN", "VERCEL_ORG_ID", "VERCEL_PROJECT_ID", "DATABASE_URL"),
    "aws_lambda": ("AWS_DEPLOY_ROLE_ARN", "DATABASE_URL", "SECRET_KEY", "CRON_SECRET"),
}


class CloudFormationLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (`!Ref`, `!Sub`, ...) as plain values."""


def _cloudformation_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node)
    return {f"Fn::{suffix}" if suffix != "Ref" else "Ref": value}


CloudFormationLoader.add_multi_constructor("!", _cloudformation_tag)


def answers_of(project: Path) -> dict[str, Any]:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(answers, dict)
    return answers


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def assert_no_template_leftovers(path: Path) -> None:
    text = path.read_text()
    assert "{%" not in text, f"{path.name} has an unrendered Jinja tag"
    # `${{ ... }}` is GitHub Actions syntax; any other `{{` is Jinja that was not rendered.
    assert not re.search(r"(?<!\$)\{\{", text), f"{path.name} has an unrendered Jinja expression"


@pytest.fixture(scope="module", params=ANSWER_SETS)
def project(request: pytest.FixtureRequest, shared_dir: Path) -> Path:
    # Rendered once per session and git-initialised (actionlint finds local reusable
    # workflows through .git); the generated-suite test reads the same render.
    return rendered(shared_dir, request.param)


@pytest.fixture
def answers(project: Path) -> dict[str, Any]:
    return answers_of(project)


@pytest.fixture
def workflows(project: Path) -> list[Path]:
    files = sorted((project / ".github" / "workflows").glob("*.y*ml"))
    assert files, "the project has no GitHub workflows"
    return files


def test_workflows_pass_actionlint(project: Path, workflows: list[Path]) -> None:
    actionlint(workflows, project, "-pyflakes=")


def test_workflows_pass_zizmor(project: Path, workflows: list[Path]) -> None:
    # "." collects the workflows and .pre-commit-config.yaml.
    assert workflows
    zizmor(["."], project)


def test_workflows_match_the_github_schema(project: Path, workflows: list[Path]) -> None:
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        cwd=project,
    )


def test_ci_runs_every_check(project: Path) -> None:
    ci = load_yaml(project / ".github" / "workflows" / "ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    assert "concurrency" in ci
    steps = [step for job in ci["jobs"].values() for step in job["steps"]]
    commands = [step["run"] for step in steps if "run" in step]
    for expected in (
        "uv sync",
        "uv run ruff check",
        "uv run ruff format --check",
        "uv run mypy",
        "uv run pytest",
        "uv audit --locked --preview-features audit-command",  # uv.lock vs. known CVEs
    ):
        assert expected in commands
    # The browser tests: Playwright's Chromium, `make e2e`, screenshots kept when it fails.
    assert "uv run playwright install --with-deps chromium" in commands
    [e2e] = [step for step in steps if step.get("run") == "make e2e"]
    uploads = "actions/upload-artifact@"
    [upload] = [step for step in steps if step.get("uses", "").startswith(uploads)]
    assert upload["with"]["path"] == e2e["env"]["E2E_ARTIFACTS"]
    assert upload["if"] == "${{ !cancelled() }}"
    checkouts = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_dependabot_updates_the_lock_and_the_actions(project: Path) -> None:
    """uv.lock and the SHA-pinned actions get update pull requests (zizmor and yamllint
    read this file with the workflows and the other YAML)."""
    config_file = project / ".github" / "dependabot.yml"
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot", config_file],
        cwd=project,
    )
    config = load_yaml(config_file)
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"uv", "github-actions"}
    for update in ecosystems.values():
        assert update["directory"] == "/"
        assert update["cooldown"]["default-days"] > 0


def test_dockerfiles_pass_hadolint(project: Path, answers: dict[str, Any]) -> None:
    dockerfiles = project_files(project, "Dockerfile", "*.Dockerfile")
    if answers["deploy_target"] in {"docker", "fly", "render"}:
        assert project / "Dockerfile" in dockerfiles
    if not dockerfiles:
        pytest.skip(f"deploy_target={answers['deploy_target']} has no Dockerfile")
    for dockerfile in dockerfiles:
        assert_no_template_leftovers(dockerfile)
        run([tool("hadolint"), "--no-color", "--failure-threshold=style", dockerfile], cwd=project)


def test_dockerfile_serves_the_app(project: Path, answers: dict[str, Any]) -> None:
    dockerfile = project / "Dockerfile"
    if not dockerfile.exists():
        pytest.skip(f"deploy_target={answers['deploy_target']} has no Dockerfile")
    text = dockerfile.read_text()
    assert f'"{answers["package_name"]}.main:create_app", "--factory"' in text
    # `migrate` (the release/pre-deploy step) reads the SQL files from the image.
    migrations = "supabase/migrations" if answers["database"] == "supabase" else "migrations"
    assert f"COPY {migrations}/ {migrations}/" in text
    assert "http://127.0.0.1:8000/healthz" in text
    user = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert user, "the image must not run as root"
    assert user[-1].split(":")[0] not in {"root", "0"}


def test_yaml_files_parse_and_pass_yamllint(project: Path, tmp_path: Path) -> None:
    files = project_files(project, "*.yml", "*.yaml")
    assert files
    for path in files:
        assert_no_template_leftovers(path)
        list(yaml.load_all(path.read_text(), Loader=CloudFormationLoader))
    config = tmp_path / "yamllint.yaml"
    config.write_text(YAMLLINT_CONFIG)
    run([tool("yamllint"), "--strict", "--config-file", config, *files], cwd=project)


def test_toml_files_parse(project: Path) -> None:
    files = project_files(project, "*.toml")
    assert project / "pyproject.toml" in files
    for path in files:
        assert_no_template_leftovers(path)
        tomllib.loads(path.read_text())


def test_compose_stack(project: Path, answers: dict[str, Any]) -> None:
    if answers["deploy_target"] != "docker":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no compose stack")
    compose_file = project / "compose.yaml"
    run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", compose_file],
        cwd=project,
    )

    compose = load_yaml(compose_file)
    services = compose["services"]
    database_services = {"db", "backup"} if answers["database"] == "postgres" else set()
    assert set(services) == {"migrate", "web", "worker", "caddy"} | database_services
    slug = answers["project_slug"]
    assert services["migrate"]["command"] == [slug, "migrate"]
    assert services["worker"]["command"] == [slug, "worker"]
    for name in ("web", "worker"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    for name in ("migrate", "web", "worker"):
        assert services[name]["image"] == services["web"]["image"]
        assert slug in services[name]["image"]
        assert services[name]["env_file"] == ".env"
    assert "test" in services["web"]["healthcheck"]
    assert "ports" not in services["web"], "only Caddy should be reachable from outside"
    assert services["caddy"]["image"].startswith("caddy:2")
    assert {"80:80", "443:443"} <= set(services["caddy"]["ports"])
    if answers["database"] == "postgres":
        _check_compose_database(compose)


def _check_compose_database(compose: dict[str, Any]) -> None:
    """The database runs in the stack, in a volume, healthy before migrations; dumped daily."""
    services = compose["services"]
    db, backup = services["db"], services["backup"]
    assert db["image"].startswith("postgres:")
    assert "postgres_data" in compose["volumes"]
    assert any(volume.startswith("postgres_data:") for volume in db["volumes"])
    assert "pg_isready" in db["healthcheck"]["test"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "ports" not in db, "the database is reachable only inside the stack"
    for name in ("web", "worker", "migrate"):
        assert services[name]["environment"]["DATABASE_URL"].endswith("@db:5432/app")
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    script = backup["command"][0]
    assert "pg_dump --format=custom" in script
    assert "-mtime" in script and "-delete" in script, "old dumps are deleted"
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"


def test_caddyfile_serves_the_domain(
    project: Path, answers: dict[str, Any], tmp_path: Path
) -> None:
    if answers["deploy_target"] != "docker":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no Caddyfile")
    caddyfile = project / "Caddyfile"
    text = caddyfile.read_text()
    assert_no_template_leftovers(caddyfile)
    assert re.search(rf"^{re.escape(answers['domain'])} \{{$", text, flags=re.MULTILINE)
    assert "reverse_proxy web:8000" in text
    assert 'header Strict-Transport-Security "max-age=63072000; includeSubDomains"' in text

    caddy = tool("caddy")
    # Caddy keeps state under XDG folders; keep it out of the home directory.
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    run(
        [caddy, "adapt", "--config", caddyfile, "--adapter", "caddyfile", "--validate"],
        cwd=project,
        env=env,
    )
    formatted = run([caddy, "fmt", caddyfile], cwd=project, env=env)
    assert formatted == text, "the Caddyfile is not formatted the way `caddy fmt` formats it"


def test_deploy_workflow(project: Path, answers: dict[str, Any]) -> None:
    """Tests gate the deploy; secrets are named, never inlined, and reach scripts via env."""
    target = answers["deploy_target"]
    path = project / ".github" / "workflows" / "deploy.yml"
    workflow = load_yaml(path)
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert jobs["test"]["uses"].endswith("/.github/workflows/ci.yml")
    assert jobs["deploy"]["environment"]["name"] == "production"
    assert _needs_test(jobs, "deploy"), "the deploy must wait for the tests"

    text = path.read_text()
    for secret in DEPLOY_SECRETS[target]:
        assert f"${{{{ secrets.{secret} }}}}" in text
    for job in jobs.values():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), (
                f"step {step.get('name')!r} expands an expression in run:"
            )

    if target == "docker":
        assert jobs["image"]["needs"] == "test"
        assert jobs["deploy"]["needs"] == "image"
        assert workflow["env"]["IMAGE_NAME"] == answers["project_slug"]
    if target in {"vercel", "aws_lambda"}:
        # Migrations run from the workflow, before the new version takes traffic.
        steps = [step.get("name", "") for step in jobs["deploy"]["steps"]]
        migrate = steps.index("Migrate the database")
        takes_traffic = (
            "Promote the deployment to production" if target == "vercel" else "Deploy the stack"
        )
        assert migrate < steps.index(takes_traffic)


def _needs_test(jobs: dict[str, Any], name: str) -> bool:
    needs = jobs[name].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    return "test" in needs or any(_needs_test(jobs, other) for other in needs)


def test_fly_configuration(project: Path, answers: dict[str, Any]) -> None:
    if answers["deploy_target"] != "fly":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no fly.toml")
    slug, package = answers["project_slug"], answers["package_name"]
    config = tomllib.loads((project / "fly.toml").read_text())
    assert config["app"] == slug
    assert config["build"]["dockerfile"] == "Dockerfile"
    assert config["deploy"]["release_command"] == f"{slug} migrate"
    assert set(config["processes"]) == {"web", "worker"}
    assert config["processes"]["web"].startswith(f"uvicorn {package}.main:create_app --factory")
    assert config["processes"]["worker"] == f"{slug} worker"
    service = config["http_service"]
    assert service["internal_port"] == 8000
    assert service["force_https"] is True
    assert service["processes"] == ["web"], "only the web processes take HTTP traffic"
    assert service["min_machines_running"] >= 1, "webhooks must find a running machine"
    assert [check["path"] for check in service["checks"]] == ["/healthz"]
    assert config["env"]["APP_ENV"] == "production"
    assert config["env"]["BASE_URL"] == f"https://{answers['domain']}"
    assert {process for vm in config["vm"] for process in vm["processes"]} == {"web", "worker"}


def test_render_blueprint(project: Path, answers: dict[str, Any]) -> None:
    if answers["deploy_target"] != "render":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no render.yaml")
    slug = answers["project_slug"]
    blueprint = load_yaml(project / "render.yaml")
    services = {service["type"]: service for service in blueprint["services"]}
    assert set(services) == {"web", "worker", "cron"}
    group = f"{slug}-production"
    for service in services.values():
        assert service["runtime"] == "docker"
        assert service["dockerfilePath"] == "./Dockerfile"
        assert service["autoDeployTrigger"] == "off", "deploy.yml deploys once the tests pass"
        assert {"fromGroup": group} in service["envVars"]
    web = services["web"]
    assert web["healthCheckPath"] == "/healthz"
    assert web["preDeployCommand"] == f"{slug} migrate"
    assert web["domains"] == [answers["domain"]]
    assert services["worker"]["dockerCommand"] == f"{slug} worker"
    assert services["cron"]["dockerCommand"] == f"{slug} worker --until-empty"
    assert len(services["cron"]["schedule"].split()) == 5

    [env_group] = blueprint["envVarGroups"]
    assert env_group["name"] == group
    variables = {variable["key"]: variable for variable in env_group["envVars"]}
    assert variables["APP_ENV"]["value"] == "production"
    assert variables["SECRET_KEY"] == {"key": "SECRET_KEY", "generateValue": True}
    if answers["database"] == "postgres":
        [database] = blueprint["databases"]
        for service in services.values():
            assert {
                "key": "DATABASE_URL",
                "fromDatabase": {"name": database["name"], "property": "connectionString"},
            } in service["envVars"]
        assert "DATABASE_URL" not in variables
    else:
        assert variables["DATABASE_URL"]["sync"] is False, "secrets are entered, never committed"
    for name in variables:
        assert not name.startswith("SUPABASE_") or answers["database"] == "supabase"


def test_sam_template_passes_cfn_lint(project: Path, answers: dict[str, Any]) -> None:
    if answers["deploy_target"] != "aws_lambda":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no SAM template")
    template_file = project / "template.yaml"
    assert_no_template_leftovers(template_file)
    run([tool("cfn-lint"), "--non-zero-exit-code", "informational", template_file], cwd=project)

    template = yaml.load(template_file.read_text(), Loader=CloudFormationLoader)
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    resources = template["Resources"]
    web = resources["WebFunction"]["Properties"]
    drain = resources["DrainJobsFunction"]["Properties"]
    module = answers["package_name"] + ".lambda_handler"
    assert web["Handler"] == f"{module}.handle_http"
    assert drain["Handler"] == f"{module}.drain_jobs"
    handler_source = (project / "src" / answers["package_name"] / "lambda_handler.py").read_text()
    for function in ("handle_http", "drain_jobs"):
        assert f"def {function}(" in handler_source
    assert {event["Type"] for event in web["Events"].values()} == {"HttpApi"}
    [schedule] = drain["Events"].values()
    assert schedule["Type"] == "ScheduleV2"
    assert schedule["Properties"]["ScheduleExpression"].startswith("rate(")
    # The drain's budget must end before Lambda's timeout does.
    budget = float(drain["Environment"]["Variables"]["DRAIN_BUDGET_SECONDS"])
    assert budget < drain["Timeout"]
    parameters = template["Parameters"]
    for name in ("SecretKey", "CronSecret", "DatabaseUrl"):
        assert parameters[name]["NoEcho"] is True


def test_vercel_configuration(project: Path, answers: dict[str, Any]) -> None:
    if answers["deploy_target"] != "vercel":
        pytest.skip(f"deploy_target={answers['deploy_target']} has no vercel.json")
    config_file = project / "vercel.json"
    assert_no_template_leftovers(config_file)
    run([tool("check-jsonschema"), "--schemafile", VERCEL_SCHEMA, config_file], cwd=project)
    config = json.loads(config_file.read_text())
    for function in config["functions"]:
        assert (project / function).is_file(), f"vercel.json configures a missing {function}"
        assert config["functions"][function]["maxDuration"] <= 60
    entry = (project / "api" / "index.py").read_text()
    assert f"from {answers['package_name']}.main import create_app" in entry
    assert "app = create_app()" in entry
    assert [cron["path"] for cron in config["crons"]] == ["/internal/drain-jobs"]
