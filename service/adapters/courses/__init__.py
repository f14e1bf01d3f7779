"""Postgres repositories for courses, bookings and our view of their Zoom meeting and registrants.

One module per table: `course_repo`, `booking_repo`, `meeting_repo`, `registrant_repo`.

Upserts are versioned (CONTRACT §3.2): a course or booking whose version is not newer than the
stored one changes nothing, so late, repeated and reordered events are harmless. Courses are kept
as received (`document`) and parsed back into the domain object, so deciding always works on the
same `Course` the event parser produces.
"""
