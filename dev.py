#!/usr/bin/env python3
"""The two commands of Kollektif, on a fresh clone with only Python 3.11+.

    python3 dev.py demo    # environment, database, demo data, server on http://127.0.0.1:8000
    python3 dev.py test    # environment, then the whole test suite (pytest arguments may follow)

The environment is a virtualenv in .venv installed with hashes checked: from requirements.lock
(runtime, what production installs) for the demo, from requirements-dev.lock (runtime + test
tools) for the tests. It is reinstalled only when the lock file it needs changes.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
PYTHON = VENV / "bin" / "python"


def ensure_environment(lock: Path) -> None:
    """Install `lock` into .venv unless the venv already holds exactly that lock or the dev lock.

    The dev lock is a superset of the runtime one (same pins), so a venv made for the tests also
    runs the demo without reinstalling.
    """
    if not PYTHON.exists():
        print("Création de l'environnement Python (.venv)…", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".lock-sha256"
    installed = stamp.read_text().split() if stamp.exists() else []
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if digest in installed:
        return
    print(f"Installation des dépendances ({lock.name})…", flush=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            str(lock),
        ],
        check=True,
    )
    digests = [digest]
    if lock == DEV_LOCK:
        digests.append(hashlib.sha256(RUNTIME_LOCK.read_bytes()).hexdigest())
    stamp.write_text("\n".join(digests))


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([str(PYTHON), str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)


LOCALSTRIPE_PORT = 8420


def start_localstripe():
    """The embedded Stripe-compatible server: payments in the demo need no internet and no account."""
    code = (
        "import sys; from site_kollektif import localstripe_server as s; "
        f"p = s.start({LOCALSTRIPE_PORT}, log_path='var/localstripe.log'); "
        "s.register_webhook("
        + str(LOCALSTRIPE_PORT)
        + ", url='http://127.0.0.1:8000/stripe/webhook/', secret='whsec_localstripe'); "
        "print(p.pid)"
    )
    (ROOT / "var").mkdir(exist_ok=True)
    pid = subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    print(f"Serveur Stripe embarqué (localstripe) sur http://127.0.0.1:{LOCALSTRIPE_PORT}", flush=True)
    return int(pid)


def stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass


def _stop_on_sigterm() -> None:
    """SIGTERM (a service manager, `kill`) stops the demo like Ctrl+C: the `finally` blocks run."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def spawn(command: list[str], **kwargs) -> subprocess.Popen:
    """A child in its own process group: stopping it also stops what it started (runserver's reloader)."""
    return subprocess.Popen(command, start_new_session=True, **kwargs)


def stop_group(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM to the child's whole group, SIGKILL if it is still there after `timeout` seconds."""
    if process.poll() is not None:
        _kill_group(process.pid, signal.SIGKILL)  # a grandchild may outlive its parent
        return
    _kill_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid, signal.SIGKILL)
        process.wait()
    _kill_group(process.pid, signal.SIGKILL)


def _kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except OSError:
        pass


def supervise(commands: list[list[str]], **kwargs) -> int:
    """Run the demo's long-lived processes until one stops, Ctrl+C or SIGTERM; then stop them all."""
    _stop_on_sigterm()
    processes: list[subprocess.Popen] = []
    try:
        for command in commands:
            processes.append(spawn(command, **kwargs))
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping must not be interrupted
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for process in reversed(processes):
            stop_group(process)
    return 0


def demo(args: list[str]) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "site_kollektif.settings.dev"}
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("charger_demo", env=env)
    _stop_on_sigterm()
    localstripe = start_localstripe()
    try:
        if "--check" in args:
            # CI: prove the demo serves its pages and takes a donation end to end, then
            # deliver the queued e-mails once, as the worker would.
            manage("check_demo", env=env)
            manage("db_worker", "--batch", env=env)
            return 0
        print("\nKollektif tourne sur http://127.0.0.1:8000 (Ctrl+C pour arrêter)\n", flush=True)
        # The worker (e-mails, receipts) and the server, each in its own process group: Ctrl+C or
        # SIGTERM stops both, the server's reloader child included, then localstripe below.
        return supervise(
            [
                [str(PYTHON), str(ROOT / "manage.py"), "db_worker", "--interval", "1", "--no-reload"],
                [str(PYTHON), str(ROOT / "manage.py"), "runserver", "127.0.0.1:8000"],
            ],
            cwd=ROOT,
            env=env,
        )
    except KeyboardInterrupt:
        return 0
    finally:
        stop(localstripe)
        print("Démo arrêtée : serveur, worker et localstripe.", flush=True)


def test(args: list[str]) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "site_kollektif.settings.test"}
    return subprocess.run([str(PYTHON), "-m", "pytest", *args], cwd=ROOT, env=env).returncode


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        print(__doc__)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    # `demo --check` reads the receipt's PDF back with pypdf, a development tool: the dev lock.
    ensure_environment(DEV_LOCK if command == "test" or "--check" in args else RUNTIME_LOCK)
    return demo(args) if command == "demo" else test(args)


if __name__ == "__main__":
    sys.exit(main())
