// Pure renderer: a RunResult -> the Markdown of the job summary and of the PR comment.
// Verdict first, then one table per scenario, then the reasons and settings folded away.
import { instructionsRegressions, renderInstructions } from './instructions.js';
import { queriesRegressions, renderQueries } from './queries.js';
import { code, escapeText, table } from './markdown.js';
import type { ErrorKinds, MetricComparison, MetricName, RunResult, SequentialSummary, Verdict } from '../types.js';
import { describeStop } from './sequential.js';
import { describeErrorKinds } from '../load/errorKinds.js';
import type { ScenarioRanking, WorkerSweep } from '../gate/shootout.js';
import { renderTrend } from './trend.js';
import { renderHardening } from './hardening.js';
import { renderWatch } from './watch.js';

export const VERDICT_BADGE: Record<Verdict, string> = {
  pass: '✅ pass',
  regressed: '❌ regressed',
  improved: '🚀 improved',
  inconclusive: '⚠️ inconclusive',
};

const METRIC_LABEL: Record<MetricName, string> = {
  rps: 'Requests/s',
  p50: 'p50 latency',
  p99: 'p99 latency',
  errorRate: 'Error rate',
  memory: 'Memory per worker',
  cpuPerRequest: 'Server CPU per request',
  workerChanges: 'Trials with worker exits/starts',
};

export function formatValue(metric: MetricName, v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  switch (metric) {
    case 'rps':
      return Math.round(v).toLocaleString('en-US');
    case 'p50':
    case 'p99':
      return `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
    case 'errorRate':
      return `${v.toFixed(2)}%`;
    case 'memory':
      return `${v.toFixed(1)} MiB`;
    case 'cpuPerRequest':
      return `${v.toFixed(3)} ms`;
    case 'workerChanges':
      return String(v);
  }
}

/** The shoot-out: one table per scenario, fastest first, each setup against the fastest. */
export function renderRanking(ranking: ScenarioRanking[], conf: string): string {
  const out: string[] = ['## Server shoot-out', ''];
  for (const r of ranking) {
    out.push(`### ${escapeText(r.scenario)}`, '');
    const rows = r.standings.map((s) => {
      const vs = s.vsFastest
        ? `${s.vsFastest.ratio.toFixed(2)}x (${s.vsFastest.low.toFixed(2)} … ${Number.isFinite(s.vsFastest.high) ? s.vsFastest.high.toFixed(2) : '∞'})`
        : s.rank === 1
          ? 'fastest'
          : '–';
      const standing = s.rank === 1 ? '🥇 fastest' : s.tiedWithFastest ? 'tied (within noise)' : 'slower';
      return [
        String(s.rank),
        escapeText(s.target),
        formatValue('rps', s.rps),
        vs,
        formatValue('p99', s.p99Ms),
        formatValue('memory', s.memoryMiB),
        formatValue('errorRate', s.errorRatePct),
        standing,
      ];
    });
    out.push(table(['#', 'Setup', 'Requests/s', 'vs fastest', 'p99', 'Memory/worker', 'Errors', 'Standing'], rows), '');
    out.push(escapeText(r.recommendation), '');
    if (r.sweep) out.push(sweepChart(r.sweep, r.scenario), '');
  }
  out.push(
    `Requests/s of each setup against the fastest, measured in the same interleaved rounds; the interval's ends are one-sided ${conf} ` +
      'bounds, paired by round (Wilcoxon signed-rank) when there are at least 7 rounds at 99%, unpaired (Mann-Whitney) otherwise. "Tied" means the interval reaches 1.00x.',
    '',
  );
  return out.join('\n');
}

