"""The web UI for admins and ops (CONTRACT §6): server-rendered pages under /ui/."""
