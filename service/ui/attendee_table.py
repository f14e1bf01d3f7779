"""The attendee table's order and filter (CONTRACT §6 "Event"): pure, from query parameters.

Text sorts as German readers expect: without case or accents ("Ärne" next to "Anna").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from service.domain.users import search_key


class SortKey(StrEnum):
    NAME = "name"
    EMAIL = "email"
    STATUS = "status"
    ATTENDANCE = "attendance"
    TEACHER = "teacher"
    NOTES = "notes"


class AttendanceFilter(StrEnum):
    ALL = "all"
    PENDING = "pending"
    ATTENDED = "attended"
    NOT_ATTENDED = "not_attended"


ATTENDED_BY_FILTER: dict[AttendanceFilter, bool | None] = {
    AttendanceFilter.PENDING: None,
    AttendanceFilter.ATTENDED: True,
    AttendanceFilter.NOT_ATTENDED: False,
}
_ATTENDANCE_ORDER = {None: 0, True: 1, False: 2}


@dataclass(frozen=True)
class View:
    sort: SortKey
    descending: bool
    attendance: AttendanceFilter

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> View:
        sort = params.get("sort", SortKey.NAME)
        attendance = params.get("attendance", AttendanceFilter.ALL)
        return cls(
            SortKey(sort) if sort in SortKey.__members__.values() else SortKey.NAME,
            params.get("dir") == "desc",
            AttendanceFilter(attendance)
            if attendance in AttendanceFilter.__members__.values()
            else AttendanceFilter.ALL,
        )

    def aria_sort(self, key: SortKey) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def next_dir(self, key: SortKey) -> str:
        """Activating the sorted column's header reverses it; another column starts ascending."""
        return "asc" if key != self.sort or self.descending else "desc"

    def apply(self, rows: list[dict[str, Any]], teacher_names: Mapping[str, str]) -> list[Any]:
        if self.attendance != AttendanceFilter.ALL:
            wanted = ATTENDED_BY_FILTER[self.attendance]
            rows = [r for r in rows if r["attended"] is wanted]

        def key(row: dict[str, Any]) -> tuple[Any, ...]:
            if self.sort == SortKey.ATTENDANCE:
                return (_ATTENDANCE_ORDER[row["attended"]], row["id"])
            if self.sort == SortKey.TEACHER:
                value = teacher_names.get(row["user_id"] or "", "")
            else:
                value = row[self.sort.value] or ""
            return (search_key(str(value)), row["id"])

        return sorted(rows, key=key, reverse=self.descending)
