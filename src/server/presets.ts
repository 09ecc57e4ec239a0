// Command lines for the WSGI servers Python teams run. Pure: the caller supplies the core count.
// Every preset binds to 127.0.0.1:$PORT; $PORT is replaced with the target's port at boot.

export const PRESETS = ['gunicorn', 'gunicorn-gthread', 'gunicorn-gevent', 'uwsgi', 'uwsgi-http', 'waitress', 'wsgiref'] as const;
export type PresetName = (typeof PRESETS)[number];

export interface PresetOptions {
  server: PresetName;
  /** `module:callable` */
  app: string;
  workers?: number;
  /** Python interpreter for servers started as `python -m ...`. */
  python: string;
  cores: number;
}

export interface PresetCommand {
  command: string;
  stopSignal: NodeJS.Signals;
  preset?: { server: PresetName; workers: number };
}

export function defaultWorkers(cores: number): number {
  return 2 * cores + 1;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

// wsgiref has no CLI; this one-liner imports module:callable and serves it forever.
const WSGIREF_SCRIPT = [
  'import importlib, os, sys',
  'sys.path.insert(0, os.getcwd())',
  'from wsgiref.simple_server import make_server',
  'm, _, c = sys.argv[1].partition(":")',
  'app = getattr(importlib.import_module(m), c or "application")',
  'make_server("127.0.0.1", int(os.environ["PORT"]), app).serve_forever()',
].join('; ');

export function presetCommand(opts: PresetOptions): PresetCommand {
  const workers = opts.workers ?? defaultWorkers(opts.cores);
  return { ...presetCommandLine({ ...opts, workers }), preset: { server: opts.server, workers } };
}

function presetCommandLine(opts: PresetOptions & { workers: number }): Omit<PresetCommand, 'preset'> {
  const { workers } = opts;
  const py = shellQuote(opts.python);
  const app = shellQuote(opts.app);
  const gunicorn = (workerClass: string, extra = '') =>
    `${py} -m gunicorn ${app} --bind 127.0.0.1:$PORT --workers ${workers} --worker-class ${workerClass}${extra}`;
  switch (opts.server) {
    case 'gunicorn':
      return { command: gunicorn('sync'), stopSignal: 'SIGTERM' };
    case 'gunicorn-gthread':
      return { command: gunicorn('gthread', ' --threads 4'), stopSignal: 'SIGTERM' };
    case 'gunicorn-gevent':
      return { command: gunicorn('gevent'), stopSignal: 'SIGTERM' };
    case 'uwsgi':
    case 'uwsgi-http': {
      // uwsgi: --http11-socket keeps connections alive; uwsgi-http: the plain --http-socket,
      // which closes the connection after every response, as many deployments run it.
      // --die-on-term because uWSGI reloads on SIGTERM; --plugin python3 is needed by
      // Debian's modular uWSGI and only warned about by pip's monolithic build.
      const socket = opts.server === 'uwsgi' ? '--http11-socket' : '--http-socket';
      return {
        command:
          `uwsgi --plugin python3 ${socket} 127.0.0.1:$PORT --module ${app} --pythonpath . ` +
          `--master --processes ${workers} --die-on-term --need-app --disable-logging`,
        stopSignal: 'SIGINT',
      };
    }
    case 'waitress':
      // waitress is one process; `workers` becomes its thread count.
      return { command: `${py} -m waitress --listen=127.0.0.1:$PORT --threads=${workers} ${app}`, stopSignal: 'SIGTERM' };
    case 'wsgiref':
      return { command: `${py} -c ${shellQuote(WSGIREF_SCRIPT)} ${app}`, stopSignal: 'SIGTERM' };
  }
}

/** uWSGI reloads on SIGTERM, so a raw command that runs uwsgi is stopped with SIGINT. */
export function stopSignalForCommand(command: string): NodeJS.Signals {
  return /(^|[\s/])uwsgi(\s|$)/.test(command) ? 'SIGINT' : 'SIGTERM';
}
