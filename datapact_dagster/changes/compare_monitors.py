"""A table's anomaly monitors compared: each is a check, so one added, removed or changed is a
quality rule added, removed or changed."""

from __future__ import annotations

from collections.abc import Sequence

from datapact_dagster.changes.recorder import Recorder
from datapact_dagster.contract.model import AnomalyMonitor

_FAMILY = {
    "row_count": "volume",
    "row_delta": "volume",
    "null_rate": "null-rate",
    "freshness_lag": "freshness",
}
_OPTIONS = (
    "metric",
    "direction",
    "severity",
    "history",
    "min_history",
    "sensitivity",
    "seasonality",
)


def _identity(monitor: AnomalyMonitor) -> tuple[str, str | None]:
    return _FAMILY[monitor.metric], monitor.column


def _label(monitor: AnomalyMonitor) -> str:
    family, column = _identity(monitor)
    return f"{family} anomaly monitor" + (f" on {column}" if column else "")


def compare_monitors(
    rec: Recorder,
    table: str,
    old: Sequence[AnomalyMonitor],
    new: Sequence[AnomalyMonitor],
    anchor: str,
) -> None:
    before = {_identity(m): m for m in old}
    after = {_identity(m): m for m in new}
    for key in sorted(before.keys() - after.keys(), key=str):
        monitor = before[key]
        rec.add(
            "rule_removed",
            f"{_label(monitor)} removed ({monitor.severity})",
            monitor.doc_path,
            table=table,
            column=monitor.column,
            side="old",
            anchor=anchor,
        )
    for key in sorted(after.keys() - before.keys(), key=str):
        monitor = after[key]
        rec.add(
            "rule_added",
            f"{_label(monitor)} added ({monitor.severity})",
            monitor.doc_path,
            table=table,
            column=monitor.column,
        )
    for key in sorted(before.keys() & after.keys(), key=str):
        was, now = before[key], after[key]
        changed = [o for o in _OPTIONS if getattr(was, o) != getattr(now, o)]
        if changed:
            what = ", ".join(f"{o} {getattr(was, o)} -> {getattr(now, o)}" for o in changed)
            rec.add(
                "rule_changed",
                f"{_label(now)}: {what}",
                now.doc_path,
                table=table,
                column=now.column,
            )