/** A Mermaid bar chart of requests/s by worker count (GitHub renders `xychart-beta`). */
export function sweepChart(sweep: WorkerSweep, scenario: string): string {
  // Mermaid titles are quoted strings: keep them free of quotes and markup.
  const title = `Requests/s by workers, ${sweep.server}, ${scenario}`.replace(/["<>`]/g, '');
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "workers" [${sweep.points.map((p) => p.workers).join(', ')}]`,
    '  y-axis "requests/s"',
    `  bar [${sweep.points.map((p) => Math.round(p.rps)).join(', ')}]`,
    '```',
  ].join('\n');
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;

function metricRow(m: MetricComparison): string[] {
  let change = m.changePct === undefined ? '–' : signed(m.changePct);
  if (m.confirmation?.changePct !== undefined) change += ` (again ${signed(m.confirmation.changePct)})`;
  const interval = m.ciLowPct === undefined || m.ciHighPct === undefined ? '–' : `${signed(m.ciLowPct)} … ${signed(m.ciHighPct)}`;
  // A tail figure resting on too few requests is marked where it is read.
  const verdict = (m.gating ? VERDICT_BADGE[m.verdict] : 'info') + (m.tail && !m.tail.enough ? ' (too few requests for the tail)' : '');
  const label = m.verdict === 'regressed' || m.verdict === 'improved' ? `**${METRIC_LABEL[m.metric]}**` : METRIC_LABEL[m.metric];
  // An error rate says what failed: "0.06% (12 timeouts)".
  const withKinds = (v: string, kinds: ErrorKinds | undefined) => (kinds && describeErrorKinds(kinds) ? `${v} (${describeErrorKinds(kinds)})` : v);
  return [label, withKinds(formatValue(m.metric, m.baseline), m.errorKinds?.baseline), withKinds(formatValue(m.metric, m.candidate), m.errorKinds?.candidate), change, interval, verdict];
}

export interface SummaryOptions {
  /** Names the gate in the heading when a job runs several (the `comment-id` input). */
  gateName?: string;
}

/** How the changes and intervals were computed: paired mode (the base booted beside the head) judges rounds, not trials. */
function describeMethod(paired: boolean, conf: string): string {
  const how = paired
    ? `Baseline and candidate are medians over rounds. The change is the Hodges-Lehmann shift of per-round log ratios (the head against the base measured in the same round, so what slows a whole round cancels); each end of its interval is a one-sided ${conf} confidence bound (Wilcoxon signed-rank; Mann-Whitney below the rounds it needs).`
    : `Baseline and candidate are medians over trials. The change is the Hodges-Lehmann shift of per-trial log values; each end of its interval is a one-sided ${conf} confidence bound (Mann-Whitney).`;
  const tail = `p99 is pooled over each side's requests, its interval from a bootstrap over whole ${paired ? 'rounds' : 'trials'}.`;
  return `- ${how} ${tail} A metric regresses only when the change is past its threshold and the whole interval is on the worse side.`;
}

// The PR comment (report/comment.ts) is this same Markdown: folded `<details>` blocks are what
// it drops first when it must be shortened, so extra folded content (charts, settings) belongs
// in `<details>` blocks of its own, and each scenario starts with a `### ` heading.
/** The planned looks and their confidences, for the settings. */
function describeLooks(s: SequentialSummary, conf: string): string {
  const looks = s.plannedRounds.map((n, i) => {
    const c = s.looks[i]?.confidence;
    return c === undefined ? `${n}` : `${n} (bounds at ${(c * 100).toFixed(3).replace(/0+$/, '')}%)`;
  });
  return (
    `- Sequential looks after ${looks.join(', ')} rounds: each look spends a share of the ${conf} gate's error rate ` +
    '(Hwang-Shih-DeCani spending, O\'Brien-Fleming-like), so stopping at the first decisive look keeps the false-alarm rate; ' +
    'later rounds measure only the scenarios still open.' +
    (s.mode === 'stored'
      ? ' Against the stored baseline the shares bound the trials\' own interval; its widening to how far recorded runs move stays at the gate\'s confidence: ' +
        'how far this run sits from the recorded one is one draw, which looking again does not redraw.'
      : '')
  );
}

export function renderSummary(result: RunResult, opts: SummaryOptions = {}): string {
  const { comparison, settings } = result;
  const conf = `${Math.round(result.settings.confidence * 1000) / 10}%`;
  const title = opts.gateName ? `wsgi-perf-gate (${escapeText(opts.gateName)})` : 'wsgi-perf-gate';
  const out: string[] = [`## ${title}: ${VERDICT_BADGE[result.verdict]}`, ''];

  const regressions = comparison.scenarios.flatMap((s) =>
    s.metrics.filter((m) => m.gating && m.verdict === 'regressed').map((m) => `- **${escapeText(s.scenario)}**: ${escapeText(m.reason)}`),
  );
  regressions.push(...instructionsRegressions(result.instructions));
  regressions.push(...queriesRegressions(result.queries));
  if (regressions.length) out.push('Regressions:', ...regressions, '');
  if (comparison.sequential) out.push(escapeText(describeStop(comparison.sequential)), '');
  if (result.hardening?.failed) out.push(`❌ Hardening: ${result.hardening.regressions.length} check(s) that passed on the baseline fail now; see Hardening below.`, '');
  if (comparison.confirmation) {
    const confirmed = comparison.scenarios.flatMap((s) => s.metrics.filter((m) => m.confirmation));
    const held = confirmed.filter((m) => m.verdict === 'regressed').length;
    const against = comparison.confirmation.against;
    const independentOf = against && !against.startsWith('nothing independent') ? ` (the second judged against ${escapeText(against)})` : '';
    if (held) out.push(`Confirmed: ${held === 1 ? 'the regression was' : `${held} regressions were`} measured twice, each time with fresh servers${independentOf}.`, '');
    if (against?.startsWith('nothing independent')) {
      out.push(`Not confirmed: no independent second measurement was possible (${escapeText(against.replace(/^nothing independent: /, ''))}); the verdict stands as measured once.`, '');
    } else if (held < confirmed.length) {
      out.push(
        `Not confirmed: ${confirmed.length - held === 1 ? 'a regression' : `${confirmed.length - held} regressions`} that the first measurement found ` +
          'did not show again in a second one with fresh servers: within this runner\'s noise, so inconclusive (see Why).',
        '',
      );
    }
  }
  if (comparison.baseline) {
    const b = comparison.baseline;
    out.push(
      `Baseline: ${escapeText(b.source)}${b.commit ? ` at commit ${code(b.commit.slice(0, 12))}` : ''}${b.createdAt ? ` recorded ${escapeText(b.createdAt)}` : ''}` +
        `${b.headCommit ? `; head: commit ${code(b.headCommit.slice(0, 12))}` : ''}.`,
      '',
    );
    if (b.run) out.push(`Baseline run: ${code(b.run)}, ${escapeText(b.selection ?? '')}.`, '');
    if (b.skipped?.length) out.push('<details><summary>Recorded runs passed over</summary>', '', ...b.skipped.map((s) => `- ${escapeText(s)}`), '', '</details>', '');
    if (comparison.note) out.push(`Note: ${escapeText(comparison.note)}`, '');
  } else if (comparison.note) {
    out.push(`Baseline: ${escapeText(comparison.note)}`, '');
  }

  const scenarioByName = new Map(settings.scenarios.map((s) => [s.name, s]));
  for (const sc of comparison.scenarios) {
    const def = scenarioByName.get(sc.scenario);
    const what = def ? `${def.method} ${def.path}` : sc.scenario;
    out.push(`### ${escapeText(sc.scenario)} ${sc.scenario === def?.path ? '' : `(${escapeText(what)}) `}— ${VERDICT_BADGE[sc.verdict]}`, '');
    if (sc.measuredBy) out.push(`Measured by ${escapeText(sc.measuredBy)}.`, '');
    for (const w of sc.warnings) out.push(`⚠️ ${escapeText(w)}`, '');
    if (sc.excludedTrials.length) {
      const reasons = [...new Set(sc.excludedTrials.map((t) => t.reason))];
      out.push(`⚠️ ${sc.excludedTrials.length} trial(s) left out (round ${sc.excludedTrials.map((t) => t.round).join(', ')}): ${reasons.map(escapeText).join(' ')}`, '');
    }
    out.push(table(['Metric', 'Baseline', 'Candidate', 'Change', 'Interval', 'Verdict'], sc.metrics.map(metricRow)), '');
    const resolution = sc.metrics.filter((m) => m.gating && m.detectablePct !== undefined && Number.isFinite(m.detectablePct));
    if (resolution.length) {
      out.push(`This run could tell apart changes of about ${resolution.map((m) => `${METRIC_LABEL[m.metric]} ±${m.detectablePct!.toFixed(1)}%`).join(', ')}; smaller ones are within its noise.`, '');
    }
    out.push('<details><summary>Why</summary>', '', ...sc.metrics.map((m) => `- ${escapeText(m.reason)}`), '', '</details>', '');
    for (const log of sc.workerLogs ?? []) {
      const side = log.side === 'candidate' ? 'head' : 'baseline';
      out.push(`<details><summary>Server log of the ${side} at its first worker exit/start (round ${log.round})</summary>`, '', '```text', log.tail.replace(/```/g, "'''"), '```', '', '</details>', '');
    }
  }

  const instructions = renderInstructions(result.instructions);
  if (instructions) out.push(instructions);
  const queries = renderQueries(result.queries);
  if (queries) out.push(queries);
  if (result.ranking) out.push(renderRanking(result.ranking, conf));
  if (result.hardening) out.push(renderHardening(result.hardening));
  if (result.watch) out.push(renderWatch(result.watch));
  if (result.trend) out.push(renderTrend(result.trend, settings.scenarios.map((s) => s.name), result.watch?.changePoints));

  const r = result.meta.runner;
  const targetLines = settings.targets.map((t) => `- ${escapeText(t.name)}: ${code(t.command)} at ${code(t.url)}`);
  const first = settings.scenarios[0];
  out.push(
    '<details><summary>Settings</summary>',
    '',
    `- ${comparison.sequential ? 'Up to ' : ''}${settings.rounds} rounds of ${first ? `${first.durationSeconds} s` : '?'} per target and scenario after ${settings.warmupSeconds} s of warmup, ${first?.connections ?? '?'} connections; confidence ${conf}` +
      (settings.timeBudgetMinutes !== undefined ? `; time budget ${settings.timeBudgetMinutes} min per measurement` : ''),
    ...(comparison.sequential ? [describeLooks(comparison.sequential, conf)] : []),
    ...targetLines,
    `- Runner: ${escapeText(r.cpuModel)} × ${r.cpus}, ${r.os}/${r.arch}, Node ${r.node}`,
    settings.cpuPlacement === 'off'
      ? '- CPU placement: off (server and load generator share all CPUs)'
      : `- CPU placement: load generator on CPU ${settings.cpuPlacement.generatorCpus.join(',')}, servers on CPU ${settings.cpuPlacement.serverCpus.join(',')}`,
    describeMethod(comparison.baseline?.headCommit !== undefined, conf),
    '',
    '</details>',
  );
  return out.join('\n') + '\n';
}
