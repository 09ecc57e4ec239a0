// Small helpers for safe Markdown: every user-controlled string goes through escapeText.

/** Shows a string as text in GitHub Markdown and HTML: no links, tags, tables or emphasis. */
export function escapeText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/([\\`*_[\]#!~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Inline code that shows any string as it is (backslash escapes do not work inside backticks). */
export function code(s: string): string {
  return `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;').replace(/\r?\n/g, ' ')}</code>`;
}
