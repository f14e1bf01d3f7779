"""Use cases shared by the API and the web UI, so each rule lives in one place."""
