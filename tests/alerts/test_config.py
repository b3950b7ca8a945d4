from __future__ import annotations

from pathlib import Path

import pytest

from datapact_dagster.alerts import AlertConfig, AlertConfigError, AlertKind, Audience
from datapact_dagster.alerts.config import RetryPolicy

EXAMPLE = """\
enabled: true
dagster_ui_url: http://localhost:3000
channels:
  email:
    timeout_seconds: 15
    rate_limit: {max_alerts: 10, window_seconds: 600}
  webhook:
    enabled: false
retry: {attempts: 5, backoff_seconds: 0.5}
webhook_routes:
  "#growth-data": DATAPACT_WEBHOOK_GROWTH
audiences:
  freshness_miss: [owners]
ledger_path: state/alerts.db
"""


def _write(project: Path, text: str, name: str = "alerts.yaml") -> Path:
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_environment(tmp_path: Path) -> None:
    config = AlertConfig.from_env(tmp_path, environ={})

    assert config.source_file is None
    assert config.enabled and config.email.enabled and config.webhook.enabled
    assert config.smtp.host is None
    assert config.retry.attempts == 3
    assert config.ledger_path == tmp_path / ".datapact" / "alerts.db"
    assert config.audiences[AlertKind.breach] == frozenset(Audience)


def test_smtp_settings_come_from_the_environment(tmp_path: Path) -> None:
    config = AlertConfig.from_env(
        tmp_path,
        environ={
            "DATAPACT_SMTP_HOST": "smtp.internal",
            "DATAPACT_SMTP_USER": "datapact",
            "DATAPACT_SMTP_PASSWORD": "s3cret",
            "DATAPACT_SMTP_FROM": "datapact@corp.internal",
            "DATAPACT_SMTP_STARTTLS": "true",
        },
    )

    assert config.smtp.host == "smtp.internal"
    assert config.smtp.port == 587
    assert config.smtp.starttls
    assert config.smtp.password == "s3cret"
    assert "s3cret" not in repr(config)


def test_yaml_file_sets_the_non_secret_settings(tmp_path: Path) -> None:
    _write(tmp_path, EXAMPLE)
    env = {"DATAPACT_WEBHOOK_GROWTH": "https://hooks.internal/growth"}

    config = AlertConfig.from_env(tmp_path, environ=env)

    assert config.source_file == tmp_path / "alerts.yaml"
    assert config.dagster_ui_url == "http://localhost:3000"
    assert config.email.rate_limit.max_alerts == 10
    assert config.email.timeout_seconds == 15
    assert not config.webhook.enabled
    assert config.retry.attempts == 5
    assert config.webhook_routes["#growth-data"].url == "https://hooks.internal/growth"
    assert config.audiences[AlertKind.freshness_miss] == frozenset({Audience.owners})
    assert config.audiences[AlertKind.breach] == frozenset(Audience)
    assert config.ledger_path == tmp_path / "state" / "alerts.db"


def test_file_named_in_the_environment_wins(tmp_path: Path) -> None:
    _write(tmp_path, "enabled: true\n")
    other = _write(tmp_path, "enabled: false\n", "other.yaml")

    config = AlertConfig.from_env(tmp_path, environ={"DATAPACT_ALERTS_FILE": str(other)})

    assert config.source_file == other
    assert not config.enabled


def test_a_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AlertConfigError, match=r"DATAPACT_ALERTS_FILE names .*nope\.yaml"):
        AlertConfig.from_env(tmp_path, environ={"DATAPACT_ALERTS_FILE": "nope.yaml"})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("smtp:\n  password: hunter2\n", "smtp.password"),
        ("channels:\n  webhook:\n    token: xoxb-123\n", "channels.webhook.token"),
        ("slack_api_key: abc\n", "slack_api_key"),
        (
            "webhook_url_override: https://hooks.slack.com/services/T0/B0/XYZ\n",
            "webhook_url_override",
        ),
        ("dagster_ui_url: https://admin:pw@dagster.internal\n", "dagster_ui_url"),
    ],
)
def test_a_secret_in_the_yaml_is_rejected_naming_file_and_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = _write(tmp_path, text)

    with pytest.raises(AlertConfigError) as raised:
        AlertConfig.from_env(tmp_path, environ={})

    message = str(raised.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert "environment" in message


def test_unknown_keys_and_bad_values_are_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, "retrys: {attempts: 2}\nretry: {attempts: 0}\n")

    with pytest.raises(AlertConfigError) as raised:
        AlertConfig.from_env(tmp_path, environ={})

    assert str(path) in str(raised.value)
    assert "retrys" in str(raised.value)
    assert "retry.attempts" in str(raised.value)


def test_a_route_must_name_an_environment_variable(tmp_path: Path) -> None:
    _write(tmp_path, 'webhook_routes:\n  "#x": "http://127.0.0.1:1/hook"\n')

    with pytest.raises(AlertConfigError, match="must name an environment variable"):
        AlertConfig.from_env(tmp_path, environ={})


def test_webhook_override_from_the_environment(tmp_path: Path) -> None:
    env = {"DATAPACT_WEBHOOK_URL_OVERRIDE": "http://127.0.0.1:9/hook"}

    assert (
        AlertConfig.from_env(tmp_path, environ=env).webhook_url_override
        == env["DATAPACT_WEBHOOK_URL_OVERRIDE"]
    )


def test_retry_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_seconds=1, backoff_multiplier=2, max_backoff_seconds=3)

    assert [policy.delay_after(n) for n in (1, 2, 3)] == [1, 2, 3]
