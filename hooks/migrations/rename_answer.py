"""Carry a renamed question (and renamed choice values) over in a product's answers file.

Copier runs this as a `before` migration of `copier update`, in the product's
directory, with the interpreter that runs Copier itself (`{{ _copier_python }}`):

    rename_answer.py .copier-answers.yml OLD_NAME NEW_NAME [--value OLD=NEW ...]

Copier renders the product's old version from the answers as recorded, then runs
the `before` migrations, then reloads the answers for the new version. Renaming
the key here keeps the product's choice: without it Copier would drop the unknown
old answer and silently take the new question's default.

The rename is idempotent: an answers file without OLD_NAME is left as it is, so
running it twice, or on a product generated after the rename, changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml  # Copier depends on PyYAML, so the interpreter running Copier has it.

HEADER = "# Changes here will be overwritten by Copier; NEVER EDIT MANUALLY\n"


def rename(answers: dict[str, object], old: str, new: str, values: dict[str, str]) -> bool:
    """Rename `old` to `new` in place, mapping renamed choice values; True if changed."""
    if old not in answers:
        return False
    value = answers.pop(old)
    if new in answers:
        # Both names present: the new one was answered on purpose, keep it.
        return True
    if isinstance(value, str):
        value = values.get(value, value)
    answers[new] = value
    return True


def parse_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        old, separator, new = pair.partition("=")
        if not separator or not old or not new:
            raise SystemExit(f"--value takes OLD=NEW (for example vps=docker), not {pair!r}")
        values[old] = new
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers_file", type=Path, help="the product's .copier-answers.yml")
    parser.add_argument("old", help="the question's previous name")
    parser.add_argument("new", help="the question's name in the new template version")
    parser.add_argument(
        "--value",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="a renamed choice value (repeatable)",
    )
    args = parser.parse_args(argv)
    values = parse_values(args.value)

    path: Path = args.answers_file
    if not path.is_file():
        raise SystemExit(f"{path} not found: run `copier update` from the product's directory")
    answers = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(answers, dict):
        raise SystemExit(f"{path} is not a Copier answers file (expected a mapping)")

    if rename(answers, args.old, args.new, values):
        path.write_text(
            HEADER + yaml.safe_dump(answers, sort_keys=True, allow_unicode=True),
            encoding="utf-8",
        )
        print(f"{path}: answer {args.old!r} is now {args.new!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
