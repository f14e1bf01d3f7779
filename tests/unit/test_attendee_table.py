"""The attendee table's order and filter, from the query string of the Event page."""

from __future__ import annotations

from typing import Any

from service.ui.attendee_table import AttendanceFilter, SortKey, View


def row(id_: int, name: str, attended: bool | None, user_id: str | None = None) -> dict[str, Any]:
    return {
        "id": id_,
        "name": name,
        "email": f"{name.lower()}@example.com",
        "status": "active",
        "attended": attended,
        "user_id": user_id,
        "notes": None,
    }


ROWS = [
    row(1, "berta", True),
    row(2, "Anna", None, "u1"),
    row(3, "Carl", False),
    row(4, "Ärne", None),
]


def names(view: View, teachers: dict[str, str] | None = None) -> list[str]:
    return [r["name"] for r in view.apply(ROWS, teachers or {})]


def test_default_is_by_name_ascending_ignoring_case_and_accents() -> None:
    view = View.from_query({})
    assert (view.sort, view.descending, view.attendance) == (
        SortKey.NAME,
        False,
        AttendanceFilter.ALL,
    )
    assert names(view) == ["Anna", "Ärne", "berta", "Carl"]
    assert view.aria_sort(SortKey.NAME) == "ascending" and view.aria_sort(SortKey.EMAIL) is None


def test_activating_the_sorted_header_reverses_it() -> None:
    view = View.from_query({"sort": "name"})
    assert view.next_dir(SortKey.NAME) == "desc" and view.next_dir(SortKey.NOTES) == "asc"
    reverse = View.from_query({"sort": "name", "dir": "desc"})
    assert reverse.aria_sort(SortKey.NAME) == "descending"
    assert reverse.next_dir(SortKey.NAME) == "asc"
    assert names(reverse) == ["Carl", "berta", "Ärne", "Anna"]


def test_attendance_orders_pending_attended_not_attended() -> None:
    assert names(View.from_query({"sort": "attendance"})) == ["Anna", "Ärne", "berta", "Carl"]


def test_teacher_sorts_by_the_linked_teachers_name() -> None:
    view = View.from_query({"sort": "teacher", "dir": "desc"})
    assert names(view, {"u1": "Zora"})[0] == "Anna"


def test_filter_by_attendance() -> None:
    assert names(View.from_query({"attendance": "pending"})) == ["Anna", "Ärne"]
    assert names(View.from_query({"attendance": "attended"})) == ["berta"]
    assert names(View.from_query({"attendance": "not_attended"})) == ["Carl"]


def test_unknown_values_fall_back_instead_of_failing() -> None:
    view = View.from_query({"sort": "password", "dir": "sideways", "attendance": "maybe"})
    assert (view.sort, view.descending, view.attendance) == (
        SortKey.NAME,
        False,
        AttendanceFilter.ALL,
    )
