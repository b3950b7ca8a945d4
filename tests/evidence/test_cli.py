"""`datapact evidence verify|list` and `datapact report`, run through argparse like the CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from junitparser import JUnitXml
from sqlalchemy import text

from datapact_dagster.commands import evidence, report
from datapact_dagster.commands.base import UserError
from datapact_dagster.evidence import EVIDENCE_URL_ENV, EvidenceStore, evidence_url
from datapact_dagster.evidence.schema import evidence_records

from .scenario import build_history


def datapact(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="datapact")
    parser.add_argument("--project", default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    evidence.register(sub)
    report.register(sub)
    args = parser.parse_args(argv)
    return int(args.handler(args))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(EVIDENCE_URL_ENV, raising=False)
    build_history(EvidenceStore(evidence_url(tmp_path)), monkeypatch)
    return tmp_path


def test_verify_intact_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert datapact("--project", str(project), "evidence", "verify") == 0
    assert "Evidence chain intact: 13 record(s) verified" in capsys.readouterr().out


def test_verify_names_the_first_bad_record(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = EvidenceStore(evidence_url(project))
    with store.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {evidence_records.name} SET summary = 'fine' WHERE seq = 11")
        )
    assert datapact("--project", str(project), "evidence", "verify") == 1
    assert "record 11 was edited (hash mismatch)" in capsys.readouterr().err
    assert datapact("--project", str(project), "evidence", "verify", "--format", "json") == 1
    assert json.loads(capsys.readouterr().out)["first_bad_seq"] == 11


def test_list_shows_the_latest_records(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert datapact("--project", str(project), "evidence", "list", "--limit", "2") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "12" and "FAIL" in lines[0]
    assert lines[1].split()[0] == "13" and "decision publish" in lines[1]
    assert datapact("--project", str(project), "evidence", "list", "--format", "json") == 0
    assert [r["seq"] for r in json.loads(capsys.readouterr().out)] == list(range(1, 14))


def test_list_rejects_a_non_positive_limit(project: Path) -> None:
    with pytest.raises(SystemExit):
        datapact("--project", str(project), "evidence", "list", "--limit", "0")


def test_report_json_to_stdout_with_filters(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--project", str(project), "report", "--format", "json", "--contract", "orders"]
    argv += ["--since", "2024-05-03", "--until", "2024-05-04T00:00:00Z"]
    assert datapact(*argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["run_id"] for r in doc["records"]} == {"run-3"}
    assert [c["id"] for c in doc["contracts"]] == ["orders"]


def test_report_html_defaults_to_the_project_reports_folder(project: Path) -> None:
    assert datapact("--project", str(project), "report") == 0
    html = (project / ".datapact" / "reports" / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert 'class="pass-rate-plot"' in html


def test_report_junit_and_md_to_files(project: Path, tmp_path: Path) -> None:
    junit_path, md_path = tmp_path / "out" / "evidence.xml", tmp_path / "out" / "evidence.md"
    common = ["--project", str(project), "report", "--out"]
    assert datapact(*common, str(junit_path), "--format", "junit") == 0
    assert sum(suite.tests for suite in JUnitXml.fromfile(str(junit_path))) == 11
    assert datapact(*common, str(md_path), "--format", "md") == 0
    assert "| orders |" in md_path.read_text()


def test_report_rejects_bad_dates(project: Path) -> None:
    with pytest.raises(SystemExit):
        datapact("--project", str(project), "report", "--since", "last tuesday")
    with pytest.raises(UserError, match="--since must be earlier"):
        datapact(
            "--project", str(project), "report", "--since", "2024-05-03", "--until", "2024-05-01"
        )


def test_evidence_url_environment_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "elsewhere.db"
    monkeypatch.setenv(EVIDENCE_URL_ENV, f"sqlite:///{other}")
    assert datapact("--project", str(tmp_path), "evidence", "verify") == 0
    assert other.exists()
    assert not (tmp_path / ".datapact" / "evidence.db").exists()
    assert "0 record(s)" in capsys.readouterr().out
