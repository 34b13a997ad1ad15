"""Mail the digest: the PDF attached, the Markdown as the body (SMTP, standard library)."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from briefer.errors import ConfigError, DeliveryError
from briefer.morning.profile import Delivery


def message(
    delivery: Delivery, *, subject: str, markdown: str, pdf: bytes | None, filename: str
) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = delivery.from_addr
    mail["To"] = ", ".join(delivery.to)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=delivery.from_addr.rpartition("@")[2] or None)
    mail.set_content(markdown, subtype="plain", charset="utf-8")
    if pdf is not None:
        mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return mail


def _password(delivery: Delivery, environ: Mapping[str, str]) -> str | None:
    if delivery.password_env:
        value = environ.get(delivery.password_env)
        if not value:
            raise DeliveryError(
                f"mail not sent: the environment variable {delivery.password_env} is not set",
                hint="set it to the SMTP password for the timer or shell that runs briefer",
            )
        return value
    return delivery.password.get_secret_value() if delivery.password else None


def check(delivery: Delivery) -> None:
    """A password is never sent without TLS: ``security = "none"`` with a login is refused."""
    if delivery.security == "none" and (
        delivery.username or delivery.password or delivery.password_env
    ):
        raise ConfigError(
            f'mail to {delivery.smtp_host}: security = "none" would send the SMTP password '
            "in clear",
            hint='use security = "starttls" or "ssl", or remove username and password for a '
            "server that takes mail without a login",
        )


def send(
    delivery: Delivery, mail: EmailMessage, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Send ``mail``; returns the recipients the server refused (the others got it). Any
    failure, all recipients refused included, is one ``DeliveryError`` line (the password
    never in it)."""
    check(delivery)
    env = os.environ if environ is None else environ
    password = _password(delivery, env)
    where = f"{delivery.smtp_host}:{delivery.port}"
    try:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if delivery.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                delivery.smtp_host, delivery.port, timeout=delivery.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(delivery.smtp_host, delivery.port, timeout=delivery.timeout)
        with smtp:
            if delivery.security == "starttls":
                smtp.starttls(context=context)
            if delivery.username and password is not None:
                smtp.login(delivery.username, password)
            refused = smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"mail not sent: {where} refused every recipient ({_refused(exc.recipients)})",
            hint="check the addresses in delivery.to; the digest is written",
        ) from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"mail not sent: {where} rejected the login (SMTP {exc.smtp_code})",
            hint="check username and password_env",
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(
            f"mail not sent: {where} does not offer STARTTLS",
            hint='set security = "ssl" (port 465) or, on a trusted network only, "none"',
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise DeliveryError(
            f"mail not sent via {where}: {detail}",
            hint="the digest is written; check the delivery settings and the server",
        ) from exc
    return [f"{addr} ({code} {_text(msg)})" for addr, (code, msg) in sorted(refused.items())]


def _text(message: bytes | str) -> str:
    text = message.decode(errors="replace") if isinstance(message, bytes) else message
    return " ".join(text.split())[:80]


def _refused(recipients: Mapping[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in sorted(recipients.items()))
