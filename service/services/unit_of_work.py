"""One handler run: a Postgres transaction plus the work to send once it commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from service.adapters.postgres import Connection
from service.adapters.work_items import advisory_locks, notify, queue_command


@dataclass
class UnitOfWork:
    conn: Connection
    outbox_ids: list[int] = field(default_factory=list)

    async def lock(self, *keys: str) -> None:
        """Serialise read-decide-write per aggregate (course, invitee …) until commit;
        several keys are taken in the order given, in one round trip."""
        if keys:
            await advisory_locks(self.conn, list(keys))

    async def add_command(
        self,
        command: str,
        subject: str,
        payload: dict[str, Any] | None = None,
        cause: dict[str, str] | None = None,
    ) -> None:
        """Decide a vendor command; executed by an outbox actor after commit.

        A command already waiting for the same subject absorbs this one: commands say
        "bring X in line", and the executor reads the current wish when it runs.
        """
        outbox_id = await queue_command(self.conn, command, subject, payload or {}, cause or {})
        if outbox_id is not None:
            self.outbox_ids.append(outbox_id)

    async def notify(self, kind: str, message: str, **kwargs: Any) -> None:
        await notify(self.conn, kind, message, **kwargs)
