"""The registry of check kinds, checked whole when it is imported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter
from types import MappingProxyType

from datapact_dagster.checks.rules import (
    column_options,
    keys,
    metrics,
    monitors,
    queries,
    schema_freshness,
)
from datapact_dagster.checks.rules.kind import Engine, RuleKind, Source
from datapact_dagster.checks.spec import CheckKind, CheckSpec
from datapact_dagster.contract.model import QualityRule
from datapact_dagster.contract.odcs_quality import EXECUTABLE_RULE_TYPES, LIBRARY, LIBRARY_METRICS

FAILING_ROWS_FIELDS = frozenset({"t", "th", "regex", "parent"})
"""What describe.rows_summary fills into a kind's failing_rows phrase."""


class RegistryError(Exception):
    """A check kind is missing from the registry, or one of its pieces is."""


def verify_registry(registry: Mapping[CheckKind, RuleKind]) -> None:
    """Raise RegistryError unless every CheckKind has a complete, consistent entry."""
    problems = [f"{kind}: no registry entry" for kind in CheckKind if kind not in registry]
    for key, rule in registry.items():
        problems += [f"{key}: {p}" for p in _entry_problems(key, rule)]
    problems += _odcs_problems(registry.values())
    if problems:
        raise RegistryError("check kind registry is incomplete:\n  " + "\n  ".join(problems))


def _entry_problems(key: CheckKind, rule: RuleKind) -> list[str]:
    problems = []
    if rule.kind is not key:
        problems.append(f"registered under {key} but declares kind {rule.kind}")
    if not rule.odcs_source:
        problems.append("no odcs_source")
    if not rule.levels:
        problems.append("no level (table or column) where it is allowed")
    if rule.engine is Engine.gx and rule.expectation is None:
        problems.append("a GX kind without an expectation builder")
    if rule.engine is not Engine.gx and rule.expectation is not None:
        problems.append(f"a {rule.engine} kind with an expectation builder")
    if rule.failing_rows is not None:
        fields = {name for _, name, _, _ in Formatter().parse(rule.failing_rows) if name}
        if unknown := fields - FAILING_ROWS_FIELDS:
            problems.append(f"failing_rows uses unknown field(s) {', '.join(sorted(unknown))}")
    if (rule.source is Source.quality) != (rule.odcs_type is not None):
        problems.append("odcs_type is set exactly for kinds compiled from quality rules")
    if (rule.odcs_type == LIBRARY) != (rule.odcs_metric is not None):
        problems.append("odcs_metric is set exactly for library-metric kinds")
    return problems


def _odcs_problems(rules: Iterable[RuleKind]) -> list[str]:
    """Each executable ODCS rule type and library metric compiles to exactly one kind."""
    problems = []
    seen: dict[tuple[str | None, str | None], CheckKind] = {}
    for rule in rules:
        if rule.odcs_type is None:
            continue
        if rule.odcs_type not in EXECUTABLE_RULE_TYPES:
            problems.append(f"{rule.kind}: odcs_type {rule.odcs_type!r} is not executable")
        source = (rule.odcs_type, rule.odcs_metric)
        if source in seen:
            problems.append(f"{rule.kind}: compiles the same ODCS rule as {seen[source]}")
        seen[source] = rule.kind
        if rule.odcs_metric is not None and LIBRARY_METRICS.get(rule.odcs_metric) != rule.levels:
            problems.append(f"{rule.kind}: levels differ from ODCS metric {rule.odcs_metric}")
    expected = {(t, None) for t in EXECUTABLE_RULE_TYPES if t != LIBRARY}
    expected |= {(LIBRARY, metric) for metric in LIBRARY_METRICS}
    missing = sorted(expected - set(seen), key=str)
    problems += [f"ODCS rule (type, metric) {source} compiles to no kind" for source in missing]
    return problems


def _build() -> Mapping[CheckKind, RuleKind]:
    families = (schema_freshness, column_options, keys, metrics, queries, monitors)
    declared = {rule.kind: rule for family in families for rule in family.KINDS}
    return MappingProxyType({kind: declared[kind] for kind in CheckKind if kind in declared})


REGISTRY: Mapping[CheckKind, RuleKind] = _build()
verify_registry(REGISTRY)

NATIVE_KINDS = frozenset(kind for kind, rule in REGISTRY.items() if rule.engine is Engine.native)
HISTORY_KINDS = frozenset(kind for kind, rule in REGISTRY.items() if rule.engine is Engine.history)
"""Anomaly monitors: judged from the run's metrics against the table's history, not by the
check engine."""
_QUALITY_KINDS = {
    (rule.odcs_type, rule.odcs_metric): rule for rule in REGISTRY.values() if rule.odcs_type
}


def kinds_compiled_from(source: Source) -> tuple[RuleKind, ...]:
    """The kinds compiled from a table's `source`, in CheckKind order."""
    return tuple(rule for rule in REGISTRY.values() if rule.source is source)


def kind_of_quality_rule(rule: QualityRule) -> RuleKind:
    """The kind one validated ODCS quality rule compiles to."""
    metric = rule.metric if rule.type == LIBRARY else None
    return _QUALITY_KINDS[(rule.type, metric)]


def required_columns(spec: CheckSpec) -> list[str]:
    """The relation columns a check reads, each once."""
    return list(dict.fromkeys(REGISTRY[spec.kind].required_columns(spec)))
