// The Python side of the query count: a sitecustomize.py put first on PYTHONPATH of the server
// booted for the count (never of the servers the wall-clock trials measure). It wraps the DB-API
// drivers when the app imports them, so no app changes: sqlite3, psycopg (3), psycopg2, pymysql
// and MySQLdb. Every execute / executemany / executescript / callproc call counts once (a driver's
// executemany that loops over execute counts once: the guard is per cursor), with the wall time
// spent inside it. Each worker process writes its running totals, keyed by the statement text, to
// queries.<pid>.json in a private directory after every statement; the gate reads the files before
// and after the counted requests and fingerprints the statements itself (fingerprint.ts), so no
// statement text leaves that directory.
//
// sqlite3's Connection and Cursor are C types whose methods cannot be replaced: connect() gets a
// factory= Connection subclass whose cursor() hands out a counted subclass of the cursor class
// asked for (Django's own cursor class included). Connection.execute() is a C shortcut that makes
// its cursor without calling cursor(), so the subclass routes it through cursor().
import { RUN_THE_HIDDEN_SITECUSTOMIZE } from '../server/pythonSitecustomize.js';

/** Environment variable naming the directory the hook writes its counts to. */
export const QUERIES_DIR_ENV = 'WSGI_PERF_GATE_QUERIES_DIR';

/** Drivers the hook counts, as the report names them. */
export const COUNTED_DRIVERS = ['sqlite3', 'psycopg', 'psycopg2', 'pymysql', 'MySQLdb'] as const;

