"""SLA figures of a real breach episode, through the CLI, on tests/fixtures/sla.

One story per module (runs are slow): a clean run, a breach (`generate --breach duplicate_key`,
`run`), a tick of the breaker sensor that mails the owner through a local SMTP server, the
repair (`generate`, `run`) and the tick that sends the recovery; then `datapact report` in every
format. Each test checks one part against the timestamps the evidence itself holds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
from junitparser import JUnitXml
from playwright.sync_api import Browser

from datapact_dagster.alerts import AlertLedger
from datapact_dagster.evidence import EvidenceStore, Record
from datapact_dagster.evidence.report_model import parse_timestamp
from datapact_dagster.evidence.store import utc_timestamp
from tests.alerts.support import SmtpSink
from tests.definitions_support import forget_definitions
from tests.processes import alerting_env

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sla"
ROWS = 300
OWNER = "owner@shop.test"


@dataclass
class Story:
    tmp: Path
    runs: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    mails: dict[str, list[EmailMessage]] = field(default_factory=dict)
    breach_landing_mtime: float = 0.0
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def records(self) -> list[Record]:
        store = EvidenceStore(f"sqlite:///{self.tmp / 'evidence.db'}")
        try:
            return store.records(contract_id="shop.orders")
        finally:
            store.close()


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    tmp = tmp_path_factory.mktemp("sla")
    project = tmp / "project"
    shutil.copytree(FIXTURE, project)
    sink = SmtpSink()
    sink.start()
    env = alerting_env(tmp, project, sink.port, DATAPACT_LANDING_DIR=str(tmp / "landing"))
    story = Story(tmp)
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            patch.delenv("DATAPACT_WEBHOOK_URL_OVERRIDE", raising=False)
            _tell(story, sink, project)
            yield story
    finally:
        sink.stop()


def _tell(story: Story, sink: SmtpSink, project: Path) -> None:
    def cli(step: str, *args: str) -> subprocess.CompletedProcess[str]:
        story.runs[step] = subprocess.run(
            [sys.executable, "-m", "datapact_dagster.cli", *args],
            cwd=project,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=600,
        )
        return story.runs[step]

    def tick(step: str, cursor: str | None) -> str | None:
        before = len(sink.messages)
        cursor = _sensor_tick(cursor)
        story.mails[step] = list(sink.messages[before:])
        return cursor

    assert cli("generate", "generate", "--rows", str(ROWS)).returncode == 0
    assert cli("clean run", "run").returncode == 0, story.runs["clean run"].stderr
    cursor = tick("clean tick", None)
    breach = ("generate", "--rows", str(ROWS), "--breach", "duplicate_key")
    assert cli("generate breach", *breach).returncode == 0
    story.breach_landing_mtime = (story.tmp / "landing" / "orders.parquet").stat().st_mtime
    assert cli("breached run", "run").returncode == 1, story.runs["breached run"].stderr
    cursor = tick("breach tick", cursor)
    assert cli("generate repair", "generate", "--rows", str(ROWS)).returncode == 0
    assert cli("repaired run", "run").returncode == 0, story.runs["repaired run"].stderr
    tick("recovery tick", cursor)
    for fmt in ("json", "md", "junit", "html"):
        out = story.tmp / f"report.{fmt}"
        done = cli(f"report {fmt}", "report", "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
        story.reports[fmt] = out.read_text(encoding="utf-8")


def _sensor_tick(cursor: str | None) -> str | None:
    """The breaker sensor, in this process, on the instance the CLI runs wrote to."""
    from datapact_dagster.pipeline.dagster_home import prepare_dagster_home
    from datapact_dagster.settings import Settings

    forget_definitions()
    from datapact_dagster.definitions import defs

    try:
        prepare_dagster_home(Settings.from_env())
        definitions = defs()
        sensor = definitions.get_repository_def().get_sensor_def("contract_breaker_sensor")
        with dg.DagsterInstance.get() as instance:
            context = dg.build_sensor_context(
                instance=instance, cursor=cursor, definitions=definitions
            )
            return sensor.evaluate_tick(context).cursor
    finally:
        forget_definitions()


def _seconds(start: str, end: str) -> float:
    return (parse_timestamp(end) - parse_timestamp(start)).total_seconds()


def _expected(story: Story) -> dict[str, Any]:
    """The episode's moments, read from the evidence records the runs and the sensor wrote."""
    records = story.records
    failing = [r for r in records if r.kind == "check" and r.verdict == "fail"]
    verdict = min(failing, key=lambda r: r.seq)
    [alert] = [r for r in records if r.decision == "alert" and r.details["alert_kind"] == "breach"]
    later = [r for r in records if r.kind == "check" and r.seq > verdict.seq]
    repair_run = next(r.run_id for r in later if r.run_id != verdict.run_id)
    recovered = max(r.recorded_at for r in later if r.run_id == repair_run)
    return {
        "verdict": verdict,
        "alert": alert,
        "recovered_at": recovered,
        "repair_run": repair_run,
        "timeToDetect": _seconds(verdict.details["data_arrived_at"], verdict.recorded_at),
        "timeToNotify": _seconds(verdict.recorded_at, alert.details["delivered_at"]),
        "timeToRepair": _seconds(verdict.recorded_at, recovered),
    }


