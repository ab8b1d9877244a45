"""Fixture: an application whose import fails (the master must stop, not respawn)."""
raise ImportError("this deploy is broken on purpose")
