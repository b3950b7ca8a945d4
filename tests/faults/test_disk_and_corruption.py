"""A full disk in the middle of a run, and a warehouse file overwritten with garbage."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import (
    RUN_ONE,
    Project,
    assert_clean_cause,
    assert_fails_cleanly,
    copy_project,
)

TMPFS_SIZE = "8m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs: filling it is a real ENOSPC for every file DataPact writes there."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(
            "a full disk needs a small filesystem and mounting a tmpfs was refused "
            f"(needs root with CAP_SYS_ADMIN): {mounted.stderr.strip()}"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    # Unbuffered: a buffered file would re-raise ENOSPC when it flushes on close.
    with filler.open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_disk_full_mid_run(duckdb_template: Project, small_disk: Path) -> None:
    project = copy_project(duckdb_template, small_disk / "state")
    before = project.published()

    run = project.start("full", *RUN_ONE)
    run.wait_for("bronze.raw_customers: building")
    filler = _fill(small_disk)
    result = run.finish()
    filler.unlink()

    assert result.returncode == 3, result.stdout + result.stderr
    assert project.published() == before
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before
    assert_clean_cause(result, "disk")


def test_corrupt_warehouse_file(project: Project) -> None:
    database = Path(project.warehouse_url.removeprefix("duckdb:///"))
    healthy = project.cli("status")
    assert healthy.returncode == 0, healthy.stderr
    before = project.published()
    backup = database.with_suffix(".backup")
    shutil.copy(database, backup)
    for leftover in database.parent.glob(database.name + ".wal"):
        shutil.copy(leftover, leftover.with_suffix(".wal-backup"))
    database.write_bytes(os.urandom(256 * 1024))

    status = project.cli("status")
    run = project.cli(*RUN_ONE)

    assert_fails_cleanly(status, 3, str(database), "cannot be read")
    assert status.stdout == "", "no table is shown as healthy"
    assert len(status.stderr.strip().splitlines()) == 1, status.stderr
    assert "healthy" not in status.stderr
    assert_fails_cleanly(run, 3, str(database))

    shutil.copy(backup, database)
    for saved in database.parent.glob(database.name + ".wal-backup"):
        shutil.copy(saved, saved.with_suffix(".wal"))
    assert project.published() == before
    project.assert_evidence_verifies()
    project.assert_next_run_succeeds()
    assert project.published() == before
