// Pure: a statement's fingerprint, the form the report and the records show. Every literal and
// placeholder becomes `?` (statements can carry user data and secrets: the text with values never
// leaves the counting pass), lists of them collapse to `(...)`, comments go, whitespace folds, and
// names that differ from boot to boot (Django's savepoint ids) become `?`. Two requests that send
// the same statement with other values, or an IN list of another length, share one fingerprint.

/** Fingerprints longer than this are cut (the report shows them; the count stays exact). */
export const MAX_FINGERPRINT_CHARS = 400;

const TOKEN = new RegExp(
  [
    String.raw`(?<comment>--[^\n]*|/\*[\s\S]*?(?:\*/|$))`,
    // E'..', N'..', X'..', B'..', 'it''s', 'a\'b'
    String.raw`(?<string>\b[EeNnXxBbUu]&?'(?:[^'\\]|\\.|'')*(?:'|$)|'(?:[^'\\]|\\.|'')*(?:'|$))`,
    String.raw`(?<dollar>\$(?<tag>[A-Za-z_]\w*)?\$[\s\S]*?\$\k<tag>?\$)`,
    String.raw`(?<quoted>"(?:[^"]|"")*"|\x60[^\x60]*\x60|\[[^\]\s,()]*\])`,
    // %s, %(name)s, ?, ?1, :name, :1, $1 (not ::type casts)
    String.raw`(?<placeholder>%\([^)]*\)s|%s|\?\d*|(?<!:):[A-Za-z_]\w*|(?<!:):\d+|\$\d+)`,
    // A sign is part of a number only where an operand starts (`= -1`), not in `a-1`.
    String.raw`(?<number>(?<![\w.])[-+]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)(?![\w]))`,
    String.raw`(?<word>[A-Za-z_][\w$]*)`,
    String.raw`(?<space>\s+)`,
    String.raw`(?<other>.)`,
  ].join('|'),
  'gsy',
);

const SAVEPOINT = /\b(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|RELEASE)\s+(?:"[^"]*"|\x60[^\x60]*\x60|[\w$]+)/gi;

/** The fingerprint of one statement's text. */
export function fingerprint(sql: string): string {
  const out: string[] = [];
  for (const m of sql.matchAll(TOKEN)) {
    const g = m.groups!;
    if (g.comment !== undefined) out.push(' ');
    else if (g.string !== undefined || g.dollar !== undefined || g.placeholder !== undefined || g.number !== undefined) out.push('?');
    else if (g.space !== undefined) out.push(' ');
    else if (g.word !== undefined) out.push(/^(null|true|false)$/i.test(g.word) ? '?' : g.word);
    else out.push(m[0]);
  }
  let s = out.join('').replace(/\s+/g, ' ').trim();
  s = s.replace(SAVEPOINT, (_, kw: string) => `${kw.toUpperCase()} ?`);
  // (?, ?, ?) -> (...), and VALUES (...), (...) -> VALUES (...)
  let prev;
  do {
    prev = s;
    s = s.replace(/\(\s*(?:\?|\(\.\.\.\))(?:\s*,\s*(?:\?|\(\.\.\.\)))*\s*\)/g, '(...)');
    s = s.replace(/\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+/g, '(...)');
  } while (s !== prev);
  s = s.replace(/\s*;\s*$/, '');
  return s.length > MAX_FINGERPRINT_CHARS ? `${s.slice(0, MAX_FINGERPRINT_CHARS - 1)}…` : s;
}
