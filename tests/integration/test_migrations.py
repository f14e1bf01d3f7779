"""`webinar-sync migrate`: each file once, in order, safe when processes race."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from service.adapters.migrations import (
    MigrationError,
    available_migrations,
    migrate,
    pending_migrations,
)
from tests.support import ROOT, Servers, create_database, drop_database, service_environment


async def test_three_processes_migrating_at_once_apply_each_file_exactly_once(
    servers: Servers,
) -> None:
    dsn = await create_database(servers, migrated=False)
    try:
        env = service_environment(dsn, servers.redis_url)
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "service", "migrate"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(3)
        ]
        for process in processes:
            assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("SELECT filename FROM schema_migrations ORDER BY filename")
        finally:
            await conn.close()
        assert [r["filename"] for r in rows] == [m.filename for m in available_migrations()]
    finally:
        await drop_database(servers, dsn)


async def test_a_failing_migration_rolls_back_and_names_its_file(
    servers: Servers, tmp_path: Path
) -> None:
    (tmp_path / "001_ok.sql").write_text("CREATE TABLE first_table (id int);")
    (tmp_path / "002_broken.sql").write_text(
        "CREATE TABLE half_done (id int); SELECT no_such_column FROM first_table;"
    )
    dsn = await create_database(servers, migrated=False)
    try:
        with pytest.raises(MigrationError, match=r"migration 002_broken\.sql failed"):
            await migrate(dsn, tmp_path)
        conn = await asyncpg.connect(dsn)
        try:
            applied = await conn.fetch("SELECT filename FROM schema_migrations")
            half_done = await conn.fetchval("SELECT to_regclass('half_done')")
        finally:
            await conn.close()
        assert [r["filename"] for r in applied] == ["001_ok.sql"]
        assert half_done is None
        # Fixed, it applies on the next run, and the first file is not run again.
        (tmp_path / "002_broken.sql").write_text("CREATE TABLE half_done (id int);")
        assert await migrate(dsn, tmp_path) == ["002_broken.sql"]
        assert await migrate(dsn, tmp_path) == []
    finally:
        await drop_database(servers, dsn)


async def test_an_applied_migration_that_was_changed_stops_migrate_and_readiness(
    servers: Servers, tmp_path: Path
) -> None:
    (tmp_path / "001_ok.sql").write_text("CREATE TABLE first_table (id int);")
    dsn = await create_database(servers, migrated=False)
    try:
        assert await migrate(dsn, tmp_path) == ["001_ok.sql"]
        (tmp_path / "001_ok.sql").write_text("CREATE TABLE first_table (id bigint);")
        (tmp_path / "002_next.sql").write_text("CREATE TABLE second_table (id int);")

        with pytest.raises(MigrationError, match=r"applied migration 001_ok\.sql was changed"):
            await migrate(dsn, tmp_path)
        conn = await asyncpg.connect(dsn)
        try:
            with pytest.raises(MigrationError, match=r"001_ok\.sql"):
                await pending_migrations(conn, tmp_path)
            assert await conn.fetchval("SELECT to_regclass('second_table')") is None
        finally:
            await conn.close()
    finally:
        await drop_database(servers, dsn)
