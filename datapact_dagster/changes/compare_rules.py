"""Quality rules of one table (or one column) compared: added, removed, tightened, loosened."""

from __future__ import annotations

from collections.abc import Sequence

from datapact_dagster.changes.recorder import Recorder
from datapact_dagster.changes.thresholds import (
    Strictness,
    combine,
    compare_operators,
    compare_value_sets,
)
from datapact_dagster.contract.model import QualityRule

_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
_KIND_OF = {
    Strictness.tighter: "rule_tightened",
    Strictness.looser: "rule_loosened",
    Strictness.incomparable: "rule_changed",
}


def rule_label(rule: QualityRule) -> str:
    what = rule.name or rule.metric or f"{rule.type} rule"
    return f"rule '{what}'" + (f" on {rule.column}" if rule.column else "")


def _identity(rule: QualityRule) -> tuple[str | None, str]:
    return rule.column, rule.name or f"{rule.type}:{rule.metric or rule.query or ''}"


def _loose_identity(rule: QualityRule) -> tuple[str | None, str, str | None] | None:
    return None if rule.name else (rule.column, rule.type, rule.metric)


def pair_rules(
    old: Sequence[QualityRule], new: Sequence[QualityRule]
) -> tuple[list[tuple[QualityRule, QualityRule]], list[QualityRule], list[QualityRule]]:
    """(matched pairs, removed, added). Named rules match by name; unnamed ones by column,
    type and metric (or query), then by column, type and metric alone."""
    pairs: list[tuple[QualityRule, QualityRule]] = []
    left = list(new)
    removed: list[QualityRule] = []
    for rule in old:
        match = next((r for r in left if _identity(r) == _identity(rule)), None)
        if match is None:
            removed.append(rule)
        else:
            left.remove(match)
            pairs.append((rule, match))
    still_removed: list[QualityRule] = []
    for rule in removed:
        key = _loose_identity(rule)
        match = next((r for r in left if key and _loose_identity(r) == key), None)
        if match is None:
            still_removed.append(rule)
        else:
            left.remove(match)
            pairs.append((rule, match))
    return pairs, still_removed, left


def rule_strictness(old: QualityRule, new: QualityRule) -> Strictness:
    """How the new rule compares with the old one on what it lets through."""
    if (old.type, old.metric, old.query, old.engine, old.implementation, old.unit) != (
        new.type,
        new.metric,
        new.query,
        new.engine,
        new.implementation,
        new.unit,
    ):
        return Strictness.incomparable
    severity = Strictness.same
    if old.severity != new.severity:
        raised = _SEVERITY_RANK[new.severity] > _SEVERITY_RANK[old.severity]
        severity = Strictness.tighter if raised else Strictness.looser
    arguments = Strictness.same
    if old.arguments != new.arguments:
        other_old = {k: v for k, v in old.arguments.items() if k != "validValues"}
        other_new = {k: v for k, v in new.arguments.items() if k != "validValues"}
        if other_old != other_new:
            arguments = Strictness.incomparable
        else:
            arguments = compare_value_sets(
                set(map(repr, old.arguments.get("validValues") or ())),
                set(map(repr, new.arguments.get("validValues") or ())),
            )
    return combine(compare_operators(old.operator, new.operator), arguments, severity)


def _describe(rule: QualityRule) -> str:
    parts = [rule.operator.describe()] if rule.operator else []
    if rule.arguments.get("validValues"):
        parts.append(f"validValues {list(rule.arguments['validValues'])}")
    if rule.severity != "error":
        parts.append(f"severity {rule.severity}")
    return ", ".join(parts) or "as declared"


def compare_rules(
    rec: Recorder,
    table: str,
    old: Sequence[QualityRule],
    new: Sequence[QualityRule],
    anchor: str,
) -> None:
    pairs, removed, added = pair_rules(old, new)
    for rule in removed:
        rec.add(
            "rule_removed",
            f"{rule_label(rule)} removed ({_describe(rule)})",
            rule.doc_path,
            table=table,
            column=rule.column,
            side="old",
            anchor=anchor,
        )
    for rule in added:
        rec.add(
            "rule_added",
            f"{rule_label(rule)} added ({_describe(rule)})",
            rule.doc_path,
            table=table,
            column=rule.column,
        )
    for before, after in pairs:
        strictness = rule_strictness(before, after)
        if strictness != Strictness.same:
            rec.add(
                _KIND_OF[strictness],
                f"{rule_label(after)}: {_what_changed(before, after, strictness)}",
                after.doc_path,
                table=table,
                column=after.column,
            )
        if before.description != after.description:
            rec.add(
                "description_changed",
                f"{rule_label(after)}: description changed",
                f"{after.doc_path}.description",
                table=table,
                column=after.column,
            )


def _what_changed(before: QualityRule, after: QualityRule, strictness: Strictness) -> str:
    if strictness == Strictness.incomparable:
        fields = [
            name
            for name in ("type", "metric", "query", "unit", "engine", "implementation", "arguments")
            if getattr(before, name) != getattr(after, name)
        ] or ["threshold"]
        return f"{', '.join(fields)} changed; it cannot be shown to be as strict as before"
    verb = "tightened" if strictness == Strictness.tighter else "loosened"
    return f"{verb} from {_describe(before)} to {_describe(after)}"
