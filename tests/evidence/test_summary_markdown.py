"""One table's evidence of one run as Markdown: what the Dagster UI renders on the asset page."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from datapact_dagster.checks.result import PII_MASK
from datapact_dagster.evidence import EvidenceStore
from datapact_dagster.evidence.summary_markdown import render_table_summary
from tests.evidence.factories import FINGERPRINT, ORDERS, SUITE_HASH, check_spec, failing, passing


def _store(tmp_path: Path) -> EvidenceStore:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    unique = check_spec()
    email = check_spec("raw_orders__email__pattern", column="email")
    for run in ("run-1", "run-2"):
        store.append_check_results(
            [
                failing(unique, samples=(7, 7, 9)),
                failing(email, samples=("a@x.io",)),
                passing(check_spec("raw_orders__amount__not_null", column="amount")),
            ],
            contract=ORDERS,
            suite_hash=SUITE_HASH,
            fingerprint=FINGERPRINT,
            run_id=run,
            asset_key="bronze/raw_orders",
            pii_columns=("email",),
        )
        store.append_decision(
            "quarantine",
            contract_id=ORDERS.id,
            contract_version=ORDERS.version,
            contract_hash=ORDERS.content_hash,
            run_id=run,
            asset_key="bronze/raw_orders",
            details={"relation": f"quarantine.raw_orders_{run}", "rows": 1000},
        )
    return store


def test_summary_shows_verdicts_failures_with_masked_samples_decision_and_chain_head(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    text = render_table_summary(
        store.records(run_id="run-2"),
        asset_key="bronze/raw_orders",
        run_id="run-2",
        chain_head="store@here/6:abc",
        report_location="http://127.0.0.1:8765/run-run-2.html",
    )
    store.close()
    html = MarkdownIt().enable("table").render(text)
    cell = '<td style="text-align:right">'
    assert f"<td>pass</td>\n{cell}1</td>" in html
    assert f"<td>fail</td>\n{cell}2</td>" in html
    assert "raw_orders__order_id__unique" in text and "`7`, `7`, `9`" in text
    assert PII_MASK in text and "a@x.io" not in text, "PII samples stay masked"
    assert "**quarantine**: 1000 rows rejected into `quarantine.raw_orders_run-2`" in text
    assert "quarantine.raw_orders_run-1" not in text, "only the run asked for"
    assert "`store@here/6:abc`" in text
    assert "http://127.0.0.1:8765/run-run-2.html" in text


def test_a_check_only_run_has_no_decision_and_says_so(tmp_path: Path) -> None:
    text = render_table_summary([], asset_key="bronze/raw_orders", run_id="run-9", chain_head=None)
    assert "nothing was built or published" in text
    assert "no evidence store" in text
