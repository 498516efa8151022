"""Structured logs: one JSON object per line, what log collectors (Loki, ELK, journald) index.

Secrets never reach a log line: the known secret settings and any value that looks like a
Stripe key or a webhook secret are masked before formatting.
"""

from __future__ import annotations

import json
import logging
import re

SECRET_PATTERN = re.compile(r"\b(sk|rk|whsec|pk)_(live|test)?_?[A-Za-z0-9]{6,}")
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def mask(text: str) -> str:
    return SECRET_PATTERN.sub(lambda match: f"{match.group(1)}_***", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                payload[key] = mask(str(value)) if isinstance(value, str) else value
        if record.exc_info:
            payload["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False, default=str)
