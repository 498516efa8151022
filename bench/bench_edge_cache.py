#!/usr/bin/env python
"""A cached Accueil through Varnish vs straight from gunicorn, same machine, same run (issue #16).

    .venv/bin/python bench/bench_edge_cache.py            # about 3 minutes (migrate included)
    .venv/bin/python bench/bench_edge_cache.py --clients 20 --seconds 10 --workers 5

1. A throwaway PostgreSQL database ``kollektif_bench_edge`` (dropped at the end), Redis database
   12 flushed, ``migrate``, 5 associations from ``generer_donnees`` (``--demo``: ``charger_demo``),
   ``collectstatic``; production settings as in
   ``bench_load.py`` (its generated ``bench_settings.py``), with ``KOLLEKTIF_PURGE_URL`` pointing
   at the Varnish below and the immediate task backend (purges leave at once).
2. gunicorn (``site_kollektif/gunicorn.conf.py``) and ``varnishd`` with ``bench/varnish.vcl``
   (the configuration docs/deploy.md shows), its backend set to gunicorn's port.
3. Checks, exit 1 if one fails: through Varnish the Accueil is a MISS then a HIT; a request with a
   ``sessionid`` cookie is never a HIT; publishing-side purge: ``purge_association`` (what publish,
   privacy and record changes call) makes the next request a MISS, and ``?page=2`` goes with it.
4. Requests per second, ``--clients`` keep-alive clients for ``--seconds`` each, alternately
   gunicorn (the application's own page cache answering, ``X-Kollektif-Cache: hit``) and Varnish
   (``X-Cache: HIT``), twice each; prints the figures and the ratio of the medians.

The client (aiohttp, one process) runs on the same 2 cores: through Varnish it is often the
bottleneck, so the ratio is a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

import bench_load  # bench/bench_load.py: settings file, process helpers
import throwaway_pg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_EDGE_REDIS_URL", "redis://127.0.0.1:6379/12")
DB_NAME = os.environ.get("BENCH_EDGE_DB", "kollektif_bench_edge")
log = bench_load.log


async def measure(url: str, clients: int, seconds: float, headers: dict | None = None) -> dict:
    import aiohttp

    times, statuses, cache = [], Counter(), Counter()
    stop_at = time.monotonic() + seconds

    async def client(session):
        while time.monotonic() < stop_at:
            t0 = time.perf_counter()
            try:
                async with session.get(url, allow_redirects=False, headers=headers or {}) as r:
                    await r.read()
                    statuses[r.status] += 1
                    cache[r.headers.get("X-Cache") or "kollektif-" + r.headers.get("X-Kollektif-Cache", "-")] += 1
            except Exception as exc:  # noqa: BLE001
                statuses[type(exc).__name__] += 1
            times.append((time.perf_counter() - t0) * 1000)

    t0 = time.monotonic()
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as session:
        await asyncio.gather(*(client(session) for _ in range(clients)))
    wall = time.monotonic() - t0
    ok = sum(n for s, n in statuses.items() if isinstance(s, int) and 200 <= s < 400)
    times.sort()
    return {
        "rps": ok / wall,
        "p50": times[len(times) // 2] if times else 0,
        "p95": times[int(len(times) * 0.95)] if times else 0,
        "statuses": dict(statuses),
        "cache": dict(cache),
        "load": bench_load.loadavg(),
    }


def get(url: str, cookie: str = "") -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as r:
        r.read()
        return r.status, dict(r.headers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--demo", action="store_true", help="charger_demo (long) au lieu de 5 associations générées (generer_donnees)."
    )
    args = parser.parse_args()
    if not shutil.which("varnishd"):
        log("varnishd est introuvable (apt-get install varnish) : rien à mesurer.")
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="kollektif-bench-edge-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below stops gunicorn and varnishd
    try:
        return run(args, tmp)
    finally:
        bench_load.stop_children()
        try:
            throwaway_pg.drop_database(PG_SERVER, DB_NAME)
        except Exception as exc:  # noqa: BLE001
            log(f"base {DB_NAME} non supprimée : {exc}")
        shutil.rmtree(tmp, ignore_errors=True)


def run(args, tmp: Path) -> int:
    import psycopg
    import redis

    from site_kollektif import localstripe_server

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL, socket_timeout=3).flushdb()
    (tmp / "bench_settings.py").write_text(bench_load.BENCH_SETTINGS)
    for sub in ("static", "media", "private", "varnish"):
        (tmp / sub).mkdir()
    app_port, varnish_port = localstripe_server.free_port(), localstripe_server.free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_bench_edge",
        "STRIPE_CONNECT_ENABLED": "0",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "KOLLEKTIF_PRIVATE_ROOT": str(tmp / "private"),
        "BENCH_STATIC_ROOT": str(tmp / "static"),
        "BENCH_MEDIA_ROOT": str(tmp / "media"),
        # the public address is Varnish's: page URLs, and the Host the purges carry
        "KOLLEKTIF_BASE_URL": f"http://127.0.0.1:{varnish_port}",
        "KOLLEKTIF_PURGE_URL": f"http://127.0.0.1:{varnish_port}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    env.pop("KOLLEKTIF_PAGE_CACHE_SECONDS", None)
    env.pop("KOLLEKTIF_EDGE_CACHE_SECONDS", None)
    log(
        f"== bench_edge_cache {time.strftime('%Y-%m-%d %H:%M:%S')} ; {os.cpu_count()} CPU, charge {bench_load.loadavg()}"
    )
    factor = float(os.environ.get("BENCH_SETUP_TIMEOUT_FACTOR", "1"))
    timings = {}
    content = ("charger_demo",) if args.demo else ("generer_donnees", "--associations", "5", "--news", "5")
    for argv in (("migrate", "--no-input", "-v", "0"), content, ("collectstatic", "--noinput", "-v", "0")):
        timings[argv[0]] = bench_load.manage(env, tmp, 300 * factor, *argv)
    log("   préparation : " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))

    slug = (
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                "from associations.models import Association as A; "
                "print(A.objects.filter(status='active').order_by('pk')[0].slug)",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # Django 5.2's shell first prints its automatic imports

    gunicorn_log = tmp / "gunicorn.log"
    bench_load.start_gunicorn(args, env, app_port, gunicorn_log)
    vcl = (ROOT / "bench" / "varnish.vcl").read_text().replace('.port = "8000"', f'.port = "{app_port}"')
    (tmp / "varnish.vcl").write_text(vcl)
    # varnishd reads its VCL as its own unprivileged user (vcache on Debian): mkdtemp made 0700
    tmp.chmod(0o755)
    (tmp / "varnish.vcl").chmod(0o644)
    varnish_log = tmp / "varnish.log"
    bench_load.spawn(
        "varnishd",
        [
            shutil.which("varnishd"),
            "-F",
            "-a",
            f"127.0.0.1:{varnish_port}",
            "-f",
            str(tmp / "varnish.vcl"),
            "-s",
            "malloc,64m",
            "-n",
            str(tmp / "varnish"),
        ],
        env,
        varnish_log,
    )
    time.sleep(1)
    bench_load.wait_http(varnish_port, "/sante/", bench_load.children[-1][1], varnish_log)
    path = f"/association/{slug}/"
    direct, edge = f"http://127.0.0.1:{app_port}{path}", f"http://127.0.0.1:{varnish_port}{path}"

    failures = []

    def check(ok: bool, text: str) -> None:
        log(f"  [{'ok' if ok else 'ÉCHEC'}] {text}")
        if not ok:
            failures.append(text)

    log(f"\n== Vérifications, Accueil {path}")
    _status, first = get(edge)
    _status, second = get(edge)
    check(
        first.get("X-Cache") == "MISS" and second.get("X-Cache") == "HIT",
        f"via Varnish : {first.get('X-Cache')} puis {second.get('X-Cache')} ; Cache-Control « {second.get('Cache-Control')} », "
        f"Vary « {second.get('Vary')} »",
    )
    _status, with_session = get(edge, cookie="sessionid=abc")
    check(
        with_session.get("X-Cache") != "HIT", f"avec un cookie de session : {with_session.get('X-Cache')} (jamais HIT)"
    )
    _status, _h = get(edge + "?page=2")
    _status, page2 = get(edge + "?page=2")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "shell",
            "-c",
            f"from kernel.page_cache import purge_association; purge_association({slug!r})",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    _status, after = get(edge)
    _status, page2_after = get(edge + "?page=2")
    check(
        page2.get("X-Cache") == "HIT" and after.get("X-Cache") == "MISS" and page2_after.get("X-Cache") == "MISS",
        f"purge_association (publication, confidentialité, fiche) : ensuite {after.get('X-Cache')}, ?page=2 "
        f"{page2.get('X-Cache')} → {page2_after.get('X-Cache')}",
    )
    get(edge)
    get(direct)
    get(direct)

    log(f"\n== Requêtes par seconde, {args.clients} clients keep-alive, {args.seconds:g} s chacune, en alternance")
    log("| passage | cible | req/s | p50 ms | p95 ms | statuts | cache | charge |")
    log("|---:|---|---:|---:|---:|---|---|---|")
    results: dict[str, list[float]] = {"gunicorn": [], "varnish": []}
    for round_ in (1, 2):
        for name, url in (("gunicorn", direct), ("varnish", edge)):
            r = asyncio.run(measure(url, args.clients, args.seconds))
            results[name].append(r["rps"])
            log(
                f"| {round_} | {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['statuses']} | "
                f"{r['cache']} | {r['load']} |"
            )
    g, v = statistics.median(results["gunicorn"]), statistics.median(results["varnish"])
    log(
        f"\nAccueil en cache : gunicorn (cache de pages de l'application) {g:.0f} req/s, Varnish {v:.0f} req/s, "
        f"rapport {v / g:.1f}× ; charge {bench_load.loadavg()}"
    )
    errors = [line for line in gunicorn_log.read_text(errors="replace").splitlines() if "Traceback" in line]
    check(not errors, f"journal de gunicorn sans erreur ({len(errors)} traceback)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
