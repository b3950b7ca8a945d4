"""Delivery channels: each sends one rendered alert to one address or raises DeliveryError."""

from datapact_dagster.alerts.channels.base import AlertChannel, DeliveryError
from datapact_dagster.alerts.channels.email import EmailChannel
from datapact_dagster.alerts.channels.webhook import WebhookChannel

__all__ = ["AlertChannel", "DeliveryError", "EmailChannel", "WebhookChannel"]
