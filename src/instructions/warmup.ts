// How many uncounted requests a worker gets before counting. CPython 3.12+ keeps changing the
// count of the same request for much longer than 3.11: measured per request (one gunicorn sync
// worker, bench/instructions-warmup.ts), a small pure-Python app on 3.12 steps from +1.0% to
// -0.07% at request ~26, to -0.15% at ~45 and to its final count at ~85 (the same steps with
// gunicorn 20.1 and 26.2, so the interpreter's, not the server's); 3.13 settles by ~45 and 3.11 by
// ~9. Twenty warm-ups left the first window 0.5% off the others on 3.12; a hundred, 0.04%.
import { hasPerfTrampoline } from './pythonVersion.js';

/** Warm-up requests on CPython 3.12 and newer, per configured one (20 -> 100). */
export const PY312_WARMUP_FACTOR = 5;

/** The configured warm-up for CPython 3.11 and older (and servers that are not CPython); five times as many on 3.12+. */
export function warmupRequestsFor(configured: number, python: string | undefined): number {
  return hasPerfTrampoline(python) ? configured * PY312_WARMUP_FACTOR : configured;
}
