"""The Zoom commands of the outbox, as business rules: bring Zoom in line with what we want now.

Each command reads the *current* wish when it runs (the decision that queued it may be stale),
so running one twice, late, or after a newer one is harmless. Zoom calls are not blindly
repeatable (docs/architecture.md: "Zoom calls are not blindly
repeated"): before a call the object is marked `in_flight`; a command that finds
it so (an answer was lost, or a worker died mid-call) looks it up in Zoom before acting again.
A registrant is found by email in the registrant lists, because an add spends one of that
person's three adds a day. A meeting is found by its course's marker (first line of its
`agenda`) in the host's meeting list: a create records what it sends before sending it, and
a command that finds that record without a meeting id adopts the marked meeting, creating one
only when Zoom holds none — never a second meeting for a course.
"""

from __future__ import annotations

from service.services.course_decisions import DELETE_MEETING, SYNC_MEETING, SYNC_REGISTRANT
from service.workers.outbox import CommandTable, OutboxCommand
from service.workers.zoom_commands.meetings import (
    delete_meeting,
    meeting_command_dead,
    sync_meeting,
)
from service.workers.zoom_commands.registrants import registrant_command_dead, sync_registrant


def zoom_commands() -> CommandTable:
    return {
        SYNC_MEETING: OutboxCommand(sync_meeting, meeting_command_dead),
        DELETE_MEETING: OutboxCommand(delete_meeting, meeting_command_dead),
        SYNC_REGISTRANT: OutboxCommand(sync_registrant, registrant_command_dead),
    }
