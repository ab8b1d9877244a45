# -*- coding: utf-8 -*-
from flask import Flask
import os

app = Flask(__name__)
app.secret_key = 'A0Zr98j/3yX R~XHH!jmN]LWX/,?RT'


@app.route('/')
def hello():
    print "request from", os.getpid()
    return u'Hello World'


if __name__ == '__main__':
    print "starting on port %d" % 5000
    app.run(host='0.0.0.0', debug=True)
