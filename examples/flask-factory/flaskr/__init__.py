"""The Flask tutorial's application-factory shape, to try wsgi-perf-gate with `app: flaskr:create_app()`.

Run it as gunicorn does: `gunicorn "flaskr:create_app()"`, or with a test configuration:
`gunicorn "flaskr:create_app({'TESTING': True})"`. Only Flask and the standard library are needed.
"""
import os

from flask import Flask


def create_app(test_config=None):
    """Create and configure the app (the Flask tutorial's create_app)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
    )
    if test_config is None:
        # The instance config, if it exists, when not testing.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    os.makedirs(app.instance_path, exist_ok=True)

    @app.route("/hello")
    def hello():
        return "Hello, World!"

    from . import db, items

    db.init_app(app)
    app.register_blueprint(items.bp)
    return app
