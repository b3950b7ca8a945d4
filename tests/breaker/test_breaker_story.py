"""The breaker on a real Dagster instance with the real definitions and a temp DuckDB warehouse.

One story, run once per module (GX and the pipeline are slow): a good build, a breach, the
sensor holding downstream, a refused and an overridden manual launch, the fix, the recovery run.
Each test asserts one part of what the story recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from dagster._core.execution.api import execute_run  # runs a run created beforehand; not public

from datapact_dagster.breaker.override import OVERRIDE_BY_TAG, OVERRIDE_TAG
from datapact_dagster.defs.automation import UpstreamContractBreached
from datapact_dagster.warehouse.partitions import PARTITION_TAG, current_partition_key
from tests.alerts.support import SmtpSink

RAW_ORDERS = dg.AssetKey(["bronze", "raw_orders"])
SILVER_ORDERS = dg.AssetKey(["silver", "orders"])
HELD = ["silver/orders", "gold/customer_profile", "gold/daily_revenue"]
BREACHED_CHECK = "raw_orders__order_id__unique"
PARTITION_NOW = {PARTITION_TAG: current_partition_key("daily")}
"""The sample's event tables are partitioned by day: a run builds today's partition."""


@dataclass
class Tick:
    run_requests: list[dg.RunRequest]
    skip_message: str | None
    mails: list[EmailMessage]
    """Mails the SMTP server received during this tick."""


@dataclass
class Story:
    breach_run_id: str = ""
    ticks: dict[str, Tick] = field(default_factory=dict)
    refused: dg.ExecuteJobResult | None = None
    refusal: str = ""
    overridden: dg.ExecuteJobResult | None = None
    recovery_run: dg.ExecuteJobResult | None = None
    status_breached: tuple[int, list[dict[str, Any]], str] = (0, [], "")
    status_rechecking: tuple[int, list[dict[str, Any]], str] = (0, [], "")
    refused_while_rechecking: dg.ExecuteJobResult | None = None
    status_recovered: tuple[int, list[dict[str, Any]], str] = (0, [], "")
    held_schedule_selection: list[dg.AssetKey] = field(default_factory=list)
    automation_held: dict[str, set[str]] = field(default_factory=dict)
    """Tables DataPact's automation condition holds, at points of the story."""
    dagster_check_state_held: set[str] = field(default_factory=set)
    """Tables Dagster's own check-state condition holds after the check-only pass."""
    automation_tick_requests: list[dg.RunRequest] = field(default_factory=list)
    override_records: list[Any] = field(default_factory=list)


def _env(tmp: Path, smtp_port: int) -> dict[str, str]:
    return {
        "DATAPACT_PROJECT_DIR": str(Path(__file__).resolve().parents[2]),
        "DATAPACT_STATE_DIR": str(tmp / "state"),
        "DATAPACT_WAREHOUSE_URL": f"duckdb:///{tmp / 'warehouse.duckdb'}",
        "DATAPACT_LANDING_DIR": str(tmp / "landing"),
        "DAGSTER_HOME": str(tmp / "dagster_home"),
        "DATAPACT_EVIDENCE_URL": f"sqlite:///{tmp / 'evidence.db'}",
        "DATAPACT_ALERTS_DB": str(tmp / "alerts.db"),
        "DATAPACT_ALERTS_FILE": str(tmp / "alerts.yaml"),
        "DATAPACT_SMTP_HOST": "127.0.0.1",
        "DATAPACT_SMTP_PORT": str(smtp_port),
    }


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    tmp = tmp_path_factory.mktemp("breaker")
    (tmp / "alerts.yaml").write_text("retry: {attempts: 1}\n")
    sink = SmtpSink()
    sink.start()
    with pytest.MonkeyPatch.context() as env:
        for name, value in _env(tmp, sink.port).items():
            env.setenv(name, value)
        env.delenv("DATAPACT_WEBHOOK_URL_OVERRIDE", raising=False)
        from datapact_dagster.plan.project import load_project

        load_project.cache_clear()
        try:
            yield _tell_story(tmp, sink)
        finally:
            load_project.cache_clear()
            sink.stop()


