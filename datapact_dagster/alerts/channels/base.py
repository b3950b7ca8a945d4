"""The contract every delivery channel keeps."""

from __future__ import annotations

from typing import Protocol

from datapact_dagster.alerts.events import AlertEvent
from datapact_dagster.alerts.render import RenderedAlert


class DeliveryError(Exception):
    """A delivery failed; `permanent` means retrying the same request cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class AlertChannel(Protocol):
    name: str

    def send(self, address: str, alert: RenderedAlert, event: AlertEvent) -> None:
        """Deliver `alert` to `address`; raise DeliveryError on failure."""
        ...
