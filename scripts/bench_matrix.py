"""Benchmark the template's test matrix: run it (all of `make test`, or a subset) and
summarise the per-combination timings the tests record.

    uv run python scripts/bench_matrix.py                 # the whole `make test` run
    uv run python scripts/bench_matrix.py -k stripe       # a subset (pytest -k expression)
    uv run python scripts/bench_matrix.py --summarise timings.jsonl   # an earlier run's file

The tests append one JSON line per render, per generated toolchain run and per browser-test
run (`make e2e` of a few combinations) to the file
named by MATRIX_TIMINGS (see tests/products.py). Prints: combinations, total wall time,
generated-suite median / p95, render time per combination, the other tools' times and the
number of distinct dependency sets (each installed fresh with `uv sync`), and how many
generated suites were executed and how many reused a result of a run with byte-identical
inputs (tests/suite_results.py; the suite figures are of executed suites). Wall times
depend on what else the machine runs; CPU seconds are printed next to them, with the
embedded PostgreSQL server's own, which no child's rusage holds (it detaches), sampled
from /proc on Linux.
Asserts nothing: budgets are judged by reading the figures.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The embedded server the tests start (tests/conftest.py) when TEST_DATABASE_URL is unset.
POSTMASTER_PID = ROOT / ".pytest-pg" / "postmaster.pid"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live children and the children it has reaped (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process exited: its time is in its parent's cutime now
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += sum(int(value) for value in fields[11:15]) / ticks  # u, s, cu, cs time
    return total


class PostgresCpu:
    """CPU the embedded PostgreSQL server used during the run, sampled from /proc.

    The server detaches from the tests that start it (its parent is init), so its time is
    in no child's rusage; the postmaster counts its backends' time once it reaps them.
    A server already running when the run starts counts from there.
    """

    def __init__(self) -> None:
        self._before: dict[int, float] = {}  # postmaster pid: CPU when first seen
        self._latest: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def used(self) -> float:
        return sum(self._latest[pid] - self._before[pid] for pid in self._latest)

    def __enter__(self) -> "PostgresCpu":
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read(started_in_run=True)  # the server may still be up: its last seconds

    def _sample(self) -> None:
        while not self._stop.wait(2.0):
            self._read(started_in_run=True)

    def _read(self, started_in_run: bool = False) -> None:
        try:
            pid = int(POSTMASTER_PID.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        if not Path(f"/proc/{pid}").exists():
            return
        cpu = process_tree_cpu(pid)
        self._before.setdefault(pid, 0.0 if started_in_run else cpu)
        self._latest[pid] = cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values):.2f} s, p95 {percentile(values, 0.95):.2f} s, "
        f"max {max(values):.2f} s, total {sum(values):.1f} s"
    )


Records = dict[str, dict[str, Any]]


def load(path: Path) -> tuple[Records, Records, Records]:
    """Renders, generated suites and browser-test runs, by combination."""
    renders: Records = {}
    suites: Records = {}
    browser_runs: Records = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        if "pytest_s" in record:
            target = suites
        elif "e2e_s" in record:
            target = browser_runs
        else:
            target = renders
        target[record["combination"]] = record
    return renders, suites, browser_runs


def summarise(
    path: Path,
    wall: float | None,
    exit_code: int | None,
    cpu: float | None = None,
    postgres_cpu: float | None = None,
) -> None:
    renders, suites, browser_runs = load(path)
    combinations = sorted(set(renders) | set(suites))
    print(f"combinations: {len(combinations)} rendered, {len(suites)} generated suites obtained")
    executed = {name: r for name, r in suites.items() if not r.get("suite_reused_from")}
    print(
        f"combinations covered: {len(suites)}, suites executed: {len(executed)}, "
        f"reused: {len(suites) - len(executed)}"
    )
    if wall is not None:
        print(f"total wall time: {wall:.1f} s ({wall / 60:.1f} min), pytest exit code {exit_code}")
    if cpu is not None:
        print(
            f"total CPU time of pytest and everything it ran: {cpu:.0f} s "
            f"(= {cpu / 2 / 60:.1f} min on 2 otherwise idle cores; PostgreSQL not counted)"
        )
    if postgres_cpu:
        print(f"embedded PostgreSQL server (detached, sampled from /proc): {postgres_cpu:.0f} s")
    if wall and cpu is not None and postgres_cpu:
        cores = os.cpu_count() or 1
        work = cpu + postgres_cpu
        print(
            f"all the run's work: {work:.0f} CPU-s in {wall:.0f} s, "
            f"{100 * work / (wall * cores):.0f}% of {cores} cores"
        )

    def column(records: dict[str, dict[str, Any]], key: str) -> list[float]:
        return [float(record[key]) for record in records.values() if key in record]

    print(f"generated suite (pytest, wall): {spread(column(executed, 'pytest_s'))}")
    print(f"generated suite (pytest, CPU):  {spread(column(executed, 'pytest_cpu_s'))}")
    print(
        f"browser tests (make e2e, wall):  {spread(column(browser_runs, 'e2e_s'))} "
        f"on {len(browser_runs)} combinations"
    )
    print(f"browser tests (make e2e, CPU):   {spread(column(browser_runs, 'e2e_cpu_s'))}")
    print(f"render per combination (wall):  {spread(column(renders, 'render_s'))}")
    print(f"render per combination (CPU):   {spread(column(renders, 'render_cpu_s'))}")
    print(f"mypy --strict (wall):           {spread(column(suites, 'mypy_s'))}")
    print(f"ruff check + format (wall):     {spread(column(suites, 'ruff_s'))}")
    created = {name: record for name, record in suites.items() if record["created_environment"]}
    keys = {record["dependency_set"] for record in suites.values()}
    print(
        f"dependency sets: {len(keys)} distinct, each `uv sync`ed fresh once "
        f"(by {len(created)} combinations): {spread(column(created, 'sync_s'))}"
    )
    per_combination = [
        float(renders.get(name, {}).get("render_s", 0.0))
        + sum(float(suites[name][key]) for key in ("sync_s", "ruff_s", "mypy_s", "pytest_s"))
        for name in suites
    ]
    print(f"render + toolchain per combination (wall): {spread(per_combination)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="keyword", help="only combinations matching this expression")
    parser.add_argument("--summarise", type=Path, help="summarise an existing timings file")
    parser.add_argument("--keep", type=Path, help="write the timings file here")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()

    if args.summarise:
        summarise(args.summarise, None, None)
        return
    with tempfile.TemporaryDirectory() as tmp:
        timings = args.keep or Path(tmp) / "timings.jsonl"
        timings.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pytest", "-q", *args.pytest_args]
        if args.keyword:
            command += ["-k", args.keyword]
        env = {**os.environ, "MATRIX_TIMINGS": str(timings)}
        start, cpu = time.perf_counter(), children_cpu()
        with PostgresCpu() as postgres:
            result = subprocess.run(command, cwd=ROOT, env=env, check=False)
        wall, cpu = time.perf_counter() - start, children_cpu() - cpu
        print()
        summarise(timings, wall, result.returncode, cpu, postgres.used)


if __name__ == "__main__":
    main()
