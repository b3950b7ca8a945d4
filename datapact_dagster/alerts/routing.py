"""Where a webhook recipient's alert actually goes: routes and overrides before the contract URL."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from datapact_dagster.alerts.config import AlertConfig
from datapact_dagster.alerts.recipients import ROUTE_PREFIX, Recipient

# RFC 2606 / RFC 6761 names that exist only in documentation and tests.
PLACEHOLDER_DOMAINS = ("example.com", "example.org", "example.net")
PLACEHOLDER_TLDS = ("example", "test", "invalid")


@dataclass(frozen=True)
class WebhookTarget:
    url: str | None
    skip_reason: str | None = None


def webhook_target(recipient: Recipient, config: AlertConfig) -> WebhookTarget:
    """The URL to POST to, in order: the route for the support channel (URL from the environment),
    the global override, the URL in the contract. Placeholder hosts are never contacted."""
    route = config.webhook_routes.get(recipient.name) if recipient.audience == "support" else None
    if route is not None:
        if route.url is None:
            return WebhookTarget(None, f"environment variable {route.env_var} is not set")
        url = route.url
    elif config.webhook_url_override is not None:
        url = config.webhook_url_override
    elif recipient.address.startswith(ROUTE_PREFIX):
        return WebhookTarget(None, "no webhook route for this support channel")
    else:
        url = recipient.address
    if config.skip_placeholder_hosts and is_placeholder_host(url):
        return WebhookTarget(None, f"{urlsplit(url).hostname} is a placeholder host")
    return WebhookTarget(url)


def is_placeholder_host(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if any(host == domain or host.endswith("." + domain) for domain in PLACEHOLDER_DOMAINS):
        return True
    return host.rsplit(".", 1)[-1] in PLACEHOLDER_TLDS
