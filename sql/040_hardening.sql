-- Hostile input and slow commands (docs/security.md).

-- The body of every received event exactly as it arrived; `payload` is the parsed copy, which
-- carries U+FFFD where jsonb cannot hold a character (U+0000, a lone surrogate).
ALTER TABLE inbox ADD COLUMN raw_body bytea;