def _tell_story(tmp: Path, sink: SmtpSink) -> Story:
    from datapact_dagster import definitions as entry
    from datapact_dagster.definitions import defs
    from datapact_dagster.evidence.store import EvidenceStore
    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home
    from datapact_dagster.sample import generate_landing
    from datapact_dagster.settings import Settings

    story = Story()
    landing = tmp / "landing"
    prepare_dagster_home(Settings.from_env())
    definitions = defs()
    repository = definitions.get_repository_def()
    sensor = repository.get_sensor_def("contract_breaker_sensor")
    schedule = repository.get_schedule_def("contract_pipeline_schedule")
    cursor: list[str | None] = [None]

    def run(
        selection: list[dg.AssetKey] | None = None, tags: dict[str, str] | None = None
    ) -> dg.ExecuteJobResult:
        return dg.execute_job(
            dg.reconstructable(entry.contract_pipeline_job),
            instance=instance,
            asset_selection=selection,
            tags={**PARTITION_NOW, **(tags or {})},
            raise_on_error=False,
        )

    def tick(name: str) -> Tick:
        before = len(sink.messages)
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor[0], definitions=definitions
        )
        data = sensor.evaluate_tick(context)
        cursor[0] = data.cursor
        story.ticks[name] = Tick(
            list(data.run_requests or []), data.skip_message, list(sink.messages[before:])
        )
        return story.ticks[name]

    def status() -> tuple[int, list[dict[str, Any]], str]:
        from datapact_dagster.commands import status as status_command

        outputs = []
        for fmt in ("json", "text"):
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                code = status_command.run(argparse.Namespace(project=None, format=fmt))
            outputs.append((code, printed.getvalue()))
        (code, as_json), (code_text, text) = outputs
        assert code == code_text
        return code, json.loads(as_json), text

    with dg.DagsterInstance.get() as instance:
        generate_landing(landing, rows=2000, seed=1)
        assert run().success, "the clean baseline build must pass"
        tick("baseline")

        generate_landing(landing, rows=2000, seed=1, breaches=["duplicate_key"])
        story.breach_run_id = run().run_id
        story.status_breached = status()
        tick("breached")
        tick("still breached")
        schedule_data = schedule.evaluate_tick(
            dg.build_schedule_context(instance=instance, repository_def=repository)
        )
        story.held_schedule_selection = list(schedule_data.run_requests[0].asset_selection or [])

        story.automation_held["breached"] = _held_by(
            UpstreamContractBreached(), definitions, instance
        )
        checks_graph = entry.contract_checks_job().asset_layer.asset_graph
        checked = dg.execute_job(
            dg.reconstructable(entry.contract_checks_job).get_subset(
                asset_selection=set(),
                asset_check_selection=checks_graph.get_check_keys_for_assets({RAW_ORDERS}),
            ),
            instance=instance,
            raise_on_error=False,
        )
        assert checked.success, "the published (pre-breach) table passes its checks"
        story.automation_held["after check-only pass"] = _held_by(
            UpstreamContractBreached(), definitions, instance
        )
        story.dagster_check_state_held = _held_by(
            dg.AutomationCondition.any_deps_match(
                dg.AutomationCondition.any_checks_match(
                    dg.AutomationCondition.check_failed(), blocking_only=True
                )
            ),
            definitions,
            instance,
        )
        automation_sensor = repository.get_sensor_def("contract_automation_sensor")
        automation_tick = automation_sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, definitions=definitions)
        )
        story.automation_tick_requests = list(automation_tick.run_requests or [])

        story.refused = run([SILVER_ORDERS])
        held = next(
            e.event_specific_data.asset_observation
            for e in story.refused.all_events
            if e.event_type_value == "ASSET_OBSERVATION"
            and "held_by" in e.event_specific_data.asset_observation.metadata
        )
        story.refusal = held.description or ""
        story.overridden = run(
            [SILVER_ORDERS],
            {OVERRIDE_TAG: "finance accepts duplicates", OVERRIDE_BY_TAG: "ana@example.com"},
        )
        store = EvidenceStore(os.environ["DATAPACT_EVIDENCE_URL"])
        story.override_records = [
            r for r in store.records(run_id=story.overridden.run_id) if r.decision == "override"
        ]
        store.close()

        generate_landing(landing, rows=2000, seed=1)
        # the fix run is created (its checks planned) but not yet executed: half-open
        fix_job = dg.reconstructable(entry.contract_pipeline_job)
        fix_run = instance.create_run_for_job(
            job_def=fix_job.get_definition(),
            job_code_origin=fix_job.get_python_origin(),
            asset_selection=frozenset({RAW_ORDERS}),
        )
        story.status_rechecking = status()
        tick("rechecking")
        story.refused_while_rechecking = run([SILVER_ORDERS])
        fixed = execute_run(fix_job, fix_run, instance)
        assert fixed.success, "the fixed bronze table must pass"
        story.status_recovered = status()
        story.automation_held["recovered"] = _held_by(
            UpstreamContractBreached(), definitions, instance
        )
        recovered = tick("recovered")
        if recovered.run_requests:
            request = recovered.run_requests[0]
            story.recovery_run = run(list(request.asset_selection or []), dict(request.tags))
        tick("after recovery")
    return story


