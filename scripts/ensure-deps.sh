#!/usr/bin/env bash
# Installs what the demo or the tests need, on a fresh machine with only Node and npm:
#   npm packages (npm ci), and the Python servers from Debian packages (apt-get, when root).
# Usage: scripts/ensure-deps.sh demo|test
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}

# A node_modules that is a symlink (a git worktree sharing another checkout's) is left alone:
# npm ci would empty the folder it points to.
if [ -L node_modules ]; then
  :
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: installing npm packages (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi

# The Debian packages belong to /usr/bin/python3 (not to a python3 elsewhere on PATH).
PY=/usr/bin/python3
if [ "$what" = demo ]; then
  pkgs=(python3 gunicorn python3-flask)
  check() { [ -x "$PY" ] && "$PY" -c 'import gunicorn, flask' 2>/dev/null; }
else
  # postgresql, psycopg2/psycopg, SQLAlchemy, pg8000: the queries tests run a real PostgreSQL (__tests__/helpers/postgres.ts).
  pkgs=(python3 gunicorn uwsgi-core uwsgi-plugin-python3 python3-waitress python3-flask python3-django python3-gevent python3-venv wrk apache2-utils git util-linux chromium valgrind nginx
    postgresql python3-psycopg2 python3-psycopg python3-sqlalchemy python3-pg8000)
  check() {
    [ -x "$PY" ] && "$PY" -c 'import gunicorn, flask, django, waitress, gevent, ensurepip, psycopg2, psycopg, sqlalchemy, pg8000' 2>/dev/null &&
      ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 &&
      command -v uwsgi >/dev/null && ls /usr/lib/uwsgi/plugins/python3*_plugin.so >/dev/null 2>&1 &&
      command -v wrk >/dev/null && command -v ab >/dev/null && command -v git >/dev/null && command -v taskset >/dev/null &&
      command -v chromium >/dev/null && command -v valgrind >/dev/null && command -v callgrind_control >/dev/null &&
      { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
  }
fi

if ! check; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-deps: installing Debian packages: ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${pkgs[@]}" >&2
  else
    echo "ensure-deps: missing Python servers. Install them with:" >&2
    echo "  sudo apt-get install -y ${pkgs[*]}" >&2
    exit 1
  fi
  check || { echo "ensure-deps: packages installed but the check still fails" >&2; exit 1; }
fi
