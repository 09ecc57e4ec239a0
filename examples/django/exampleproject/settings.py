"""Minimal settings for the wsgi-perf-gate Django example."""
import os
import tempfile

SECRET_KEY = "example-only-not-secret"
DEBUG = False
# The hosts the gate sends (loopback); a deployment sets DJANGO_ALLOWED_HOSTS.
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
ROOT_URLCONF = "exampleproject.urls"
INSTALLED_APPS = []
# As `startproject` sets it up; CommonMiddleware also gives every response a Content-Length.
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
USE_TZ = True
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DB", os.path.join(tempfile.gettempdir(), f"perf-gate-django-{os.getpid()}.sqlite3")),
    }
}
