-- Platform: API tokens, the inbox / outbox pair that makes delivery durable,
-- dead letters, the integration log, notifications and scheduler slots.

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    role         text NOT NULL CHECK (role IN ('admin', 'ops')),
    token_hash   text NOT NULL UNIQUE,          -- sha256 hex of the token; the token itself is never stored
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Every event received from a vendor or the booking system, committed before we answer 2xx.
CREATE TABLE inbox (
    id           bigserial PRIMARY KEY,
    source       text NOT NULL CHECK (source IN ('calendly', 'booking', 'zoom')),
    event_type   text NOT NULL,
    dedupe_key   text NOT NULL,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'done', 'ignored', 'dead')),
    payload      jsonb NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    not_before   timestamptz NOT NULL DEFAULT now(),  -- retry back-off: not to run before
    received_at  timestamptz NOT NULL DEFAULT now(),
    enqueued_at  timestamptz,
    processed_at timestamptz,
    UNIQUE (source, dedupe_key)
);
CREATE INDEX inbox_pending_idx ON inbox (not_before) WHERE status = 'pending';
CREATE INDEX inbox_status_idx ON inbox (status, received_at DESC);

-- Decided vendor commands ("bring the Zoom registrant of booking X in line"), executed by actors.
CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    command      text NOT NULL,
    subject      text NOT NULL,                 -- e.g. 'course:10062', 'booking:BN20-00159'
    payload      jsonb NOT NULL DEFAULT '{}'::jsonb,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'in_flight', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    not_before   timestamptz NOT NULL DEFAULT now(),
    last_error   text,
    cause        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    enqueued_at  timestamptz
);
-- One waiting command per subject: a second decision while one waits adds nothing.
CREATE UNIQUE INDEX outbox_one_pending_idx ON outbox (command, subject) WHERE status = 'pending';
CREATE INDEX outbox_open_idx ON outbox (not_before) WHERE status IN ('pending', 'in_flight');

-- Each failed attempt of an inbox or outbox item, so ops can read the whole history.
CREATE TABLE work_attempts (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL CHECK (source IN ('inbox', 'outbox')),
    ref_id        bigint NOT NULL,
    attempt       integer NOT NULL,
    error_class   text NOT NULL,
    error_message text NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX work_attempts_ref_idx ON work_attempts (source, ref_id);

CREATE TABLE dead_letters (
    id            bigserial PRIMARY KEY,
    source        text NOT NULL,                -- calendly | booking | zoom (who sent or is called)
    queue         text NOT NULL CHECK (queue IN ('inbox', 'outbox')),
    ref_id        bigint NOT NULL,              -- the inbox or outbox row
    type          text NOT NULL,                -- event type or outbox command
    error_class   text NOT NULL,
    error_message text NOT NULL,
    attempts      integer NOT NULL,
    payload       jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz
);
CREATE UNIQUE INDEX dead_letters_open_ref_idx ON dead_letters (queue, ref_id) WHERE status = 'open';
CREATE INDEX dead_letters_list_idx ON dead_letters (status, id DESC);

CREATE TABLE dead_letter_actions (
    id             bigserial PRIMARY KEY,
    dead_letter_id bigint NOT NULL REFERENCES dead_letters (id),
    action         text NOT NULL CHECK (action IN ('replay', 'discard')),
    actor          text NOT NULL,
    reason         text,
    result         text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);

-- Every outbound vendor call.
CREATE TABLE integration_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    system         text NOT NULL,
    method         text NOT NULL,
    path           text NOT NULL,
    status         integer,
    vendor_code    text,
    vendor_message text,
    error          text,
    duration_ms    double precision NOT NULL,
    cause          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX integration_log_at_idx ON integration_log (at DESC);
CREATE INDEX integration_log_course_idx ON integration_log ((cause ->> 'course_id'), at DESC);
CREATE INDEX integration_log_booking_idx ON integration_log ((cause ->> 'booking_id'), at DESC);

CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL,                   -- sync_failed | validation | subscription_disabled | …
    severity   text NOT NULL DEFAULT 'error' CHECK (severity IN ('info', 'warning', 'error')),
    subject    text,                            -- e.g. 'course:10062'
    message    text NOT NULL,
    details    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_created_idx ON notifications (created_at DESC);

-- A scheduler claims (job, slot) before running it: two schedulers never run one slot twice.
CREATE TABLE job_runs (
    job         text NOT NULL,
    slot        timestamptz NOT NULL,
    owner       text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text,
    PRIMARY KEY (job, slot)
);
