"""Start the embedded Stripe-compatible server (localstripe) on loopback, for the demo and the tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import closing


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(port: int, *, log_path: str | None = None) -> subprocess.Popen:
    output = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (owned by the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/js.stripe.com/v3/", timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("localstripe s'est arrêté au démarrage") from None
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("localstripe ne répond pas")


def register_webhook(port: int, *, url: str, secret: str) -> None:
    data = f"url={url}&secret={secret}".encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_config/webhooks/kollektif", data=data, method="POST")
    urllib.request.urlopen(request, timeout=5).close()
