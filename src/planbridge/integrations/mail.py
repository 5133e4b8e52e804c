"""Sending email through the operator's SMTP server (``PLANBRIDGE_SMTP_*`` settings).

One connection per run, opened at the first message (a run with nothing to send never
connects), upgraded with STARTTLS and signed in when the settings say so."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from types import TracebackType

from planbridge.errors import InvalidInput
from planbridge.settings import Settings

SMTP_TIMEOUT_SECONDS = 30


class Mailer:
    """Send :class:`EmailMessage` objects; use as a context manager (closes the connection)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise InvalidInput(
                "Email is not set up: PLANBRIDGE_SMTP_HOST is unset.",
                hint="Set PLANBRIDGE_SMTP_HOST and PLANBRIDGE_SMTP_FROM (docs/settings.md).",
            )
        if not settings.smtp_from:
            raise InvalidInput(
                "Email is not set up: PLANBRIDGE_SMTP_FROM (the sender address) is unset.",
                hint="Set it, e.g. PLANBRIDGE_SMTP_FROM='PlanBridge <planbridge@example.com>'.",
            )
        self.sender = settings.smtp_from
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` (its From is set here); raises :class:`OSError` or
        :class:`smtplib.SMTPException` when the server cannot be reached or refuses it."""
        if "From" not in message:
            message["From"] = self.sender
        self._connection().send_message(message)

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            config = self._settings
            assert config.smtp_host is not None
            smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
            try:
                if config.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.smtp_username:
                    password = (
                        config.smtp_password.get_secret_value() if config.smtp_password else ""
                    )
                    smtp.login(config.smtp_username, password)
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None
