"""Which kept version a rollback restores, and the refusals, without a warehouse."""

from __future__ import annotations

from datetime import datetime

import pytest

from datapact_dagster.errors import UserError
from datapact_dagster.pipeline.rollback import choose_version
from datapact_dagster.settings import keep_versions_from
from datapact_dagster.warehouse.versions import PublishedVersion

TABLE = "silver.customers"


def _version(run_id: str, day: int, current: bool = False) -> PublishedVersion:
    relation = TABLE if current else f"{TABLE}__dp_v{run_id[:8]}"
    return PublishedVersion(relation, TABLE, run_id, datetime(2026, 5, day), 10, f"h{day}")


def test_default_is_the_version_published_before_the_one_in_force() -> None:
    found = [_version("run-c", 3), _version("run-b", 2, current=True), _version("run-a", 1)]
    current, target = choose_version("silver/customers", found, None)
    assert (current.run_id, target.run_id) == ("run-b", "run-a")


def test_to_takes_a_run_id_or_its_first_characters() -> None:
    found = [_version("aaaa1111-x", 3, current=True), _version("bbbb2222-y", 2)]
    assert choose_version("t", found, "bbbb")[1].run_id == "bbbb2222-y"
    assert choose_version("t", found, "bbbb2222-y")[1].run_id == "bbbb2222-y"


@pytest.mark.parametrize(
    ("found", "to_run", "message"),
    [
        ([], None, "silver/customers has not been published yet"),
        (
            [_version("run-a", 1, current=True)],
            None,
            "no earlier published version of silver/customers is kept",
        ),
        (
            [_version("run-b", 2), _version("run-a", 1, current=True)],
            None,
            "no version of silver/customers published before the one in force (run run-a) is "
            "kept; choose one with --to RUN from the kept runs: run-b (2026-05-02 00:00)",
        ),
        (
            [_version("run-b", 2, current=True), _version("run-a", 1)],
            "run-z",
            "--to 'run-z' is not a kept run of silver/customers; kept runs: run-a",
        ),
        (
            [_version("run-b", 2, current=True), _version("run-a", 1)],
            "run-b",
            "run run-b is already the version of silver/customers in force",
        ),
        (
            [_version("run-c", 3, current=True), _version("run-a2", 2), _version("run-a1", 1)],
            "run-a",
            "--to 'run-a' matches several kept runs",
        ),
    ],
)
def test_refusals_name_the_problem_and_the_choices(
    found: list[PublishedVersion], to_run: str | None, message: str
) -> None:
    with pytest.raises(UserError) as refused:
        choose_version("silver/customers", found, to_run)
    assert message in str(refused.value)
    assert refused.value.exit_code == 2


@pytest.mark.parametrize(("value", "kept"), [(None, 3), ("", 3), ("0", 0), (" 5 ", 5)])
def test_keep_versions_setting(value: str | None, kept: int) -> None:
    assert keep_versions_from(value) == kept


@pytest.mark.parametrize("value", ["-1", "three", "2.5"])
def test_keep_versions_must_be_a_whole_number(value: str) -> None:
    with pytest.raises(UserError, match=r"DATAPACT_KEEP_VERSIONS=.* is not a number of versions"):
        keep_versions_from(value)
