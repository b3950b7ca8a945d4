"""What was already sent: one row per (contract, kind, episode, recipient), kept in SQLite.

A row is claimed ('pending') before a delivery is attempted, so two processes notifying the same
episode at once cannot both send. A claim left behind by a crashed process expires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

LedgerStatus = Literal["pending", "sent", "failed", "deferred"]

DEFAULT_CLAIM_TIMEOUT = timedelta(minutes=10)

_metadata = MetaData()
_deliveries = Table(
    "alert_deliveries",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("contract_id", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("episode_id", String(512), nullable=False),
    Column("recipient", String(1024), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("contract_version", String(64), nullable=False),
    Column("asset_key", String(512), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    UniqueConstraint("contract_id", "kind", "episode_id", "recipient", name="uq_alert_delivery"),
)


@dataclass(frozen=True)
class DeliveryKey:
    contract_id: str
    kind: str
    episode_id: str
    recipient: str
    """The recipient's identity, `<channel>:<address>`."""


@dataclass(frozen=True)
class DeliveryRecord:
    key: DeliveryKey
    channel: str
    contract_version: str
    asset_key: str
    status: LedgerStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


class AlertLedger:
    def __init__(self, path: Path, claim_timeout: timedelta = DEFAULT_CLAIM_TIMEOUT) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.claim_timeout = claim_timeout
        self._engine = _sqlite_engine(path)
        _metadata.create_all(self._engine)

    def status(self, key: DeliveryKey) -> LedgerStatus | None:
        with self._engine.connect() as connection:
            return connection.execute(
                select(_deliveries.c.status).where(_matches(key))
            ).scalar_one_or_none()

    def claim(self, key: DeliveryKey, channel: str, contract_version: str, asset_key: str) -> bool:
        """Mark the delivery as in progress; False if it was sent or another process holds it."""
        now = _now()
        with self._engine.begin() as connection:
            try:
                connection.execute(
                    insert(_deliveries).values(
                        contract_id=key.contract_id,
                        kind=key.kind,
                        episode_id=key.episode_id,
                        recipient=key.recipient,
                        channel=channel,
                        contract_version=contract_version,
                        asset_key=asset_key,
                        status="pending",
                        attempts=0,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return True
            except IntegrityError:
                pass
        stale = now - self.claim_timeout
        with self._engine.begin() as connection:
            reclaimable = _deliveries.c.status.in_(("failed", "deferred")) | and_(
                _deliveries.c.status == "pending", _deliveries.c.updated_at < stale
            )
            result = connection.execute(
                update(_deliveries)
                .where(_matches(key), reclaimable)
                .values(status="pending", updated_at=now)
            )
            return result.rowcount == 1

    def record(
        self,
        key: DeliveryKey,
        status: LedgerStatus,
        attempts: int = 0,
        error: str | None = None,
    ) -> None:
        """Store the result of a delivery; `attempts` is added to the attempts so far."""
        now = _now()
        values: dict[str, object] = {
            "status": status,
            "attempts": _deliveries.c.attempts + attempts,
            "last_error": error,
            "updated_at": now,
        }
        if status == "sent":
            values["sent_at"] = now
        with self._engine.begin() as connection:
            connection.execute(update(_deliveries).where(_matches(key)).values(**values))

    def defer(
        self, key: DeliveryKey, channel: str, contract_version: str, asset_key: str, reason: str
    ) -> None:
        """Remember a delivery held back (e.g. by a rate limit) so a later notify sends it."""
        if self.claim(key, channel, contract_version, asset_key):
            self.record(key, "deferred", error=reason)

    def sent_since(self, recipient: str, since: datetime) -> int:
        with self._engine.connect() as connection:
            return connection.execute(
                select(func.count())
                .select_from(_deliveries)
                .where(
                    _deliveries.c.recipient == recipient,
                    _deliveries.c.status == "sent",
                    _deliveries.c.sent_at >= since,
                )
            ).scalar_one()

    def deliveries(self, contract_id: str | None = None) -> list[DeliveryRecord]:
        query = select(_deliveries).order_by(_deliveries.c.id)
        if contract_id is not None:
            query = query.where(_deliveries.c.contract_id == contract_id)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query).mappings()]

    def close(self) -> None:
        self._engine.dispose()


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine


def _matches(key: DeliveryKey) -> ColumnElement[bool]:
    return and_(
        _deliveries.c.contract_id == key.contract_id,
        _deliveries.c.kind == key.kind,
        _deliveries.c.episode_id == key.episode_id,
        _deliveries.c.recipient == key.recipient,
    )


def _record(row: RowMapping) -> DeliveryRecord:
    return DeliveryRecord(
        key=DeliveryKey(row["contract_id"], row["kind"], row["episode_id"], row["recipient"]),
        channel=row["channel"],
        contract_version=row["contract_version"],
        asset_key=row["asset_key"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
        sent_at=_utc(row["sent_at"]) if row["sent_at"] is not None else None,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite stores no zone; everything written here is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
