"""Attendance marks from admins: the bulk update request, checked whole before anything is set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class AttendanceUpdate:
    """Set one attendee's attendance: `True` attended, `False` not attended, `None` pending."""

    attendee_id: int
    attended: bool | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where (`updates[2].attended`) and what, for people."""

    field: str
    message: str


class InvalidAttendanceUpdates(ValueError):
    """The bulk request is refused as a whole (all or nothing); `problems` lists every fault."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


_UPDATE_KEYS = frozenset({"attendee_id", "attended"})


def parse_attendance_updates(body: object) -> tuple[AttendanceUpdate, ...]:
    """Validate `{"updates": [{"attendee_id": 1, "attended": true|false|null}, ...]}`.

    Every problem is collected before refusing, so an admin fixes the whole list at once.
    `attended` must be present (an omitted key is not the same as `null` = pending); unknown keys
    are refused rather than ignored, so a misspelt `attended` cannot pass as a no-op; an attendee
    may appear only once, since two marks for one attendee in one request contradict or repeat.
    An empty list is valid and changes nothing.
    """
    if not isinstance(body, Mapping):
        raise InvalidAttendanceUpdates((Problem("body", "must be a JSON object"),))
    items = body.get("updates")
    if not isinstance(items, list):
        raise InvalidAttendanceUpdates((Problem("updates", "must be a list"),))
    problems: list[Problem] = [
        Problem(str(key), "unknown field") for key in body if key != "updates"
    ]
    updates: list[AttendanceUpdate] = []
    first_index_of: dict[int, int] = {}
    for index, item in enumerate(items):
        where = f"updates[{index}]"
        if not isinstance(item, Mapping):
            problems.append(Problem(where, "must be an object"))
            continue
        problems.extend(
            Problem(f"{where}.{key}", "unknown field") for key in item if key not in _UPDATE_KEYS
        )
        attendee_id = _attendee_id(item.get("attendee_id"))
        if attendee_id is None:
            problems.append(Problem(f"{where}.attendee_id", "must be a positive integer"))
        elif attendee_id in first_index_of:
            problems.append(
                Problem(
                    f"{where}.attendee_id",
                    f"attendee {attendee_id} already appears in "
                    f"updates[{first_index_of[attendee_id]}]",
                )
            )
            attendee_id = None
        else:
            first_index_of[attendee_id] = index
        attended = item.get("attended")
        if "attended" not in item or not (attended is None or isinstance(attended, bool)):
            problems.append(Problem(f"{where}.attended", "must be true, false or null"))
        elif attendee_id is not None:
            updates.append(AttendanceUpdate(attendee_id=attendee_id, attended=attended))
    if problems:
        raise InvalidAttendanceUpdates(tuple(problems))
    return tuple(updates)


def _attendee_id(value: object) -> int | None:
    # bool is an int in Python, but `true` is not an id.
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None
