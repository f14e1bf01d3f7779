"""Use cases as plain functions: the API and the web UI call the same ones."""
