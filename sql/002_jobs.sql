-- Background jobs that people start or the scheduler runs: Calendly syncs and reconciliations.

CREATE TABLE sync_jobs (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,                 -- 'calendly'
    mode         text NOT NULL CHECK (mode IN ('recent', 'since', 'full')),
    since        timestamptz,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    synced       integer NOT NULL DEFAULT 0,
    new          integer NOT NULL DEFAULT 0,
    updated      integer NOT NULL DEFAULT 0,
    error        text,
    requested_by text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX sync_jobs_finished_idx ON sync_jobs (kind, finished_at DESC) WHERE status = 'succeeded';

CREATE TABLE reconcile_runs (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('calendly', 'zoom')),
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    drift       jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"missing_registrant": 2, …}
    report      jsonb NOT NULL DEFAULT '[]'::jsonb,   -- one entry per drifted object
    error       text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX reconcile_runs_finished_idx ON reconcile_runs (finished_at DESC);
