"""The shape of the Flask tutorial's `flaskr`: an application factory, `create_app()`.

Servers take it as `flaskr:create_app()` (gunicorn calls the factory once per worker).
"""
from flask import Flask, jsonify


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(GREETING="Hello from the flaskr factory example")
    if test_config:
        app.config.update(test_config)

    @app.route("/")
    def index():
        return app.config["GREETING"] + "\n", 200, {"Content-Type": "text/plain"}

    @app.route("/json")
    def json_endpoint():
        return jsonify(message="hello", items=list(range(10)))

    return app
