"""Validation hardening: what rule SQL may do, one-pass reporting, credential URLs, scaling."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from datapact_dagster.contract.secret_urls import is_credential_url
from datapact_dagster.contract.sql_rules import check_rule_sql
from datapact_dagster.plan.loading import load_contracts

REPO = Path(__file__).resolve().parents[2]
HOSTILE_PROJECT = REPO / "tests" / "fixtures" / "hostile" / "project"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT COUNT(*) FROM {object} WHERE {property} <> LOWER({property})",
        "WITH bad AS (SELECT * FROM {object} WHERE qty < 0) SELECT COUNT(*) FROM bad",
        "SELECT COUNT(*) FROM (SELECT qty FROM {object}) AS t",
        "SELECT COUNT(*) FROM (VALUES (1), (2)) AS v(a)",
        "SELECT COUNT(*) FROM unnest([1, 2])",
        "SELECT ABS(COALESCE((SELECT SUM(x) FROM {object}), 0) - "
        "COALESCE((SELECT SUM(y) FROM silver.orders), 0))",
        "SELECT COUNT(*) FROM {object} WHERE regexp_matches(email, '^[a-z]+@')",
    ],
)
def test_a_rule_that_only_reads_data_is_accepted(query: str) -> None:
    problems, _reads = check_rule_sql(query)

    assert problems == []


def test_the_tables_a_rule_reads_are_resolved_by_the_project() -> None:
    _problems, reads = check_rule_sql(
        "SELECT (SELECT COUNT(*) FROM {object}) - (SELECT COUNT(*) FROM silver.orders)"
    )

    assert [r.qualified for r in reads] == ["silver.orders"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT COUNT(*) FROM read_csv_auto('/etc/passwd')", "calls read_csv_auto()"),
        ('SELECT COUNT(*) FROM "/etc/passwd"', "as a table"),
        ("SELECT current_setting('s3_secret_access_key')", "calls current_setting()"),
        ("SELECT COUNT(*) FROM parquet_scan('x.parquet')", "calls parquet_scan()"),
        ("SELECT COUNT(*) FROM sniff_csv('x.csv')", "calls sniff_csv()"),
        ("SELECT pg_ls_dir('/')", "calls pg_ls_dir()"),
        ("SELECT COUNT(*) FROM other.main.t", "another database"),
        ("SELECT 1; SELECT 2", "does not parse"),
    ],
)
def test_a_rule_that_reaches_outside_its_data_is_refused(query: str, message: str) -> None:
    problems, _reads = check_rule_sql(query)

    assert problems
    assert message in problems[0].message


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://hooks.slack.com/services/T0/B0/XXXX", True),
        ("https://x.webhook.office.com/webhookb2/abc", True),
        ("https://user:pw@alerts.example.org/hook", True),
        ("https://alerts.example.org/hook?token=abc", True),
        ("https://alerts.example.org/hook?api_key=abc", True),
        ("https://hooks.example.com/services/orders", False),
        ("mailto:orders@example.com", False),
    ],
)
def test_credential_urls_are_recognised(url: str, secret: bool) -> None:
    assert is_credential_url(url) is secret


def _project(tmp_path: Path, contract: str) -> Path:
    shutil.copytree(HOSTILE_PROJECT, tmp_path, dirs_exist_ok=True)
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "items.yaml").write_text(contract, encoding="utf-8")
    return tmp_path


HEAD = "apiVersion: v3.1.0\nkind: DataContract\nid: t.items\nversion: 1.0.0\nstatus: active\n"
OWNER = "team:\n  members:\n    - username: a@example.com\n      role: owner\n"


def test_an_unknown_key_does_not_hide_a_missing_owner_and_an_empty_schema(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, HEAD + "owner_email: a@example.com\nschema: []\n")

    messages = [f.message for f in load_contracts(None, root).findings]

    assert len(messages) == 3, messages
    assert "unknown top-level key(s) owner_email" in messages[0]
    assert any("declares no table" in m for m in messages)
    assert any("names no owner" in m for m in messages)


def test_a_reversed_range_is_not_hidden_by_a_name_clash(tmp_path: Path) -> None:
    table = (
        "schema:\n  - name: items\n    physicalName: bronze.items\n    properties:\n"
        "      - {name: qty, logicalType: integer}\n"
        "      - name: qty\n        logicalType: integer\n"
        "        logicalTypeOptions: {minimum: 10, maximum: 0}\n"
    )
    root = _project(tmp_path, HEAD + OWNER + table)

    messages = [f.message for f in load_contracts(None, root).findings]

    assert any("declared twice" in m for m in messages), messages
    assert any("the minimum 10 is above the maximum 0" in m for m in messages), messages


def test_a_broken_table_is_reported_once_and_its_sibling_is_still_checked(tmp_path: Path) -> None:
    table = (
        "schema:\n  - name: items\n    physicalName: bronze.items\n    properties:\n"
        "      - {name: qty, logicalType: integer, colour: red}\n"
        "  - name: other\n    physicalName: bronze.items_other\n    properties:\n"
        "      - name: qty\n        logicalType: integer\n"
        "        quality:\n          - {metric: nullValues, mustBeBetween: [5, 1]}\n"
    )
    root = _project(tmp_path, HEAD + OWNER + table)

    findings = load_contracts(None, root).findings

    assert [f.path for f in findings] == [
        "schema[0].properties[0].colour",
        "schema[1].physicalName",
        "schema[1].properties[0].quality[0].mustBeBetween",
    ], [f.render() for f in findings]


def _wide(tmp_path: Path, columns: int) -> float:
    props = "".join(
        f"      - name: c{i}\n        logicalType: integer\n        required: true\n"
        for i in range(columns)
    )
    table = "schema:\n  - name: items\n    physicalName: bronze.items\n    properties:\n" + props
    root = _project(tmp_path / str(columns), HEAD + OWNER + table)
    started = time.perf_counter()
    result = load_contracts(None, root)
    elapsed = time.perf_counter() - started
    assert result.ok, [f.render() for f in result.findings]
    return elapsed


def test_validation_time_grows_linearly_with_the_number_of_columns(tmp_path: Path) -> None:
    _wide(tmp_path, 20)  # warm caches (schema validator, GX catalogue)
    small, large = _wide(tmp_path, 150), _wide(tmp_path, 1200)

    # 8 times the columns: linear is ~8x; a quadratic step would be ~64x.
    assert large / small < 20, (small, large)
