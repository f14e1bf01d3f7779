"""Which handler applies each kind of inbox event: one table, in one place."""

from __future__ import annotations

from service.workers.inbox import HandlerTable


def inbox_handlers() -> HandlerTable:
    return {}
