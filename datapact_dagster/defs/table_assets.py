"""One Dagster asset per contract table; its step runs write-audit-publish with every check."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.approvals.holds import ApprovalHold
from datapact_dagster.breaker.project_breakers import read_project_breakers
from datapact_dagster.breaker.read import Breakers
from datapact_dagster.catalog.site import CATALOG_FOLDER
from datapact_dagster.changes.since_previous import changes_since_previous
from datapact_dagster.checks.result import CheckResult, Verdict
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.defs import jobs
from datapact_dagster.defs.asset_specs import asset_key, build_asset_spec, build_check_specs
from datapact_dagster.defs.check_events import to_check_result
from datapact_dagster.defs.guard import Hold, approval_hold, upstream_hold
from datapact_dagster.defs.in_force import contract_in_force_spec, in_force_result
from datapact_dagster.defs.metrics_events import metrics_metadata
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.defs.step_events import (
    approval_observation,
    downstream_held,
    evidence_metadata,
    held_observation,
    held_paths,
    lifecycle_skip,
    quarantine_observation,
    tag_run,
)
from datapact_dagster.evidence.anchors import ANCHOR_METADATA_KEY
from datapact_dagster.monitoring.store import metrics_store
from datapact_dagster.pipeline.evidence_sink import (
    chain_head,
    evidence_writer_for,
    table_evidence_markdown,
    write_run_report,
)
from datapact_dagster.pipeline.job_runner import PROGRESS_PREFIX, WAREHOUSE_POOL
from datapact_dagster.pipeline.table_run import (
    RunContext,
    TableOutcome,
    build_and_publish,
    check_published,
)
from datapact_dagster.plan.graph import DependencyGraph
from datapact_dagster.plan.project import TablePlan, load_project
from datapact_dagster.warehouse.dialects import for_url
from datapact_dagster.warehouse.engine import warehouse_engine


def _lineage_metadata(plan: TablePlan, graph: DependencyGraph) -> dg.TableColumnLineage | None:
    found = graph.asset_column_sources(plan.table.physical_name)
    if not found:
        return None
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=dg.AssetKey(list(key)), column_name=name)
                for key, name in sources
            ]
            for column, sources in found.items()
        }
    )


def _outcome_metadata(
    outcome: TableOutcome, plan: TablePlan, graph: DependencyGraph
) -> dict[str, object]:
    failed = [r for r in outcome.results if r.verdict.breaches]
    meta: dict[str, object] = {
        "dagster/row_count": dg.MetadataValue.int(outcome.rows),
        mk.CONTRACT_VERSION: plan.contract.version,
        mk.CHECKS_PASSED: sum(1 for r in outcome.results if r.verdict is Verdict.PASS),
        mk.CHECKS_FAILED: len(failed),
        mk.DATA_FINGERPRINT: dg.MetadataValue.text(
            f"{outcome.fingerprint[0]} rows, hash {outcome.fingerprint[1]}"
            if outcome.fingerprint
            else "n/a"
        ),
    }
    lineage = _lineage_metadata(plan, graph)
    if lineage is not None:
        meta["dagster/column_lineage"] = lineage
    return meta


def _anchor(datapact: DataPactResource, key: dg.AssetKey) -> Iterator[dg.AssetObservation]:
    """Record the evidence chain head in Dagster's event log (see evidence.anchors)."""
    head = chain_head(datapact.evidence_url)
    if head:
        yield dg.AssetObservation(asset_key=key, metadata={ANCHOR_METADATA_KEY: head})


StepEvent = (
    dg.AssetCheckResult | dg.MaterializeResult | dg.AssetObservation | dg.AssetCheckEvaluation
)


