"""The arithmetic of breach episodes and their SLA figures on evidence records built by hand,
and the report of one run, which leaves them out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from datapact_dagster.contract.model import SlaTarget
from datapact_dagster.evidence import EvidenceStore, render_report
from datapact_dagster.evidence.model import Record
from datapact_dagster.evidence.reports import report_from_store
from datapact_dagster.evidence.sla import sla_episodes, sla_summaries
from tests.evidence.factories import FINGERPRINT, ORDERS, check_spec, failing

ASSET = "bronze/raw_orders"
_seq = iter(range(1, 10_000))


def _at(clock: str) -> str:
    return f"2026-03-02T{clock}.000000Z"


def _record(**values: Any) -> Record:
    base: dict[str, Any] = {
        "seq": next(_seq),
        "recorded_at": "",
        "kind": "check",
        "contract_id": "shop.orders",
        "contract_version": "1.0.0",
        "contract_hash": "h",
        "suite_hash": None,
        "check_key": None,
        "severity": None,
        "verdict": None,
        "execution_status": "succeeded",
        "decision": None,
        "summary": None,
        "observed": None,
        "threshold": None,
        "samples": [],
        "row_count": None,
        "data_hash": None,
        "run_id": None,
        "asset_key": ASSET,
        "details": {},
    }
    return Record(**(base | values))


def _run(
    run: str,
    clock: str,
    verdict: str,
    *,
    build: bool = True,
    arrived: str | None = None,
    severity: str = "error",
) -> list[Record]:
    """One run's evidence: its unique-key verdict, and a decision when it built the table."""
    details = {"data_arrived_at": _at(arrived), "arrival_source": "landing file"} if arrived else {}
    check = _record(
        recorded_at=_at(clock),
        check_key="raw_orders__order_id__unique",
        severity=severity,
        verdict=verdict,
        run_id=run,
        details=details,
    )
    if not build:
        return [check]
    decision = "publish" if verdict == "pass" or severity != "error" else "quarantine"
    return [check, _record(kind="decision", decision=decision, recorded_at=_at(clock), run_id=run)]


def _alert(delivered: str, opened_by_run: str, kind: str = "breach") -> Record:
    return _record(
        kind="decision",
        decision="alert",
        recorded_at=_at(delivered),
        details={
            "alert_kind": kind,
            "opened_by_run": opened_by_run,
            "delivered_at": _at(delivered),
        },
    )


def _target(figure: str, minutes: float, table: str | None = None) -> SlaTarget:
    return SlaTarget(
        figure=figure,  # type: ignore[arg-type]
        limit=timedelta(minutes=minutes),
        table=table,
        doc_path="slaProperties[0]",
    )


def _figures(episode: Any) -> dict[str, tuple[float | None, str | None]]:
    return {f.figure: (f.seconds, f.verdict) for f in episode.figures}


def test_a_closed_episode_measures_detect_notify_and_repair_and_judges_each() -> None:
    records = [
        *_run("r1", "09:00:00", "pass", arrived="08:59:00"),
        *_run("r2", "10:00:30", "fail", arrived="10:00:00"),
        _alert("10:01:00", "r2"),
        *_run("r3", "10:30:30", "pass", arrived="10:30:00"),
    ]
    targets = [
        _target("timeToDetect", 1),
        _target("timeToNotify", 1 / 6),
        _target("timeToRepair", 60),
    ]

    [episode] = sla_episodes(records, targets, _at("12:00:00"))

    assert (episode.opened_by_run, episode.recovered_by_run) == ("r2", "r3")
    assert episode.data_arrived_at == _at("10:00:00")
    assert _figures(episode) == {
        "timeToDetect": (30.0, "met"),
        "timeToNotify": (30.0, "missed"),
        "timeToRepair": (1800.0, "met"),
    }


def test_an_open_episode_has_no_repair_time_and_misses_only_once_the_target_has_passed() -> None:
    records = [*_run("r1", "10:00:30", "fail", arrived="10:00:00"), _alert("10:00:40", "r1")]
    targets = [_target("timeToRepair", 60)]

    [early] = sla_episodes(records, targets, _at("10:30:00"))
    [late] = sla_episodes(records, targets, _at("11:30:00"))

    assert early.ongoing and early.recovered_at is None
    assert early.figure("timeToRepair").seconds is None
    assert early.figure("timeToRepair").note == "ongoing"
    assert early.figure("timeToRepair").verdict == "pending"
    assert late.figure("timeToRepair").verdict == "missed"
    assert early.figure("timeToNotify").seconds == 10.0


def test_an_episode_with_no_alert_delivered_has_no_notify_time_and_misses_its_target() -> None:
    records = [
        *_run("r1", "10:00:30", "fail", arrived="10:00:00"),
        *_run("r2", "10:20:00", "pass", arrived="10:19:00"),
    ]

    [episode] = sla_episodes(records, [_target("timeToNotify", 5)], _at("12:00:00"))

    notify = episode.figure("timeToNotify")
    assert (notify.seconds, notify.note, notify.verdict) == (None, "no alert delivered", "missed")
    assert episode.figure("timeToRepair").seconds == 1170.0
    assert episode.figure("timeToRepair").verdict is None


