from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from datapact_dagster.alerts import AlertLedger
from tests.alerts.support import SmtpSink, WebhookReceiver

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


class OutsideNetworkError(AssertionError):
    pass


def _require_loopback(address: Any) -> None:
    if isinstance(address, tuple) and address[0] not in LOOPBACK_HOSTS:
        raise OutsideNetworkError(f"test tried to contact {address!r}; only 127.0.0.1 is allowed")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Alert tests must never reach a host outside 127.0.0.1 (e.g. hooks.example.com)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        _require_loopback(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _require_loopback(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK_HOSTS:
            raise OutsideNetworkError(f"test tried to resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def webhook_receiver() -> Iterator[Callable[..., WebhookReceiver]]:
    started: list[WebhookReceiver] = []

    def start(statuses: tuple[int, ...] = (), then_status: int = 200) -> WebhookReceiver:
        receiver = WebhookReceiver(statuses, then_status)
        receiver.start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[AlertLedger]:
    alert_ledger = AlertLedger(tmp_path / ".datapact" / "alerts.db")
    yield alert_ledger
    alert_ledger.close()
