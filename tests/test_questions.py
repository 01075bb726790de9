"""copier.yml: every question helps the user, and bad answers are refused with a way out."""

from pathlib import Path

import pytest

from .matrix import PRODUCT_QUESTIONS, choices, combinations, questions
from .render import render

METADATA_QUESTIONS = (
    "project_name",
    "project_slug",
    "package_name",
    "description",
    "author_name",
    "author_email",
    "domain",
)


def test_every_question_has_help() -> None:
    for name in (*METADATA_QUESTIONS, *PRODUCT_QUESTIONS):
        assert questions()[name].get("help"), f"{name} has no help text"


def test_product_choices_are_labelled_and_default_first() -> None:
    for name in PRODUCT_QUESTIONS:
        spec = questions()[name]
        assert isinstance(spec["choices"], dict), f"{name}: choices need labels"
        assert spec["default"] == choices(name)[0], f"{name}: the default must be listed first"


def test_combinations_cover_the_product_of_choices() -> None:
    expected = 1
    for name in PRODUCT_QUESTIONS:
        expected *= len(choices(name))
    assert len(combinations()) == expected
    assert len({tuple(c.values()) for c in combinations()}) == expected


def test_no_tasks_so_copy_needs_no_trust() -> None:
    assert "_tasks" not in questions()
    assert "_jinja_extensions" not in questions()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_slug": "My_Slug"}, "is not a valid slug"),
        ({"project_slug": "-leading"}, "is not a valid slug"),
        ({"package_name": "my-pkg"}, "is not a valid Python package name"),
        ({"package_name": "stripe"}, "would shadow a module"),
        ({"author_email": "not-an-email"}, "is not an email address"),
        ({"domain": "https://app.example.com"}, 'without "https://"'),
        ({"domain": "app_example.com"}, "is not a valid domain name"),
        ({"project_name": "  "}, "Give the product a name"),
        ({"payment_gateway": "paypal"}, "payment_gateway"),
    ],
)
def test_bad_answers_are_refused_with_a_message(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        render(tmp_path / "project", answers)
    assert not (tmp_path / "project" / "pyproject.toml").exists()
    assert str(refused.value)


def test_derived_defaults(tmp_path: Path) -> None:
    project = render(tmp_path / "p", {"project_name": "Acme Invoices!"})
    answers = (project / ".copier-answers.yml").read_text()
    assert "project_slug: acme-invoices" in answers
    assert "package_name: acme_invoices" in answers
    assert "domain: acme-invoices.example.com" in answers
    assert (project / "src" / "acme_invoices" / "main.py").is_file()
