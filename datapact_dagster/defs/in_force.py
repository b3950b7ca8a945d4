"""The breaker as an asset check: `<table>__contract_in_force`, in the words `datapact status` uses.

It is evaluated by every build and every check-only run, after the table's data checks, from
the breakers read at that moment (so this run's evaluations count). It passes only while the
table's breaker is closed and nothing upstream is breached. The breaker itself is computed from
the data checks only (breaker/read.py reads the contract's check specs), so this check never
feeds back into the state it reports.
"""

from __future__ import annotations

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.breaker.read import Breakers, describe_breach
from datapact_dagster.breaker.state import BreakerState, Health, TableBreaker
from datapact_dagster.defs.asset_specs import asset_key
from datapact_dagster.plan.project import TablePlan


def contract_in_force_key(plan: TablePlan) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(asset_key(plan.table), mk.contract_in_force_check(plan.table.name))


def table_check_keys(plan: TablePlan) -> list[dg.AssetCheckKey]:
    """Every check key of a table: its contract's checks, then the breaker's check."""
    key = asset_key(plan.table)
    return [dg.AssetCheckKey(key, s.key) for s in plan.specs] + [contract_in_force_key(plan)]


def contract_in_force_spec(plan: TablePlan) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=mk.contract_in_force_check(plan.table.name),
        asset=asset_key(plan.table),
        description=(
            f"[error, blocking] Contract {plan.contract.id} is in force for "
            f"{plan.table.physical_name}: its latest delivery passed every blocking check and "
            "no upstream contract table is breached (DataPact's breaker, as `datapact status` "
            "shows it)."
        ),
        metadata={mk.SEVERITY: "error", mk.CHECK_KIND: "breaker"},
    )


def breach_words(breaker: TableBreaker) -> str:
    """describe_breach plus when the episode started."""
    since = breaker.since
    return describe_breach(breaker) + (f", since {since:%Y-%m-%d %H:%M:%S} UTC" if since else "")


def table_health(plan: TablePlan, breakers: Breakers) -> Health:
    own = breakers.by_table[plan.table.asset_key]
    if own.health in (Health.breached, Health.stale):
        return own.health
    if breakers.breached_upstream_of(plan.table.asset_key):
        return Health.held
    return own.health


def in_force_result(
    plan: TablePlan,
    breakers: Breakers,
    *,
    run_id: str,
    published_run: str | None,
    data_failures: int | None,
    evidence_md: str | None = None,
) -> dg.AssetCheckResult:
    """The check's verdict for this run.

    `data_failures` is how many of the data checks this run evaluated failed on the data it
    judged (None when it judged none, e.g. a held step); `published_run` is the run whose data
    is published (None when none is).
    """
    own = breakers.by_table[plan.table.asset_key]
    upstream = breakers.breached_upstream_of(plan.table.asset_key)
    health = table_health(plan, breakers)
    passed = own.state is BreakerState.closed and not upstream
    sentences = _own_sentences(plan, own, run_id, published_run, data_failures, bool(upstream))
    sentences += [f"Held: upstream {breach_words(b)}." for b in upstream]
    metadata: dict[str, dg.MetadataValue] = {
        mk.HEALTH: dg.MetadataValue.text(health.value),
        mk.BREAKER: dg.MetadataValue.text(own.state.value),
        mk.SUMMARY: dg.MetadataValue.text(" ".join(sentences)),
        mk.CONTRACT: dg.MetadataValue.text(f"{plan.contract.id} v{plan.contract.version}"),
    }
    if published_run:
        metadata[mk.PUBLISHED_RUN] = dg.MetadataValue.text(published_run)
    if own.opened_by is not None:
        metadata[mk.LATEST_DELIVERY_RUN] = dg.MetadataValue.text(own.opened_by.run_id)
    if upstream:
        metadata[mk.HELD_REASON] = dg.MetadataValue.text(
            "; ".join(breach_words(b) for b in upstream)
        )
    if evidence_md:
        metadata[mk.EVIDENCE_SUMMARY] = dg.MetadataValue.md(evidence_md)
    return dg.AssetCheckResult(
        asset_key=asset_key(plan.table),
        check_name=mk.contract_in_force_check(plan.table.name),
        passed=passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=" ".join(sentences)[:2000],
        metadata=metadata,
    )


def _own_sentences(
    plan: TablePlan,
    own: TableBreaker,
    run_id: str,
    published_run: str | None,
    data_failures: int | None,
    held: bool,
) -> list[str]:
    contract = f"Contract {plan.contract.id} v{plan.contract.version}"
    published = f"the published data (run {published_run})" if published_run else None
    if own.state.holds_downstream:
        opened = own.opened_by
        rejected = (
            f"the latest delivery (run {opened.run_id}) was rejected by "
            + ", ".join(f.key for f in own.blocking_failures)
            + (f" since {own.since:%Y-%m-%d %H:%M:%S} UTC" if own.since else "")
            if opened is not None
            else "a blocking check fails"
        )
        state = "" if own.state is BreakerState.open else f" ({own.state.value})"
        if published and data_failures == 0 and opened is not None and opened.run_id != run_id:
            return [f"{contract} is {own.health.value}{state}: {published} passes; {rejected}."]
        if published:
            return [f"{contract} is {own.health.value}{state}: {rejected}; {published} stays."]
        return [f"{contract} is {own.health.value}{state}: {rejected}; nothing is published."]
    if own.state is BreakerState.never_run:
        return [f"{contract}: no check has been evaluated yet (never run)."]
    failing = ", ".join(f.key for f in own.failing)
    note = f" Non-blocking checks failing: {failing}." if failing else ""
    if held:
        return [
            f"{contract}: its own checks pass"
            + (f"; {published} stays published, not refreshed while held." if published else ".")
            + note
        ]
    return [
        f"{contract}: the latest delivery passed every blocking check"
        + (f"; {published} is in force." if published else ".")
        + note
    ]


def held_in_force(plan: TablePlan, breakers: Breakers, run_id: str) -> dg.AssetCheckEvaluation:
    """The breaker check of a table held below a table this step just found breached.

    Its own step will not run in this run (Dagster skips it), so the breached step reports it:
    the held table's contract is not in force, and its data checks are left unevaluated.
    """
    result = in_force_result(plan, breakers, run_id=run_id, published_run=None, data_failures=None)
    return dg.AssetCheckEvaluation(
        asset_key=asset_key(plan.table),
        check_name=result.check_name or mk.contract_in_force_check(plan.table.name),
        passed=result.passed,
        metadata=result.metadata,
        severity=result.severity,
        description=result.description,
        blocking=False,
    )
