"""Local stand-ins for the outside world: an SMTP sink and an HTTP webhook receiver on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from datapact_dagster.alerts import AlertConfig, AlertEvent, AlertKind, CheckSummary
from datapact_dagster.alerts.config import ChannelSettings, RateLimit, RetryPolicy, SmtpSettings
from datapact_dagster.contract.model import Consumer, Contract, SupportChannel

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.port = free_port()
        self._controller = Controller(self, hostname=LOOPBACK, port=self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, _class=EmailMessage, policy=policy.default)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


class WebhookReceiver:
    """An HTTP server answering POSTs with scripted statuses (then `then_status` forever)."""

    def __init__(self, statuses: Iterable[int] = (), then_status: int = 200) -> None:
        self.requests: list[dict[str, Any]] = []
        self.content_types: list[str] = []
        self._statuses = list(statuses)
        self._then_status = then_status
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status = receiver._record(body, self.headers.get("Content-Type", ""))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}/hook"

    def _record(self, body: bytes, content_type: str) -> int:
        with self._lock:
            self.requests.append(json.loads(body))
            self.content_types.append(content_type)
            return self._statuses.pop(0) if self._statuses else self._then_status

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def make_contract(
    owners: tuple[str, ...] = ("finance-analytics@example.com",),
    support: tuple[SupportChannel, ...] = (),
    consumers: tuple[Consumer, ...] = (),
    contract_id: str = "commerce.orders",
) -> Contract:
    return Contract(
        id=contract_id,
        version="1.3.0",
        status="active",
        api_version="v3.1.0",
        owners=owners,
        support=support,
        consumers=consumers,
        tables=(),
        source_path=Path("contracts/orders.yaml"),
        content_hash="0" * 64,
    )


BREACH_CHECK = CheckSummary(
    key="orders__order_id__unique",
    summary="3 duplicate order_id values, 0.003% of 100,000 rows",
    severity="error",
    failing_rows=3,
)


def make_event(
    kind: AlertKind = AlertKind.breach,
    episode_id: str = "commerce.orders:silver/orders:run-1",
    contract_id: str = "commerce.orders",
    checks: tuple[CheckSummary, ...] = (BREACH_CHECK,),
) -> AlertEvent:
    now = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
    return AlertEvent(
        kind=kind,
        contract_id=contract_id,
        contract_version="1.3.0",
        asset_key=("silver", "orders"),
        episode_id=episode_id,
        run_id="run-1",
        checks=checks,
        occurred_at=now,
        since=now - timedelta(hours=2, minutes=5),
        downstream_held=(("gold", "daily_revenue"),),
    )


def make_config(
    smtp_port: int | None = None,
    webhook_url: str | None = None,
    attempts: int = 3,
    max_alerts: int = 100,
    **overrides: Any,
) -> AlertConfig:
    """A config for tests: tiny backoff, SMTP and webhooks pointed at local servers only."""
    rate_limit = RateLimit(max_alerts=max_alerts, window_seconds=3600)
    settings = ChannelSettings(timeout_seconds=5, rate_limit=rate_limit)
    smtp = SmtpSettings(host=LOOPBACK, port=smtp_port) if smtp_port else SmtpSettings()
    values: dict[str, Any] = {
        "email": settings,
        "webhook": settings,
        "retry": RetryPolicy(attempts=attempts, backoff_seconds=0.01, max_backoff_seconds=0.05),
        "smtp": smtp,
        "webhook_url_override": webhook_url,
        **overrides,
    }
    return AlertConfig(**values)
