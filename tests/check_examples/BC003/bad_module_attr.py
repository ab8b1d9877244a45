import werkzeug.debug

from bad_alias import app

application = werkzeug.debug.DebuggedApplication(app, True)
