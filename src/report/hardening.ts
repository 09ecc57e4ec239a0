// Pure renderer of the hardening section of the job summary and PR comment: one table per
// target (check, head, baseline, evidence), what fixes each warning or failure, and, folded,
// everything the checks sent.
import { code, escapeText, table } from './markdown.js';
import type { CheckId, CheckRow, CheckStatus, HardeningReport, TargetHardening } from '../hardening/types.js';

const BADGE: Record<CheckStatus, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skipped: '– skipped' };

export const CHECK_LABEL: Record<CheckId, string> = {
  'server-version': 'Server version header',
  'x-powered-by': 'X-Powered-By header',
  'debug-page': 'Debug error page',
  'stack-trace': 'Stack trace in a body',
  'process-owner': 'Worker process owner',
  'header-limits': 'Oversized headers',
  'slow-clients': 'Slow clients',
  'body-size': 'Request body size',
  'hanging-handler': 'Hanging handler',
};

function baselineFor(report: HardeningReport, t: TargetHardening): TargetHardening | undefined {
  const base = report.baseline?.targets;
  return base?.find((b) => b.target === t.target) ?? (base?.length === 1 && report.targets.length === 1 ? base[0] : undefined);
}

export function renderHardening(report: HardeningReport): string {
  const newFailures = report.regressions.length;
  const status = report.failed
    ? `❌ ${newFailures} check(s) newly failing`
    : newFailures
      ? `⚠️ ${newFailures} check(s) newly failing (hardening: report, so the step does not fail)`
      : report.targets.some((t) => t.checks.some((c) => c.status === 'fail'))
        ? '⚠️ failing checks, none new'
        : '✅ no failing check';
  const out: string[] = [`## Hardening: ${status}`, ''];
  for (const r of report.regressions) out.push(`- **${escapeText(r.target)}**: ${CHECK_LABEL[r.id]} passed on the baseline and fails now: ${escapeText(r.evidence)}`);
  if (newFailures) out.push('');
  out.push(report.baseline ? `Baseline: ${escapeText(report.baseline.source)}.` : `Baseline: ${escapeText(report.baselineNote ?? 'none')}.`, '');
  for (const t of report.targets) {
    const base = baselineFor(report, t);
    out.push(`### Hardening of ${escapeText(t.target)}${t.topology === 'nginx' ? ' (behind nginx)' : ''} (${t.seconds.toFixed(1)} s)`, '');
    const rows = t.checks.map((c: CheckRow) => {
      const before = base?.checks.find((b) => b.id === c.id);
      const label = c.status === 'fail' ? `**${CHECK_LABEL[c.id]}**` : CHECK_LABEL[c.id];
      const evidence = escapeText(c.evidence) + (c.fix && c.status !== 'pass' ? ` Fix: ${escapeText(c.fix)}` : '');
      return [label, BADGE[c.status], before ? BADGE[before.status] : '–', evidence];
    });
    if (!rows.length) {
      out.push(`No checks ran. ${escapeText(t.sent.join(' '))}`, '');
      continue;
    }
    out.push(table(['Check', 'Now', 'Baseline', 'Evidence'], rows), '');
    out.push('<details><summary>What the checks sent</summary>', '', ...t.sent.map((s) => `- ${escapeText(s)}`), '', '</details>', '');
  }
  out.push(
    `Mode ${code(`hardening: ${report.mode}`)}: ${report.mode === 'gate' ? 'a check that passed on the baseline and fails now fails the step; one already failing is reported only' : 'reported only, never fails the step'}. All requests went to loopback.`,
    '',
  );
  return out.join('\n');
}
