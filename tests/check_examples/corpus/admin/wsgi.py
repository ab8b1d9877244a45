from werkzeug.debug import DebuggedApplication

from admin import create_app

application = DebuggedApplication(create_app(), evalex=True)
