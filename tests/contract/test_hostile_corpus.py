"""The hostile-contract corpus: files written to take the validator down or to make a rule reach
outside its data. Each is answered by `datapact validate` with exit 2 and a located error, in a
child process whose CPU time and peak memory are measured (under 5 s and 512 MB).

Layout of tests/fixtures/hostile/: `cases/<case>.yaml` is one contract file; `project/` holds
the SQL every case shares; `expected.yaml` gives, per case, the line of the first error and a
part of its message. A case runs as a project of its own: `project/` plus the case as
`contracts/<case>.yaml`. The huge cases are generated here from a small seed, so the repository
stays small.

Each case runs the `datapact` command line (`cli.main`) in a forked child of this process, so
the measured CPU time is the validator's, not the interpreter's start-up; a few cases also run
through the installed `datapact` executable end to end.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from datapact_dagster.cli import main
from datapact_dagster.contract.yaml_limits import MAX_FILE_BYTES

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load(
    (HOSTILE / "expected.yaml").read_text(encoding="utf-8")
)
FILE_CASES = sorted(p.stem for p in (HOSTILE / "cases").glob("*.yaml"))
MAX_CPU_SECONDS = 5.0
MAX_RSS_BYTES = 512 * 1024 * 1024
WALL_TIMEOUT = 60.0
SEED_HEAD = (HOSTILE / "cases" / "sql-read-csv.yaml").read_text(encoding="utf-8")


def _columns(count: int) -> str:
    head = SEED_HEAD.split("    properties:\n")[0] + "    properties:\n"
    return head + "".join(
        f"      - name: c{i}\n        logicalType: integer\n        required: true\n"
        for i in range(count)
    )


GENERATED: dict[str, tuple[Callable[[], str], int, str]] = {
    # case: (contract text, line of the first error, part of its message)
    "huge-description": (
        lambda: SEED_HEAD.replace("Items received.", "x" * (MAX_FILE_BYTES + 1024)),
        1,
        "a contract may be at most",
    ),
    "columns-400000": (lambda: _columns(400_000), 1, "a contract may be at most"),
    "columns-9000-values": (lambda: _columns(9_000), 0, "more than 50,000 YAML values"),
    "deep-nesting-100000": (
        lambda: "apiVersion: v3.1.0\nx: " + "[" * 100_000 + "]" * 100_000 + "\n",
        2,
        "the nesting is deeper than",
    ),
}


@dataclass
class Answer:
    code: int
    out: str
    err: str
    cpu_seconds: float
    max_rss_bytes: int


def make_project(tmp: Path, case: str) -> Path:
    root = tmp / case
    shutil.copytree(HOSTILE / "project", root)
    (root / "contracts").mkdir()
    target = root / "contracts" / f"{case}.yaml"
    if case in GENERATED:
        target.write_text(GENERATED[case][0](), encoding="utf-8")
    else:
        shutil.copy(HOSTILE / "cases" / f"{case}.yaml", target)
    return root


def _child(root: Path) -> None:
    """In the forked child: run `datapact validate` with its output in files, then exit."""
    code = 3
    try:
        out = os.open(root / "out.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        err = os.open(root / "err.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the child exits below
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        resource.setrlimit(resource.RLIMIT_CPU, (30, 30))
        code = main(["--project", str(root), "validate"])
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int) -> tuple[int, resource.struct_rusage]:
    deadline = time.monotonic() + WALL_TIMEOUT
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def validate_in_child(root: Path) -> Answer:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        _child(root)
    code, usage = _wait(pid)
    return Answer(
        code,
        (root / "out.txt").read_text(encoding="utf-8"),
        (root / "err.txt").read_text(encoding="utf-8"),
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss * 1024,
    )


def expected_for(case: str) -> tuple[int, str]:
    if case in GENERATED:
        _make, line, message = GENERATED[case]
        return line, message
    return int(EXPECTED[case]["line"]), str(EXPECTED[case]["message"])  # type: ignore[call-overload]


def assert_answered(case: str, answer: Answer) -> None:
    line, message = expected_for(case)
    where = f"contracts/{case}.yaml:{line}:" if line else f"contracts/{case}.yaml:"
    assert answer.code == 2, f"{case}: exit {answer.code}\n{answer.err}"
    assert "Traceback" not in answer.out + answer.err, answer.err
    assert any(row.startswith(where) and message in row for row in answer.err.splitlines()), (
        f"{case}: no '{where} ... {message}' in\n{answer.err}"
    )
    assert answer.cpu_seconds < MAX_CPU_SECONDS, f"{case}: {answer.cpu_seconds:.1f} s of CPU"
    assert answer.max_rss_bytes < MAX_RSS_BYTES, f"{case}: {answer.max_rss_bytes >> 20} MB"


def test_corpus_is_large_enough() -> None:
    assert len(FILE_CASES) >= 40
    assert set(EXPECTED) == set(FILE_CASES)


@pytest.mark.parametrize("case", FILE_CASES + sorted(GENERATED))
def test_hostile_contract_is_refused_with_a_located_error(case: str, tmp_path: Path) -> None:
    assert_answered(case, validate_in_child(make_project(tmp_path, case)))


@pytest.mark.parametrize("case", ["alias-bomb-sequences", "deep-nesting-100000", "sql-read-csv"])
def test_installed_command_refuses_hostile_contract(case: str, tmp_path: Path) -> None:
    root = make_project(tmp_path, case)
    command = Path(sys.executable).with_name("datapact")
    # Forked first, then exec'd: a child spawned straight from this process would report this
    # process's own peak memory (the kernel carries the old address space's peak over an exec).
    out_file, err_file = tmp_path / "validate.out", tmp_path / "validate.err"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            with out_file.open("w") as out, err_file.open("w") as err:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
            os.execv(str(command), [str(command), "--project", str(root), "validate"])
        finally:
            os._exit(127)
    code, usage = _wait(pid)
    cpu = usage.ru_utime + usage.ru_stime
    done = subprocess.CompletedProcess(
        [str(command)], code, out_file.read_text(), err_file.read_text()
    )
    assert_answered(
        case, Answer(done.returncode, done.stdout, done.stderr, cpu, usage.ru_maxrss * 1024)
    )
