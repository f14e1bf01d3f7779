-- Web UI sign-in (CONTRACT §6): server-side sessions and one-time sign-in links.
-- Only SHA-256 hashes of session ids and link codes are stored; a session belongs to the
-- API token it was opened with, so revoking the token ends its sessions.
CREATE TABLE ui_sessions (
    id_hash      text PRIMARY KEY,
    token_id     bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ui_sessions_token_idx ON ui_sessions (token_id);
CREATE INDEX ui_sessions_seen_idx ON ui_sessions (last_seen_at);

CREATE TABLE ui_login_links (
    code_hash  text PRIMARY KEY,
    token_id   bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
