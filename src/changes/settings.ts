// The watch's inputs, parsed once: `watch` (off, report, fail), `watch-anchor` (pushes back, or
// `tag` / `tag:<regex>`), `watch-creep-pct`, `bisect`. Each bad value is one error naming the
// input, the value and what was expected, before anything starts.
import { invalid, parseBool, parseChoice, parseNumber } from '../config/config.js';
import { parseAnchor } from './creep.js';
import type { WatchSettings } from './watch.js';

export const WATCH_DEFAULTS = { mode: 'report', anchor: 20, creepPct: 1.5, bisect: false } as const;

export function readWatchSettings(input: (name: string) => string): WatchSettings {
  const mode = input('watch') ? parseChoice('watch', input('watch'), ['off', 'report', 'fail'] as const) : WATCH_DEFAULTS.mode;
  const anchorText = input('watch-anchor');
  const anchor = anchorText ? parseAnchor(anchorText) : { kind: 'pushes' as const, pushes: WATCH_DEFAULTS.anchor };
  if (!anchor) throw invalid('watch-anchor', anchorText, 'a whole number of pushes back >= 1 (e.g. 20), `tag` (the last recorded run at a tag) or `tag:<regular expression>` (e.g. tag:^v)');
  const creepPct = input('watch-creep-pct')
    ? parseNumber('watch-creep-pct', input('watch-creep-pct'), { above: 0, expected: 'a percentage above 0 (e.g. 1.5)' })
    : WATCH_DEFAULTS.creepPct;
  const bisect = input('bisect') ? parseBool('bisect', input('bisect')) : WATCH_DEFAULTS.bisect;
  return { mode, anchor, creepPct, bisect };
}
