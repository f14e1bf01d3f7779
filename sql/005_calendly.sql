-- Info-webinars: Calendly events and attendees, teachers (users) and their pipeline.

CREATE TABLE users (
    id              text PRIMARY KEY,               -- the booking system's user id
    version         integer NOT NULL,
    name            text NOT NULL,
    email           text,
    role            text NOT NULL,
    search_key      text NOT NULL,                  -- name and email folded: no case, no accents
    pipeline_status smallint NOT NULL DEFAULT 4,    -- infowebinar_besuchen
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email_idx ON users (lower(email));
CREATE INDEX users_search_idx ON users USING btree (search_key text_pattern_ops);

CREATE TABLE pipeline_transitions (
    id          bigserial PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id),
    from_status smallint NOT NULL,
    to_status   smallint NOT NULL,
    cause       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipeline_transitions_user_idx ON pipeline_transitions (user_id, at);

CREATE TABLE calendly_events (
    id                  bigserial PRIMARY KEY,
    uri                 text NOT NULL UNIQUE,
    name                text NOT NULL,
    status              text NOT NULL CHECK (status IN ('active', 'canceled')),
    start_time          timestamptz NOT NULL,
    end_time            timestamptz NOT NULL,
    event_type_uri      text,
    location_kind       text,
    location_join_url   text,
    location_address    text,
    location_text       text,
    cancellation        jsonb,
    calendly_updated_at timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendly_events_start_idx ON calendly_events (start_time);
CREATE INDEX calendly_events_type_idx ON calendly_events (event_type_uri);

CREATE TABLE calendly_attendees (
    id                    bigserial PRIMARY KEY,
    uri                   text UNIQUE,              -- NULL for attendees added by hand
    event_id              bigint NOT NULL REFERENCES calendly_events (id),
    name                  text NOT NULL,
    email                 text NOT NULL,
    status                text NOT NULL CHECK (status IN ('active', 'canceled')),
    cancellation          jsonb,
    rescheduled_from      text,
    rescheduled_to        text,
    calendly_created_at   timestamptz,
    calendly_updated_at   timestamptz,
    attended              boolean,                  -- NULL: pending
    attendance_marked_at  timestamptz,
    attendance_marked_by  text,
    user_id               text REFERENCES users (id),
    prognosis_class_count integer CHECK (prognosis_class_count >= 0),
    prognosis_start       text,
    notes                 text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calendly_attendees_event_idx ON calendly_attendees (event_id);
CREATE INDEX calendly_attendees_email_idx ON calendly_attendees (lower(email));
CREATE INDEX calendly_attendees_user_idx ON calendly_attendees (user_id);
CREATE INDEX calendly_attendees_from_idx ON calendly_attendees (rescheduled_from);
CREATE INDEX calendly_attendees_to_idx ON calendly_attendees (rescheduled_to);

-- Who set which attendance when: the audit trail of attendance decisions.
CREATE TABLE attendance_changes (
    id          bigserial PRIMARY KEY,
    attendee_id bigint NOT NULL REFERENCES calendly_attendees (id),
    attended    boolean,
    changed_by  text NOT NULL,                      -- 'admin:<token name>' or 'calendly:no_show'
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attendance_changes_attendee_idx ON attendance_changes (attendee_id, at);

CREATE TABLE participations (
    id           bigserial PRIMARY KEY,
    teacher_id   text NOT NULL REFERENCES users (id),
    webinar_date timestamptz NOT NULL,
    participated boolean,
    updated_by   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (teacher_id, webinar_date)
);
CREATE INDEX participations_date_idx ON participations (webinar_date);

-- Small named facts, e.g. the time of the last successful Calendly sync.
CREATE TABLE sync_state (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
