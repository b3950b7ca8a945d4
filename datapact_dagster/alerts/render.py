"""Turning an alert event into an email (subject + text) and a Slack-compatible message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from datapact_dagster.alerts.events import (
    AlertEvent,
    AlertKind,
    CheckSummary,
    ConsumerScope,
    format_asset_key,
)

SLACK_HEADER_LIMIT = 150
SLACK_SECTION_LIMIT = 2900
MAX_LISTED_CHECKS = 20

_LABELS = {
    AlertKind.breach: "BREACH",
    AlertKind.recovery: "RECOVERED",
    AlertKind.freshness_miss: "STALE",
    AlertKind.schema_drift: "SCHEMA DRIFT",
    AlertKind.new_contract_version: "NEW VERSION",
    AlertKind.deprecation: "DEPRECATED",
}

_EMOJI = {
    AlertKind.breach: ":red_circle:",
    AlertKind.recovery: ":large_green_circle:",
    AlertKind.freshness_miss: ":hourglass:",
    AlertKind.schema_drift: ":warning:",
    AlertKind.new_contract_version: ":page_facing_up:",
    AlertKind.deprecation: ":calendar:",
}


_STATES = {
    AlertKind.breach: "breached",
    AlertKind.recovery: "healthy",
    AlertKind.freshness_miss: "stale",
}
"""The table's state an event leaves, in the one vocabulary of states (`breaker.state.Health`,
which this layer sits below; tests/alerts keeps the two equal)."""


def table_state(kind: AlertKind) -> str | None:
    return _STATES.get(kind)


class RenderedAlert(NamedTuple):
    subject: str
    text: str
    slack: dict[str, Any]


def render(event: AlertEvent, scope: tuple[ConsumerScope, ...] = ()) -> RenderedAlert:
    """The alert as sent; `scope` (a consumer's tables and columns touched) adds why they hear."""
    subject = _subject(event)
    headline = _headline(event)
    check_lines = _check_lines(event.checks)
    facts = _facts(event)
    if scope:
        facts.insert(2, ("Your data", "; ".join(s.describe() for s in scope)))
    steps = _next_steps(event)

    text_parts = [headline]
    if check_lines:
        text_parts.append(_checks_title(event) + "\n" + "\n".join(f"  - {x}" for x in check_lines))
    if event.details:
        text_parts.append("Details:\n" + "\n".join(f"  - {d}" for d in event.details))
    text_parts.append("\n".join(f"{name}: {value}" for name, value in facts))
    if steps:
        text_parts.append(
            "What to do:\n" + "\n".join(f"  {n}. {s}" for n, s in enumerate(steps, 1))
        )
    text_parts.append("-- DataPact")
    text = "\n\n".join(text_parts) + "\n"

    return RenderedAlert(subject, text, _slack(event, subject, headline, check_lines, facts, steps))


def _subject(event: AlertEvent) -> str:
    label = f"[DataPact] {_LABELS[event.kind]} {event.contract_id} {event.contract_version}"
    asset = event.asset_path
    failing = len(event.checks)
    match event.kind:
        case AlertKind.breach:
            return f"{label}: {asset}, {failing} check{_plural(failing)} failing"
        case AlertKind.recovery:
            return f"{label}: {asset} passes its contract again"
        case AlertKind.freshness_miss:
            return f"{label}: {asset} missed its freshness SLA"
        case AlertKind.schema_drift:
            return f"{label}: {asset} no longer matches the declared schema"
        case AlertKind.new_contract_version:
            was = f" (was {event.previous_version})" if event.previous_version else ""
            return f"{label}{was}: {asset}"
        case AlertKind.deprecation:
            return f"{label}: {asset} {_retires(event)}"
    raise AssertionError(event.kind)


def _retires(event: AlertEvent) -> str:
    if event.retirement_date is None:
        return "will be retired (no date announced yet)"
    return f"retires on {event.retirement_date.isoformat()}"


def _headline(event: AlertEvent) -> str:
    contract = f"contract {event.contract_id} {event.contract_version}"
    asset = event.asset_path
    match event.kind:
        case AlertKind.breach:
            return (
                f"{asset} is breached: its new data breaks {contract}. It was NOT published: "
                f"the last good version stays in place and the rejected rows are quarantined."
            )
        case AlertKind.recovery:
            return (
                f"{asset} is healthy: it passes {contract} again. The latest data is published "
                f"and held downstream assets may run again."
            )
        case AlertKind.freshness_miss:
            return (
                f"{asset} is stale: it has not been refreshed within the freshness SLA of "
                f"{contract}. "
                f"Consumers are reading stale data."
            )
        case AlertKind.schema_drift:
            return f"The table behind {asset} no longer matches the schema declared in {contract}."
        case AlertKind.new_contract_version:
            was = f" (previously {event.previous_version})" if event.previous_version else ""
            return (
                f"Version {event.contract_version} of contract {event.contract_id} is now "
                f"active for {asset}{was}. Check that what you read from it still holds."
            )
        case AlertKind.deprecation:
            instead = (
                f"Use {event.replacement} instead."
                if event.replacement
                else "No replacement is named: ask its owners what to read instead."
            )
            return (
                f"Contract {event.contract_id} {event.contract_version} is deprecated: {asset} "
                f"{_retires(event)}. From then on it is no longer built: its last data stays in "
                f"place but is not refreshed. {instead}"
            )
    raise AssertionError(event.kind)


def _checks_title(event: AlertEvent) -> str:
    if event.kind is AlertKind.recovery:
        return "Checks passing again:"
    if event.kind is AlertKind.breach:
        return f"Failing checks ({len(event.checks)}):"
    return "Checks:"


def _check_lines(checks: tuple[CheckSummary, ...]) -> list[str]:
    lines = [_check_line(check) for check in checks[:MAX_LISTED_CHECKS]]
    if len(checks) > MAX_LISTED_CHECKS:
        lines.append(f"... and {len(checks) - MAX_LISTED_CHECKS} more")
    return lines


def _check_line(check: CheckSummary) -> str:
    rows = ""
    if check.failing_rows is not None:
        rows = f" ({check.failing_rows:,} failing row{_plural(check.failing_rows)})"
    return f"{check.key} [{check.severity}]: {check.summary}{rows}"


def _facts(event: AlertEvent) -> list[tuple[str, str]]:
    facts = [
        ("Contract", f"{event.contract_id} {event.contract_version}"),
        ("Asset", event.asset_path),
    ]
    if (state := table_state(event.kind)) is not None:
        facts.append(("State", state))
    if event.since is not None:
        label = "Was breached since" if event.kind is AlertKind.recovery else "Since"
        duration = _duration(event.occurred_at - event.since)
        facts.append((label, f"{_timestamp(event.since)} (for {duration})"))
    if event.kind is AlertKind.deprecation:
        when = event.retirement_date
        facts.append(("Retires on", when.isoformat() if when else "not announced yet"))
        facts.append(("Replaced by", event.replacement or "not named"))
    facts.append(("Detected at", _timestamp(event.occurred_at)))
    if event.run_id:
        facts.append(("Run", event.run_id))
    if event.downstream_held:
        held = ", ".join(format_asset_key(key) for key in event.downstream_held)
        label = "Downstream released" if event.kind is AlertKind.recovery else "Downstream held"
        facts.append((label, held))
    facts.append(("Episode", event.episode_id))
    if event.link:
        facts.append(("Open", event.link))
    return facts


def _next_steps(event: AlertEvent) -> list[str]:
    asset = event.asset_path
    where = " (link above)" if event.link else ""
    open_run = f"Open the run{where} and read the check results."
    match event.kind:
        case AlertKind.breach:
            return [
                open_run,
                "Inspect the quarantined rows to find the bad records and where they came from.",
                f"Fix the source data or the SQL of {asset}, then re-materialise {asset}.",
                "If the contract itself is wrong, publish a new contract version instead.",
            ]
        case AlertKind.recovery:
            return ["Nothing; re-run held downstream assets if they do not start on their own."]
        case AlertKind.freshness_miss:
            return [
                f"Check the schedule and the latest runs of {asset} and of its upstream loads.",
                "Look for a failed or stuck run, or a landing file that did not arrive.",
                f"Re-materialise {asset} once its inputs are there.",
            ]
        case AlertKind.schema_drift:
            return [
                open_run,
                f"Either change the SQL of {asset} back to the declared schema, or publish a new "
                "contract version and tell its consumers.",
            ]
        case AlertKind.new_contract_version:
            return ["Review the changes and adapt what reads this dataset if needed."]
        case AlertKind.deprecation:
            by = f" by {event.retirement_date.isoformat()}" if event.retirement_date else ""
            target = event.replacement or "what its owners name"
            return [
                f"Move what reads {asset} to {target}{by}.",
                "Until then it is built and checked as before; this notice repeats once a week.",
                "If you cannot move in time, tell the contract's owners now.",
            ]
    raise AssertionError(event.kind)


def _slack(
    event: AlertEvent,
    subject: str,
    headline: str,
    check_lines: list[str],
    facts: list[tuple[str, str]],
    steps: list[str],
) -> dict[str, Any]:
    header = f"{_LABELS[event.kind]}: {event.contract_id} {event.contract_version}"
    header = _clip(f"{header} ({event.asset_path})", SLACK_HEADER_LIMIT)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        _mrkdwn_section(f"{_EMOJI[event.kind]} {_escape(headline)}"),
    ]
    if check_lines:
        listed = "\n".join(f"• {_escape(line)}" for line in check_lines)
        blocks.append(_mrkdwn_section(f"*{_checks_title(event)}*\n{listed}"))
    if event.details:
        blocks.append(_mrkdwn_section("\n".join(f"• {_escape(d)}" for d in event.details)))
    fact_lines = [f"*{name}:* {_escape(value)}" for name, value in facts if name != "Open"]
    blocks.append(_mrkdwn_section("\n".join(fact_lines)))
    if steps:
        listed = "\n".join(f"{n}. {_escape(step)}" for n, step in enumerate(steps, 1))
        blocks.append(_mrkdwn_section(f"*What to do*\n{listed}"))
    if event.link:
        button = {
            "type": "button",
            "text": {"type": "plain_text", "text": "Open in Dagster"},
            "url": event.link,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": _escape(subject), "blocks": blocks}


def _mrkdwn_section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, SLACK_SECTION_LIMIT)}}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _duration(elapsed: timedelta) -> str:
    minutes = max(int(elapsed.total_seconds() // 60), 0)
    if minutes < 1:
        return "less than a minute"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d"] if days else []
    if hours:
        parts.append(f"{hours}h")
    if minutes and not days:
        parts.append(f"{minutes}m")
    return " ".join(parts)
