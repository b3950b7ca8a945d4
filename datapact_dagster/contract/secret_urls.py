"""Recognising a URL that is itself a credential, wherever DataPact reads one.

Contracts and `alerts.yaml` are committed to version control and copied into the alert ledger,
so neither may hold a secret. A webhook URL of Slack, Teams or Discord is one (its path is the
token), as is a URL with a password in it or a query parameter named like a secret.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY_PATTERN = re.compile(
    r"pass(word|wd)?$|pwd|secret|token|api[_-]?key|credential|private[_-]?key|auth", re.IGNORECASE
)
"""A settings key or query parameter whose value is a secret."""
CREDENTIAL_URL_HOSTS = ("hooks.slack.com", "webhook.office.com", "discord.com")
"""Hosts whose webhook URLs carry their credential in the path."""


def is_credential_url(value: str) -> bool:
    """Whether `value` is an http(s) URL that carries a credential."""
    if not value.lower().startswith(("http://", "https://")):
        return False
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        has_password = parts.password is not None
    except ValueError:
        return False
    query = parse_qsl(parts.query, keep_blank_values=True)
    secret_query = any(SECRET_KEY_PATTERN.search(name) for name, _ in query)
    return (
        has_password
        or secret_query
        or any(host == h or host.endswith("." + h) for h in CREDENTIAL_URL_HOSTS)
    )
