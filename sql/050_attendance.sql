-- Attendance from Zoom (CONTRACT §7): one import per held meeting instance, the seconds each
-- registered person was present, participants nobody registered, and no-shows sent to Calendly.

-- One row per meeting instance (Zoom's instance uuid). course_id / calendly_event_id: what the
-- instance was found to belong to when it was imported.
CREATE TABLE attendance_imports (
    id                bigserial PRIMARY KEY,
    meeting_id        bigint NOT NULL,
    uuid              text NOT NULL UNIQUE,
    started_at        timestamptz,
    ended_at          timestamptz,
    status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'done', 'failed')),
    course_id         text,
    calendly_event_id bigint,
    participants      integer NOT NULL DEFAULT 0,
    matched           integer NOT NULL DEFAULT 0,
    unmatched         integer NOT NULL DEFAULT 0,
    not_ready_checks  integer NOT NULL DEFAULT 0,
    pages             integer NOT NULL DEFAULT 0,
    last_error        text,
    requested_at      timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
CREATE INDEX attendance_imports_status_idx ON attendance_imports (status, id);
CREATE INDEX attendance_imports_meeting_idx ON attendance_imports (meeting_id, started_at);
CREATE INDEX attendance_imports_event_idx ON attendance_imports (calendly_event_id);

-- Seconds present per registered person and instance: kind 'booking' (target = booking id) or
-- 'attendee' (target = calendly_attendees.id). Only people who appeared have a row.
CREATE TABLE attendance_presence (
    import_id bigint NOT NULL REFERENCES attendance_imports (id),
    kind      text NOT NULL CHECK (kind IN ('booking', 'attendee')),
    target    text NOT NULL,
    seconds   integer NOT NULL CHECK (seconds >= 0),
    PRIMARY KEY (import_id, kind, target)
);
CREATE INDEX attendance_presence_target_idx ON attendance_presence (kind, target);

-- Participants no registration explains, for a person to link (or leave).
CREATE TABLE attendance_unmatched (
    id            bigserial PRIMARY KEY,
    import_id     bigint NOT NULL REFERENCES attendance_imports (id),
    name          text NOT NULL,
    email         text NOT NULL DEFAULT '',
    registrant_id text NOT NULL DEFAULT '',
    seconds       integer NOT NULL CHECK (seconds >= 0),
    linked_kind   text CHECK (linked_kind IN ('booking', 'attendee')),
    linked_target text,
    linked_by     text,
    linked_at     timestamptz
);
CREATE INDEX attendance_unmatched_waiting_idx ON attendance_unmatched (id) WHERE linked_at IS NULL;

-- The attendee's source of `attended`, and Zoom's figure kept beside a mark made by hand.
ALTER TABLE calendly_attendees
    ADD COLUMN attendance_source text CHECK (attendance_source IN ('manual', 'zoom')),
    ADD COLUMN zoom_minutes integer,
    ADD COLUMN zoom_attended boolean,
    ADD COLUMN no_show_uri text;

-- The Zoom meeting a Calendly event's location points at (join URL …zoom.us/j/{id}).
ALTER TABLE calendly_events
    ADD COLUMN zoom_meeting_id bigint GENERATED ALWAYS AS (
        substring(location_join_url FROM '^https?://(?:[A-Za-z0-9-]+\.)*zoom\.us/j/([0-9]{1,18})')::bigint
    ) STORED;
CREATE INDEX calendly_events_zoom_meeting_idx ON calendly_events (zoom_meeting_id, start_time)
    WHERE zoom_meeting_id IS NOT NULL;

-- Every no-show the service created in Calendly: a webhook reporting one of these is our own.
CREATE TABLE calendly_no_shows_sent (
    uri         text PRIMARY KEY,
    attendee_id bigint NOT NULL REFERENCES calendly_attendees (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
CREATE INDEX calendly_no_shows_sent_attendee_idx ON calendly_no_shows_sent (attendee_id);
-- For the import-lag metric: the imports finished lately.
CREATE INDEX attendance_imports_finished_idx ON attendance_imports (finished_at)
    WHERE status = 'done';
