"""The admin and ops API's shapes as pydantic models: the one source of /openapi.json."""
