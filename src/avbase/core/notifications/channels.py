"""Where a message leaves the platform. E-mail over SMTP is built in; SMS or a provincial government
messaging app is another :class:`Channel` (send one message, raise on failure so the job retries)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from avbase.settings import Settings


@dataclass(frozen=True)
class OutgoingMessage:
    to: str  # an address the channel understands: an e-mail address, a phone number …
    subject: str
    body: str


class Channel(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> None:
        """Deliver or raise; a raised error makes the sending job try again later."""


class SmtpChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def configured(self) -> bool:
        return bool(self.settings.smtp_host)

    def send(self, message: OutgoingMessage) -> None:
        s = self.settings
        email = EmailMessage()
        email["From"] = s.smtp_sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=s.smtp_sender.rpartition("@")[2] or None)
        email.set_content(message.body)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.smtp_tls == "ssl":
            smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds, context=context)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        with smtp:
            if s.smtp_tls == "starttls":
                # Required, not opportunistic: a server that offers no STARTTLS fails the send rather than
                # receiving the password and the message in clear.
                smtp.starttls(context=context)
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(email)
