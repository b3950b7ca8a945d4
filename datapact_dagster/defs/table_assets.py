"""One Dagster asset per contract table; its step runs write-audit-publish with every check."""

from collections.abc import Iterator

import dagster as dg

from datapact_dagster import metadata_keys as mk
from datapact_dagster.checks.result import Verdict
from datapact_dagster.contract.model import ContractSet
from datapact_dagster.defs import jobs
from datapact_dagster.defs.asset_specs import asset_key, build_asset_spec, build_check_specs
from datapact_dagster.defs.check_events import to_check_result
from datapact_dagster.defs.guard import refuse_if_upstream_breached
from datapact_dagster.defs.resources import DataPactResource
from datapact_dagster.evidence.anchors import ANCHOR_METADATA_KEY
from datapact_dagster.pipeline.evidence_sink import (
    chain_head,
    evidence_writer_for,
    write_run_report,
)
from datapact_dagster.pipeline.job_runner import PROGRESS_PREFIX, WAREHOUSE_POOL
from datapact_dagster.pipeline.table_run import (
    RunContext,
    TableOutcome,
    build_and_publish,
    check_published,
)
from datapact_dagster.plan.dependencies import upstream_tables
from datapact_dagster.plan.project import TablePlan, load_project
from datapact_dagster.warehouse.dialects import for_url
from datapact_dagster.warehouse.engine import warehouse_engine
from datapact_dagster.warehouse.lineage import column_lineage
from datapact_dagster.warehouse.types import sql_type_of


def _lineage_metadata(plan: TablePlan, contract_set: ContractSet) -> dg.TableColumnLineage | None:
    schema: dict[str, dict[str, dict[str, str]]] = {}
    for table in upstream_tables(contract_set, plan.table):
        schema.setdefault(table.layer.value, {})[table.name] = {
            c.name: sql_type_of(c.logical_type) for c in table.columns
        }
    if not schema:
        return None
    sql = plan.table.sql_path.read_text(encoding="utf-8")
    found = column_lineage(sql, [c.name for c in plan.table.columns], schema)
    if not found:
        return None
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=dg.AssetKey(rel.split(".")), column_name=name)
                for rel, name in sources
            ]
            for column, sources in found.items()
        }
    )


def _outcome_metadata(
    outcome: TableOutcome, plan: TablePlan, contract_set: ContractSet
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
    lineage = _lineage_metadata(plan, contract_set)
    if lineage is not None:
        meta["dagster/column_lineage"] = lineage
    return meta


def _anchor(datapact: DataPactResource, key: dg.AssetKey) -> Iterator[dg.AssetObservation]:
    """Record the evidence chain head in Dagster's event log (see evidence.anchors)."""
    head = chain_head(datapact.evidence_url)
    if head:
        yield dg.AssetObservation(asset_key=key, metadata={ANCHOR_METADATA_KEY: head})


def _run_step(
    context: dg.AssetExecutionContext, datapact: DataPactResource, plan: TablePlan
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    project = load_project()
    key = asset_key(plan.table)
    if key in context.selected_asset_keys:
        _refuse_build_in_check_only_job(context, key)
        refuse_if_upstream_breached(context, plan)
    engine = warehouse_engine(datapact.warehouse_url)
    run = RunContext(
        engine=engine,
        landing_dir=datapact.landing_path,
        run_id=context.run.run_id,
        evidence=evidence_writer_for(datapact.evidence_url),
        quarantine_days=datapact.quarantine_days,
    )
    selected = {k.name for k in context.selected_asset_check_keys}
    specs = [s for s in plan.specs if s.key in selected]
    if key not in context.selected_asset_keys:
        outcome = check_published(run, project.contracts, plan, specs)
        for result in outcome.results:
            if result.verdict is not Verdict.SKIPPED:
                yield to_check_result(result, key)
        yield from _anchor(datapact, key)
        return
    context.log.info(f"{PROGRESS_PREFIX} {plan.table.physical_name}: building…")
    outcome = build_and_publish(run, project.contracts, plan)
    context.log.info(
        f"{PROGRESS_PREFIX} {plan.table.physical_name}: {outcome.rows:,} rows staged, "
        f"{sum(r.verdict is Verdict.PASS for r in outcome.results)}/{len(outcome.results)} checks "
        f"passed, {'published' if outcome.published else 'QUARANTINED'}"
    )
    report = write_run_report(
        datapact.evidence_url, context.run.run_id, project.settings.state_dir / "reports"
    )
    report_meta = {mk.EVIDENCE_REPORT: dg.MetadataValue.path(str(report))} if report else {}
    yield from _anchor(datapact, key)
    if outcome.published:
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={**_outcome_metadata(outcome, plan, project.contracts), **report_meta},
            check_results=[
                to_check_result(r, key)
                for r in outcome.results
                if r.verdict is not Verdict.SKIPPED and r.key in selected
            ],
        )
        return
    for result in outcome.results:
        if result.verdict is not Verdict.SKIPPED and result.key in selected:
            yield to_check_result(result, key)
    failures = outcome.blocking_failures
    raise dg.Failure(
        description=(
            f"Contract {plan.contract.id} v{plan.contract.version} breached: "
            f"{len(failures)} blocking check(s) failed; nothing was published and the previous "
            f"{plan.table.physical_name} stays in place. Rejected rows are in "
            f"{outcome.quarantine_relation}."
        ),
        metadata={
            mk.FAILED_CHECKS: dg.MetadataValue.md(
                "\n".join(f"- `{r.key}`: {r.summary}" for r in failures)
            ),
            mk.QUARANTINE_TABLE: outcome.quarantine_relation or "",
            mk.ROWS_REJECTED: outcome.rows,
            **report_meta,
        },
        allow_retries=False,
    )


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
    plan: TablePlan, contract_set: ContractSet, warehouse_kind: str
) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=f"{plan.table.layer.value}__{plan.table.name}",
        specs=[build_asset_spec(plan, contract_set, warehouse_kind)],
        check_specs=build_check_specs(plan),
        can_subset=True,
        pool=WAREHOUSE_POOL,
    )
    def _table_asset(context: dg.AssetExecutionContext, datapact: DataPactResource):
        yield from _run_step(context, datapact, plan)

    return _table_asset


def _warehouse_kind() -> str:
    return for_url(load_project().settings.warehouse_url).asset_kind


table_assets = [
    build_table_asset(plan, load_project().contracts, _warehouse_kind())
    for plan in load_project().plans
]
