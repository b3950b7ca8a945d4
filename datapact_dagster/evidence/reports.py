"""Building a report from the store and rendering it in one of the supported formats."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from datapact_dagster.contract.model import SlaTarget

from .report_html import render_html
from .report_json import render_json
from .report_junit import render_junit
from .report_markdown import render_markdown
from .report_model import EvidenceReport, build_report
from .report_trends import table_trends
from .store import EvidenceStore, utc_timestamp

RENDERERS: dict[str, Callable[[EvidenceReport], str]] = {
    "html": render_html,
    "json": render_json,
    "junit": render_junit,
    "md": render_markdown,
}
REPORT_FORMATS: tuple[str, ...] = tuple(RENDERERS)


def report_from_store(
    store: EvidenceStore,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    contract_id: str | None = None,
    run_id: str | None = None,
    sla_targets: Mapping[str, Sequence[SlaTarget]] | None = None,
) -> EvidenceReport:
    """The selected records plus the verification of the whole chain (not just the window)."""
    records = store.records(since=since, until=until, contract_id=contract_id, run_id=run_id)
    report = build_report(
        records,
        store.verify(),
        since=utc_timestamp(since) if since else None,
        until=utc_timestamp(until) if until else None,
        contract_filter=contract_id,
        run_id=run_id,
        sla_targets=sla_targets,
    )
    return replace(report, trends=table_trends(store, records, since=since, until=until))


def render_report(report: EvidenceReport, report_format: str) -> str:
    try:
        return RENDERERS[report_format](report)
    except KeyError:
        raise ValueError(
            f"unknown report format {report_format!r}; expected one of {REPORT_FORMATS}"
        ) from None


def report_for_run(store: EvidenceStore, run_id: str, out_dir: Path) -> Path:
    """Writes <out_dir>/run-<run_id>.html with the evidence of one pipeline run."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"run-{re.sub(r'[^A-Za-z0-9_.-]+', '_', run_id)}.html"
    path.write_text(render_html(report_from_store(store, run_id=run_id)), encoding="utf-8")
    return path
