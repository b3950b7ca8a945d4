"""The shipped contracts are valid; `datapact validate` and `datapact list` report on them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from datapact_dagster.checks.compile import compile_table_checks
from datapact_dagster.cli import main
from datapact_dagster.commands.base import EXIT_INVALID, EXIT_OK
from datapact_dagster.plan.loading import load_contracts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "invalid"


def test_shipped_contracts_have_no_findings(project_root: Path) -> None:
    result = load_contracts(None, root=project_root)

    assert result.findings == []
    assert result.ok
    assert result.contracts is not None
    shipped = sorted(p.name for p in (project_root / "contracts").glob("*.yaml"))
    assert sorted(c.source_path.name for c in result.contracts.contracts) == shipped


def test_cli_validate_contracts_folder_exits_0(
    project_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project_root)

    code = main(["--project", str(project_root), "validate", "contracts/"])

    out = capsys.readouterr()
    assert code == EXIT_OK
    count = len(list((project_root / "contracts").glob("*.yaml")))
    assert f"{count} contract(s) valid." in out.out
    assert out.err == ""


def test_cli_validate_json_on_valid_project(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--project", str(project_root), "validate", "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    assert report == {"valid": True, "files": report["files"], "findings": []}
    assert len(report["files"]) == len(list((project_root / "contracts").glob("*.yaml")))


def test_cli_validate_json_finding_fields(capsys: pytest.CaptureFixture[str]) -> None:
    case = FIXTURES / "status-unknown"
    code = main(["--project", str(case), "validate", "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_INVALID
    assert report["valid"] is False
    [finding] = report["findings"]
    assert finding == {
        "file": "contracts/items.yaml",
        "line": 6,
        "column": 1,
        "path": "status",
        "message": "status 'production' is not one DataPact knows",
        "fix": "use one of: draft, active, deprecated, retired",
        "severity": "error",
        "code": "status",
    }


def test_cli_list_shows_every_table_with_owner_and_rule_count(
    project_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--project", str(project_root), "list"])

    out = capsys.readouterr().out
    assert code == EXIT_OK
    contracts = load_contracts(None, root=project_root).contracts
    assert contracts is not None
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "VERSION", "STATUS", "TABLE", "OWNER", "RULES"]
    assert len(lines) == 2 + len(contracts.tables)
    for contract, table in contracts.tables:
        [row] = [line for line in lines if f" {table.physical_name} " in line]
        assert row.startswith(contract.id)
        assert ", ".join(contract.owners) in row
        assert row.split()[-1] == str(len(compile_table_checks(contract, table)))


def test_cli_list_json(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project_root), "list", "--format", "json"])

    rows = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK
    contracts = load_contracts(None, root=project_root).contracts
    assert contracts is not None
    assert {r["table"] for r in rows} == {t.physical_name for _, t in contracts.tables}
    for row in rows:
        assert row["owner"]
        assert isinstance(row["rules"], int) and row["rules"] > 0


def test_validating_one_file_of_a_valid_project(project_root: Path) -> None:
    result = load_contracts([project_root / "contracts" / "orders.yaml"], root=project_root)

    assert result.ok, result.findings
    assert result.contracts is not None
    assert [c.id for c in result.contracts.contracts] == ["commerce.orders"]


@pytest.mark.parametrize(
    ("case", "file", "message"),
    [
        (
            "duplicate-contract-id",
            "contracts/items_v2.yaml",
            "is also used by contracts/items.yaml",
        ),
        ("relationship-unknown-column", "contracts/items.yaml", "raw_items.sku"),
        ("sql-reads-undeclared-table", "contracts/items.yaml", "reads bronze.raw_prices"),
        ("sql-cycle", "contracts/a.yaml", "dependency cycle"),
    ],
)
def test_validating_one_file_applies_cross_file_rules(case: str, file: str, message: str) -> None:
    root = FIXTURES / case
    result = load_contracts([root / file], root=root)

    assert not result.ok
    assert any(message in f.message for f in result.findings), result.findings


def test_validating_a_clean_file_of_a_broken_project_is_not_ok() -> None:
    """raw_items.yaml is fine, but the project it belongs to is not: say so, and where."""
    root = FIXTURES / "sql-reads-undeclared-table"
    result = load_contracts([root / "contracts" / "raw_items.yaml"], root=root)

    assert not result.ok
    [finding] = result.findings
    assert finding.file == "sql/silver/items.sql"
    assert "another file of the project is invalid" in finding.message


def test_cli_validate_one_file_with_relative_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = FIXTURES / "duplicate-contract-id"
    monkeypatch.chdir(root)

    code = main(["validate", "contracts/items_v2.yaml"])

    err = capsys.readouterr().err
    assert code == EXIT_INVALID
    assert "contracts/items_v2.yaml:3:1: error at id: contract id 'shop.items'" in err


@pytest.fixture
def project_copy(project_root: Path, tmp_path: Path) -> Path:
    for folder in ("contracts", "sql"):
        shutil.copytree(project_root / folder, tmp_path / folder)
    return tmp_path


def _edit(file: Path, old: str, new: str) -> tuple[int, int]:
    """Replace `old` once; return the 1-based line and column where `new` starts."""
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1
    before = text[: text.index(old)]
    file.write_text(text.replace(old, new), encoding="utf-8")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def test_position_of_a_top_level_value(project_copy: Path) -> None:
    file = project_copy / "contracts" / "orders.yaml"
    line, column = _edit(file, "status: active", "status: live")

    result = load_contracts(None, root=project_copy)

    [finding] = result.findings
    assert (finding.file, finding.line, finding.column) == ("contracts/orders.yaml", line, column)
    assert finding.path == "status"
    assert (line, column) == (6, 1)


def test_position_of_a_nested_option(project_copy: Path) -> None:
    file = project_copy / "contracts" / "orders.yaml"
    line, column = _edit(file, "minimum: -50000", "minimum: 60000")

    result = load_contracts(None, root=project_copy)

    [finding] = result.findings
    assert (finding.line, finding.column) == (line, column)
    assert finding.path == "schema[0].properties[4].logicalTypeOptions.minimum"
    assert finding.message == "the minimum 60000 is above the maximum 50000"
    assert file.read_text().splitlines()[line - 1].strip() == "minimum: 60000"


def test_position_of_a_sql_reference(project_copy: Path) -> None:
    sql = project_copy / "sql" / "silver" / "orders.sql"
    line, _ = _edit(sql, "FROM bronze.raw_orders AS o", "FROM bronze.raw_order AS o")

    result = load_contracts(None, root=project_copy)

    [finding] = result.findings
    assert (finding.file, finding.line) == ("sql/silver/orders.sql", line)
    assert "reads bronze.raw_order, which no contract declares" in finding.message


@pytest.mark.parametrize("cron", ["@daily", "0 6 * * mon-fri", "*/15 * * * *"])
def test_a_cron_dagster_runs_is_accepted(project_copy: Path, cron: str) -> None:
    file = project_copy / "contracts" / "customer_profile.yaml"
    _edit(file, 'value: "0 6 * * *"', f'value: "{cron}"')

    result = load_contracts(None, root=project_copy)

    assert result.ok, [f.render() for f in result.findings]
    [contract] = [c for c in result.contracts.contracts if c.schedule]
    assert contract.schedule == cron


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
        ("SELECT * FROM '/etc/passwd'", "file path or URL is not a table"),
        ("SELECT getenv('HOME') AS h, o.* FROM bronze.raw_orders AS o", "getenv()"),
    ],
)
def test_table_sql_that_reaches_outside_the_data_is_refused_where_it_is_written(
    project_copy: Path, select: str, message: str
) -> None:
    sql = project_copy / "sql" / "silver" / "orders.sql"
    sql.write_text(f"-- reads the host\n{select}\n", encoding="utf-8")

    result = load_contracts(None, root=project_copy)

    located = [
        f for f in result.findings if f.file == "sql/silver/orders.sql" and message in f.message
    ]
    assert located, [f.render() for f in result.findings]
    assert located[0].line == 2
    assert result.contracts is None
