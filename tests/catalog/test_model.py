"""The catalog's view of contracts: latest verdicts from the evidence store, cardinality of a
relationship, file names and anchors, the search index."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from datapact_dagster.catalog.model import age_text, cardinality, contract_views, page_name
from datapact_dagster.catalog.search_index import search_index
from datapact_dagster.catalog.verdicts import NEVER_RUN, latest_verdicts
from datapact_dagster.contract.model import Column, Layer, Table
from datapact_dagster.evidence import EvidenceStore
from datapact_dagster.plan.graph import build_graph
from datapact_dagster.plan.loading import require_contracts
from tests.evidence.factories import append, check_spec, failing, passing

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog" / "project"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATAPACT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("DATAPACT_EVIDENCE_URL", raising=False)
    return tmp_path / "state"


def test_the_newest_record_of_a_check_is_its_verdict(state: Path) -> None:
    state.mkdir()
    store = EvidenceStore(f"sqlite:///{state / 'evidence.db'}")
    unique, not_null = check_spec(), check_spec("raw_orders__order_id__not_null")
    append(store, [failing(unique), passing(not_null)], run_id="first")
    append(store, [passing(unique)], run_id="second")
    store.close()

    verdicts = latest_verdicts(FIXTURE)

    assert verdicts.of(unique.key).word == "pass"
    assert verdicts.of(unique.key).run_id == "second"
    assert verdicts.of(not_null.key).word == "pass"
    assert verdicts.of(not_null.key).at is not None and verdicts.of(not_null.key).at.endswith("UTC")
    assert verdicts.of("never__seen__check").word == NEVER_RUN


def test_a_project_that_never_ran_has_no_verdicts_and_no_store_is_created(state: Path) -> None:
    verdicts = latest_verdicts(FIXTURE)

    assert not verdicts.ever_run and verdicts.unavailable is None
    assert not (state / "evidence.db").exists()


def test_an_unreadable_store_is_named_not_fatal(
    state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAPACT_EVIDENCE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")

    verdicts = latest_verdicts(FIXTURE)

    assert verdicts.unavailable and "evidence" in verdicts.unavailable
    assert verdicts.of("any__check").word == NEVER_RUN


def _table(name: str, *columns: Column) -> Table:
    return Table(
        name=name,
        layer=Layer.silver,
        physical_name=f"silver.{name}",
        columns=columns,
        sql_path=Path("x.sql"),
        doc_path="/schema/0",
    )


def _column(name: str, *, key: bool = False, unique: bool = False) -> Column:
    return Column(
        name=name,
        logical_type="string",
        primary_key=key,
        primary_key_position=1 if key else -1,
        unique=unique,
        doc_path=f"/p/{name}",
    )


def test_cardinality_from_the_keys_at_both_ends() -> None:
    parent = _table("teams", _column("id", key=True), _column("name", unique=True), _column("x"))
    child = _table("members", _column("id", key=True), _column("team_id"))

    assert cardinality(child, ("team_id",), parent, ("id",)) == "many-to-one"
    assert cardinality(child, ("team_id",), parent, ("name",)) == "many-to-one"
    assert cardinality(child, ("id",), parent, ("id",)) == "one-to-one"
    assert cardinality(child, ("team_id",), parent, ("x",)) == "unknown"
    assert cardinality(child, ("team_id",), None, ("id",)) == "unknown"


def test_words_and_names() -> None:
    assert age_text(timedelta(days=2, hours=3)) == "2 days 3 hours"
    assert age_text(timedelta(minutes=1)) == "1 minute"
    assert page_name("hr/teams v2") == "contract-hr_teams_v2.html"
    assert page_name("commerce.orders") == "contract-commerce.orders.html"


def test_the_search_index_has_every_column_with_its_facets(state: Path) -> None:
    graph = build_graph(require_contracts(FIXTURE))
    views = contract_views(graph, latest_verdicts(FIXTURE))

    index = search_index(views)

    team_ids = {c["table"] for c in index["columns"] if c["column"] == "team_id"}
    assert team_ids == {"bronze.raw_people", "silver.teams", "silver.members", "gold.headcount"}
    phone = next(c for c in index["columns"] if c["column"] == "phone")
    assert phone["pii"] and phone["classification"] == "confidential" and phone["layer"] == "bronze"
    headcount = next(t for t in index["tables"] if t["table"] == "gold.headcount")
    assert (headcount["domain"], headcount["status"], headcount["pii"]) == (
        "finance",
        "active",
        False,
    )
    assert "finance-reporting@example.org" in headcount["text"]
    members = next(v for v in views if v.id == "hr.teams").tables[1]
    rules = {r.key: r.verdict.word for c in members.columns for r in c.rules}
    assert rules and set(rules.values()) == {NEVER_RUN}
