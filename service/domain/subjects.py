"""What a command, a lock or a notification is about: `course:{id}`, `booking:{id}` …

Outbox rows, advisory locks and notifications carry the subject as text; code reads it back
through `Subject.parse`, which checks the kind, instead of slicing strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubjectKind(StrEnum):
    COURSE = "course"
    BOOKING = "booking"
    ATTENDEE = "attendee"  # a Calendly invitee's Zoom registrant
    NO_SHOW = "no-show"  # a Calendly invitee's no-show
    ZOOM_INSTANCE = "zoom-instance"  # one held instance of a Zoom meeting (its UUID)


class InvalidSubject(ValueError):
    pass


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    key: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"

    @classmethod
    def parse(cls, text: str, kind: SubjectKind | None = None) -> Subject:
        """`kind:key`; with `kind`, a subject of another kind is refused too."""
        prefix, colon, key = text.partition(":")
        if not colon or not key:
            raise InvalidSubject(f"not a subject: {text!r}")
        try:
            found = SubjectKind(prefix)
        except ValueError:
            raise InvalidSubject(f"unknown subject kind in {text!r}") from None
        if kind is not None and found is not kind:
            raise InvalidSubject(f"{text!r} is not a {kind} subject")
        return cls(found, key)

    @property
    def number(self) -> int:
        """The key of a subject named by a numeric id (attendee, no-show)."""
        if not (self.key.isascii() and self.key.isdigit()):
            raise InvalidSubject(f"{self} is not named by a number")
        return int(self.key)
