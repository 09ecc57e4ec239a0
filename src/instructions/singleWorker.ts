// Pure: the command counted under Valgrind. A preset's command is rewritten to one worker that
// serves requests one at a time (gunicorn sync -w 1, uWSGI --processes 1, waitress --threads 1):
// Valgrind serialises threads anyway, and one worker boots once, not N times, under a 20-50x slowdown.
import type { Target } from '../types.js';

export function singleWorkerCommand(target: Target, override?: string): string {
  if (override) return override;
  if (!target.preset) return target.command;
  switch (target.preset.server) {
    case 'gunicorn':
    case 'gunicorn-gthread':
    case 'gunicorn-gevent':
      return target.command
        .replace(/--workers \d+/, '--workers 1')
        .replace(/--worker-class \S+/, '--worker-class sync')
        .replace(/ --threads \d+/, '');
    case 'uwsgi':
    case 'uwsgi-http':
      return target.command.replace(/--processes \d+/, '--processes 1');
    case 'waitress':
      return target.command.replace(/--threads=\d+/, '--threads=1');
    default:
      return target.command;
  }
}
