"""SLA targets read from `slaProperties`, and `datapact report` when they cannot be read."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from datapact_dagster.cli import main
from datapact_dagster.commands.base import EXIT_OK
from datapact_dagster.contract.build_sla_targets import sla_figure
from datapact_dagster.evidence import ContractRef, EvidenceStore
from datapact_dagster.plan.loading import load_contracts
from tests.evidence.factories import FINGERPRINT, check_spec, failing

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ITEMS = ContractRef(id="shop.items", version="1.0.0", content_hash="sha256:items")


def test_the_three_odcs_figures_are_read_with_their_unit_and_table() -> None:
    contracts = load_contracts(None, root=FIXTURES / "sla").contracts
    assert contracts is not None
    [contract] = contracts.contracts

    assert [(t.figure, t.limit, t.table, t.doc_path) for t in contract.sla_targets] == [
        ("timeToDetect", timedelta(hours=1), "orders", "slaProperties[0]"),
        ("timeToNotify", timedelta(hours=1), None, "slaProperties[1]"),
        ("timeToRepair", timedelta(seconds=1), None, "slaProperties[2]"),
    ]
    [freshness_free] = contract.tables
    assert freshness_free.freshness is None


@pytest.mark.parametrize(
    ("written", "figure"),
    [
        ("timeToDetect", "timeToDetect"),
        ("TIMETONOTIFY", "timeToNotify"),
        ("tr", "timeToRepair"),
        ("latency", None),
        (None, None),
    ],
)
def test_property_names_are_matched_as_odcs_says_case_insensitive_with_synonyms(
    written: str | None, figure: str | None
) -> None:
    assert sla_figure(written) == figure


def test_report_on_a_project_whose_contracts_do_not_load_shows_figures_without_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'evidence.db'}"
    monkeypatch.setenv("DATAPACT_EVIDENCE_URL", url)
    store = EvidenceStore(url)
    spec = check_spec("items__item_id__unique", table="items", column="item_id", contract=ITEMS)
    store.append_check_results(
        [failing(spec)], contract=ITEMS, suite_hash=None, fingerprint=FINGERPRINT, run_id="r1"
    )
    store.close()

    project = FIXTURES / "invalid" / "sla-target-unit-missing"
    code = main(["--project", str(project), "report", "--format", "json"])

    out = capsys.readouterr()
    assert code == EXIT_OK
    assert "the contracts do not load" in out.err
    [contract] = json.loads(out.out)["contracts"]
    assert contract["sla"]["targets"] == []
    [episode] = contract["sla"]["episodes"]
    assert episode["opened_by_run"] == "r1" and episode["ongoing"]
    assert {f["verdict"] for f in episode["figures"].values()} == {None}
