import os

import requests
from flask import Flask, render_template, request

app = Flask(__name__)
API_KEY = os.environ.get("OWM_API_KEY")
API_URL = "https://api.openweathermap.org/data/2.5/weather"


@app.route("/", methods=["GET", "POST"])
def index():
    weather = None
    if request.method == "POST":
        city = request.form.get("city", "")
        resp = requests.get(API_URL, params={"q": city, "appid": API_KEY, "units": "metric"}, timeout=5)
        if resp.ok:
            weather = resp.json()
    return render_template("index.html", weather=weather)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", 5000))
    app.run(host="0.0.0.0", port=port)
