"""What every report format says the same way: a change's place, its impact, the summary."""

from __future__ import annotations

from datapact_dagster.changes.kinds import ChangeClass
from datapact_dagster.changes.model import Change, ContractDiff, DiffReport
from datapact_dagster.plan.impact import Impact
from datapact_dagster.plan.impact_report import consumer_line


def place(change: Change) -> str:
    where = f"{change.file}:{change.line}"
    return f"{where} (old file)" if change.side == "old" else where


def versions(diff: ContractDiff) -> str:
    return f"{diff.old_version or '(none)'} -> {diff.new_version or '(removed)'}"


def impact_lines(impact: Impact | None) -> list[str]:
    """One line each for the downstream columns, the checks on them and each consumer hit."""
    if impact is None:
        return []
    lines = []
    if impact.downstream_columns:
        columns = ", ".join(str(h.ref) for h in impact.downstream_columns)
        lines.append(f"downstream columns: {columns}")
    if impact.checks:
        lines.append(f"checks: {', '.join(c.key for c in impact.checks)}")
    lines += [f"consumer {consumer_line(c)}" for c in impact.consumers]
    return lines


def requirement(diff: ContractDiff) -> str:
    if diff.new_version is None or diff.old_version is None:
        return f"{diff.highest_class or 'no'} change"
    text = f"required bump: {diff.required_bump.value}"
    if diff.actual_bump is not None:
        text += f" (version moved: {diff.actual_bump.value})"
    if diff.lenient_reason:
        text += f"; {diff.lenient_reason}"
    return text


def summary(report: DiffReport) -> str:
    counts = ", ".join(f"{report.count(k)} {k.value}" for k in reversed(ChangeClass))
    errors = len(report.errors)
    verdict = f"{errors} error(s)" if errors else "no errors"
    return f"{len(report.contracts)} contract(s) with changes or findings: {counts}; {verdict}."