def _held_by(
    condition: dg.AutomationCondition,
    definitions: dg.Definitions,
    instance: dg.DagsterInstance,
) -> set[str]:
    """The tables `condition` is true for, evaluated on the real assets and instance."""
    repository = definitions.get_repository_def()
    assets = {id(a): a for a in repository.assets_defs_by_key.values() if a.is_executable}
    with_condition = [
        a.map_asset_specs(lambda spec: spec.replace_attributes(automation_condition=condition))
        for a in assets.values()
    ]
    result = dg.evaluate_automation_conditions(defs=with_condition, instance=instance)
    keys = [key for a in with_condition for key in a.keys]
    return {key.to_user_string() for key in keys if result.get_num_requested(key)}


def _kinds(mails: list[EmailMessage]) -> set[str]:
    return {str(m["X-DataPact-Kind"]) for m in mails}


def test_a_breach_run_opens_the_breaker_and_status_shows_the_hold(story: Story) -> None:
    code, rows, text = story.status_breached
    assert code == 1
    by_table = {r["table"]: r for r in rows}
    raw = by_table["bronze/raw_orders"]
    assert (raw["state"], raw["breaker"]) == ("breached", "open")
    assert raw["holding"] == HELD
    assert [f["check"] for f in raw["failing_checks"] if f["blocking"]] == [BREACHED_CHECK]
    assert raw["failing_checks"][0]["run_id"] == story.breach_run_id
    assert by_table["bronze/raw_customers"]["state"] == "healthy"
    assert "breached" in text and BREACHED_CHECK in text


def test_the_sensor_launches_nothing_and_reports_the_hold(story: Story) -> None:
    for name in ("breached", "still breached"):
        tick = story.ticks[name]
        assert tick.run_requests == []
        assert tick.skip_message is not None
        assert f"holding {', '.join(HELD)} (commerce.raw_orders" in tick.skip_message
        assert f"{BREACHED_CHECK} in run {story.breach_run_id}" in tick.skip_message


def test_schedules_leave_held_tables_out(story: Story) -> None:
    selected = {key.to_user_string() for key in story.held_schedule_selection}
    assert "bronze/raw_orders" in selected
    assert not selected & set(HELD)


