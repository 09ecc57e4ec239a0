// Command lines for the WSGI servers Python teams run. Pure: the caller supplies the core count
// and a file-existence probe. Every preset binds to 127.0.0.1:$PORT; $PORT is replaced with the
// target's port at boot. App specs (factories included) are translated to what each server takes.
import path from 'node:path';
import { APP_SPEC_FORMS, attributeSpec, formatAppSpec, parseAppSpec, pythonLoader, type AppSpec } from './appSpec.js';

export const PRESETS = ['gunicorn', 'gunicorn-gthread', 'gunicorn-gevent', 'uwsgi', 'uwsgi-http', 'uwsgi-http11-socket', 'waitress', 'wsgiref'] as const;
export type PresetName = (typeof PRESETS)[number];

export interface PresetOptions {
  server: PresetName;
  /** A parsed spec, or its text (e.g. `app:app` in benchmarks). */
  app: AppSpec | string;
  workers?: number;
  /** Python interpreter: runs the server (`python -m ...`), and its virtualenv hosts uWSGI. */
  python: string;
  cores: number;
  /** Where the server starts: a relative `python` is resolved from here (default: the current directory). */
  workingDirectory?: string;
  /** Whether a file exists (the venv's own uwsgi, pyvenv.cfg); without it no virtualenv is looked for. */
  exists?(file: string): boolean;
}

type ResolvedOptions = Omit<PresetOptions, 'app'> & { app: AppSpec; workers: number };

export interface PresetCommand {
  command: string;
  stopSignal: NodeJS.Signals;
  preset?: { server: PresetName; workers: number };
  /** Which server program runs the app and why, for the log. */
  note: string;
}

