from .settings import *  # noqa: F401,F403
