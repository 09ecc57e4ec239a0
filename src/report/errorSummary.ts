// Pure renderer: the job summary (and PR comment) of a run that could not measure: a server
// that did not boot, a bad input. The message may quote a server's log, so it is shown in a
// <pre> block with HTML escaped: GitHub renders nothing inside it (no Markdown, no mentions).
import { escapeText } from './markdown.js';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderErrorSummary(message: string, opts: { gateName?: string } = {}): string {
  const title = opts.gateName ? `wsgi-perf-gate (${escapeText(opts.gateName)})` : 'wsgi-perf-gate';
  // Long server logs are cut: the step log has all of it.
  const shown = message.length > 8000 ? `${message.slice(0, 8000)}\n… (cut: the step log has the rest)` : message;
  return [`## ${title}: 💥 could not measure`, '', 'No verdict: the gate stopped before it had results.', '', `<pre>${escapeHtml(shown)}</pre>`, ''].join('\n');
}
