import os

from flask import Flask, render_template
from flask_socketio import SocketIO, emit

app = Flask(__name__)
app.config['SECRET_KEY'] = 'secret!'
socketio = SocketIO(app, cors_allowed_origins="*")


@app.route('/')
def index():
    return render_template('index.html')


@socketio.on('message')
def handle_message(data):
    emit('message', data, broadcast=True)


if __name__ == '__main__':
    socketio.run(app,
                 host='0.0.0.0',
                 port=int(os.environ.get('PORT', 5000)),
                 debug=True)
