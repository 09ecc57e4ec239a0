"""Endpoints: / (plain text), /json, /db (SQLite), /books (20 books with their authors, one query),
/delay?ms=N, /status/<code>.
EXAMPLE_DELAY_MS and EXAMPLE_SPIN_US slow every request down, and EXAMPLE_TAIL_PCT/EXAMPLE_TAIL_MS
that share of requests (a slow tail), as in the Flask example."""
import os
import random
import time

from django.db import connection
from django.http import HttpResponse, JsonResponse
from library.models import Book

DELAY_MS = float(os.environ.get("EXAMPLE_DELAY_MS", "0"))
SPIN_US = float(os.environ.get("EXAMPLE_SPIN_US", "0"))
TAIL_PCT = float(os.environ.get("EXAMPLE_TAIL_PCT", "0"))
TAIL_MS = float(os.environ.get("EXAMPLE_TAIL_MS", "0"))


def _slowdown():
    if SPIN_US:
        end = time.perf_counter() + SPIN_US / 1e6
        while time.perf_counter() < end:
            pass
    if DELAY_MS:
        time.sleep(DELAY_MS / 1000)
    if TAIL_PCT and random.random() * 100 < TAIL_PCT:
        time.sleep(TAIL_MS / 1000)


def index(request):
    _slowdown()
    return HttpResponse("Hello from the wsgi-perf-gate Django example\n", content_type="text/plain")


def json_view(request):
    _slowdown()
    return JsonResponse({"message": "hello", "items": list(range(10))})


def db_view(request):
    _slowdown()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)")
        cur.execute("SELECT COUNT(*) FROM items")
        if cur.fetchone()[0] == 0:
            cur.executemany("INSERT INTO items (name) VALUES (%s)", [(f"item-{i}",) for i in range(100)])
        cur.execute("SELECT id, name FROM items ORDER BY id LIMIT 10")
        rows = cur.fetchall()
    return JsonResponse({"items": [{"id": i, "name": n} for i, n in rows]})


def books(request):
    # select_related: the authors come in the same query; without it each book's author is one
    # more query (the N+1 the queries gate names).
    rows = Book.objects.select_related("author").order_by("id")[:20]
    return JsonResponse({"books": [{"title": b.title, "author": b.author.name} for b in rows]})


def delay(request):
    ms = float(request.GET.get("ms", "10"))
    time.sleep(ms / 1000)
    return HttpResponse(f"slept {ms} ms\n", content_type="text/plain")


def status(request, code):
    return HttpResponse(f"status {code}\n", status=code, content_type="text/plain")
