// Small helpers for safe Markdown: every user-controlled string goes through escapeText.

/** Shows a string as text in GitHub Markdown and HTML: no links, tags, tables or emphasis. */
export function escapeText(s: string): string {
  return s
    .replace(/([\\`*_[\]#!~])/g, '\\$1')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/\r?\n/g, ' ');
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
