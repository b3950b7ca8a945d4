"""Who hears about an event: derived from the contract's owners, support channels and consumers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from datapact_dagster.alerts.events import AlertKind, ConsumerScope
from datapact_dagster.contract.model import Contract

ChannelKind = Literal["email", "webhook"]

ROUTE_PREFIX = "route:"
EMAIL_PATTERN = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class Audience(StrEnum):
    owners = "owners"
    support = "support"
    consumers = "consumers"


DEFAULT_AUDIENCES: Mapping[AlertKind, frozenset[Audience]] = {
    AlertKind.breach: frozenset(Audience),
    AlertKind.recovery: frozenset(Audience),
    AlertKind.schema_drift: frozenset(Audience),
    # Consumers keep reading the last good data; the producer fixes a late load first.
    AlertKind.freshness_miss: frozenset({Audience.owners, Audience.support}),
    # A new version changes the promise consumers rely on, so they hear about it.
    AlertKind.new_contract_version: frozenset(Audience),
    # The owners deprecated it themselves; its readers must move before the retirement date.
    AlertKind.deprecation: frozenset({Audience.consumers}),
}
DRAFT_AUDIENCES = frozenset({Audience.owners})
"""Everyone a draft contract's alerts reach: nothing may depend on a draft, so nobody else."""


@dataclass(frozen=True)
class Recipient:
    channel: ChannelKind
    address: str
    """An email address, or the webhook URL declared in the contract."""
    audience: Audience
    name: str
    """Who this is in the contract: the owner, the support channel name or the consumer team."""
    scope: tuple[ConsumerScope, ...] = ()
    """For a consumer: the tables and columns of theirs the event touches."""

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.address}"


def recipients_for(
    contract: Contract,
    kind: AlertKind,
    audiences: Mapping[AlertKind, frozenset[Audience]] = DEFAULT_AUDIENCES,
    routed_channels: frozenset[str] = frozenset(),
    consumers: tuple[ConsumerScope, ...] | None = None,
) -> list[Recipient]:
    """The recipients of an event of `kind`, deduplicated by channel and address (first wins:
    owners, then support channels, then consumers).

    A support channel without a usable contact but named in `routed_channels` (webhook routing
    in the alert config) is a webhook recipient. A draft contract's alerts reach its owners
    only, whatever `audiences` says."""
    wanted = audiences.get(kind, DEFAULT_AUDIENCES[kind])
    if contract.status == "draft":
        wanted = wanted & DRAFT_AUDIENCES
    found: list[Recipient] = []
    if Audience.owners in wanted:
        found.extend(_owner_recipients(contract.owners))
    if Audience.support in wanted:
        for support in contract.support:
            recipient = _contact_recipient(support.url, Audience.support, support.channel)
            if recipient is None and support.channel in routed_channels:
                address = f"{ROUTE_PREFIX}{support.channel}"
                recipient = Recipient("webhook", address, Audience.support, support.channel)
            if recipient is not None:
                found.append(recipient)
    if Audience.consumers in wanted and consumers is None:
        for consumer in contract.consumers:
            recipient = _contact_recipient(consumer.contact, Audience.consumers, consumer.team)
            if recipient is not None:
                found.append(recipient)
    elif Audience.consumers in wanted and consumers is not None:
        found.extend(_scoped_recipients(consumers))
    return _unique(found)


def _scoped_recipients(consumers: tuple[ConsumerScope, ...]) -> list[Recipient]:
    """One recipient per contact, carrying every table and column of theirs that is touched."""
    by_key: dict[str, Recipient] = {}
    for scope in consumers:
        recipient = _contact_recipient(scope.contact, Audience.consumers, scope.team)
        if recipient is None:
            continue
        known = by_key.get(recipient.key.lower())
        scopes = (*known.scope, scope) if known else (scope,)
        by_key[recipient.key.lower()] = replace(known or recipient, scope=scopes)
    return list(by_key.values())


def _owner_recipients(owners: Iterable[str]) -> list[Recipient]:
    return [
        Recipient("email", owner.strip(), Audience.owners, owner.strip())
        for owner in owners
        if EMAIL_PATTERN.match(owner.strip())
    ]


def _contact_recipient(contact: str | None, audience: Audience, name: str) -> Recipient | None:
    if not contact:
        return None
    contact = contact.strip()
    if contact.lower().startswith("mailto:"):
        address = contact[len("mailto:") :].split("?", 1)[0]
        return Recipient("email", address, audience, name) if EMAIL_PATTERN.match(address) else None
    if contact.lower().startswith("https://"):
        return Recipient("webhook", contact, audience, name)
    if EMAIL_PATTERN.match(contact):
        return Recipient("email", contact, audience, name)
    return None


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    unique: list[Recipient] = []
    for recipient in recipients:
        identity = recipient.key.lower()
        if identity not in seen:
            seen.add(identity)
            unique.append(recipient)
    return unique
