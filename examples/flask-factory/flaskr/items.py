"""A blueprint with the pages the example workflows measure."""
from flask import Blueprint, jsonify

from .db import get_db

bp = Blueprint("items", __name__)


@bp.route("/")
def index():
    return "flaskr is up\n"


@bp.route("/items")
def list_items():
    rows = get_db().execute("SELECT id, name FROM item ORDER BY id").fetchall()
    return jsonify([dict(row) for row in rows])
