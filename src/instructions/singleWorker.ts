// Pure: the command counted under Valgrind: the target's, rewritten to one worker that serves
// requests one at a time (gunicorn sync -w 1, uWSGI --processes 1, waitress --threads 1), for a
// preset and for a custom command that runs one of these servers alike. Valgrind serialises
// threads anyway; one worker boots once, not N times, under a 20-50x slowdown; and every idle
// worker that each new connection wakes adds to the count: on the Flask example (/delay?ms=40)
// four gunicorn workers spread 19% between counting windows where one worker spread 1.8-3%.
import type { Target } from '../types.js';

/** The server a command line starts, when it is one whose worker flags we know. */
function serverOf(command: string): 'gunicorn' | 'uwsgi' | 'waitress' | undefined {
  if (/\bgunicorn\b/.test(command)) return 'gunicorn';
  if (/\buwsgi\b/.test(command)) return 'uwsgi';
  if (/\bwaitress(-serve|\b)/.test(command)) return 'waitress';
  return undefined;
}

// Flags with their value, in the forms each server's parser accepts ("--workers 4", "--workers=4", "-w4").
const GUNICORN_WORKERS = /(^|\s)(?:--workers[= ]|-w ?)\d+(?=\s|$)/g;
// Only the WSGI worker classes: an ASGI class (uvicorn's) must not become sync.
const GUNICORN_CLASS = /(^|\s)(?:--worker-class[= ]|-k ?)['"]?(?:sync|gthread|gevent|eventlet)['"]?(?=\s|$)/g;
// gunicorn's and waitress's thread count take the same form.
const THREADS = /(^|\s)--threads[= ]\d+(?=\s|$)/g;
const UWSGI_PROCESSES = /(^|\s)(?:--processes[= ]|--workers[= ]|-p ?)\d+(?=\s|$)/g;
// uWSGI's HTTP router (the uwsgi preset) is a process of its own beside the worker: counted, it
// would add its own work and idle wake-ups. One worker on one connection cannot starve anyone,
// so the worker answers HTTP itself.
const UWSGI_ROUTER = /(^|\s)--http[= ](\S+)(?:\s+--http-keepalive)?(?=\s|$)/g;
// The preset's Python shim for application factories: serve(application, ..., threads=N).
const WAITRESS_SERVE_THREADS = /\bthreads=\d+\)/g;

/** One worker serving one request at a time, for a command line of a known server; others as given. */
export function oneWorkerCommand(command: string): string {
  switch (serverOf(command)) {
    case 'gunicorn':
      return command.replace(GUNICORN_WORKERS, '$1--workers 1').replace(GUNICORN_CLASS, '$1--worker-class sync').replace(THREADS, '');
    case 'uwsgi':
      return command.replace(UWSGI_PROCESSES, '$1--processes 1').replace(UWSGI_ROUTER, '$1--http11-socket $2');
    case 'waitress':
      return command.replace(THREADS, '$1--threads=1').replace(WAITRESS_SERVE_THREADS, 'threads=1)');
    default:
      return command;
  }
}

export function singleWorkerCommand(target: Target, override?: string): string {
  return override ?? oneWorkerCommand(target.command);
}
