-- Courses and bookings from the booking system (latest version of each), and our view of Zoom:
-- one meeting per course, one registrant per booking, each with its own state machine.

-- The latest version of each course. `document` is `data.course` as received (re-parsed into the
-- domain object when deciding); it is NULL for a course known only from its cancellation.
CREATE TABLE courses (
    id          text PRIMARY KEY,
    version     integer NOT NULL,
    title       text,
    status      text NOT NULL
                CHECK (status IN ('planned', 'confirmed', 'running', 'finished', 'cancelled')),
    timezone    text,
    sessions    jsonb NOT NULL DEFAULT '[]'::jsonb,
    venue       jsonb,
    moderator   text,
    supervisor  jsonb,
    trainers    jsonb NOT NULL DEFAULT '[]'::jsonb,
    zoom_synced boolean NOT NULL DEFAULT false,  -- in the Zoom room and confirmed or running
    zoom_host   text,                            -- the host's Zoom user, case-folded
    document    jsonb,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- The overlap rule reads the other courses one Zoom user hosts.
CREATE INDEX courses_zoom_host_idx ON courses (zoom_host) WHERE zoom_synced;

-- The latest version of each booking; it may arrive before its course (hence no foreign key).
CREATE TABLE bookings (
    id            text PRIMARY KEY,
    version       integer NOT NULL,
    course_id     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    first_name    text NOT NULL DEFAULT '',
    last_name     text NOT NULL DEFAULT '',
    email         text NOT NULL DEFAULT '',
    -- Seats go first come, first served by the booking system's own time of the event that
    -- confirmed the booking (not by when we processed it); confirmed again after a
    -- cancellation, it queues anew.
    booked_at     timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_course_idx ON bookings (course_id, booked_at, id);

-- Our view of a course's Zoom meeting.
--   state: pending (decided, nothing sent) -> in_flight (a create/update/delete is being sent;
--          found so after a crash, the outcome is unknown) -> done | failed (Zoom refused).
--   sync_status (what the API shows): ok | pending | failed; errors: [{code, message}].
--   spec: the meeting body last applied in Zoom, to diff against the course's current shape.
CREATE TABLE zoom_meetings (
    course_id   text PRIMARY KEY,
    meeting_id  bigint,
    host        text,
    join_url    text,
    state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    spec        jsonb,
    sync_status text NOT NULL DEFAULT 'pending' CHECK (sync_status IN ('ok', 'pending', 'failed')),
    errors      jsonb NOT NULL DEFAULT '[]'::jsonb,
    occurrences jsonb NOT NULL DEFAULT '[]'::jsonb,
    deleted_at  timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX zoom_meetings_sync_status_idx ON zoom_meetings (sync_status);

-- Our view of each booking's registrant. zoom_status is what Zoom holds: approved | cancelled
-- (Zoom shows a cancelled registrant as denied) | deleted (its meeting is gone); NULL: none yet.
-- state as for meetings; errors are the booking's problems ([{code, message}]).
CREATE TABLE zoom_registrants (
    booking_id    text PRIMARY KEY,
    course_id     text NOT NULL,
    meeting_id    bigint,
    registrant_id text,
    email         text,
    join_url      text,
    zoom_status   text CHECK (zoom_status IN ('approved', 'cancelled', 'deleted')),
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    errors        jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX zoom_registrants_course_idx ON zoom_registrants (course_id);

-- A Calendly event type whose invitees become registrants of one Zoom meeting.
CREATE TABLE calendly_event_type_zoom (
    event_type_uuid text PRIMARY KEY,
    meeting_id      bigint NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Our view of each mapped Calendly attendee's registrant (same states as zoom_registrants).
CREATE TABLE calendly_zoom_registrants (
    attendee_id   bigint PRIMARY KEY,
    meeting_id    bigint NOT NULL,
    registrant_id text,
    email         text,
    join_url      text,
    zoom_status   text CHECK (zoom_status IN ('approved', 'cancelled')),
    state         text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    errors        jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