export function defaultWorkers(cores: number): number {
  return 2 * cores + 1;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A `python -c` launcher: loads the app (calling a factory) from the working directory, then serves it. */
function launcher(app: AppSpec, serve: string): string {
  return ['import os, sys', 'sys.path.insert(0, os.getcwd())', pythonLoader(app), serve].join('; ');
}
const WSGIREF_SERVE = 'from wsgiref.simple_server import make_server; make_server("127.0.0.1", int(os.environ["PORT"]), application).serve_forever()';

/**
 * Why a preset measures a setup that production does not run, for the report; undefined when it
 * measures what is deployed.
 */
export function presetWarning(server: string | undefined): string | undefined {
  if (server !== 'uwsgi-http11-socket') return undefined;
  return (
    "The uwsgi-http11-socket preset measures uWSGI's raw --http11-socket, which nobody puts in front of clients: each worker keeps " +
    'serving the kept-alive connection it accepted first, so the other connections wait (see the connection counts). Production ' +
    'runs uWSGI behind its HTTP router (the uwsgi preset) or behind nginx.'
  );
}

/**
 * Debian's uWSGI runs the Python its plugin was built for and cannot see a virtualenv's
 * packages, so with `python` in a venv the venv's own uwsgi is used, or else the PATH one with
 * --virtualenv (the venv must be of the same Python version as the plugin).
 */
function uwsgiProgram(opts: ResolvedOptions): { program: string; note: string } {
  // Debian's uWSGI is modular: the HTTP router is a plugin too. pip's monolithic build has both
  // built in and only warns about a --plugin it does not need.
  const plugins = opts.server === 'uwsgi' ? 'python3,http' : 'python3';
  const onPath = { program: `uwsgi --plugin ${plugins}`, note: `uWSGI: the uwsgi on PATH with its ${plugins} plugins` };
  if (!opts.python.includes('/')) return onPath;
  const binDir = path.dirname(opts.python);
  const venv = path.dirname(binDir);
  const own = path.join(binDir, 'uwsgi');
  const exists = (file: string) => opts.exists?.(path.resolve(opts.workingDirectory ?? '.', file)) ?? false;
  // Only a virtualenv counts: /usr/bin/python3 sits beside Debian's plugin-based /usr/bin/uwsgi.
  if (exists(path.join(venv, 'pyvenv.cfg'))) {
    if (exists(own)) return { program: shellQuote(own), note: `uWSGI: the virtualenv's own ${own}` };
    return {
      program: `uwsgi --plugin ${plugins} --virtualenv ${shellQuote(venv)}`,
      note: `uWSGI: the uwsgi on PATH with --virtualenv ${venv} (no ${own} found)`,
    };
  }
  return { ...onPath, note: `${onPath.note} (${opts.python} is not in a virtualenv, so uWSGI uses its plugin's own Python)` };
}

export function presetCommand(opts: PresetOptions): PresetCommand {
  const workers = opts.workers ?? defaultWorkers(opts.cores);
  const app = typeof opts.app === 'string' ? parseAppSpec(opts.app) : opts.app;
  if (!app) throw new Error(`Not an app spec: ${JSON.stringify(opts.app)}; expected ${APP_SPEC_FORMS}.`);
  return { ...presetCommandLine({ ...opts, app, workers }), preset: { server: opts.server, workers } };
}

function presetCommandLine(opts: ResolvedOptions): Omit<PresetCommand, 'preset'> {
  const { workers } = opts;
  const py = shellQuote(opts.python);
  const pyNote = `${opts.server}: ${opts.python} -m`;
  // gunicorn takes every form itself, factories with arguments included.
  const gunicorn = (workerClass: string, extra = '') => ({
    command: `${py} -m gunicorn ${shellQuote(formatAppSpec(opts.app))} --bind 127.0.0.1:$PORT --workers ${workers} --worker-class ${workerClass}${extra}`,
    stopSignal: 'SIGTERM' as const,
    note: `${pyNote} gunicorn`,
  });
  switch (opts.server) {
    case 'gunicorn':
      return gunicorn('sync');
    case 'gunicorn-gthread':
      return gunicorn('gthread', ' --threads 4');
    case 'gunicorn-gevent':
      return gunicorn('gevent');
    case 'uwsgi':
    case 'uwsgi-http':
    case 'uwsgi-http11-socket': {
      // uwsgi: uWSGI's HTTP router in front of the workers, keeping client connections alive; it
      // is how uWSGI faces HTTP clients and serves every connection in turn. uwsgi-http: the
      // plain --http-socket, which closes the connection after every response. uwsgi-http11-socket:
      // the raw keep-alive socket, on its own name only: each worker serves the connection it
      // accepted first and the others starve (presetWarning).
      // --die-on-term because uWSGI reloads on SIGTERM; --plugin is needed by Debian's modular
      // uWSGI and only warned about by pip's monolithic build.
      // uWSGI's --module cannot call a factory (`pkg:create_app()` is "callable not found"), so
      // factories go through --eval, which runs Python source and serves its `application`.
      const listen = {
        uwsgi: '--http 127.0.0.1:$PORT --http-keepalive',
        'uwsgi-http': '--http-socket 127.0.0.1:$PORT',
        'uwsgi-http11-socket': '--http11-socket 127.0.0.1:$PORT',
      }[opts.server];
      const { program, note } = uwsgiProgram(opts);
      const load = opts.app.args === undefined ? `--module ${shellQuote(attributeSpec(opts.app))}` : `--eval ${shellQuote(pythonLoader(opts.app))}`;
      return {
        command: `${program} ${listen} ${load} --pythonpath . ` + `--master --processes ${workers} --die-on-term --need-app --disable-logging`,
        stopSignal: 'SIGINT',
        note,
      };
    }
    case 'waitress': {
      // waitress is one process; `workers` becomes its thread count. Its --call takes factories
      // without arguments only; a factory with arguments is served by waitress.serve directly.
      const listen = `--listen=127.0.0.1:$PORT --threads=${workers}`;
      if (opts.app.args === undefined || opts.app.args.trim() === '') {
        const call = opts.app.args === undefined ? '' : '--call ';
        return { command: `${py} -m waitress ${listen} ${call}${shellQuote(attributeSpec(opts.app))}`, stopSignal: 'SIGTERM', note: `${pyNote} waitress` };
      }
      const serve = `from waitress import serve; serve(application, listen="127.0.0.1:" + os.environ["PORT"], threads=${workers})`;
      return { command: `${py} -c ${shellQuote(launcher(opts.app, serve))}`, stopSignal: 'SIGTERM', note: `waitress: waitress.serve in ${opts.python}` };
    }
    case 'wsgiref':
      return { command: `${py} -c ${shellQuote(launcher(opts.app, WSGIREF_SERVE))}`, stopSignal: 'SIGTERM', note: `wsgiref: ${opts.python}` };
  }
}

/** uWSGI reloads on SIGTERM, so a raw command that runs uwsgi is stopped with SIGINT. */
export function stopSignalForCommand(command: string): NodeJS.Signals {
  return /(^|[\s/])uwsgi(\s|$)/.test(command) ? 'SIGINT' : 'SIGTERM';
}
