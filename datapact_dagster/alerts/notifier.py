"""Sending one event to everyone who should hear about it: once per episode, rate-limited,
retried, recorded, and never raising into the pipeline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from datapact_dagster.alerts.channels.base import AlertChannel, DeliveryError
from datapact_dagster.alerts.channels.email import EmailChannel
from datapact_dagster.alerts.channels.webhook import WebhookChannel, redact_url
from datapact_dagster.alerts.config import SMTP_HOST_ENV, AlertConfig
from datapact_dagster.alerts.events import (
    AlertEvent,
    AlertKind,
    dagster_asset_url,
    dagster_run_url,
)
from datapact_dagster.alerts.ledger import AlertLedger, DeliveryKey
from datapact_dagster.alerts.recipients import Audience, Recipient, recipients_for
from datapact_dagster.alerts.render import RenderedAlert, render
from datapact_dagster.alerts.routing import webhook_target
from datapact_dagster.contract.model import Contract

logger = logging.getLogger("datapact.alerts")

_OPENING_KINDS = frozenset(
    {AlertKind.breach.value, AlertKind.schema_drift.value, AlertKind.freshness_miss.value}
)
"""Kinds of alert that open an episode a recovery closes."""


class DeliveryStatus(StrEnum):
    sent = "sent"
    failed = "failed"
    already_sent = "already_sent"
    """Sent earlier for the same contract, kind and episode."""
    rate_limited = "rate_limited"
    """Held back by the recipient's rate limit; a later notify of the same event sends it."""
    disabled = "disabled"
    """The channel is switched off or not configured (e.g. no SMTP host)."""
    skipped = "skipped"
    """Not attempted: placeholder host, missing route, or another process is delivering it."""


@dataclass(frozen=True)
class DeliveryOutcome:
    recipient: Recipient | None
    """None when the event could not be processed at all (see `detail`)."""
    status: DeliveryStatus
    attempts: int = 0
    detail: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status in (DeliveryStatus.sent, DeliveryStatus.already_sent)


