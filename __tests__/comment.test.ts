// The pure parts of the PR comment: marker, shortening to GitHub's size limit, the saved
// comment file a workflow_run companion reads, and the comment inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMMENT_LIMIT, commentKey, commentMarker, markerKey, renderComment } from '../src/report/comment.js';
import { renderSummary } from '../src/report/summary.js';
import { compare } from '../src/gate/compare.js';
import { readSavedComments, writeSavedComment } from '../src/github/savedComment.js';
import { readCommentSettings } from '../src/config/config.js';
import { gateCommentKey } from '../src/github/prComment.js';
import { ConfigError } from '../src/errors.js';
import type { RunResult, Sample, Scenario } from '../src/types.js';

/** A real summary of `n` scenarios, each with a long (escaped) name. */
function summaryOf(n: number, nameLength = 40): string {
  const scenarios: Scenario[] = Array.from({ length: n }, (_, i) => ({
    name: `scenario-${i}-${'n'.repeat(nameLength)}`,
    method: 'GET',
    path: `/p/${i}`,
    headers: {},
    connections: 4,
    durationSeconds: 1,
    timeoutSeconds: 10,
    thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 },
  }));
  const sample = (scenario: string, round: number, rps: number): Sample => ({
    round,
    target: 'app',
    scenario,
    startedAt: '',
    elapsedSeconds: 1,
    requests: rps,
    rps,
    latencyUs: { p50: 1000, p90: 2000, p99: 3000, p999: 4000, max: 5000, mean: 1200 },
    histogram: '',
    errors: { connection: 0, timeouts: 0, badStatus: {} },
    errorRatePct: 0,
    bytes: 0,
    generator: { cpuPct: 40, eventLoopDelayP99Ms: 1 },
  });
  const candidate = scenarios.flatMap((s) => [1, 2, 3, 4, 5].map((r) => sample(s.name, r, 700 + r)));
  const baseline = scenarios.flatMap((s) => [1, 2, 3, 4, 5].map((r) => sample(s.name, r, 1000 + r)));
  const comparison = compare({ scenarios, target: 'app', candidate, baseline, baselineInfo: { source: 'baseline-file b.json' }, baselineExpected: true, confidence: 0.99 });
  const result: RunResult = {
    schemaVersion: 1,
    meta: { createdAt: '', tool: { name: 'wsgi-perf-gate', version: '0' }, runner: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'CPU', node: '20' } },
    settings: { rounds: 5, warmupSeconds: 0, confidence: 0.99, targets: [{ name: 'app', command: 'gunicorn app:app', url: 'http://127.0.0.1:8000' }], scenarios, cpuPlacement: 'off' },
    samples: candidate,
    comparison,
    verdict: comparison.verdict,
  };
  return renderSummary(result);
}

const OPTS = { key: 'perf', commit: 'c'.repeat(40), runUrl: 'https://github.com/acme/shop/actions/runs/7' };
const headings = (md: string) => md.split('\n').filter((l) => l.startsWith('### ')).length;

describe('comment marker', () => {
  it('round-trips a key and refuses what would break the HTML comment', () => {
    assert.equal(commentMarker('perf:api'), '<!-- wsgi-perf-gate:perf:api -->');
    assert.equal(markerKey('<!-- wsgi-perf-gate:perf:api -->\n## x'), 'perf:api');
    assert.equal(markerKey('quoting <!-- wsgi-perf-gate:perf -->'), undefined, 'only a comment that starts with it');
    assert.equal(commentKey('my job --> <b>'), 'my_job_--___b_');
    assert.throws(() => commentMarker('a -->'));
    assert.equal(gateCommentKey('perf', undefined), 'perf');
    assert.equal(gateCommentKey('perf', '3.12'), 'perf:3.12');
    assert.equal(gateCommentKey('', undefined), 'gate');
  });
});

