"""The change corpus: each case under tests/fixtures/changes/<case>/ holds an old and a new
version of a contract (either may be missing: added, removed) and the expected classified
changes, required bump and findings. Every row of docs/change-control.md is covered."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from datapact_dagster.changes.diff import diff_sides
from datapact_dagster.changes.kinds import KIND_CLASS
from datapact_dagster.changes.sides import Side, load_file_side

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "changes"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
DOC = Path(__file__).resolve().parents[2] / "docs" / "change-control.md"


SQL_TYPES = {"string": "VARCHAR", "number": "DOUBLE", "integer": "BIGINT"}


def _select(table: dict) -> str:
    """A SELECT producing exactly the declared columns (with types that hold them)."""
    columns = [
        f"CAST(NULL AS {SQL_TYPES.get(p['logicalType'], p['logicalType'].upper())}) AS {p['name']}"
        for p in table.get("properties") or ()
    ]
    return "SELECT " + ", ".join(columns) + "\n"


def _project_for(case: Path, root: Path) -> Path:
    """A project folder with a SQL file for every table the case's contracts name."""
    for file in case.glob("*.yaml"):
        data = yaml.safe_load(file.read_text())
        for table in data.get("schema") or ():
            layer = next(
                (
                    p["value"]
                    for p in table.get("customProperties") or ()
                    if p["property"] == "layer"
                ),
                str(table["physicalName"]).partition(".")[0],
            )
            for name in {table["name"], str(table["physicalName"]).rpartition(".")[2]}:
                sql = root / "sql" / layer / f"{name}.sql"
                sql.parent.mkdir(parents=True, exist_ok=True)
                sql.write_text(_select(table))
    return root


def _side(label: str, file: Path, root: Path) -> Side:
    if not file.is_file():
        return Side(label, root)
    side = load_file_side(label, file, root)
    assert side.valid, [f.render() for f in side.findings]
    return side


@pytest.mark.parametrize("case", CASES)
def test_case(case: str, tmp_path: Path) -> None:
    folder = CORPUS / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    root = _project_for(folder, tmp_path)
    new_file = folder / ("moved.yaml" if (folder / "moved.yaml").exists() else "new.yaml")
    report = diff_sides(
        _side("old", folder / "old.yaml", root),
        _side("new", new_file, root),
        track_moves=bool(expected.get("track_moves")),
    )
    assert len(report.contracts) == 1
    diff = report.contracts[0]
    got = Counter((c.kind, c.klass.value) for c in diff.changes)
    want = Counter((c["kind"], c["class"]) for c in expected["changes"])
    assert got == want, [c.message for c in diff.changes]
    for change in expected["changes"]:
        if "line" in change:
            lines = {c.line for c in diff.changes if c.kind == change["kind"]}
            assert change["line"] in lines, (change, lines)
    assert diff.required_bump.value == expected["required_bump"]
    by_severity = {
        severity: sorted(f.code for f in diff.findings if f.severity == severity)
        for severity in ("error", "warning", "info")
    }
    assert by_severity["error"] == sorted(expected["errors"])
    assert by_severity["warning"] == sorted(expected.get("warnings", []))
    infos = [code for code in by_severity["info"] if code != "sql-changed"]
    assert infos == sorted(expected.get("infos", []))


def _documented_kinds() -> dict[str, str]:
    rows = re.findall(r"^\| `([a-z_]+)` \| (breaking|additive|cosmetic) \|", DOC.read_text(), re.M)
    return dict(rows)


def test_the_doc_table_and_the_code_agree() -> None:
    assert _documented_kinds() == {kind: klass.value for kind, klass in KIND_CLASS.items()}


def test_the_corpus_covers_every_row_of_the_doc_table() -> None:
    covered = {
        change["kind"]
        for case in CASES
        for change in yaml.safe_load((CORPUS / case / "expected.yaml").read_text())["changes"]
    }
    assert set(_documented_kinds()) - covered == set()
    assert len(CASES) >= 30