class Notifier:
    def __init__(
        self,
        config: AlertConfig,
        ledger: AlertLedger,
        channels: Mapping[str, AlertChannel] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self._channels = dict(channels) if channels is not None else _default_channels(config)
        self._sleep = sleep

    def notify(self, event: AlertEvent, contract: Contract) -> list[DeliveryOutcome]:
        """Deliver `event` to the contract's recipients. Never raises: problems are logged and
        reported as outcomes."""
        try:
            event = self._with_link(event)
            alert = render(event)
            routed = frozenset(self.config.webhook_routes)
            recipients = recipients_for(
                contract, event.kind, self.config.audiences, routed, event.consumers
            )
            if event.kind is AlertKind.recovery:
                recipients = self._told_of_the_breach(event, recipients)
        except Exception as error:
            logger.exception("alert %s for %s could not be prepared", event.kind, event.contract_id)
            return [DeliveryOutcome(None, DeliveryStatus.failed, detail=f"{error!r}")]
        if not recipients:
            logger.warning(
                "no recipients for %s alert of %s: the contract names no owner email, support "
                "channel or consumer contact",
                event.kind,
                event.contract_id,
            )
        return [
            self._deliver_safely(event, render(event, r.scope) if r.scope else alert, r)
            for r in recipients
        ]

    def _told_of_the_breach(
        self, event: AlertEvent, recipients: list[Recipient]
    ) -> list[Recipient]:
        """A recovery reaches the consumers its breach reached (the breach was scoped to the
        columns it touched); when the ledger holds no breach of the episode, every consumer."""
        told = {
            record.key.recipient.lower(): record.key.recipient
            for record in self.ledger.deliveries(event.contract_id)
            if record.key.kind in _OPENING_KINDS
            and record.key.episode_id == event.episode_id
            and record.status == "sent"
        }
        if not told:
            return recipients
        kept = [r for r in recipients if r.audience != Audience.consumers or r.key.lower() in told]
        known = {r.key.lower() for r in kept}
        for identity in sorted(set(told) - known):
            channel, _, address = told[identity].partition(":")
            if channel == "email" or channel == "webhook":
                kept.append(Recipient(channel, address, Audience.consumers, address))
        return kept

    def _deliver_safely(
        self, event: AlertEvent, alert: RenderedAlert, recipient: Recipient
    ) -> DeliveryOutcome:
        try:
            outcome = self._deliver(event, alert, recipient)
        except Exception as error:
            logger.exception("alert to %s failed unexpectedly", _display(recipient))
            outcome = DeliveryOutcome(recipient, DeliveryStatus.failed, detail=repr(error))
        if outcome.status not in (DeliveryStatus.sent, DeliveryStatus.failed):
            logger.info(
                "%s alert for %s episode %s to %s: %s%s",
                event.kind,
                event.contract_id,
                event.episode_id,
                _display(recipient),
                outcome.status,
                f" ({outcome.detail})" if outcome.detail else "",
            )
        return outcome

    def _deliver(
        self, event: AlertEvent, alert: RenderedAlert, recipient: Recipient
    ) -> DeliveryOutcome:
        key = DeliveryKey(event.contract_id, event.kind.value, event.episode_id, recipient.key)
        if self.ledger.status(key) == "sent":
            return DeliveryOutcome(recipient, DeliveryStatus.already_sent)

        settings = self.config.channel_settings(recipient.channel)
        if not self.config.enabled or not settings.enabled:
            return DeliveryOutcome(recipient, DeliveryStatus.disabled, detail="switched off")
        channel = self._channels.get(recipient.channel)
        if channel is None:
            reason = f"{SMTP_HOST_ENV} is not set" if recipient.channel == "email" else "no channel"
            return DeliveryOutcome(recipient, DeliveryStatus.disabled, detail=reason)

        address = recipient.address
        if recipient.channel == "webhook":
            target = webhook_target(recipient, self.config)
            if target.url is None:
                return DeliveryOutcome(recipient, DeliveryStatus.skipped, detail=target.skip_reason)
            address = target.url

        asset = event.asset_path
        limit = settings.rate_limit
        window_start = datetime.now(UTC) - timedelta(seconds=limit.window_seconds)
        if self.ledger.sent_since(recipient.key, window_start) >= limit.max_alerts:
            reason = f"rate limit of {limit.max_alerts} per {limit.window_seconds:g}s reached"
            self.ledger.defer(key, recipient.channel, event.contract_version, asset, reason)
            logger.warning(
                "%s alert for %s to %s deferred: %s",
                event.kind,
                event.contract_id,
                _display(recipient),
                reason,
            )
            return DeliveryOutcome(recipient, DeliveryStatus.rate_limited, detail=reason)

        if not self.ledger.claim(key, recipient.channel, event.contract_version, asset):
            if self.ledger.status(key) == "sent":
                return DeliveryOutcome(recipient, DeliveryStatus.already_sent)
            return DeliveryOutcome(
                recipient, DeliveryStatus.skipped, detail="another process is delivering it"
            )
        return self._send_with_retries(channel, address, alert, event, recipient, key)

    def _send_with_retries(
        self,
        channel: AlertChannel,
        address: str,
        alert: RenderedAlert,
        event: AlertEvent,
        recipient: Recipient,
        key: DeliveryKey,
    ) -> DeliveryOutcome:
        policy = self.config.retry
        error_text = ""
        attempt = 0
        for attempt in range(1, policy.attempts + 1):
            try:
                channel.send(address, alert, event)
            except Exception as error:
                permanent = isinstance(error, DeliveryError) and error.permanent
                error_text = str(error) if isinstance(error, DeliveryError) else repr(error)
                logger.warning(
                    "%s alert for %s to %s: attempt %d/%d failed: %s",
                    event.kind,
                    event.contract_id,
                    _display(recipient),
                    attempt,
                    policy.attempts,
                    error_text,
                )
                if permanent or attempt == policy.attempts:
                    break
                self._sleep(policy.delay_after(attempt))
                continue
            self.ledger.record(key, "sent", attempts=attempt)
            logger.info(
                "%s alert for %s episode %s sent to %s (attempt %d)",
                event.kind,
                event.contract_id,
                event.episode_id,
                _display(recipient),
                attempt,
            )
            return DeliveryOutcome(recipient, DeliveryStatus.sent, attempts=attempt)

        self.ledger.record(key, "failed", attempts=attempt, error=error_text)
        logger.error(
            "%s alert for %s episode %s to %s failed after %d attempt(s): %s",
            event.kind,
            event.contract_id,
            event.episode_id,
            _display(recipient),
            attempt,
            error_text,
        )
        return DeliveryOutcome(
            recipient, DeliveryStatus.failed, attempts=attempt, detail=error_text
        )

    def _with_link(self, event: AlertEvent) -> AlertEvent:
        base = self.config.dagster_ui_url
        if event.link is not None or base is None:
            return event
        link = dagster_run_url(base, event.run_id) if event.run_id else None
        return replace(event, link=link or dagster_asset_url(base, event.asset_key))


def _default_channels(config: AlertConfig) -> dict[str, AlertChannel]:
    channels: dict[str, AlertChannel] = {
        "webhook": WebhookChannel(config.webhook.timeout_seconds),
    }
    if config.smtp.host is not None:
        channels["email"] = EmailChannel(config.smtp, config.email.timeout_seconds)
    return channels


def _display(recipient: Recipient) -> str:
    if recipient.channel == "webhook" and not recipient.address.startswith("route:"):
        return f"webhook {recipient.name} ({redact_url(recipient.address)})"
    return f"{recipient.channel} {recipient.address}"