class _Step:
    """One table step's context: what it may emit and where its evidence goes."""

    def __init__(
        self, context: dg.AssetExecutionContext, datapact: DataPactResource, plan: TablePlan
    ) -> None:
        self.context, self.datapact, self.plan = context, datapact, plan
        self.project = load_project()
        self.key = asset_key(plan.table)
        self.run_id = context.run.run_id
        self.selected = {k.name for k in context.selected_asset_check_keys}
        self.path = "/".join(plan.table.asset_key)

    @property
    def in_force_selected(self) -> bool:
        return mk.contract_in_force_check(self.plan.table.name) in self.selected

    def report(self) -> Path | None:
        return write_run_report(
            self.datapact.evidence_url, self.run_id, self.project.settings.state_dir / "reports"
        )

    def evidence(self, report: Path | None) -> dict[str, dg.MetadataValue]:
        markdown = table_evidence_markdown(
            self.datapact.evidence_url, self.run_id, self.path, report
        )
        return evidence_metadata(markdown, report)

    def version_change(self) -> dict[str, dg.MetadataValue]:
        """The previous contract version runs were made under and what changed since."""
        writer = evidence_writer_for(self.datapact.evidence_url)
        if writer is None:
            return {}
        found = changes_since_previous(
            writer.store.engine, self.plan.contract, self.project.contracts.root
        )
        if found is None:
            return {}
        return {
            mk.PREVIOUS_CONTRACT_VERSION: dg.MetadataValue.text(found.previous_version),
            mk.CONTRACT_CHANGES: dg.MetadataValue.md(found.markdown()),
        }

    def breakers(self) -> Breakers:
        return read_project_breakers(self.context.instance, self.project)

    def published_run(self) -> str | None:
        event = self.context.instance.get_latest_materialization_event(self.key)
        return event.run_id if event is not None else None

    def in_force(
        self, breakers: Breakers, data_failures: int | None, evidence: dict[str, dg.MetadataValue]
    ) -> Iterator[dg.AssetCheckResult]:
        if not self.in_force_selected:
            return
        summary = evidence.get(mk.EVIDENCE_SUMMARY)
        yield in_force_result(
            self.plan,
            breakers,
            run_id=self.run_id,
            published_run=self.published_run(),
            data_failures=data_failures,
            evidence_md=str(summary.value) if summary is not None else None,
        )

    def checks(self, results: list[CheckResult]) -> Iterator[dg.AssetCheckResult]:
        for result in results:
            if result.verdict is not Verdict.SKIPPED and result.key in self.selected:
                yield to_check_result(result, self.key)


def _run_started_at(context: dg.AssetExecutionContext) -> datetime | None:
    record = context.instance.get_run_record_by_id(context.run_id)
    if record is None or record.start_time is None:
        return None
    return datetime.fromtimestamp(record.start_time, UTC)


def _run_step(
    context: dg.AssetExecutionContext, datapact: DataPactResource, plan: TablePlan
) -> Iterator[StepEvent]:
    step = _Step(context, datapact, plan)
    skipped = lifecycle_skip(context, plan)
    if skipped is not None:
        yield skipped
        return
    if step.key in context.selected_asset_keys:
        _refuse_build_in_check_only_job(context, step.key)
        awaiting = approval_hold(context, plan)
        if awaiting is not None:
            yield from _awaiting_approval(step, awaiting)
            return
        hold = upstream_hold(context, plan)
        if hold is not None:
            yield from _held(step, hold)
            return
    run = RunContext(
        engine=warehouse_engine(datapact.warehouse_url),
        landing_dir=datapact.landing_path,
        run_id=step.run_id,
        evidence=evidence_writer_for(datapact.evidence_url),
        quarantine_days=datapact.quarantine_days,
        keep_versions=datapact.keep_versions,
        started_at=_run_started_at(context),
        metrics=metrics_store(datapact.evidence_url) if datapact.evidence_url else None,
        partition=_partition_built(context, plan),
    )
    if step.key not in context.selected_asset_keys:
        yield from _check_only(step, run)
        return
    context.log.info(f"{PROGRESS_PREFIX} {plan.table.physical_name}: building…")
    outcome = build_and_publish(run, step.project.contracts, plan)
    context.log.info(
        f"{PROGRESS_PREFIX} {plan.table.physical_name}: {outcome.rows:,} rows staged, "
        f"{sum(r.verdict is Verdict.PASS for r in outcome.results)}/{len(outcome.results)} checks "
        f"passed, {'published' if outcome.published else 'QUARANTINED'}"
    )
    report = step.report()
    evidence = step.evidence(report)
    yield from _anchor(datapact, step.key)
    if outcome.published:
        yield dg.MaterializeResult(
            asset_key=step.key,
            metadata={
                **_outcome_metadata(outcome, plan, step.project.graph),
                **metrics_metadata(outcome.metrics),
                **step.version_change(),
                **evidence,
            },
            check_results=list(step.checks(outcome.results)),
        )
        yield from step.in_force(step.breakers(), 0, evidence)
        return
    yield from _quarantined(step, outcome, evidence)


def _partition_built(context: dg.AssetExecutionContext, plan: TablePlan) -> str | None:
    """The partition a partitioned table's step builds; None builds the whole table."""
    if plan.table.partitioning is None or not context.has_partition_key:
        return None
    return context.partition_key


