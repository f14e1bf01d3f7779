-- Hostile input and slow commands (docs/security.md).

-- The body of every received event exactly as it arrived; `payload` is the parsed copy, which
-- carries U+FFFD where jsonb cannot hold a character (U+0000, a lone surrogate).
ALTER TABLE inbox ADD COLUMN raw_body bytea;

-- Who runs an in-flight outbox command: set at each claim, renewed with `updated_at` while
-- the command runs, required by every update that ends the run. A worker whose lease was
-- taken from it can no longer mark the command done or failed.
ALTER TABLE outbox ADD COLUMN claim uuid;

-- Outbound vendor calls counted as they are logged, so /metrics reads a handful of rows
-- instead of grouping the whole integration log on every scrape (and the counts survive
-- the log's retention, as Prometheus counters should).
CREATE TABLE vendor_call_counts (
    system text NOT NULL,
    status text NOT NULL,                           -- HTTP status, or 'none' (no answer)
    calls  bigint NOT NULL,
    PRIMARY KEY (system, status)
);
INSERT INTO vendor_call_counts (system, status, calls)
SELECT system, coalesce(status::text, 'none'), count(*) FROM integration_log GROUP BY 1, 2;
