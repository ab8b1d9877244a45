from flask import Blueprint, current_app, jsonify

bp = Blueprint("shop", __name__)


@bp.get("/products")
def products():
    payload = {"items": [], "debug": current_app.config["DEBUG"]}
    if current_app.debug:
        payload["note"] = "served with debug=True"
    return jsonify(payload)
