"""BG004 + BG002: a module-level werkzeug run_simple(..., use_debugger=True)."""
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response


@Request.application
def application(request):
    return Response("hello")


run_simple("127.0.0.1", 5000, application, use_debugger=True, use_evalex=True)