describe('renderComment', () => {
  it('is the summary under the marker, with a footer, when it fits', () => {
    const summary = summaryOf(2);
    const body = renderComment(summary, OPTS);
    assert.ok(body.startsWith(`<!-- wsgi-perf-gate:perf -->\n${summary.trimEnd()}\n`));
    assert.ok(body.endsWith('<sub>wsgi-perf-gate · for commit <code>cccccccccccc</code> · [workflow run](https://github.com/acme/shop/actions/runs/7)</sub>\n'));
    assert.equal(body.includes('Shortened'), false);
  });

  it('drops the folded details first, keeping every scenario table', () => {
    const summary = summaryOf(12);
    const detailsFree = summary.replace(/<details>[\s\S]*?<\/details>/g, '');
    // A limit between the two sizes: only the details have to go.
    const limit = Math.round((summary.length + detailsFree.length) / 2) + 600;
    const body = renderComment(summary, { ...OPTS, limit });
    assert.ok(body.length <= limit, `${body.length} > ${limit}`);
    assert.equal(body.includes('<details>'), false);
    assert.equal(headings(body), 12);
    assert.match(body, /Shortened to fit GitHub's limit of [\d,]+ characters for a comment: the folded details were left out\. The full report is in the job summary of the \[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/7\)/);
  });

  it('then whole sections from the end, saying how many, within GitHub\'s real limit', () => {
    const summary = summaryOf(150, 100);
    assert.ok(summary.length > COMMENT_LIMIT * 1.5, `the test needs a summary over the limit (${summary.length})`);
    const body = renderComment(summary, OPTS);
    assert.ok(body.length <= COMMENT_LIMIT, `${body.length}`);
    assert.ok(body.startsWith('<!-- wsgi-perf-gate:perf -->\n## wsgi-perf-gate: ❌ regressed'));
    const kept = headings(body);
    assert.ok(kept >= 10 && kept < 150, `${kept} scenarios kept`);
    assert.match(body, new RegExp(`the folded details and the last ${150 - kept} of 150 sections were left out`));
    // Sections are whole: the last kept table is complete.
    assert.ok(body.includes(`### scenario-${kept - 1}-`));
    assert.equal(body.includes(`### scenario-${kept}-`), false);
  });

  it('cuts the verdict section itself only when nothing else is left', () => {
    const summary = `## wsgi-perf-gate: ❌ regressed\n\nRegressions:\n${Array.from({ length: 5000 }, (_, i) => `- **s${i}**: Requests/s -30.0%`).join('\n')}\n`;
    const body = renderComment(summary, OPTS);
    assert.ok(body.length <= COMMENT_LIMIT);
    assert.match(body, /the report was cut here/);
    assert.ok(body.endsWith('</sub>\n'));
  });
});

describe('saved comment file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'saved-comment-'));
  const good = { repository: 'acme/shop', pullRequest: 7, headSha: 'f'.repeat(40), key: 'perf', body: `${commentMarker('perf')}\nhello`, posted: false };

  it('reads what it wrote, from the file or every comment*.json of its directory', () => {
    const file = path.join(dir, 'a', 'comment.json');
    writeSavedComment(file, good);
    assert.deepEqual(readSavedComments(file).map((c) => c.comment), [{ format: 'wsgi-perf-gate/pr-comment', version: 1, ...good }]);
    // A second gate of the job (comment-id: api) saved comment-api.json beside it.
    const second = { ...good, key: 'perf:api', body: `${commentMarker('perf:api')}\nhello` };
    writeSavedComment(path.join(dir, 'a', 'comment-api.json'), second);
    writeFileSync(path.join(dir, 'a', 'other.json'), 'not ours');
    assert.deepEqual(readSavedComments(path.dirname(file)).map((c) => [path.basename(c.file), c.comment.key]), [['comment-api.json', 'perf:api'], ['comment.json', 'perf']]);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{', /is not valid JSON/],
    ['an unknown field', { format: 'wsgi-perf-gate/pr-comment', version: 1, ...good, extra: 1 }, /Unrecognized key/],
    ['a pull request number that is not one', { format: 'wsgi-perf-gate/pr-comment', version: 1, ...good, pullRequest: '7; rm -rf' }, /pullRequest: /],
    ['a key that could break the marker', { format: 'wsgi-perf-gate/pr-comment', version: 1, ...good, key: 'x -->' }, /key: /],
  ];
  for (const [name, content, message] of bad) {
    it(`refuses ${name}, naming the input`, () => {
      const file = path.join(dir, `${name.replace(/\W/g, '_')}.json`);
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      assert.throws(() => readSavedComments(file), (err: unknown) => err instanceof ConfigError && /^Input `comment-file` is /.test(err.message) && message.test(err.message));
    });
  }

  it('a missing file says to download the artifact', () => {
    assert.throws(() => readSavedComments(path.join(dir, 'nope')), /no such file or directory: expected the comment\.json that the pull request run saved \(download its artifact first\)/);
  });
});

describe('readCommentSettings', () => {
  const read = (inputs: Record<string, string>) => readCommentSettings({ getInput: (n) => inputs[n] ?? '', workspace: '/ws', runnerTemp: '/tmp/rt' });
  it('defaults: gate mode, comment auto, the file in RUNNER_TEMP', () => {
    assert.deepEqual(read({}), { mode: 'gate', comment: 'auto', commentId: undefined, commentFile: '/tmp/rt/wsgi-perf-gate/comment.json' });
    assert.deepEqual(read({ mode: 'post-comment', 'comment-id': '3.12', 'comment-file': 'artifact' }), { mode: 'post-comment', comment: 'auto', commentId: '3.12', commentFile: '/ws/artifact' });
    // Several gates in one job save side by side.
    assert.equal(read({ 'comment-id': 'py/3.12' }).commentFile, '/tmp/rt/wsgi-perf-gate/comment-py_3.12.json');
  });
  const bad: Array<[string, string, RegExp]> = [
    ['mode', 'post', /Input `mode` is "post": expected one of gate, post-comment, merge\./],
    ['comment', 'yes', /Input `comment` is "yes": expected one of auto, always, never\./],
    ['comment-id', 'a b', /Input `comment-id` is "a b": expected up to 64 letters, digits and _ \. : \/ -/],
  ];
  for (const [name, value, message] of bad) {
    it(`${name}: ${value}`, () => assert.throws(() => read({ [name]: value }), (err: unknown) => err instanceof ConfigError && message.test(err.message)));
  }
});
