"""The texts of the contract versions runs were made under (see `schema.contract_versions`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from .schema import contract_versions


@dataclass(frozen=True)
class ArchivedContract:
    contract_id: str
    version: str
    content_hash: str
    first_run_at: str
    text: str


def archive_contract(engine: Engine, contract_id: str, version: str, text: str, at: str) -> bool:
    """Keep `text` under its content hash; False when it was already kept (first run wins)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    row = {
        "content_hash": digest,
        "contract_id": contract_id,
        "contract_version": version,
        "first_run_at": at,
        "source_text": text,
    }
    with engine.connect() as connection:
        if connection.execute(
            select(contract_versions.c.content_hash).where(
                contract_versions.c.content_hash == digest
            )
        ).first():
            return False
    try:
        with engine.begin() as connection:
            connection.execute(insert(contract_versions).values(**row))
    except IntegrityError:
        return False
    return True


def archived_versions(engine: Engine, contract_id: str) -> list[ArchivedContract]:
    """Every kept version of a contract, oldest first run first."""
    query = (
        select(contract_versions)
        .where(contract_versions.c.contract_id == contract_id)
        .order_by(contract_versions.c.first_run_at)
    )
    with engine.connect() as connection:
        return [
            ArchivedContract(
                row.contract_id,
                row.contract_version,
                row.content_hash,
                row.first_run_at,
                row.source_text,
            )
            for row in connection.execute(query)
        ]


def previous_version(
    engine: Engine, contract_id: str, current_hash: str, version: str | None = None
) -> ArchivedContract | None:
    """The version in force before the current text: the newest kept text with another version
    number (or, given `version`, the newest text of that version); None when there is none."""
    kept = [k for k in archived_versions(engine, contract_id) if k.content_hash != current_hash]
    current = next(
        (k for k in archived_versions(engine, contract_id) if k.content_hash == current_hash), None
    )
    if version is not None:
        kept = [k for k in kept if k.version == version]
    elif current is not None:
        kept = [k for k in kept if k.version != current.version]
    return kept[-1] if kept else None


def archived(engine: Engine, content_hash: str) -> ArchivedContract | None:
    """The kept text with this content hash, if any run was made under it."""
    query = select(contract_versions).where(contract_versions.c.content_hash == content_hash)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return ArchivedContract(
        row.contract_id, row.contract_version, row.content_hash, row.first_run_at, row.source_text
    )
