"""The demo's console, readable: each e-mail as a short summary, task runs not listed one by one.

Django's console backend prints the whole MIME message: base64 attachments (receipts, tickets)
fill the screen and the subject is an encoded-word. Here: the recipient, the subject as read,
the links it holds (what a visitor of the demo wants to click) and the attachments by name.
Set by ``site_kollektif.settings.dev`` (``EMAIL_BACKEND`` still overrides it).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from email.header import decode_header, make_header
from html import unescape

from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"""https?://[^\s"'<>)\]]+""")
RULE = "─" * 60


def _decoded(subject: str) -> str:
    """A subject as a person reads it, even if given as MIME encoded-words (=?utf-8?b?…?=)."""
    if "=?" not in subject:
        return subject
    try:
        return str(make_header(decode_header(subject)))
    except (ValueError, LookupError):
        return subject


def _links(message) -> list[str]:
    texts = [str(message.body or "")]
    texts += [str(content) for content, _mimetype in getattr(message, "alternatives", []) or []]
    found: list[str] = []
    for text in texts:
        for link in LINK.findall(unescape(text)):
            link = link.rstrip(".,;:")
            if link not in found:
                found.append(link)
    return found


def _attachments(message) -> list[str]:
    names = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple) or hasattr(attachment, "filename"):
            filename = attachment[0] if isinstance(attachment, tuple) else attachment.filename
            content = attachment[1] if isinstance(attachment, tuple) else attachment.content
            size = len(content or b"")
            names.append(f"{filename or 'sans nom'} ({max(1, round(size / 1024))} Ko)")
        else:  # a MIMEBase part
            names.append(attachment.get_filename() or attachment.get_content_type())
    return names


def summarise(message) -> str:
    """A few lines: who, what, the links and the attachments — never the encoded body."""
    lines = [RULE, f"E-mail à : {', '.join(message.to)}"]
    if message.cc:
        lines.append(f"Copie : {', '.join(message.cc)}")
    lines.append(f"Objet : {_decoded(str(message.subject))}")
    links = _links(message)
    if links:
        lines.append("Liens :")
        lines += [f"  {link}" for link in links]
    attachments = _attachments(message)
    if attachments:
        lines.append(f"Pièces jointes : {', '.join(attachments)}")
    lines.append(RULE)
    return "\n".join(lines) + "\n"


class SummaryEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(summarise(message))
                self.stream.flush()
                sent += 1
        return sent


class QuietTaskRuns(logging.Filter):
    """Drops the worker's line per task run ("Task id=… state=RUNNING/SUCCEEDED"); keeps its warnings
    and errors (a failed e-mail stays visible). Set on the demo's console handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name.startswith("django_tasks") and record.levelno < logging.WARNING)