def _held(step: _Step, hold: Hold) -> Iterator[StepEvent]:
    """Not built: an upstream contract is breached. Held, not failed; its data is not judged."""
    step.context.log.warning(hold.message)
    yield held_observation(step.key, hold.breached, step.run_id, hold.message)
    yield from step.in_force(hold.breakers, None, {})
    tag_run(step.context, mk.HELD_TAG, [step.path])


def _awaiting_approval(step: _Step, hold: ApprovalHold) -> Iterator[StepEvent]:
    """Not built: a contract version is not approved. The published data stays in force."""
    message = (
        f"Not building {step.path}: {hold.reason}. Its published data stays as it is until "
        "the version is approved (`datapact approvals`)."
    )
    step.context.log.warning(message)
    yield approval_observation(step.key, hold.own, hold.reason, message)
    yield from step.in_force(step.breakers(), None, {})
    tag_run(step.context, mk.HELD_TAG, [step.path])


def _check_only(step: _Step, run: RunContext) -> Iterator[StepEvent]:
    specs = [s for s in step.plan.specs if s.key in step.selected]
    outcome = check_published(run, step.project.contracts, step.plan, specs)
    yield from step.checks(outcome.results)
    yield from _anchor(step.datapact, step.key)
    evidence = step.evidence(step.report())
    yield dg.AssetObservation(
        asset_key=step.key, metadata={**evidence, **metrics_metadata(outcome.metrics)}
    )
    failures = sum(1 for r in outcome.results if r.verdict.breaches)
    yield from step.in_force(step.breakers(), failures, evidence)


def _quarantined(
    step: _Step, outcome: TableOutcome, evidence: dict[str, dg.MetadataValue]
) -> Iterator[StepEvent]:
    """The delivery failed a blocking check: nothing published, downstream held, step ends."""
    plan = step.plan
    yield from step.checks(outcome.results)
    failures = outcome.blocking_failures
    description = (
        f"Contract {plan.contract.id} v{plan.contract.version} breached: "
        f"{len(failures)} blocking check(s) failed; nothing was published and the previous "
        f"{plan.table.physical_name} stays in place. Rejected rows are in "
        f"{outcome.quarantine_relation}."
    )
    step.context.log.error(description)
    yield quarantine_observation(
        step.key,
        description=description,
        failures=failures,
        relation=outcome.quarantine_relation,
        rows=outcome.rows,
        evidence={**evidence, **metrics_metadata(outcome.metrics)},
    )
    breakers = step.breakers()
    yield from step.in_force(breakers, len(failures), evidence)
    breaker = breakers.by_table[plan.table.asset_key]
    yield from downstream_held(breakers, breaker, step.run_id, step.project.plans)
    tag_run(step.context, mk.BREACHED_TAG, [step.path])
    held = held_paths(breakers, breaker)
    if held:
        tag_run(step.context, mk.HELD_TAG, held)


def _refuse_build_in_check_only_job(context: dg.AssetExecutionContext, key: dg.AssetKey) -> None:
    """Selecting an asset in Dagster means materializing it; the check-only job must not."""
    if context.job_name != jobs.contract_checks.name:
        return
    raise dg.Failure(
        description=(
            f"The {jobs.contract_checks.name} job re-validates published tables and never builds "
            f"them, but this run selected {key.to_user_string()} itself. Select only its checks "
            "(asset_check_selection=..., or `datapact check --select "
            f"key:{key.to_user_string()}`), or build it with the contract_pipeline job."
        ),
        allow_retries=False,
    )


def build_table_asset(
    plan: TablePlan,
    contract_set: ContractSet,
    warehouse_kind: str,
    graph: DependencyGraph,
    catalog_dir: Path,
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{plan.table.layer.value}__{plan.table.name}",
        specs=[build_asset_spec(plan, contract_set, warehouse_kind, graph, catalog_dir)],
        check_specs=[*build_check_specs(plan), contract_in_force_spec(plan)],
        can_subset=True,
        pool=WAREHOUSE_POOL,
    )
    def _table_asset(context: dg.AssetExecutionContext, datapact: DataPactResource):
        yield from _run_step(context, datapact, plan)

    return _table_asset


def _warehouse_kind() -> str:
    return for_url(load_project().settings.warehouse_url).asset_kind


table_assets = [
    build_table_asset(
        plan,
        load_project().contracts,
        _warehouse_kind(),
        load_project().graph,
        load_project().settings.state_dir / CATALOG_FOLDER,
    )
    for plan in load_project().plans
]
