"""One self-contained HTML file for auditors: inline CSS and SVG, no scripts, no network.

The page is drawn by the Jinja2 templates next to this module with autoescaping on, so every
value taken from evidence (contract ids, summaries, samples) reaches the page escaped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from .model import Record
from .report_markdown import format_rate
from .report_model import ContractReport, EvidenceReport, format_duration
from .report_sla import FIGURE_TITLES, figure_text, summary_text
from .report_svg import PassRatePlot, pass_rate_plot
from .report_trend_svg import trend_plot

MAX_DRILLDOWN_EVALUATIONS = 20
TEMPLATE = "report.html.j2"


def render_html(report: EvidenceReport) -> str:
    return _ENVIRONMENT.get_template(TEMPLATE).render(
        report=report, max_drilldown_evaluations=MAX_DRILLDOWN_EVALUATIONS
    )


def anchor(contract_id: str) -> str:
    """The fragment id of a contract's section, safe to use as an HTML id."""
    return "contract-" + re.sub(r"[^A-Za-z0-9_-]+", "-", contract_id)


def compact_json(value: Any) -> str:
    """One-line JSON of a record field without its empty entries; "" when nothing is left."""
    value = _without_nulls(value)
    if value in (None, [], {}):
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def summary_with_error(record: Record) -> str:
    summary = record.summary or ""
    error = record.details.get("error")
    return f"{summary} ({error})" if error and error not in summary else summary


def data_fingerprint(record: Record) -> str:
    if record.row_count is None:
        return "n/a"
    return f"{record.row_count:,} rows, {(record.data_hash or '')[:16]}"


def contract_plot(contract: ContractReport) -> PassRatePlot:
    title = f"Pass rate per {contract.series_bucket} for {contract.contract_id}"
    return pass_rate_plot(contract.series, title)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v not in (None, {}, [])}
    return value


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader(__package__ or "datapact_dagster.evidence", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        anchor=anchor,
        compact_json=compact_json,
        coord=_coordinate,
        data_fingerprint=data_fingerprint,
        duration=format_duration,
        pass_rate=format_rate,
        pass_rate_plot=contract_plot,
        summary_with_error=summary_with_error,
        sla_figure=figure_text,
        sla_summary=summary_text,
        sla_title=FIGURE_TITLES.__getitem__,
    )
    environment.globals.update(trend_plot=trend_plot)
    return environment


_ENVIRONMENT = _environment()