def test_automation_holds_what_the_guard_holds_even_after_a_check_only_pass(
    story: Story,
) -> None:
    assert story.automation_held["breached"] == set(HELD)
    # re-validating the still-published table passes in Dagster's eyes, so a condition on
    # Dagster's check state would lift the hold (and request runs the guard refuses)
    assert story.dagster_check_state_held == set()
    assert story.automation_held["after check-only pass"] == set(HELD)
    assert story.automation_held["recovered"] == set()
    assert story.automation_tick_requests == []


def _in_force(result: dg.ExecuteJobResult, asset: dg.AssetKey) -> list[bool]:
    return [
        e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.asset_key == asset
        and e.event_specific_data.check_name.endswith("__contract_in_force")
    ]


def test_a_manual_downstream_launch_is_refused_with_the_breach(story: Story) -> None:
    # Held is not failed: the step ends without building, the run is not a failure, and the
    # table's breaker check fails with the reason; none of its data checks is evaluated.
    assert story.refused is not None and story.refused.success
    assert _in_force(story.refused, SILVER_ORDERS) == [False]
    evaluated = [
        e for e in story.refused.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(evaluated) == 1
    assert "Refusing to build silver/orders" in story.refusal
    assert "commerce.raw_orders v" in story.refusal
    assert BREACHED_CHECK in story.refusal
    assert story.breach_run_id in story.refusal
    assert "--override-reason" in story.refusal and OVERRIDE_TAG in story.refusal
    materialized = [e for e in story.refused.all_events if e.is_step_materialization]
    assert materialized == []


def test_an_override_proceeds_and_is_recorded(story: Story) -> None:
    assert story.overridden is not None and story.overridden.success
    [record] = story.override_records
    assert record.contract_id == "commerce.orders"
    assert record.asset_key == "silver/orders"
    assert record.details["reason"] == "finance accepts duplicates"
    assert record.details["person"] == "ana@example.com"
    [breached] = record.details["breached"]
    assert breached["asset_key"] == "bronze/raw_orders"
    assert [c["key"] for c in breached["checks"]] == [BREACHED_CHECK]


def test_a_pending_fix_run_makes_the_breaker_half_open_and_still_holds(story: Story) -> None:
    code, rows, text = story.status_rechecking
    assert code == 1
    raw = next(r for r in rows if r["table"] == "bronze/raw_orders")
    assert (raw["state"], raw["breaker"]) == ("breached", "half-open")
    assert raw["holding"] == HELD
    assert "half-open" in text
    tick = story.ticks["rechecking"]
    assert tick.run_requests == [] and tick.mails == []
    refused = story.refused_while_rechecking
    assert refused is not None and _in_force(refused, SILVER_ORDERS) == [False]
    assert not [e for e in refused.all_events if e.is_step_materialization]


def test_fixed_data_closes_the_breaker(story: Story) -> None:
    code, rows, _ = story.status_recovered
    assert code == 0
    raw = next(r for r in rows if r["table"] == "bronze/raw_orders")
    assert (raw["state"], raw["breaker"], raw["holding"]) == ("healthy", "closed", [])


def test_downstream_is_rebuilt_exactly_once(story: Story) -> None:
    [request] = story.ticks["recovered"].run_requests
    assert [k.to_user_string() for k in request.asset_selection or []] == HELD
    assert request.run_key
    assert story.recovery_run is not None and story.recovery_run.success
    assert story.ticks["after recovery"].run_requests == []


def test_alerts_are_sent_once_per_episode(story: Story) -> None:
    assert story.ticks["baseline"].mails == []
    breach_mails = story.ticks["breached"].mails
    assert breach_mails and _kinds(breach_mails) == {"breach"}
    episodes = {str(m["X-DataPact-Episode"]) for m in breach_mails}
    assert len(episodes) == 1 and story.breach_run_id in episodes.pop()
    assert story.ticks["still breached"].mails == []
    recovery_mails = story.ticks["recovered"].mails
    assert _kinds(recovery_mails) == {"recovery"}
    assert len(recovery_mails) == len(breach_mails)
    assert story.ticks["after recovery"].mails == []