def test_two_episodes_each_take_their_own_alert_and_the_table_summary_counts_them() -> None:
    records = [
        *_run("r1", "10:00:10", "fail", arrived="10:00:00"),
        *_run("r2", "10:00:50", "fail", arrived="10:00:40"),
        _alert("10:01:10", "r1"),
        *_run("r3", "10:10:10", "pass", arrived="10:10:00"),
        *_run("r4", "11:00:40", "fail", arrived="11:00:00"),
        _alert("11:00:50", "r4"),
        *_run("r5", "11:30:40", "pass", arrived="11:30:00"),
    ]
    targets = [_target("timeToDetect", 0.5), _target("timeToRepair", 20)]

    first, second = sla_episodes(records, targets, _at("12:00:00"))
    [summary] = sla_summaries([first, second])

    assert (first.opened_by_run, second.opened_by_run) == ("r1", "r4")
    assert first.failing_checks == ("raw_orders__order_id__unique",)
    assert _figures(first) == {
        "timeToDetect": (10.0, "met"),
        "timeToNotify": (60.0, None),
        "timeToRepair": (600.0, "met"),
    }
    assert _figures(second) == {
        "timeToDetect": (40.0, "missed"),
        "timeToNotify": (10.0, None),
        "timeToRepair": (1800.0, "missed"),
    }
    assert (summary.asset_key, summary.episodes, summary.ongoing) == (ASSET, 2, 0)
    detect, notify, repair = summary.figures
    assert (detect.median_seconds, detect.worst_seconds, detect.met, detect.missed) == (
        25.0,
        40.0,
        1,
        1,
    )
    assert (notify.measured, notify.target_seconds, notify.met) == (2, None, 0)
    assert (repair.worst_seconds, repair.target_seconds) == (1800.0, 1200.0)


def test_a_check_only_pass_does_not_close_an_episode_a_failed_build_opened() -> None:
    records = [
        *_run("r1", "10:00:10", "fail", arrived="10:00:00"),
        *_run("check", "10:05:00", "pass", build=False),
        *_run("r2", "10:20:10", "pass", arrived="10:20:00"),
    ]

    [episode] = sla_episodes(records, [], _at("12:00:00"))

    assert episode.recovered_by_run == "r2"
    assert episode.figure("timeToRepair").seconds == 1200.0


def test_warnings_open_no_episode_and_a_table_target_overrides_the_contract_wide_one() -> None:
    warned = [*_run("w1", "09:00:10", "fail", severity="warning", arrived="09:00:00")]
    breached = [
        *_run("r1", "10:00:10", "fail", arrived="10:00:00"),
        *_run("r2", "10:10:10", "pass", arrived="10:10:00"),
    ]
    targets = [_target("timeToRepair", 5), _target("timeToRepair", 30, table="raw_orders")]

    assert sla_episodes(warned, targets, _at("12:00:00")) == ()
    [episode] = sla_episodes(warned + breached, targets, _at("12:00:00"))
    assert episode.figure("timeToRepair").target_seconds == 1800.0
    assert episode.figure("timeToRepair").verdict == "met"


def test_without_a_recorded_arrival_time_to_detect_is_not_measured() -> None:
    records = [*_run("r1", "10:00:10", "fail")]

    [episode] = sla_episodes(records, [_target("timeToDetect", 1)], _at("12:00:00"))

    detect = episode.figure("timeToDetect")
    assert (detect.seconds, detect.note, detect.verdict) == (
        None,
        "arrival not recorded",
        None,
    )


def test_one_runs_report_leaves_the_figures_out_and_says_where_they_are(tmp_path: Path) -> None:
    store = EvidenceStore(f"sqlite:///{tmp_path / 'evidence.db'}")
    spec = check_spec()
    store.append_check_results(
        [failing(spec)], contract=ORDERS, suite_hash=None, fingerprint=FINGERPRINT, run_id="r1"
    )

    whole = report_from_store(store)
    one_run = report_from_store(store, run_id="r1")

    assert [e.opened_by_run for e in whole.contracts[0].sla_episodes] == ["r1"]
    assert one_run.contracts[0].sla_episodes == ()
    assert "datapact report</code> shows the SLA figures" in render_report(one_run, "html")
    store.close()


def test_a_missing_alert_is_judged_up_to_the_reports_end_not_the_recovery() -> None:
    records = [
        *_run("r1", "10:00:10", "fail", arrived="10:00:00"),
        *_run("r2", "10:02:10", "pass", arrived="10:02:00"),
    ]
    targets = [_target("timeToNotify", 5)]

    [soon] = sla_episodes(records, targets, _at("10:03:00"))
    [later] = sla_episodes(records, targets, _at("10:30:00"))

    assert soon.figure("timeToNotify").verdict == "pending"
    assert later.figure("timeToNotify").verdict == "missed"