def _json_contract(story: Story) -> dict[str, Any]:
    [contract] = json.loads(story.reports["json"])["contracts"]
    return contract


def test_the_owner_was_mailed_the_breach_and_the_recovery(story: Story) -> None:
    assert story.mails["clean tick"] == []
    assert [(m["X-DataPact-Kind"], str(m["To"])) for m in story.mails["breach tick"]] == [
        ("breach", OWNER)
    ]
    assert [m["X-DataPact-Kind"] for m in story.mails["recovery tick"]] == ["recovery"]


def test_the_evidence_keeps_the_arrival_and_the_delivery_of_the_episode(story: Story) -> None:
    expected = _expected(story)
    verdict, alert = expected["verdict"], expected["alert"]

    arrived = datetime.fromtimestamp(story.breach_landing_mtime, UTC)
    assert verdict.details["data_arrived_at"] == utc_timestamp(arrived)
    assert verdict.details["arrival_source"] == "landing file orders.parquet"
    assert verdict.details["run_started_at"] <= verdict.recorded_at
    ledger = AlertLedger(story.tmp / "alerts.db")
    try:
        [sent] = [d for d in ledger.deliveries("shop.orders") if d.key.kind == "breach"]
    finally:
        ledger.close()
    assert sent.sent_at is not None
    assert alert.details["delivered_at"] == utc_timestamp(sent.sent_at)
    assert alert.details["opened_by_run"] == verdict.run_id
    assert (alert.details["recipients"], alert.details["channels"]) == (1, ["email"])
    assert OWNER not in json.dumps(alert.details)


def test_the_json_report_measures_each_figure_from_the_evidence_and_judges_it(
    story: Story,
) -> None:
    expected = _expected(story)
    sla = _json_contract(story)["sla"]

    [episode] = sla["episodes"]
    assert episode["opened_by_run"] == expected["verdict"].run_id
    assert episode["recovered_by_run"] == expected["repair_run"]
    assert episode["detected_at"] == expected["verdict"].recorded_at
    assert episode["notified_at"] == expected["alert"].details["delivered_at"]
    assert episode["recovered_at"] == expected["recovered_at"]
    assert episode["failing_checks"] == ["orders__order_id__unique"]
    figures = episode["figures"]
    for name in ("timeToDetect", "timeToNotify", "timeToRepair"):
        assert figures[name]["seconds"] == pytest.approx(expected[name], abs=1e-6), name
        assert figures[name]["seconds"] > 0, name
    assert {n: f["verdict"] for n, f in figures.items()} == {
        "timeToDetect": "met",
        "timeToNotify": "met",
        "timeToRepair": "missed",
    }
    assert figures["timeToRepair"]["target_seconds"] == 1.0
    [table] = sla["tables"]
    assert (table["asset_key"], table["episodes"], table["ongoing"]) == ("bronze/orders", 1, 0)
    repair = table["figures"]["timeToRepair"]
    assert (repair["met"], repair["missed"]) == (0, 1)
    assert repair["median_seconds"] == repair["worst_seconds"] == figures["timeToRepair"]["seconds"]
    assert table["figures"]["timeToDetect"]["met"] == 1


def test_markdown_shows_the_episode_and_the_table_summary(story: Story) -> None:
    section = story.reports["md"].split("### SLA figures", 1)[1]
    [row] = [line for line in section.splitlines() if line.startswith("| shop.orders |")][:1]

    assert "| bronze/orders |" in row
    assert row.count("met (target 1h)") == 2
    assert "missed (target 1s)" in row
    assert "| shop.orders | bronze/orders | 1 |" in section
    assert "met 0 of 1 (target 1s)" in section


def test_junit_carries_the_figures_as_suite_properties(story: Story) -> None:
    path = story.tmp / "report.junit"
    [suite] = list(JUnitXml.fromfile(str(path)))
    properties = {p.name: p.value for p in suite.properties()}

    assert "timeToRepair" in properties["sla_episode"]
    assert "missed (target 1s)" in properties["sla_episode"]
    assert properties["sla_summary"].startswith("bronze/orders: 1 episode(s), 0 ongoing;")


def test_html_shows_met_and_missed_per_figure(story: Story, browser: Browser) -> None:
    page = browser.new_page()
    page.goto((story.tmp / "report.html").as_uri())

    rows = page.locator("section.contract table.sla-episodes tbody tr.sla-episode")
    assert rows.count() == 1
    missed = rows.nth(0).locator("td.sla-missed")
    assert missed.count() == 1
    assert missed.get_attribute("data-figure") == "timeToRepair"
    assert rows.nth(0).locator("td.sla-met").count() == 2
    summary = page.locator("table.sla-tables tr.sla-table td[data-figure=timeToRepair]")
    assert "met 0 of 1 (target 1s)" in summary.inner_text()
    page.close()
