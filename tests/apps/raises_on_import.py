"""Importing this module fails: used for the boot-failure exit status."""
raise RuntimeError("this application cannot start")
