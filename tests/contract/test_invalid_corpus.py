"""The invalid-contract corpus: every case folder is rejected with the expected, located findings.

Each folder under tests/fixtures/invalid/ is a small project root (contracts/, sql/) holding one
mistake, and an `expected.yaml` listing the findings it must produce: file, line, column (where
meaningful), path inside the document (optional) and a substring of the message.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from datapact_dagster.cli import main
from datapact_dagster.commands.base import EXIT_INVALID
from datapact_dagster.contract.findings import Finding
from datapact_dagster.plan.loading import load_contracts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "invalid"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
# A sample run through the command line too: each reader, the schema, per-file and cross-file rules.
CLI_CASES = [
    "api-version-v2",
    "duplicate-check-key",
    "no-contracts",
    "not-utf8",
    "relationship-unknown-column",
    "rule-no-operator",
    "sql-cycle",
    "sql-reads-undeclared-table",
    "status-relationship-to-retired",
    "status-sql-reads-draft",
    "top-level-list",
    "top-level-unknown-key",
    "yaml-tab-indentation",
]


def expected_findings(case: str) -> list[dict[str, Any]]:
    spec = yaml.safe_load((FIXTURES / case / "expected.yaml").read_text(encoding="utf-8"))
    findings = spec["findings"]
    assert findings, f"{case}: expected.yaml lists no finding"
    return findings


def matches(finding: Finding, expected: dict[str, Any]) -> bool:
    return (
        finding.file == expected["file"]
        and finding.line == expected["line"]
        and finding.column == expected.get("column", finding.column)
        and finding.path == expected.get("path", finding.path)
        and expected["message"] in finding.message
    )


def describe(findings: list[Finding]) -> str:
    return "\n".join(f.render() for f in findings) or "(no findings)"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 35


def test_cli_cases_exist() -> None:
    assert set(CLI_CASES) <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_case_is_rejected_with_located_findings(case: str) -> None:
    result = load_contracts(None, root=FIXTURES / case)

    assert not result.ok
    assert result.contracts is None
    errors = [f for f in result.findings if f.severity == "error"]
    for expected in expected_findings(case):
        assert any(matches(f, expected) for f in errors), (
            f"{case}: missing {expected}\ngot:\n{describe(result.findings)}"
        )
    # One mistake per case: no follow-on noise.
    assert len(errors) == len(expected_findings(case)), describe(result.findings)
    for finding in result.findings:
        assert finding.fix, f"{case}: finding without a fix: {finding.render()}"


def key_in_document(file: Path, doc_path: str) -> str | None:
    """The last key of `doc_path` if the document has a value there, else None."""
    parts = re.findall(r"([A-Za-z_]+)|\[(\d+)\]", doc_path)
    if not parts or not parts[-1][0]:
        return None
    node: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    for key, index in parts:
        if key and isinstance(node, dict) and key in node:
            node = node[key]
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return None
    return parts[-1][0]


@pytest.mark.parametrize("case", CASES)
def test_finding_position_points_at_its_key(case: str) -> None:
    """Where a finding names an existing key, its line:column is where that key is written."""
    for finding in load_contracts(None, root=FIXTURES / case).findings:
        file = FIXTURES / case / finding.file
        if not file.is_file() or finding.code in ("duplicate-key", "encoding"):
            continue
        key = key_in_document(file, finding.path)
        if key is None:
            continue
        line = file.read_text(encoding="utf-8").splitlines()[finding.line - 1]
        assert line[finding.column - 1 :].startswith(key), (
            f"{finding.render()}\nline {finding.line}: {line!r}"
        )


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_validate_reports_case(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(FIXTURES / case), "validate"])

    out = capsys.readouterr()
    assert code == EXIT_INVALID
    assert "Traceback" not in out.out + out.err
    for expected in expected_findings(case):
        where = f"{expected['file']}:{expected['line']}:"
        if "column" in expected:
            where += f"{expected['column']}:"
        assert where in out.err, out.err
        assert expected["message"] in out.err
    assert "problem(s) in" in out.err


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_validate_json_has_finding_fields(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--project", str(FIXTURES / case), "validate", "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_INVALID
    assert report["valid"] is False
    for expected in expected_findings(case):
        assert any(
            f["file"] == expected["file"]
            and f["line"] == expected["line"]
            and expected["message"] in f["message"]
            for f in report["findings"]
        ), report["findings"]
    for finding in report["findings"]:
        assert {"file", "line", "column", "path", "message", "fix", "severity", "code"} <= set(
            finding
        )


def test_cli_list_refuses_invalid_project(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(FIXTURES / "sql-cycle"), "list"])

    out = capsys.readouterr()
    assert code == EXIT_INVALID
    assert "dependency cycle" in out.err
    assert "Traceback" not in out.err
