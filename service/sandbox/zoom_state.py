"""A Zoom account's meetings and registrants, and the rules Zoom applies when they change.

Every method is one API operation: it takes already schema-validated input, raises
``ZoomError`` exactly where Zoom answers with an error, and returns the response body.
Callers hold the app's lock, so methods never interleave.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import random
import string
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from service.sandbox.zoom_errors import ZoomError, meeting_not_found, validation_failed
from service.sandbox.zoom_limits import DailyCounter
from service.sandbox.zoom_model import (
    AUTO_APPROVE,
    INSTANT,
    MANUAL_APPROVE,
    NO_REGISTRATION,
    RECURRING_FIXED_TIME,
    SCHEDULED,
    Meeting,
    PastMeetings,
    Registrant,
)
from service.sandbox.zoom_recurrence import Occurrence, compute_occurrences
from service.sandbox.zoom_settings import ZoomSandboxSettings
from service.sandbox.zoom_time import (
    format_utc,
    next_utc_midnight,
    parse_zoom_date_time,
    zone_or_none,
)
from service.sandbox.zoom_views import (
    listed_meeting_json,
    meeting_json,
    meeting_state_json,
    registrant_added_json,
    registrant_json,
)

DEFAULT_DURATION_MINUTES = 60
DEFAULT_MEETING_SETTINGS: dict[str, Any] = {
    "approval_type": NO_REGISTRATION,
    "registration_type": 1,
    "registrants_email_notification": True,
    "registrants_confirmation_email": True,
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "mute_upon_entry": False,
    "waiting_room": False,
    "audio": "both",
    "auto_recording": "none",
    "close_registration": False,
    "email_notification": True,
    "meeting_authentication": False,
    "use_pmi": False,
}
T = TypeVar("T")
#: Zoom's default passcode alphabet (the spec's ``password`` description).
_PASSWORD_CHARS = set(string.ascii_letters + string.digits + "@-_*")
_STORED_EXTRAS = ("tracking_fields", "pre_schedule", "template_id", "default_password")


def daily_limit_exceeded(message: str, limit: int, now: float) -> ZoomError:
    """A 429 for a user- or registrant-level daily limit; Zoom sends the reset time."""
    headers = {
        "X-RateLimit-Type": "Daily-limit",
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "Retry-After": next_utc_midnight(now),
    }
    return ZoomError(429, 429, message, headers=headers)


class ZoomAccount:
    def __init__(self, settings: ZoomSandboxSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)
        self.meetings: dict[int, Meeting] = {}
        self.deleted_meeting_ids: list[int] = []
        self._daily = DailyCounter()
        #: next_page_token -> (what it pages through, offset of the next page, expiry).
        self._page_tokens: dict[str, tuple[str, int, float]] = {}
        self.past = PastMeetings()

    # -- users ------------------------------------------------------------------------------

    def resolve_user(self, user_id: str) -> str:
        """The email of ``user_id`` ("me", an email, or a host id this account handed out)."""
        if user_id == "me":
            return self.settings.account_owner_email
        unknown = {email.casefold() for email in self.settings.unknown_users}
        if "@" in user_id and user_id.casefold() not in unknown:
            return user_id
        for meeting in self.meetings.values():
            if meeting.host_id == user_id:
                return meeting.host_email
        raise ZoomError(404, 1001, f"User {user_id} not exist or not belong to this account.")

    # -- meetings ---------------------------------------------------------------------------

    def create_meeting(self, user_id: str, body: dict[str, Any], base_url: str) -> dict[str, Any]:
        host_email = self.resolve_user(user_id)
        if "schedule_for" in body:
            host_email = self._schedule_for(body["schedule_for"])
        meeting_type = int(body.get("type", SCHEDULED))
        timezone = body.get("timezone") or self.settings.account_timezone
        zone = zone_or_none(timezone)
        if zone is None:
            raise validation_failed(["timezone"])
        now = self._now()
        start: datetime | None = None
        if meeting_type != 3:
            start = now
            if meeting_type in (SCHEDULED, RECURRING_FIXED_TIME) and "start_time" in body:
                start = parse_zoom_date_time(body["start_time"], zone)
        settings = {**DEFAULT_MEETING_SETTINGS, **body.get("settings", {})}
        if meeting_type not in (SCHEDULED, RECURRING_FIXED_TIME):
            settings["approval_type"] = NO_REGISTRATION  # registration needs type 2 or 8
        meeting = Meeting(
            id=self._new_meeting_id(),
            uuid=self._token(22) + "==",
            host_id=_host_id(host_email),
            host_email=host_email,
            topic=body.get("topic", "Zoom Meeting"),
            type=meeting_type,
            start=start,
            timezone=timezone,
            duration=int(body.get("duration", DEFAULT_DURATION_MINUTES)),
            agenda=body.get("agenda", ""),
            password=self._password(body.get("password")),
            encrypted_password=self._token(24),
            created_at=format_utc(now),
            settings=settings,
            registration_token=self._token(16),
            extras={key: body[key] for key in _STORED_EXTRAS if key in body},
        )
        if meeting_type == RECURRING_FIXED_TIME:
            self._schedule_series(meeting, start or now, body.get("recurrence"))
        self._use_meeting_write(host_email)
        self.meetings[meeting.id] = meeting
        return meeting_json(meeting, base_url, meeting.occurrences, detail=False)

    def list_meetings(self, user_id: str, params: dict[str, Any], base_url: str) -> dict[str, Any]:
        """``GET /users/{userId}/meetings``: the host's scheduled (not instant) meetings.

        ``scheduled``: all of them; ``upcoming``/``upcoming_meetings``: those not over yet (the
        sandbox's meetings never start, so ``live`` is empty); ``previous_meetings``: those over.
        Ordered by start time; ``agenda`` is cut to 250 characters as Zoom does in lists.
        """
        host_email = self.resolve_user(user_id).casefold()
        list_type = params["type"]
        now = self._now()
        matching = sorted(
            (
                m
                for m in self.meetings.values()
                if m.host_email.casefold() == host_email
                and m.type != INSTANT
                and _listed_as(m, list_type, now)
            ),
            key=lambda m: (m.start.timestamp() if m.start else float("inf"), m.id),
        )
        page, paging = self.paginate(matching, f"meetings:{host_email}:{list_type}", params)
        return {**paging, "meetings": [listed_meeting_json(m, base_url) for m in page]}

    def get_meeting(
        self, meeting_id: int, occurrence_id: str | None, show_previous: bool, base_url: str
    ) -> dict[str, Any]:
        meeting = self._meeting(meeting_id)
        now = self._now()
        occurrences = [
            o
            for o in meeting.occurrences
            if show_previous or o.start.timestamp() + o.duration * 60 > now.timestamp()
        ]
        body = meeting_json(meeting, base_url, occurrences, detail=True)
        if occurrence_id is not None:
            occurrence = self._occurrence(meeting, occurrence_id)
            body.update(start_time=format_utc(occurrence.start), duration=occurrence.duration)
        return body

    def update_meeting(
        self, meeting_id: int, occurrence_id: str | None, body: dict[str, Any]
    ) -> None:
        """Apply a PATCH to a copy, so a refused update changes nothing."""
        meeting = copy.deepcopy(self._meeting(meeting_id))
        zone = zone_or_none(body.get("timezone", meeting.timezone))
        if zone is None:
            raise validation_failed(["timezone"])
        if occurrence_id is not None:
            self._update_occurrence(meeting, occurrence_id, body, zone)
        else:
            self._update_whole_meeting(meeting, body, zone)
        self._use_meeting_write(meeting.host_email)
        self.meetings[meeting_id] = meeting

    def delete_meeting(self, meeting_id: int, occurrence_id: str | None) -> None:
        meeting = self._meeting(meeting_id)
        if occurrence_id is not None:
            occurrence = self._occurrence(meeting, occurrence_id)
            meeting.occurrences.remove(occurrence)
            if meeting.occurrences:
                return
        del self.meetings[meeting_id]
        self.deleted_meeting_ids.append(meeting_id)

    # -- registrants ------------------------------------------------------------------------

    def add_registrant(
        self, meeting_id: int, occurrence_ids: str | None, body: dict[str, Any], base_url: str
    ) -> dict[str, Any]:
        meeting = self._meeting(meeting_id)
        if not meeting.registration_enabled:
            raise ZoomError(
                404, 404, f"Registration has not been enabled for this meeting: {meeting_id}."
            )
        email: str = body["email"]
        limit = self.settings.registrant_adds_per_day
        if not self._daily.try_use(f"add:{meeting_id}:{email.casefold()}", limit, self._clock()):
            raise daily_limit_exceeded(
                f'You have exceeded the daily rate limit of "{limit}" for Add meeting registrant '
                f'API requests for the registrant "{email}". '
                "You can resume these API requests at GMT 00:00:00.",
                limit,
                self._clock(),
            )
        if email.casefold() in meeting.hosts():
            raise ZoomError(400, 3027, "Host cannot register.")
        chosen = self._chosen_occurrences(meeting, occurrence_ids)
        existing = meeting.registrant_by_email(email)
        if existing is not None:
            if existing.status == "denied":
                raise ZoomError(
                    400,
                    3000,
                    f"Registrant {email} was denied or cancelled and cannot register again "
                    "for this meeting.",
                )
            return registrant_added_json(
                meeting, existing, join_url=self._add_shows_join_url(meeting)
            )
        active = sum(1 for r in meeting.registrants.values() if r.status != "denied")
        if active >= self.settings.max_registrants_per_meeting:
            raise ZoomError(400, 3043, "Meeting has reached maximum attendee capacity.")
        approved = meeting.settings["approval_type"] == AUTO_APPROVE or body.get("auto_approve")
        registrant_id = self._token(22)
        registrant = Registrant(
            id=registrant_id,
            email=email,
            first_name=body["first_name"],
            last_name=body.get("last_name", ""),
            status="approved" if approved else "pending",
            join_url=f"{base_url}/w/{meeting.id}?tk={self._token(32)}",
            participant_pin_code=self._rng.randint(100000, 999999),
            create_time=format_utc(self._now()),
            occurrence_ids=chosen,
            details={
                key: value
                for key, value in body.items()
                if key not in {"email", "first_name", "last_name", "auto_approve"}
            },
        )
        meeting.registrants[registrant_id] = registrant
        return registrant_added_json(
            meeting, registrant, join_url=self._add_shows_join_url(meeting)
        )

    def _add_shows_join_url(self, meeting: Meeting) -> bool:
        manual = meeting.settings["approval_type"] == MANUAL_APPROVE
        return self.settings.add_returns_join_url or not manual

    def list_registrants(self, meeting_id: int, params: dict[str, Any]) -> dict[str, Any]:
        meeting = self._registration_meeting(meeting_id)
        status = params["status"]
        occurrence_id = params.get("occurrence_id")
        matching = [
            r
            for r in meeting.registrants.values()
            if r.status == status
            and (
                occurrence_id is None
                or r.occurrence_ids is None
                or occurrence_id in r.occurrence_ids
            )
        ]
        page, paging = self.paginate(matching, f"registrants:{meeting_id}:{status}", params)
        return {**paging, "registrants": [registrant_json(r) for r in page]}

    def get_registrant(self, meeting_id: int, registrant_id: str) -> dict[str, Any]:
        meeting = self._registration_meeting(meeting_id)
        registrant = meeting.registrants.get(registrant_id)
        if registrant is None:
            raise ZoomError(404, 3000, f"Registrant {registrant_id} was not found.")
        return registrant_json(registrant)

    def update_registrant_status(
        self, meeting_id: int, action: str, targets: list[dict[str, str]]
    ) -> None:
        meeting = self._registration_meeting(meeting_id)
        if not targets:
            raise validation_failed(["registrants"])
        registrants = [self._target(meeting, target) for target in targets]
        limit = self.settings.registrant_status_updates_per_day
        for registrant in registrants:
            key = f"status:{meeting_id}:{registrant.email.casefold()}"
            if not self._daily.try_use(key, limit, self._clock()):
                raise daily_limit_exceeded(
                    f'You have exceeded the daily rate limit of "{limit}" for meeting Update '
                    f'registrant\'s status API requests for the registrant "{registrant.email}". '
                    "You can resume these API requests at GMT 00:00:00.",
                    limit,
                    self._clock(),
                )
        for registrant in registrants:
            registrant.status = "approved" if action == "approve" else "denied"

    def delete_registrant(self, meeting_id: int, registrant_id: str) -> None:
        meeting = self._meeting(meeting_id)
        if not meeting.registration_enabled:
            raise ZoomError(
                400, 404, f"Registration has not been enabled for this meeting: {meeting_id}."
            )
        if meeting.registrants.pop(registrant_id, None) is None:
            raise ZoomError(400, 3000, f"Registrant {registrant_id} was not found.")

    # -- control API ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "meetings": [meeting_state_json(m) for m in self.meetings.values()],
            "deleted_meeting_ids": list(self.deleted_meeting_ids),
        }

    # -- helpers ----------------------------------------------------------------------------

    def _clock(self) -> float:
        return self.settings.clock()

    def _now(self) -> datetime:
        return datetime.fromtimestamp(int(self._clock()), UTC)

    def _token(self, length: int) -> str:
        alphabet = string.ascii_letters + string.digits
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def _new_meeting_id(self) -> int:
        while True:
            meeting_id = self._rng.randint(80_000_000_000, 99_999_999_999)
            if meeting_id not in self.meetings and meeting_id not in self.deleted_meeting_ids:
                return meeting_id

    def _password(self, requested: str | None) -> str:
        if requested is None:
            return "".join(self._rng.choice(string.digits) for _ in range(6))
        if not requested or not set(requested) <= _PASSWORD_CHARS:
            raise validation_failed(["password"])
        return requested

    def _schedule_for(self, user_id: str) -> str:
        try:
            return self.resolve_user(user_id)
        except ZoomError as exc:
            raise ZoomError(
                400,
                300,
                "The value that you entered for the schedule_for field is invalid. "
                "Enter a valid value and try again.",
            ) from exc

    def _use_meeting_write(self, host_email: str) -> None:
        limit = self.settings.meeting_writes_per_day_per_host
        if not self._daily.try_use(f"meeting-writes:{host_email.casefold()}", limit, self._clock()):
            raise daily_limit_exceeded(
                f"You have exceeded the daily rate limit ({limit}) of Meeting Create/Update API "
                "requests permitted for this particular user. "
                "You may resume these requests at GMT 00:00:00.",
                limit,
                self._clock(),
            )

    def _meeting(self, meeting_id: int) -> Meeting:
        meeting = self.meetings.get(meeting_id)
        if meeting is None:
            raise meeting_not_found(meeting_id)
        return meeting

    def _registration_meeting(self, meeting_id: int) -> Meeting:
        meeting = self._meeting(meeting_id)
        if not meeting.registration_enabled:
            raise ZoomError(
                400, 300, f"This meeting has not set registration as required: {meeting_id}."
            )
        return meeting

    def _occurrence(self, meeting: Meeting, occurrence_id: str) -> Occurrence:
        for occurrence in meeting.occurrences:
            if occurrence.occurrence_id == occurrence_id:
                return occurrence
        raise ZoomError(400, 3000, "Invalid occurrence_id.")

    def _chosen_occurrences(self, meeting: Meeting, occurrence_ids: str | None) -> list[str] | None:
        if occurrence_ids is None:
            return None
        chosen = [part.strip() for part in occurrence_ids.split(",") if part.strip()]
        known = {o.occurrence_id for o in meeting.occurrences}
        if not chosen or not set(chosen) <= known:
            raise ZoomError(400, 300, "Invalid occurrence_ids.")
        return chosen

    def _target(self, meeting: Meeting, target: dict[str, str]) -> Registrant:
        found = meeting.registrants.get(target.get("id", ""))
        if found is None and "email" in target:
            found = meeting.registrant_by_email(target["email"])
        if found is None:
            raise ZoomError(404, 3000, "Meeting or registrant not found.")
        return found

    def _schedule_series(
        self, meeting: Meeting, start: datetime, recurrence: dict[str, Any] | None
    ) -> None:
        if recurrence is None:
            raise validation_failed(["recurrence"])
        zone = zone_or_none(meeting.timezone)
        assert zone is not None  # checked before the meeting was built
        meeting.recurrence = dict(recurrence)
        meeting.occurrences = compute_occurrences(start, zone, meeting.duration, recurrence)
        meeting.start = meeting.occurrences[0].start

    def _update_whole_meeting(self, meeting: Meeting, body: dict[str, Any], zone: ZoneInfo) -> None:
        if "schedule_for" in body:
            meeting.host_email = self._schedule_for(body["schedule_for"])
            meeting.host_id = _host_id(meeting.host_email)
        for name in ("topic", "agenda"):
            if name in body:
                setattr(meeting, name, body[name])
        if "password" in body:
            meeting.password = self._password(body["password"])
        meeting.settings.update(body.get("settings", {}))
        meeting.extras.update({key: body[key] for key in _STORED_EXTRAS if key in body})
        meeting.timezone = body.get("timezone", meeting.timezone)
        if "duration" in body:
            meeting.duration = int(body["duration"])
            meeting.occurrences = [
                Occurrence(o.start, meeting.duration, o.status) for o in meeting.occurrences
            ]
        self._update_schedule(meeting, body, zone)

    def _update_schedule(self, meeting: Meeting, body: dict[str, Any], zone: ZoneInfo) -> None:
        """Apply ``type``/``start_time``/``recurrence`` as Zoom's PATCH documents it.

        For recurring meetings a ``start_time`` that is omitted or in the past is ignored and the
        series is left alone; a future ``start_time`` requires ``recurrence``.
        """
        was_recurring = meeting.type == RECURRING_FIXED_TIME
        meeting_type = int(body.get("type", meeting.type))
        start = parse_zoom_date_time(body["start_time"], zone) if "start_time" in body else None
        if meeting_type == RECURRING_FIXED_TIME:
            if was_recurring:
                if start is None or start <= self._now():
                    return
                self._schedule_series(meeting, start, body.get("recurrence"))
            else:
                self._schedule_series(
                    meeting, start or meeting.start or self._now(), body.get("recurrence")
                )
            meeting.type = meeting_type
            return
        meeting.type = meeting_type
        meeting.recurrence = None
        meeting.occurrences = []
        if meeting_type == SCHEDULED:
            meeting.start = start or meeting.start or self._now()
        else:
            meeting.settings["approval_type"] = NO_REGISTRATION
            meeting.start = None if meeting_type == 3 else self._now()

    def _update_occurrence(
        self, meeting: Meeting, occurrence_id: str, body: dict[str, Any], zone: ZoneInfo
    ) -> None:
        occurrence = self._occurrence(meeting, occurrence_id)
        start = occurrence.start
        if "start_time" in body:
            start = parse_zoom_date_time(body["start_time"], zone).astimezone(UTC)
        updated = Occurrence(
            start, int(body.get("duration", occurrence.duration)), occurrence.status
        )
        meeting.occurrences[meeting.occurrences.index(occurrence)] = updated

    def paginate(
        self, matching: list[T], scope: str, params: dict[str, Any]
    ) -> tuple[list[T], dict[str, Any]]:
        """The requested page of ``matching`` and the paging fields of the answer.

        The page starts at its ``next_page_token`` (bound to ``scope``: the same list, and
        valid for 15 minutes), else at ``page_number``; a token is handed out when more follow.
        """
        page_size = max(1, int(params["page_size"]))
        token = params.get("next_page_token")
        if token:
            entry = self._page_tokens.get(token)
            if entry is None or entry[0] != scope or entry[2] <= self._clock():
                raise ZoomError(400, 300, "The next page token is invalid or expired.")
            offset = entry[1]
        else:
            offset = (max(1, int(params.get("page_number", 1))) - 1) * page_size
        next_token = ""
        if offset + page_size < len(matching):
            next_token = self._token(24)
            expires = self._clock() + self.settings.next_page_token_ttl_seconds
            self._page_tokens[next_token] = (scope, offset + page_size, expires)
        paging = {
            "page_count": max(1, -(-len(matching) // page_size)),
            "page_number": offset // page_size + 1,
            "page_size": page_size,
            "total_records": len(matching),
            "next_page_token": next_token,
        }
        return matching[offset : offset + page_size], paging


def _listed_as(meeting: Meeting, list_type: str, now: datetime) -> bool:
    """Whether ``meeting`` belongs in a meeting list of ``list_type``."""
    if list_type == "scheduled":
        return True
    if list_type == "live":
        return False  # sandbox meetings are never started
    starts = [o.start for o in meeting.occurrences] or ([meeting.start] if meeting.start else [])
    if not starts:
        return list_type != "previous_meetings"  # no fixed time: never over
    over = max(starts).timestamp() + meeting.duration * 60 <= now.timestamp()
    return over if list_type == "previous_meetings" else not over


def _host_id(email: str) -> str:
    """A stable Zoom-looking user id for an email (22 url-safe characters)."""
    digest = hashlib.sha256(email.casefold().encode()).digest()
    return base64.urlsafe_b64encode(digest)[:22].decode()


def _registered_for(registrant: Registrant, occurrence_id: str | None) -> bool:
    """Whether a registrant attends ``occurrence_id`` (any occurrence when it is None)."""
    if occurrence_id is None or registrant.occurrence_ids is None:
        return True
    return occurrence_id in registrant.occurrence_ids
