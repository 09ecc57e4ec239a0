// Small helpers for safe Markdown: every user-controlled string goes through escapeText.

// A zero-width space: it breaks what GitHub recognises in plain text (@mentions, which notify
// people, and bare URLs and www. names, which it turns into links) without changing what a
// reader sees.
const ZWSP = '&#8203;';

/**
 * Shows a string as text in GitHub Markdown and HTML: no links, tags, tables, emphasis,
 * mentions or autolinks.
 */
export function escapeText(s: string): string {
  return s
    .replace(/([\\`*_[\]#!~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\r?\n/g, ' ')
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\b(www)\./gi, `$1${ZWSP}.`);
}

/**
 * Inline code that shows any string as it is. Backticks cannot hold a string that has
 * backticks, and Markdown is still parsed inside an inline <code> tag, so its text is escaped.
 */
export function code(s: string): string {
  return `<code>${escapeText(s)}</code>`;
}

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
