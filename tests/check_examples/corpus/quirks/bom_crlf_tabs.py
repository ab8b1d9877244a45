import os
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
	port = int(os.environ.get("PORT", "5000"))
	app.run(port=port,
	        debug=True)
