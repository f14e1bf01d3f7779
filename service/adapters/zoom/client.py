"""The Zoom client: every endpoint webinar-sync calls, one method per endpoint, each sent
through the shared transport (`transport.py`: token, rate limiter, retries, failure classes)."""

from __future__ import annotations

from service.adapters.zoom.meeting_calls import MeetingCalls
from service.adapters.zoom.past_meeting_calls import PastMeetingCalls
from service.adapters.zoom.registrant_calls import RegistrantCalls


class ZoomClient(MeetingCalls, RegistrantCalls, PastMeetingCalls):
    """The Zoom meeting, registrant and past-meeting calls webinar-sync makes."""
