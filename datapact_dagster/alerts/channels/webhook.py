"""Slack-compatible incoming webhooks: a JSON POST of {"text": ..., "blocks": [...]}."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from datapact_dagster.alerts.channels.base import DeliveryError
from datapact_dagster.alerts.events import AlertEvent
from datapact_dagster.alerts.render import RenderedAlert

RETRYABLE_STATUSES = frozenset({408, 425, 429})
USER_AGENT = "datapact-alerts/1"


class WebhookChannel:
    name = "webhook"

    def __init__(self, timeout_seconds: float) -> None:
        self.timeout_seconds = timeout_seconds

    def send(self, address: str, alert: RenderedAlert, event: AlertEvent) -> None:
        body = json.dumps(alert.slack).encode("utf-8")
        request = urllib.request.Request(
            address,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        where = redact_url(address)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                response.read()
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in RETRYABLE_STATUSES
            raise DeliveryError(f"{where} answered HTTP {error.code}", permanent) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryError(f"{where} unreachable: {reason}") from error


def redact_url(url: str) -> str:
    """The URL without path and query: webhook paths carry the credential."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"
