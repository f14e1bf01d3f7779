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


async def applied_filenames(conn: Connection) -> set[str]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return set()
    rows = await conn.fetch("SELECT filename FROM schema_migrations")
    return {row["filename"] for row in rows}


async def pending_migrations(conn: Connection, directory: Path = SQL_DIR) -> list[str]:
    applied = await applied_filenames(conn)
    return [m.filename for m in available_migrations(directory) if m.filename not in applied]


async def migrate(dsn: str, directory: Path = SQL_DIR) -> list[str]:
    """Apply what is missing; returns the file names applied by this call."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
        try:
            await conn.execute(_CREATE_LEDGER)
            applied = await applied_filenames(conn)
            done: list[str] = []
            for migration in available_migrations(directory):
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
