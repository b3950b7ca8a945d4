"""Email over SMTP; a recovery mail threads under its breach mail."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

from datapact_dagster.alerts.channels.base import DeliveryError
from datapact_dagster.alerts.config import SmtpSettings
from datapact_dagster.alerts.events import AlertEvent, AlertKind
from datapact_dagster.alerts.render import RenderedAlert

# Python folds long subjects right after "Subject:"; RFC 5322 allows lines up to 998 characters.
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)

PERMANENT_SMTP_ERRORS = (
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPNotSupportedError,
)


class EmailChannel:
    name = "email"

    def __init__(self, smtp: SmtpSettings, timeout_seconds: float) -> None:
        if smtp.host is None:
            raise ValueError("an SMTP host is required to send email")
        self.smtp = smtp
        self.timeout_seconds = timeout_seconds

    def send(self, address: str, alert: RenderedAlert, event: AlertEvent) -> None:
        message = build_message(self.smtp.sender, address, alert, event)
        try:
            with smtplib.SMTP(self.smtp.host, self.smtp.port, timeout=self.timeout_seconds) as smtp:
                if self.smtp.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.smtp.user and self.smtp.password:
                    smtp.login(self.smtp.user, self.smtp.password)
                smtp.send_message(message)
        except PERMANENT_SMTP_ERRORS as error:
            raise DeliveryError(f"SMTP refused the mail: {error}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            server = f"{self.smtp.host}:{self.smtp.port}"
            raise DeliveryError(
                f"SMTP {server} failed: {error.__class__.__name__}: {error}"
            ) from error


def build_message(
    sender: str, address: str, alert: RenderedAlert, event: AlertEvent
) -> EmailMessage:
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["To"] = address
    message["Subject"] = alert.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["X-DataPact-Kind"] = event.kind.value
    message["X-DataPact-Contract"] = f"{event.contract_id} {event.contract_version}"
    message["X-DataPact-Episode"] = event.episode_id
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else "datapact.local"
    episode_thread = f"<{_episode_digest(event)}.breach@{domain}>"
    if event.kind is AlertKind.breach:
        message["Message-ID"] = episode_thread
    elif event.kind is AlertKind.recovery:
        message["In-Reply-To"] = episode_thread
        message["References"] = episode_thread
    message.set_content(alert.text)
    return message


def _episode_digest(event: AlertEvent) -> str:
    identity = f"{event.contract_id}\0{event.episode_id}"
    return hashlib.sha256(identity.encode()).hexdigest()[:24]
