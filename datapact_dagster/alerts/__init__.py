"""Alerting: contract events rendered and delivered once per episode to owners and consumers.

No Dagster imports here; sensors call `Notifier.notify` with an `AlertEvent`.
"""

from datapact_dagster.alerts.config import AlertConfig, AlertConfigError
from datapact_dagster.alerts.events import AlertEvent, AlertKind, CheckSummary, episode_id_for
from datapact_dagster.alerts.ledger import AlertLedger, DeliveryRecord
from datapact_dagster.alerts.notifier import DeliveryOutcome, DeliveryStatus, Notifier
from datapact_dagster.alerts.recipients import Audience, Recipient, recipients_for
from datapact_dagster.alerts.render import RenderedAlert, render

__all__ = [
    "AlertConfig",
    "AlertConfigError",
    "AlertEvent",
    "AlertKind",
    "AlertLedger",
    "Audience",
    "CheckSummary",
    "DeliveryOutcome",
    "DeliveryRecord",
    "DeliveryStatus",
    "Notifier",
    "Recipient",
    "RenderedAlert",
    "episode_id_for",
    "recipients_for",
    "render",
]