export const QUERIES_SITECUSTOMIZE = `# Written by wsgi-perf-gate to count database queries per request (see src/queries/pythonHook.ts).
import os as _os
import sys as _sys


def _install():
    import importlib.machinery
    import importlib.util
    import json
    import threading
    import time

    out_dir = _os.environ.get("${QUERIES_DIR_ENV}")
    if not out_dir:
        return
    counted = {}  # statement text -> [calls, seconds]
    drivers = set()
    active = set()
    lock = threading.Lock()
    others = ("asyncpg", "aiosqlite", "aiomysql", "asyncmy", "pyodbc", "pymssql", "cx_Oracle", "oracledb",
              "mysql.connector", "pg8000", "ibm_db", "duckdb", "databricks.sql", "snowflake.connector")

    def write():
        path = _os.path.join(out_dir, "queries.%d.json" % _os.getpid())
        with lock:
            doc = {
                "drivers": sorted(drivers),
                "others": [m for m in others if m in _sys.modules],
                "statements": {k: [v[0], v[1]] for k, v in counted.items()},
            }
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f)
        _os.replace(tmp, path)

    def text_of(sql, cursor):
        if isinstance(sql, str):
            return sql
        if isinstance(sql, (bytes, bytearray, memoryview)):
            return bytes(sql).decode("utf-8", "replace")
        as_string = getattr(sql, "as_string", None)  # psycopg's sql.Composed
        if as_string is not None:
            try:
                return as_string(cursor)
            except Exception:
                pass
        return "<%s>" % type(sql).__name__

    def timed(fn):
        def counted_call(self, sql, *args, **kwargs):
            key = id(self)
            if key in active:  # a driver method calling another one on the same cursor
                return fn(self, sql, *args, **kwargs)
            active.add(key)
            started = time.perf_counter()
            try:
                return fn(self, sql, *args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                active.discard(key)
                text = text_of(sql, self)
                with lock:
                    entry = counted.setdefault(text, [0, 0.0])
                    entry[0] += 1
                    entry[1] += elapsed
                try:
                    write()
                except OSError:
                    pass
        counted_call.__name__ = getattr(fn, "__name__", "execute")
        counted_call.__doc__ = getattr(fn, "__doc__", None)
        return counted_call

    subclasses = {}

    def next_in_line(self, fn):
        # The class after the one that defined fn, as super() would find it.
        for klass in type(self).__mro__:
            if klass.__dict__.get(fn.__name__) is fn:
                return super(klass, self)
        return super(type(self), self)

    def counted_subclass(base, methods, extra=None):
        key = (base, methods)
        cls = subclasses.get(key)
        if cls is None:
            attrs = {m: timed(getattr(base, m)) for m in methods if hasattr(base, m)}
            attrs.update(extra or {})
            cls = type(base.__name__, (base,), attrs)
            cls.__module__ = base.__module__
            subclasses[key] = cls
        return cls

    def patch_class(cls, methods):
        for m in methods:
            fn = cls.__dict__.get(m)
            if fn is not None and not getattr(fn, "_perf_gate_counted", False):
                wrapped = timed(fn)
                wrapped._perf_gate_counted = True
                setattr(cls, m, wrapped)

    def patch_sqlite3(mod):  # sqlite3.dbapi2
        connect = mod.connect

        def cursor(self, *args, **kwargs):
            factory = kwargs.pop("factory", None) or (args[0] if args else None) or mod.Cursor
            return next_in_line(self, cursor).cursor(counted_subclass(factory, ("execute", "executemany", "executescript")))

        shortcuts = {
            "cursor": cursor,
            "execute": lambda self, *a, **k: self.cursor().execute(*a, **k),
            "executemany": lambda self, *a, **k: self.cursor().executemany(*a, **k),
            "executescript": lambda self, *a, **k: self.cursor().executescript(*a, **k),
        }

        def counted_connect(*args, **kwargs):
            if len(args) > 5:  # factory given by position
                args = args[:5] + (counted_subclass(args[5], (), shortcuts),) + args[6:]
            else:
                kwargs["factory"] = counted_subclass(kwargs.get("factory") or mod.Connection, (), shortcuts)
            return connect(*args, **kwargs)

        counted_connect.__doc__ = connect.__doc__
        mod.connect = counted_connect
        sqlite_package = _sys.modules.get("sqlite3")
        if sqlite_package is not None and getattr(sqlite_package, "connect", None) is connect:
            sqlite_package.connect = counted_connect
        drivers.add("sqlite3")

    def patch_psycopg2(mod):
        ext = _sys.modules["psycopg2.extensions"]
        connect = mod.connect

        def cursor(self, *args, **kwargs):
            if len(args) > 1:
                args = (args[0], counted_subclass(args[1] or self.cursor_factory or ext.cursor, ("execute", "executemany", "callproc"))) + args[2:]
            else:
                factory = kwargs.get("cursor_factory") or self.cursor_factory or ext.cursor
                kwargs["cursor_factory"] = counted_subclass(factory, ("execute", "executemany", "callproc"))
            return next_in_line(self, cursor).cursor(*args, **kwargs)

        def counted_connect(dsn=None, connection_factory=None, cursor_factory=None, **kwargs):
            factory = counted_subclass(connection_factory or ext.connection, (), {"cursor": cursor})
            return connect(dsn, connection_factory=factory, cursor_factory=cursor_factory, **kwargs)

        counted_connect.__doc__ = connect.__doc__
        mod.connect = counted_connect
        drivers.add("psycopg2")

    def patch_psycopg(mod):
        for name in ("Cursor", "ServerCursor", "ClientCursor", "RawCursor"):
            cls = getattr(mod, name, None)
            if cls is not None:
                patch_class(cls, ("execute", "executemany"))
        drivers.add("psycopg")

    def patch_pymysql(mod):  # pymysql.cursors
        for cls in (mod.Cursor, getattr(mod, "SSCursor", None)):
            if cls is not None:
                patch_class(cls, ("execute", "executemany", "callproc"))
        drivers.add("pymysql")

    def patch_mysqldb(mod):  # MySQLdb.cursors
        patch_class(mod.BaseCursor, ("execute", "executemany", "callproc"))
        drivers.add("MySQLdb")

    patches = {
        "sqlite3.dbapi2": patch_sqlite3,
        "psycopg2": patch_psycopg2,
        "psycopg": patch_psycopg,
        "pymysql.cursors": patch_pymysql,
        "MySQLdb.cursors": patch_mysqldb,
    }

    def patch(name, module):
        try:
            if name in patches:
                patches[name](module)
            write()  # also for a module of "others": the file says it was loaded
        except Exception as err:  # a driver version the hook does not know: not counted, said in the file
            print("wsgi-perf-gate: could not count queries of %s: %s" % (name, err), file=_sys.stderr)

    class PatchingLoader:
        def __init__(self, loader, name):
            self.loader = loader
            self.name = name

        def create_module(self, spec):
            return self.loader.create_module(spec)

        def exec_module(self, module):
            self.loader.exec_module(module)
            patch(self.name, module)

        def __getattr__(self, attr):
            return getattr(self.loader, attr)

    class Finder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in patches and name not in others:
                return None
            for finder in _sys.meta_path:
                if finder is Finder or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                        spec.loader = PatchingLoader(spec.loader, name)
                    return spec
            return None

    for name in patches:
        if name in _sys.modules:
            patch(name, _sys.modules[name])
    _sys.meta_path.insert(0, Finder)
    # A file from the start: a worker that never imports a driver still says what it loaded.
    if hasattr(_os, "register_at_fork"):
        _os.register_at_fork(after_in_child=lambda: write())
    write()


${RUN_THE_HIDDEN_SITECUSTOMIZE}


try:
    _install()
except Exception as _err:
    print("wsgi-perf-gate: the query count could not start: %s" % _err, file=_sys.stderr)
_run_the_hidden_sitecustomize()
`;
