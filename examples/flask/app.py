"""A small Flask app to try wsgi-perf-gate on (and to test it with).

Endpoints: / (plain text), /json, /db (SQLite), /delay?ms=N, /status/<code>.
Environment knobs make the whole app slower, for regression tests and benchmarks:
  EXAMPLE_DELAY_MS  sleep this many milliseconds in every request (I/O-like slowdown)
  EXAMPLE_SPIN_US   burn this many microseconds of CPU in every request (CPU slowdown)
  EXAMPLE_TAIL_PCT, EXAMPLE_TAIL_MS  sleep TAIL_MS in this percentage of requests (a slow tail)
"""
import os
import random
import sqlite3
import tempfile
import time

from flask import Flask, jsonify, request

app = Flask(__name__)

DELAY_MS = float(os.environ.get("EXAMPLE_DELAY_MS", "0"))
SPIN_US = float(os.environ.get("EXAMPLE_SPIN_US", "0"))
TAIL_PCT = float(os.environ.get("EXAMPLE_TAIL_PCT", "0"))
TAIL_MS = float(os.environ.get("EXAMPLE_TAIL_MS", "0"))
DB_PATH = os.environ.get("EXAMPLE_DB", os.path.join(tempfile.gettempdir(), f"perf-gate-example-{os.getpid()}.sqlite3"))


def _init_db():
    with sqlite3.connect(DB_PATH) as db:
        db.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")
        if db.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0:
            db.executemany("INSERT INTO items (name) VALUES (?)", [(f"item-{i}",) for i in range(100)])


_init_db()


@app.before_request
def _slowdown():
    if SPIN_US:
        # CPU time of this thread, not wall time: a spinning thread that loses the GIL to
        # another thread would otherwise count the other thread's work as its own spin.
        end = time.thread_time() + SPIN_US / 1e6
        while time.thread_time() < end:
            pass
    if DELAY_MS:
        time.sleep(DELAY_MS / 1000)
    if TAIL_PCT and random.random() * 100 < TAIL_PCT:
        time.sleep(TAIL_MS / 1000)


@app.route("/")
def index():
    return "Hello from the wsgi-perf-gate Flask example\n", 200, {"Content-Type": "text/plain"}


@app.route("/json")
def json_endpoint():
    return jsonify(message="hello", items=list(range(10)))


@app.route("/db")
def db_endpoint():
    with sqlite3.connect(DB_PATH) as db:
        rows = db.execute("SELECT id, name FROM items ORDER BY id LIMIT 10").fetchall()
    return jsonify(items=[{"id": i, "name": n} for i, n in rows])


@app.route("/delay")
def delay():
    ms = float(request.args.get("ms", "10"))
    time.sleep(ms / 1000)
    return f"slept {ms} ms\n", 200, {"Content-Type": "text/plain"}


@app.route("/status/<int:code>")
def status(code):
    return f"status {code}\n", code, {"Content-Type": "text/plain"}


@app.route("/items", methods=["POST"])
def create_item():
    data = request.get_json(silent=True) or {}
    return jsonify(created=data.get("name", "")), 201
