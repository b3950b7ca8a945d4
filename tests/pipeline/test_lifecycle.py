"""Each contract status through the CLI, on tests/fixtures/lifecycle (one contract per status).

One story per module (runs are slow): a plain run while the legacy contract is still active,
the same run after it is retired, an explicit run of the draft, `status`, a refused selection of
the retired table, then a breach of the draft and a tick of the breaker sensor. Mail goes to a
local SMTP server; each test asserts one part of what the story recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from tests.alerts.support import SmtpSink
from tests.definitions_support import forget_definitions
from tests.processes import alerting_env

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lifecycle"
LEGACY = "contracts/legacy_orders.yaml"
ROWS = 500
CONSUMERS_OF_DEPRECATED = ["marketing@shop.test", "support-team@shop.test"]


@dataclass
class Story:
    project: Path
    warehouse: Path
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    mails: dict[str, list[EmailMessage]] = field(default_factory=dict)
    """Mails received during each step."""
    legacy_rows: dict[str, int] = field(default_factory=dict)
    relations_after_plain_run: set[str] = field(default_factory=set)
    asset_specs: dict[str, dg.AssetSpec] = field(default_factory=dict)
    pipeline_job_tables: set[str] = field(default_factory=set)
    checks_job_tables: set[str] = field(default_factory=set)
    scheduled_tables: set[str] = field(default_factory=set)

    def document(self, step: str) -> dict[str, Any]:
        return json.loads(self.runs[step].stdout)

    def outcomes(self, step: str) -> dict[str, tuple[str, str | None]]:
        return {t["table"]: (t["outcome"], t["state"]) for t in self.document(step)["tables"]}


def _active_legacy(text: str) -> str:
    """The retired contract as it was before its retirement: active, no retirement date."""
    lines = text.replace("status: retired", "status: active").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "retirementDate" in line)
    return "".join(lines[:start] + lines[start + 2 :])


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    tmp = tmp_path_factory.mktemp("lifecycle")
    project = tmp / "project"
    shutil.copytree(FIXTURE, project)
    sink = SmtpSink()
    sink.start()
    env = alerting_env(tmp, project, sink.port)
    story = Story(project, tmp / "warehouse.duckdb")
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            patch.delenv("DATAPACT_LANDING_DIR", raising=False)
            patch.delenv("DATAPACT_WEBHOOK_URL_OVERRIDE", raising=False)
            _tell(story, sink)
            yield story
    finally:
        sink.stop()


def _tell(story: Story, sink: SmtpSink) -> None:
    legacy = story.project / LEGACY
    retired_text = legacy.read_text(encoding="utf-8")

    def cli(step: str, *args: str) -> subprocess.CompletedProcess[str]:
        before = len(sink.messages)
        story.runs[step] = subprocess.run(
            [sys.executable, "-m", "datapact_dagster.cli", *args],
            cwd=story.project,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=600,
        )
        story.mails[step] = list(sink.messages[before:])
        return story.runs[step]

    legacy.write_text(_active_legacy(retired_text), encoding="utf-8")
    assert cli("generate", "generate", "--rows", str(ROWS)).returncode == 0
    cli("legacy still active", "run", "--format", "json")
    story.legacy_rows["while active"] = _count(story.warehouse, "bronze.legacy_orders")

    legacy.write_text(retired_text, encoding="utf-8")
    cli("plain run", "run", "--format", "json")
    cli("plain run as text", "run")
    story.legacy_rows["after retirement"] = _count(story.warehouse, "bronze.legacy_orders")
    story.relations_after_plain_run = _relations(story.warehouse)
    cli("draft selected", "run", "--select", "key:bronze/orders", "--format", "json")
    cli("status", "status", "--format", "json")
    cli("status as text", "status")
    cli("retired selected", "run", "--select", "key:bronze/legacy_orders")

    assert (
        cli("breach", "generate", "--rows", str(ROWS), "--breach", "duplicate_key").returncode == 0
    )
    cli("draft breached", "run", "--select", "key:bronze/orders", "--format", "json")
    _sensor_tick(story, sink)


def _sensor_tick(story: Story, sink: SmtpSink) -> None:
    """The breaker sensor, in this process, on the instance the CLI runs wrote to; and the
    definitions the UI, the jobs and the schedules are made of."""
    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home
    from datapact_dagster.settings import Settings

    forget_definitions()
    from datapact_dagster.definitions import defs

    try:
        prepare_dagster_home(Settings.from_env())
        definitions = defs()
        repository = definitions.get_repository_def()
        graph = definitions.resolve_asset_graph()
        story.asset_specs = {
            key.to_user_string(): graph.get(key).to_asset_spec()
            for key in graph.get_all_asset_keys()
        }
        for job, tables in (
            ("contract_pipeline", story.pipeline_job_tables),
            ("contract_checks", story.checks_job_tables),
        ):
            job_graph = definitions.resolve_job_def(job).asset_layer.asset_graph
            tables.update(k.asset_key.to_user_string() for k in job_graph.asset_check_keys)
        with dg.DagsterInstance.get() as instance:
            for schedule in repository.schedule_defs:
                data = schedule.evaluate_tick(
                    dg.build_schedule_context(instance=instance, repository_def=repository)
                )
                for request in data.run_requests or []:
                    story.scheduled_tables.update(
                        k.asset_key.to_user_string() for k in request.asset_check_keys or []
                    )
            sensor = repository.get_sensor_def("contract_breaker_sensor")
            before = len(sink.messages)
            sensor.evaluate_tick(
                dg.build_sensor_context(instance=instance, definitions=definitions)
            )
            story.mails["sensor tick"] = list(sink.messages[before:])
    finally:
        forget_definitions()


def _count(warehouse: Path, relation: str) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return int(connection.execute(f"SELECT COUNT(*) FROM {relation}").fetchone()[0])


def _relations(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
        ).fetchall()
    return {name for (name,) in rows}


def _recipients(mails: list[EmailMessage], kind: str) -> list[str]:
    return sorted(str(m["To"]) for m in mails if m["X-DataPact-Kind"] == kind)


# -- draft ---------------------------------------------------------------------------------


def test_a_plain_run_skips_the_draft_and_the_retired_table_and_says_so(story: Story) -> None:
    outcomes = story.outcomes("plain run")

    assert story.runs["plain run"].returncode == 0, story.runs["plain run"].stderr
    assert outcomes["bronze/orders"] == ("not run (draft)", "never run")
    assert outcomes["bronze/legacy_orders"] == ("not run (retired)", "retired")
    for built in ("bronze/customers", "silver/contacts", "silver/customer_emails"):
        assert outcomes[built] == ("published", "healthy")
    text = story.runs["plain run as text"].stdout
    assert "bronze/orders: contract shop.orders is a draft, built only on request: " in text
    assert "datapact run --select key:bronze/orders" in text
    assert "bronze.orders" not in story.relations_after_plain_run
    assert "bronze.customers" in story.relations_after_plain_run


def test_an_explicit_selection_builds_the_draft(story: Story) -> None:
    run = story.runs["draft selected"]

    assert run.returncode == 0, run.stderr
    assert story.outcomes("draft selected") == {"bronze/orders": ("published", "healthy")}
    assert _count(story.warehouse, "bronze.orders") == ROWS


def test_a_draft_breach_alerts_its_owners_only(story: Story) -> None:
    assert story.outcomes("draft breached")["bronze/orders"] == ("quarantined", "breached")
    mails = story.mails["sensor tick"]

    assert _recipients(mails, "breach") == ["draft-owner@shop.test"]
    assert "finance@shop.test" not in {str(m["To"]) for m in mails}


def test_schedules_automation_and_jobs_leave_drafts_and_retired_tables_out(story: Story) -> None:
    assert story.scheduled_tables == {
        "bronze/customers",
        "silver/contacts",
        "silver/customer_emails",
    }
    assert "bronze/legacy_orders" not in story.pipeline_job_tables | story.checks_job_tables
    assert "bronze/orders" in story.checks_job_tables  # checked on request
    assert story.asset_specs["bronze/orders"].automation_condition is None
    assert story.asset_specs["bronze/legacy_orders"].automation_condition is None
    assert story.asset_specs["bronze/customers"].automation_condition is not None


# -- deprecated ----------------------------------------------------------------------------


def test_a_run_of_a_deprecated_contract_notifies_its_consumers_once_a_week(story: Story) -> None:
    first = story.mails["legacy still active"]

    assert _recipients(first, "deprecation") == CONSUMERS_OF_DEPRECATED
    assert "owner@shop.test" not in {str(m["To"]) for m in first}
    for later in ("plain run", "draft selected", "draft breached", "sensor tick"):
        assert _recipients(story.mails[later], "deprecation") == [], later
    mail = first[0]
    assert mail["Subject"] == (
        "[DataPact] DEPRECATED shop.customer_emails 1.0.0: silver/customer_emails retires on "
        "2027-06-30"
    )
    body = mail.get_content()
    assert "Use shop.contacts (silver.contacts) instead." in body
    assert "deprecation alert for shop.customer_emails (silver/customer_emails): 2 sent" in (
        story.runs["legacy still active"].stderr
    )


def test_status_and_the_ui_show_the_deprecation(story: Story) -> None:
    rows = {r["table"]: r for r in json.loads(story.runs["status"].stdout)}
    note = "deprecated: retires on 2027-06-30, use shop.contacts"

    assert rows["silver/customer_emails"]["state"] == "healthy"
    assert rows["silver/customer_emails"]["lifecycle"] == {"status": "deprecated", "note": note}
    assert f"  silver/customer_emails: {note}" in story.runs["status as text"].stdout
    spec = story.asset_specs["silver/customer_emails"]
    assert spec.tags["contract_status"] == "deprecated"
    assert spec.metadata["lifecycle"] == note
    assert (spec.description or "").startswith(f"**D{note[1:]}.**")


# -- retired -------------------------------------------------------------------------------


def test_a_retired_table_is_left_in_place_and_status_says_retired(story: Story) -> None:
    assert story.legacy_rows == {"while active": ROWS, "after retirement": ROWS}
    status = story.runs["status"]
    rows = {r["table"]: r for r in json.loads(status.stdout)}

    assert status.returncode == 0, status.stderr
    assert rows["bronze/legacy_orders"]["state"] == "retired"
    assert rows["bronze/legacy_orders"]["breaker"] is None
    text = story.runs["status as text"].stdout
    legacy_line = next(line for line in text.splitlines() if "bronze/legacy_orders " in line)
    assert legacy_line.split()[:4] == [
        "shop.legacy_orders",
        "1.0.0",
        "bronze/legacy_orders",
        "retired",
    ]
    assert "  bronze/legacy_orders: retired on 2026-01-31: not built or checked" in text


def test_the_ui_marks_the_retired_table(story: Story) -> None:
    spec = story.asset_specs["bronze/legacy_orders"]

    assert spec.tags["contract_status"] == "retired"
    assert (spec.description or "").startswith("**Retired on 2026-01-31: not built or checked")
    assert spec.freshness_policy is None


def test_selecting_only_the_retired_table_is_refused(story: Story) -> None:
    refused = story.runs["retired selected"]

    assert refused.returncode == 2
    assert "selects only retired tables (bronze/legacy_orders)" in refused.stderr
    assert "Traceback" not in refused.stderr
