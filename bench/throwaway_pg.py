"""A PostgreSQL database that a benchmark creates, uses and drops (loopback, trust auth)."""

from __future__ import annotations

import sys


def admin(server: str):
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3)


def create_database(server: str, name: str) -> str:
    """Drop and create ``name``; exit 2 with a French hint if PostgreSQL does not answer.
    Returns the server version."""
    import psycopg

    try:
        with admin(server) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            return version
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL ne répond pas sur {server}/ (utilisateur postgres, sans mot de passe) : {exc}".strip())
        print("Démarrez PostgreSQL (par exemple `pg_ctlcluster 15 main start`) puis relancez la mesure.")
        sys.exit(2)


def drop_database(server: str, name: str) -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: BLE001 (Django may not be set up yet)
        pass
    try:
        with admin(server) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception as exc:  # noqa: BLE001
        print(f"Impossible de supprimer la base {name} : {exc}")


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum would within a minute:
    planned on empty tables' statistics, subqueries become nested loops (a mailing list took
    over 100 s on 2,100 payments, 0.03 s once analysed). Nothing to do on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
