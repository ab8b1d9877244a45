import os
import subprocess

os.environ["FLASK_DEBUG"] = "1"
os.environ.setdefault("FLASK_ENV", "development")
subprocess.run(["gunicorn", "app:app"], env={**os.environ, "WERKZEUG_DEBUG_PIN": "off"}, check=True)
