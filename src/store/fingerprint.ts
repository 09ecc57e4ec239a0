// Pure: what makes two recorded runs comparable. A runner fingerprint (the machine and the
// software that serves the app) and a config hash (everything in the run's definition that
// changes the numbers). Runs that differ in either are never compared.
import { createHash } from 'node:crypto';
import type { Fingerprint, Scenario } from '../types.js';

export type { Fingerprint } from '../types.js';

const FINGERPRINT_KEYS: Array<keyof Fingerprint> = ['cpuModel', 'cpus', 'os', 'arch', 'python', 'server'];
const FINGERPRINT_LABEL: Record<keyof Fingerprint, string> = {
  cpuModel: 'CPU model',
  cpus: 'core count',
  os: 'OS',
  arch: 'architecture',
  python: 'Python version',
  server: 'server version',
};

function shortHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

export function fingerprintHash(fp: Fingerprint): string {
  return shortHash(FINGERPRINT_KEYS.map((k) => fp[k]));
}

/** "CPU model "A" here, "B" there; ..." — why a run on another runner is not comparable. */
export function describeFingerprintDifference(mine: Fingerprint, theirs: Fingerprint): string {
  const diffs = FINGERPRINT_KEYS.filter((k) => mine[k] !== theirs[k]).map((k) => `${FINGERPRINT_LABEL[k]} ${JSON.stringify(theirs[k])} vs ${JSON.stringify(mine[k])} here`);
  return diffs.length ? diffs.join(', ') : 'same runner';
}

export interface ConfigIdentity {
  scenarios: Scenario[];
  warmupSeconds: number;
  /** The server command of the measured target (workers, worker class and flags change the numbers). */
  command: string;
}

/** Hash of what changes the numbers: the scenarios' requests and load, warmup and the server command.
 * Thresholds, rounds and confidence are left out: they change the verdict, not the samples. */
export function configHash(c: ConfigIdentity): string {
  return shortHash({
    command: c.command,
    warmupSeconds: c.warmupSeconds,
    scenarios: c.scenarios.map((s) => ({
      name: s.name,
      method: s.method,
      path: s.path,
      headers: Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v]).sort(),
      body: s.body ?? null,
      expectStatus: s.expectStatus ?? null,
      connections: s.connections,
      durationSeconds: s.durationSeconds,
      timeoutSeconds: s.timeoutSeconds,
    })),
  });
}
