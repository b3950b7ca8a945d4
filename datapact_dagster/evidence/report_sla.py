"""The SLA figures section of every report format: the words, the JSON and the Markdown of it
(HTML draws the same words in templates/sla.html.j2, JUnit carries them as properties)."""

from __future__ import annotations

from typing import Any

from .report_model import ContractReport, EvidenceReport, format_duration
from .sla import SlaEpisode, SlaFigureSummary, SlaFigureValue, SlaTableSummary

FIGURE_TITLES = {
    "timeToDetect": "Time to detect",
    "timeToNotify": "Time to notify",
    "timeToRepair": "Time to repair",
}


def figure_text(value: SlaFigureValue) -> str:
    """e.g. '4m 2s, met (target 15m)' or 'not measured (no alert delivered), missed (...)'."""
    measured = (
        format_duration(value.seconds)
        if value.seconds is not None
        else f"not measured ({value.note or 'unknown'})"
    )
    if value.verdict is None:
        return measured
    return f"{measured}, {value.verdict} (target {format_duration(value.target_seconds or 0)})"


def summary_text(summary: SlaFigureSummary) -> str:
    """e.g. 'median 3m, worst 5m, met 1 of 2 (target 15m)'."""
    if summary.measured == 0:
        measured = "not measured"
    else:
        median, worst = summary.median_seconds or 0.0, summary.worst_seconds or 0.0
        measured = f"median {format_duration(median)}, worst {format_duration(worst)}"
    if summary.target_seconds is None:
        return measured
    judged = summary.met + summary.missed
    target = format_duration(summary.target_seconds)
    return f"{measured}, met {summary.met} of {judged} (target {target})"


def episode_span(episode: SlaEpisode) -> str:
    return f"{episode.detected_at} to {episode.recovered_at or 'ongoing'}"


def junit_facts(contract: ContractReport) -> list[tuple[str, str]]:
    facts = [
        (
            "sla_episode",
            f"{e.asset_key} {episode_span(e)} (opened by run {e.opened_by_run}): "
            + "; ".join(f"{f.figure} {figure_text(f)}" for f in e.figures),
        )
        for e in contract.sla_episodes
    ]
    facts += [
        (
            "sla_summary",
            f"{t.asset_key}: {t.episodes} episode(s), {t.ongoing} ongoing; "
            + "; ".join(f"{f.figure} {summary_text(f)}" for f in t.figures),
        )
        for t in contract.sla_tables
    ]
    return facts


def sla_document(contract: ContractReport) -> dict[str, Any]:
    return {
        "targets": [
            {
                "property": t.figure,
                "seconds": t.limit.total_seconds(),
                "table": t.table,
                "doc_path": t.doc_path,
            }
            for t in contract.sla_targets
        ],
        "episodes": [_episode_document(e) for e in contract.sla_episodes],
        "tables": [_table_document(t) for t in contract.sla_tables],
    }


def _episode_document(episode: SlaEpisode) -> dict[str, Any]:
    return {
        "asset_key": episode.asset_key,
        "opened_by_run": episode.opened_by_run,
        "recovered_by_run": episode.recovered_by_run,
        "data_arrived_at": episode.data_arrived_at,
        "arrival_source": episode.arrival_source,
        "detected_at": episode.detected_at,
        "notified_at": episode.notified_at,
        "recovered_at": episode.recovered_at,
        "ongoing": episode.ongoing,
        "failing_checks": list(episode.failing_checks),
        "figures": {
            f.figure: {
                "seconds": f.seconds,
                "target_seconds": f.target_seconds,
                "verdict": f.verdict,
                "note": f.note,
            }
            for f in episode.figures
        },
    }


def _table_document(table: SlaTableSummary) -> dict[str, Any]:
    return {
        "asset_key": table.asset_key,
        "episodes": table.episodes,
        "ongoing": table.ongoing,
        "figures": {
            f.figure: {
                "measured": f.measured,
                "median_seconds": f.median_seconds,
                "worst_seconds": f.worst_seconds,
                "target_seconds": f.target_seconds,
                "met": f.met,
                "missed": f.missed,
            }
            for f in table.figures
        },
    }


def markdown_lines(report: EvidenceReport, cell: Any) -> list[str]:
    episodes = [(c.contract_id, e) for c in report.contracts for e in c.sla_episodes]
    if not episodes:
        return []
    titles = [FIGURE_TITLES[f.figure] for f in episodes[0][1].figures]
    lines = [
        "",
        "### SLA figures",
        "",
        "| Contract | Asset | Episode | " + " | ".join(titles) + " |",
        "|---|---|---|" + "---|" * len(titles),
    ]
    lines += [
        f"| {cell(cid)} | {cell(e.asset_key)} | {episode_span(e)} | "
        + " | ".join(cell(figure_text(f)) for f in e.figures)
        + " |"
        for cid, e in episodes
    ]
    lines += [
        "",
        "| Contract | Asset | Episodes | " + " | ".join(titles) + " |",
        "|---|---|---:|" + "---|" * len(titles),
    ]
    lines += [
        f"| {cell(c.contract_id)} | {cell(t.asset_key)} | {t.episodes} | "
        + " | ".join(cell(summary_text(f)) for f in t.figures)
        + " |"
        for c in report.contracts
        for t in c.sla_tables
    ]
    return lines
