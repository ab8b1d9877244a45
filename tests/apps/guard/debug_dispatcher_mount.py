"""BG001: a debug Flask app mounted under a clean one, behind ProxyFix."""
from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

main = Flask("main")
admin = Flask("admin")
admin.debug = True

application = ProxyFix(DispatcherMiddleware(main, {"/admin": admin}))
