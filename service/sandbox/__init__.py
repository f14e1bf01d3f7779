"""Faithful fake vendors (Zoom, Calendly) served over real HTTP, for `up` and for tests."""
