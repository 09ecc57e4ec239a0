// Pure: the line that says where a sequential gate stopped and why.
import type { SequentialSummary } from '../types.js';

const list = (xs: string[]) => xs.map((x) => `"${x}"`).join(', ');

export function describeStop(s: SequentialSummary): string {
  const planned = s.plannedRounds.length;
  const at = `look ${s.stoppedAtLook} of ${planned} (${s.rounds} rounds${s.mode === 'stored' ? ', against the stored baseline' : ' per side'})`;
  const decidedEarly = s.looks
    .filter((l) => l.decided.length && l.look < s.stoppedAtLook)
    .map((l) => `${list(l.decided)} at look ${l.look} (${l.rounds} rounds)`);
  const earlier = decidedEarly.length ? `; decided earlier: ${decidedEarly.join(', ')}` : '';
  if (s.stoppedBecause === 'decided') {
    const why = s.stoppedAtLook < planned ? 'every scenario was decided, so the remaining rounds were not needed' : 'every scenario was decided';
    return `Stopped at ${at}: ${why}${earlier}.`;
  }
  const open = `still open: ${list(s.open)}`;
  if (s.stoppedBecause === 'budget') return `Stopped at ${at}: the next rounds would not fit the time budget; ${open}${earlier}.`;
  if (s.stoppedBecause === 'only-paired') {
    return (
      `Stopped at ${at}: what is still open is as narrow as how far recorded runs move from one to the next, and that alone is ` +
      `beyond its threshold, so more rounds cannot decide it; only paired mode (compare-to: base) can; ${open}${earlier}.`
    );
  }
  return `Stopped at ${at}, the last planned look; ${open}${earlier}.`;
}
