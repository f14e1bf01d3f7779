"""Plain-SQL migrations from `sql/`, each applied once, in file-name order.

Several processes may start together (three `api` replicas, say): a session-level
advisory lock makes them take turns, and whoever comes second finds the work done.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from service.adapters.postgres import Connection

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_LOCK_KEY = 0x77656269  # "webi": one fixed key for every webinar-sync process

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    filename   text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(Exception):
    """A migration failed; it was rolled back and nothing after it ran."""


@dataclass(frozen=True)
class Migration:
    filename: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available_migrations(directory: Path = SQL_DIR) -> list[Migration]:
    return [Migration(p.name, p.read_text()) for p in sorted(directory.glob("*.sql"))]


async def applied_checksums(conn: Connection) -> dict[str, str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT filename, checksum FROM schema_migrations")
    return {row["filename"]: row["checksum"] for row in rows}


async def pending_migrations(conn: Connection, directory: Path = SQL_DIR) -> list[str]:
    """Not applied yet; raises `MigrationError` when an applied one was changed since."""
    applied = await applied_checksums(conn)
    available = available_migrations(directory)
    _refuse_changed(applied, available)
    return [m.filename for m in available if m.filename not in applied]


def _refuse_changed(applied: dict[str, str], available: list[Migration]) -> None:
    """A file whose text differs from what was applied: the schema is not what it says."""
    changed = [m.filename for m in available if applied.get(m.filename, m.checksum) != m.checksum]
    if changed:
        raise MigrationError(
            f"applied migration {', '.join(changed)} was changed since it was applied; "
            "restore the file as it was and put the change in a new migration"
        )


async def migrate(dsn: str, directory: Path = SQL_DIR) -> list[str]:
    """Apply what is missing; returns the file names applied by this call."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(_CREATE_LEDGER)
            applied = await applied_checksums(conn)
            available = available_migrations(directory)
            _refuse_changed(applied, available)
            done: list[str] = []
            for migration in available:
                if migration.filename in applied:
                    continue
                await _apply(conn, migration)
                done.append(migration.filename)
            return done
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    finally:
        await conn.close()


async def _apply(conn: Connection, migration: Migration) -> None:
    try:
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (filename, checksum) VALUES ($1, $2)",
                migration.filename,
                migration.checksum,
            )
    except asyncpg.PostgresError as error:
        raise MigrationError(
            f"migration {migration.filename} failed and was rolled back: {error}"
        ) from error
