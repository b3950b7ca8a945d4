"""Contracts written for other tools validate as they are: `datapact validate` on the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datapact_dagster.cli import main
from datapact_dagster.commands.base import EXIT_INVALID, EXIT_OK
from datapact_dagster.contract.odcs_schema import odcs_validator

FOREIGN = Path(__file__).resolve().parent.parent / "fixtures" / "foreign"


def test_the_foreign_corpus_validates(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(FOREIGN), "validate", "--format", "json"])

    report = json.loads(capsys.readouterr().out)
    assert code == EXIT_OK, report["findings"]
    assert report["valid"] and len(report["files"]) == 3


def test_a_v3_0_document_is_held_to_the_v3_0_schema(tmp_path: Path) -> None:
    """v3.0 has no `timestamp` logical type: its own schema refuses it, v3.2's would not."""
    document = {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": "x",
        "version": "1.0.0",
        "status": "active",
        "schema": [{"name": "t", "properties": [{"name": "At", "logicalType": "timestamp"}]}],
    }
    assert list(odcs_validator("v3.0.2").iter_errors(document))
    assert not list(odcs_validator("v3.2.0").iter_errors({**document, "apiVersion": "v3.2.0"}))


def test_a_timestamp_column_in_a_v3_0_contract_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    (project / "contracts").mkdir(parents=True)
    (project / "sql" / "bronze").mkdir(parents=True)
    (project / "sql" / "bronze" / "tbl.sql").write_text('SELECT 1 AS "At"\n')
    text = (FOREIGN / "contracts" / "sites.yaml").read_text(encoding="utf-8")
    (project / "contracts" / "sites.yaml").write_text(
        text.replace(
            "logicalType: string\n        primaryKey", "logicalType: timestamp\n        primaryKey"
        ),
        encoding="utf-8",
    )

    code = main(["--project", str(project), "validate", "--format", "json"])

    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == EXIT_INVALID
    assert any(
        f["path"] == "schema[0].properties[0].logicalType" and "'timestamp'" in f["message"]
        for f in findings
    ), findings
