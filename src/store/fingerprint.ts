// Pure: what makes two recorded runs comparable. A runner fingerprint (the machine and the
// software that serves the app) and a config hash (everything in the run's definition that
// changes the numbers). Runs that differ in either are never compared.
import { createHash } from 'node:crypto';
import { canonicalMeasurement, type MeasuredAs } from '../gate/comparability.js';
import type { Fingerprint } from '../types.js';

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

export type ConfigIdentity = Pick<MeasuredAs, 'command' | 'warmupSeconds' | 'scenarios'>;

/** Hash of what changes the numbers (gate/comparability.ts, the one rule): the scenarios' requests
 * and load, warmup and the server command. Thresholds, rounds and confidence are left out. */
export function configHash(c: ConfigIdentity): string {
  return shortHash(canonicalMeasurement(c));
}
