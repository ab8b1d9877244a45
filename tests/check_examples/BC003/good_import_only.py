# DebuggedApplication(app) is only mentioned here, never used.
from werkzeug.debug import DebuggedApplication  # noqa: F401

NOTE = "wrap with DebuggedApplication(app) for local debugging"
