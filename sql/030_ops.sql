-- Operations: the Calendly subscription watchdog's memory, the scope of reconcile runs and
-- the reconciler's own budget of Zoom registrant re-adds.

-- What the watchdog last saw of our Calendly subscription. `last_active_at` is the last check
-- that found it active: when it has vanished, deliveries may have stopped any time after that,
-- so the backfill reads Calendly from there.
CREATE TABLE calendly_subscription_watch (
    callback_url     text PRIMARY KEY,
    subscription_uri text,
    state            text,                          -- active | disabled | missing
    last_active_at   timestamptz,
    checked_at       timestamptz NOT NULL DEFAULT now()
);

-- A run covers everything (NULL) or one object, e.g. 'course:10062' after a Zoom webhook.
-- The drift metric reads the latest full run of each kind.
ALTER TABLE reconcile_runs ADD COLUMN scope text;
CREATE INDEX reconcile_runs_kind_idx ON reconcile_runs (kind, finished_at DESC) WHERE scope IS NULL;

-- Zoom allows 3 registrant adds per registrant and day (zoom-facts §5). The reconciler re-adds
-- a registrant someone deleted in Zoom at most once per booking and UTC day, so a registrant
-- deleted again and again cannot use up the adds the booking itself needs.
CREATE TABLE zoom_reconcile_readds (
    booking_id text NOT NULL,
    day        date NOT NULL,
    PRIMARY KEY (booking_id, day)
);

CREATE INDEX dead_letters_created_idx ON dead_letters (created_at DESC);
CREATE INDEX job_runs_slot_idx ON job_runs (slot);
