"""BG000: the guard cannot read the debug flag (the property raises), so it fails closed."""
from flask import Flask


class Strange(Flask):
    @property
    def debug(self):
        raise RuntimeError("debug flag lives in a service that is not reachable")

    @debug.setter
    def debug(self, value):
        pass


app = Strange(__name__)
