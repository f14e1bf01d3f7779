"""A typed registry: what runs for a key (an inbox event kind, an outbox command, a job)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Unregistered(LookupError):
    """Nothing is registered for the key: a message for code this process does not have."""


class Registry(Generic[K, V]):
    def __init__(self, what: str) -> None:
        self._what = what
        self._entries: dict[K, V] = {}

    def register(self, key: K, value: V) -> None:
        if key in self._entries:
            raise ValueError(f"{self._what} {key!r} is registered twice")
        self._entries[key] = value

    def register_all(self, entries: Iterable[Mapping[K, V]]) -> Registry[K, V]:
        for table in entries:
            for key, value in table.items():
                self.register(key, value)
        return self

    def find(self, key: K) -> V | None:
        return self._entries.get(key)

    def lookup(self, key: K) -> V:
        try:
            return self._entries[key]
        except KeyError:
            raise Unregistered(f"no {self._what} is registered for {key!r}") from None
