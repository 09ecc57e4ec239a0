"""Minimal settings for the wsgi-perf-gate Django example.

The database is SQLite in a temporary file unless DATABASE_URL names another one, the way
hosting platforms and CI services pass it: postgres://user:password@host:port/name
(PostgreSQL, e.g. a workflow's `services: postgres`), mysql://..., or sqlite:///path.
"""
import os
import tempfile
from urllib.parse import unquote, urlsplit

SECRET_KEY = "example-only-not-secret"
DEBUG = False
# The hosts the gate sends (loopback); a deployment sets DJANGO_ALLOWED_HOSTS.
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
ROOT_URLCONF = "exampleproject.urls"
# library: Author and Book for /books (tables: `python3 manage.py migrate`, which also adds 20 books).
INSTALLED_APPS = ["library"]
# As `startproject` sets it up; CommonMiddleware also gives every response a Content-Length.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
ENGINES = {"postgres": "postgresql", "postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite3"}


def database_from_url(url):
    """DATABASES["default"] from a DATABASE_URL (no extra dependency)."""
    parts = urlsplit(url)
    if parts.scheme not in ENGINES:
        raise ValueError(f"DATABASE_URL: unknown scheme {parts.scheme!r}; expected one of {', '.join(ENGINES)}")
    engine = "django.db.backends." + ENGINES[parts.scheme]
    if parts.scheme == "sqlite":
        return {"ENGINE": engine, "NAME": unquote(parts.path[1:] if parts.path.startswith("//") else parts.path)}
    return {
        "ENGINE": engine,
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB", os.path.join(tempfile.gettempdir(), f"perf-gate-django-{os.getpid()}.sqlite3")),
    }
}
