"""Alert settings: non-secret ones from a YAML file; secrets and connections from the env."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from datapact_dagster.alerts.events import AlertKind
from datapact_dagster.alerts.recipients import DEFAULT_AUDIENCES, Audience
from datapact_dagster.contract.secret_urls import SECRET_KEY_PATTERN, is_credential_url
from datapact_dagster.settings import Settings

logger = logging.getLogger("datapact.alerts")

ALERTS_FILE_ENV = "DATAPACT_ALERTS_FILE"
ALERTS_DB_ENV = "DATAPACT_ALERTS_DB"
WEBHOOK_URL_OVERRIDE_ENV = "DATAPACT_WEBHOOK_URL_OVERRIDE"
DAGSTER_UI_URL_ENV = "DATAPACT_DAGSTER_UI_URL"
SMTP_HOST_ENV = "DATAPACT_SMTP_HOST"
SMTP_PORT_ENV = "DATAPACT_SMTP_PORT"
SMTP_USER_ENV = "DATAPACT_SMTP_USER"
SMTP_PASSWORD_ENV = "DATAPACT_SMTP_PASSWORD"
SMTP_FROM_ENV = "DATAPACT_SMTP_FROM"
SMTP_STARTTLS_ENV = "DATAPACT_SMTP_STARTTLS"

DEFAULT_ALERTS_FILE = "alerts.yaml"
DEFAULT_LEDGER_PATH = Path(".datapact") / "alerts.db"
DEFAULT_SENDER = "datapact@localhost"

ENV_VAR_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class AlertConfigError(Exception):
    """The alert configuration is invalid; the message names the file and the key."""


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateLimit(_FileModel):
    max_alerts: int = Field(default=20, ge=1)
    window_seconds: float = Field(default=3600.0, gt=0)


class RetryPolicy(_FileModel):
    attempts: int = Field(default=3, ge=1, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0)
    backoff_multiplier: float = Field(default=2.0, ge=1)
    max_backoff_seconds: float = Field(default=30.0, ge=0)

    def delay_after(self, failed_attempt: int) -> float:
        """Seconds to wait after the `failed_attempt`-th attempt (1-based) failed."""
        delay = self.backoff_seconds * self.backoff_multiplier ** (failed_attempt - 1)
        return min(delay, self.max_backoff_seconds)


class ChannelSettings(_FileModel):
    enabled: bool = True
    timeout_seconds: float = Field(default=10.0, gt=0)
    rate_limit: RateLimit = RateLimit()


class _ChannelsSection(_FileModel):
    email: ChannelSettings = ChannelSettings()
    webhook: ChannelSettings = ChannelSettings()


class _AlertsFile(_FileModel):
    enabled: bool = True
    dagster_ui_url: str | None = None
    channels: _ChannelsSection = _ChannelsSection()
    retry: RetryPolicy = RetryPolicy()
    webhook_url_override: str | None = None
    webhook_routes: dict[str, str] = Field(default_factory=dict)
    """Support channel name -> name of the environment variable holding its webhook URL."""
    skip_placeholder_hosts: bool = True
    audiences: dict[AlertKind, list[Audience]] = Field(default_factory=dict)
    ledger_path: Path | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_SENDER
    starttls: bool = False


@dataclass(frozen=True)
class WebhookRoute:
    env_var: str
    url: str | None = field(default=None, repr=False)
    """The URL read from `env_var`; None when the variable is not set."""


@dataclass(frozen=True)
class AlertConfig:
    enabled: bool = True
    email: ChannelSettings = field(default_factory=ChannelSettings)
    webhook: ChannelSettings = field(default_factory=ChannelSettings)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    webhook_url_override: str | None = None
    webhook_routes: Mapping[str, WebhookRoute] = field(default_factory=dict)
    skip_placeholder_hosts: bool = True
    """Never contact webhook hosts under reserved example domains (example.com, *.test, ...)."""
    dagster_ui_url: str | None = None
    audiences: Mapping[AlertKind, frozenset[Audience]] = field(
        default_factory=lambda: dict(DEFAULT_AUDIENCES)
    )
    ledger_path: Path = DEFAULT_LEDGER_PATH
    source_file: Path | None = None

    def channel_settings(self, channel: str) -> ChannelSettings:
        return self.email if channel == "email" else self.webhook

    @classmethod
    def from_env(cls, project_dir: Path, environ: Mapping[str, str] | None = None) -> AlertConfig:
        """Settings from `<project>/alerts.yaml` (or $DATAPACT_ALERTS_FILE) plus the environment.

        Raises AlertConfigError when the file is missing (if named explicitly), malformed, or
        contains a secret."""
        env = os.environ if environ is None else environ
        path = _alerts_file(project_dir, env)
        settings = _read_alerts_file(path) if path is not None else _AlertsFile()

        override = env.get(WEBHOOK_URL_OVERRIDE_ENV) or settings.webhook_url_override
        if override is not None:
            from_env = bool(env.get(WEBHOOK_URL_OVERRIDE_ENV))
            _require_http_url(
                override, WEBHOOK_URL_OVERRIDE_ENV if from_env else f"{path}: webhook_url_override"
            )
        routes = {
            channel: _route(channel, env_var, env, path)
            for channel, env_var in settings.webhook_routes.items()
        }
        audiences = dict(DEFAULT_AUDIENCES)
        audiences.update({kind: frozenset(wanted) for kind, wanted in settings.audiences.items()})
        configured = env.get(ALERTS_DB_ENV) or settings.ledger_path
        ledger_path = (
            Path(configured)
            if configured
            else Settings.from_env(project_dir).state_dir / "alerts.db"
        )
        if not ledger_path.is_absolute():
            ledger_path = project_dir / ledger_path
        return cls(
            enabled=settings.enabled,
            email=settings.channels.email,
            webhook=settings.channels.webhook,
            retry=settings.retry,
            smtp=_smtp_from_env(env),
            webhook_url_override=override,
            webhook_routes=routes,
            skip_placeholder_hosts=settings.skip_placeholder_hosts,
            dagster_ui_url=env.get(DAGSTER_UI_URL_ENV) or settings.dagster_ui_url,
            audiences=audiences,
            ledger_path=ledger_path,
            source_file=path,
        )


def _alerts_file(project_dir: Path, env: Mapping[str, str]) -> Path | None:
    named = env.get(ALERTS_FILE_ENV)
    if named:
        path = Path(named)
        if not path.is_absolute():
            path = project_dir / path
        if not path.is_file():
            raise AlertConfigError(f"{ALERTS_FILE_ENV} names {path}, which does not exist")
        return path
    default = project_dir / DEFAULT_ALERTS_FILE
    return default if default.is_file() else None


def _read_alerts_file(path: Path) -> _AlertsFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise AlertConfigError(f"{path}: cannot read the alert settings: {error}") from error
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AlertConfigError(f"{path}: the alert settings must be a mapping of keys to values")
    _reject_secrets(data, path, ())
    try:
        return _AlertsFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '<top>'}: {item['msg']}"
            for item in error.errors()
        )
        raise AlertConfigError(f"{path}: invalid alert settings: {problems}") from error


def _reject_secrets(node: Any, path: Path, where: tuple[str, ...]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*where, str(key))
            # Route keys are support channel names, not settings.
            if where != ("webhook_routes",) and SECRET_KEY_PATTERN.search(str(key)):
                raise AlertConfigError(
                    f"{path}: key '{'.'.join(here)}' looks like a secret; secrets are read only "
                    f"from the environment (e.g. {SMTP_PASSWORD_ENV}, or a webhook URL in an "
                    f"environment variable named in webhook_routes)"
                )
            _reject_secrets(value, path, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _reject_secrets(value, path, (*where, str(index)))
    elif isinstance(node, str) and is_credential_url(node):
        raise AlertConfigError(
            f"{path}: key '{'.'.join(where)}' holds a URL with credentials; put it in an "
            f"environment variable and name that variable in webhook_routes"
        )


def _require_http_url(url: str, where: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AlertConfigError(f"{where}: '{url}' is not an http(s) URL")


def _route(channel: str, env_var: str, env: Mapping[str, str], path: Path | None) -> WebhookRoute:
    if not ENV_VAR_NAME_PATTERN.match(env_var):
        raise AlertConfigError(
            f"{path}: webhook_routes.{channel} must name an environment variable holding the "
            f"webhook URL, not '{env_var}'"
        )
    url = env.get(env_var) or None
    if url is not None:
        _require_http_url(url, f"environment variable {env_var} (webhook route for {channel})")
    return WebhookRoute(env_var, url)


def _smtp_from_env(env: Mapping[str, str]) -> SmtpSettings:
    starttls = _bool_from_env(env, SMTP_STARTTLS_ENV, default=False)
    port_text = env.get(SMTP_PORT_ENV) or ("587" if starttls else "25")
    try:
        port = int(port_text)
    except ValueError as error:
        message = f"{SMTP_PORT_ENV} must be a port number, not '{port_text}'"
        raise AlertConfigError(message) from error
    settings = SmtpSettings(
        host=env.get(SMTP_HOST_ENV) or None,
        port=port,
        user=env.get(SMTP_USER_ENV) or None,
        password=env.get(SMTP_PASSWORD_ENV) or None,
        sender=env.get(SMTP_FROM_ENV) or DEFAULT_SENDER,
        starttls=starttls,
    )
    on_loopback = settings.host in ("127.0.0.1", "::1", "localhost")
    if settings.password and not settings.starttls and not on_loopback:
        logger.warning(
            "%s is set but %s is off: the SMTP password would travel unencrypted",
            SMTP_PASSWORD_ENV,
            SMTP_STARTTLS_ENV,
        )
    return settings


def _bool_from_env(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    raise AlertConfigError(f"{name} must be true or false, not '{raw}'")
