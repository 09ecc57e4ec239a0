// The watch over main end to end: dist/main.js run as a runner runs it on pushes to main, in a
// clone of a bare `origin` on disk, recording on the data branch, with instructions per request
// counted under real Valgrind (gunicorn, 1 sync worker) and the smallest wall-clock run. The app
// does real work per request: a pure-Python loop of WORK iterations (578.5 instructions each,
// 99% of the count: docs/history.md), so "+0.3% per push" is a commit that raises WORK.
//   creep: 8 pushes of +0.3% each: no push regresses, the first report nothing, the 8th names
//          the creep (~+2.1% since the first push).
//   step:  +3% at push 5 of 10: one change point at that commit, commented once, never again.
//   bisect: then 4 commits in one push, the 2nd adding +3%: bisect names it (and watch: fail
//          fails that run).
// Commit comments go to the GitHub API stand-in (checked against GitHub's OpenAPI description).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { newRunnerDirs, runAction, type ActionRun, type RunnerDirs } from './helpers/runner.js';
import { commitFile, git, newOrigin, showFile, type Origin } from './helpers/gitRepo.js';
import { GitHubApiStandIn } from './helpers/githubApi.js';
import type { RunResult } from '../src/types.js';

/** Measured: 11,657,939 instructions per request at WORK=20000, 23,227,591 at 40000. */
const PER_ITERATION = 578.48;
const FIXED = 88_339;
const BASE_WORK = 20_000;
/** The WORK whose count is `factor` times the base's. */
const workFor = (factor: number) => Math.round(((FIXED + PER_ITERATION * BASE_WORK) * factor - FIXED) / PER_ITERATION);

const app = (work: number) => `"""A WSGI app with WORK iterations of pure-Python work per request."""
WORK = ${work}


def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def app(environ, start_response):
    body = f"{work(WORK)}\\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`;

// Wall clock is not the subject: the smallest run; instructions counted (3 windows of 10 requests).
const inputs = (scenarioPath: string) => ({
  command: `${PY} -m gunicorn watch_app:app --bind 127.0.0.1:$PORT --workers 1`,
  url: 'http://127.0.0.1:$PORT',
  path: scenarioPath,
  'duration-seconds': '0.3',
  'warmup-seconds': '0',
  rounds: '2',
  confidence: '0.8',
  connections: '1',
  confirm: 'false',
  'cpu-placement': 'off',
  instructions: 'on',
  // A +3% step regresses its push's own instructions gate: the run still records and reports.
  'fail-on-regression': 'false',
  'github-token': GitHubApiStandIn.WRITE_TOKEN,
});

let api: GitHubApiStandIn;
let procs: ProcessInfo[];
before(async () => {
  procs = serverProcesses();
  api = await GitHubApiStandIn.start();
});
after(async () => {
  api.assertNoViolations();
  await api.close();
  assert.deepEqual(newServerProcesses(procs), [], 'a server process was left running');
});

const env = () => ({ GITHUB_API_URL: api.baseUrl, GITHUB_JOB: 'perf', GITHUB_RUN_ID: '27', GITHUB_SERVER_URL: 'https://github.com' });

function resultOf(run: ActionRun): RunResult {
  return JSON.parse(readFileSync(run.outputs['results-file']!, 'utf8')) as RunResult;
}

interface Repo {
  origin: Origin;
  dirs: RunnerDirs;
  ws: string;
}

function newRepo(): Repo {
  const origin = newOrigin();
  const dirs = newRunnerDirs();
  git(dirs.dir, 'clone', '--quiet', origin.bare, dirs.workspace);
  return { origin, dirs, ws: dirs.workspace };
}

/** Commits the app with this WORK (or another file), pushes main, runs the action on the push. */
async function push(repo: Repo, scenarioPath: string, work: number | undefined, extra: Record<string, string> = {}, code = 0): Promise<{ sha: string; run: ActionRun; result: RunResult }> {
  const sha = work === undefined ? commitFile(repo.ws, 'NOTES.md', `${Date.now()}\n`, 'notes') : commitFile(repo.ws, 'watch_app.py', app(work), `WORK=${work}`);
  git(repo.ws, 'push', '--quiet', 'origin', 'HEAD:main');
  const run = await runAction('main', repo.dirs, { eventName: 'push', sha, inputs: { ...inputs(scenarioPath), ...extra }, env: env(), timeoutMs: 300_000 });
  assert.equal(run.code, code, run.stdout);
  return { sha, run, result: resultOf(run) };
}

const commentsOn = (sha: string) => api.commentsOnCommits().filter((c) => c.commit === sha);
// Wall-clock series of 0.3 s trials are watched too; these tests are about the exact one.
const exact = <T extends { series: string }>(list: T[]) => list.filter((c) => c.series === 'instructionsPerRequest');

describe('watch over main: creep', () => {
  let repo: Repo;
  before(() => {
    repo = newRepo();
  });

  it('8 pushes of +0.3% each: none regresses, the first report nothing, the 8th names the creep since the first push', async () => {
    const shas: string[] = [];
    for (let k = 0; k < 8; k++) {
      const { sha, run, result } = await push(repo, '/', workFor(1.003 ** k));
      shas.push(sha);
      // The per-push gate on the exact count passes every +0.3% (below its 0.5% threshold). (The
      // 0.3 s wall-clock trials here are too short to judge anything: not the subject.)
      assert.ok(result.instructions?.status === 'measured', result.instructions?.note);
      assert.notEqual(result.instructions.verdict, 'regressed', `push ${k + 1}:\n${run.summary}`);
      if (k > 0) {
        const change = result.instructions.comparisons[0]!.changePct!;
        assert.ok(change > 0.15 && change < 0.45, `push ${k + 1}: instructions per request ${change}% against the push before`);
      }
      const watch = result.watch!;
      assert.ok(watch, run.summary);
      assert.deepEqual(exact(watch.changePoints), [], `push ${k + 1}: a creep is no change point:\n${run.summary}`);
      if (k < 5) {
        assert.deepEqual(watch.creep, [], `push ${k + 1}`);
        if (k < 3) assert.match(run.summary, /instructions per request on <code>\/<\/code>: \d recorded push\(es\); \d more before a change can be judged/);
      }
      if (k === 7) {
        assert.equal(watch.creep.length, 1, run.summary);
        const creep = watch.creep[0]!;
        console.log(`push 8: creep ${creep.creepPct.toFixed(2)}% since the first push, ${creep.worseSteps} step(s), largest ${creep.largest.map((l) => l.changePct.toFixed(3)).join(', ')}%`);
        assert.equal(creep.anchorCommit, shas[0]);
        assert.ok(creep.creepPct > 1.7 && creep.creepPct < 2.6, `creep ${creep.creepPct}%`);
        assert.match(run.summary, new RegExp(`main is \\+2\\.\\d% instructions per request heavier on <code>/</code> than at the oldest recorded push, 7 push\\(es\\) ago \\(<code>${shas[0]!.slice(0, 12)}</code>\\), in \\d step\\(s\\) over 7 push\\(es\\), the largest \\+0\\.\\d\\d% at <code>[0-9a-f]{12}</code>`));
      }
    }
    // The creep was commented once, on the push that first found it (the 7th, +1.8%, or the 8th).
    const creepComments = api.commentsOnCommits().filter((c) => shas.includes(c.commit) && /instructions per request/.test(c.body));
    assert.equal(creepComments.length, 1, JSON.stringify(creepComments.map((c) => c.body)));
    assert.match(creepComments[0]!.body, /main is \+\d\.\d% instructions per request heavier/);
    assert.ok([shas[6], shas[7]].includes(creepComments[0]!.commit));
  });
});

describe('watch over main: a step, reported once; bisect names the commit', () => {
  let repo: Repo;
  const shas: string[] = [];
  before(() => {
    repo = newRepo();
  });

  it('+3% at push 5 of 10: one change point at that commit, commented once, not again at pushes 6-10', async () => {
    for (let k = 0; k < 10; k++) {
      const { sha, run, result } = await push(repo, '/', k < 4 ? workFor(1) + k : workFor(1.03) + k);
      shas.push(sha);
      const cps = exact(result.watch!.changePoints);
      if (k < 4) assert.deepEqual(cps, [], `push ${k + 1}:\n${run.summary}`);
      else {
        assert.equal(cps.length, 1, `push ${k + 1}:\n${run.summary}`);
        assert.equal(cps[0]!.commit, shas[4]);
        assert.equal(cps[0]!.series, 'instructionsPerRequest');
        assert.ok(cps[0]!.changePct > 2.5 && cps[0]!.changePct < 3.5, String(cps[0]!.changePct));
        assert.equal(cps[0]!.isNew, k === 4, `push ${k + 1}`);
        if (k === 4) console.log(`push 5: change point ${cps[0]!.changePct.toFixed(2)}%, p ${cps[0]!.pValue.toExponential(1)}`);
        assert.deepEqual(result.watch!.creep, [], 'a step is not creep');
      }
      // The pushes do not depend on the comment: the summary lists the change point every time.
      if (k >= 4) assert.match(run.summary, new RegExp(`instructions per request on <code>/</code> changed \\+\\d\\.\\d\\d% \\(worse\\)`));
    }
    const comments = api.commentsOnCommits().filter((c) => shas.includes(c.commit) && /instructions per request/.test(c.body));
    assert.equal(comments.length, 1, 'reported once');
    assert.equal(comments[0]!.commit, shas[4]);
    assert.match(comments[0]!.body, /instructions per request on <code>\/<\/code> changed \+\d\.\d\d% \(worse\)/);
    const index = JSON.parse(showFile(repo.origin, 'perf-data', 'index.json')) as { runs: Array<{ commit: string; reported?: string[] }> };
    const reporters = index.runs.filter((r) => r.reported?.some((k) => k.startsWith('cp/instructionsPerRequest/')));
    assert.deepEqual(reporters.map((r) => r.commit), [shas[4]], 'the record of push 5 keeps what it reported');
  });

  it('the dashboard, in headless Chromium, draws instructions per request and marks the change point', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'perf-gate-watch-dash-'));
    const page = path.join(dir, 'index.html');
    writeFileSync(page, showFile(repo.origin, 'perf-data', 'index.html'));
    const chromium = (...args: string[]) =>
      execFileSync(
        'chromium',
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${mkdtempSync(path.join(os.tmpdir(), 'perf-gate-chromium-'))}`, ...args, `file://${page}`],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
      );
    const dom = chromium('--dump-dom');
    const svg = /<svg [^>]*data-scenario="\/" data-metric="instructionsPerRequest"[^>]*>([\s\S]*?)<\/svg>/.exec(dom);
    assert.ok(svg, 'an instructions-per-request chart');
    const points = [...svg[1]!.matchAll(/<circle class="point"[^>]*data-commit="([0-9a-f]+)"[^>]*data-value="([\d.e+-]+)"/g)];
    assert.deepEqual(points.map((p) => p[1]), shas);
    const marks = [...svg[1]!.matchAll(/<g class="change-point" data-commit="([0-9a-f]+)" data-change-pct="([\d.+-]+)"/g)];
    assert.deepEqual(marks.map((m) => m[1]), [shas[4]]);
    assert.ok(Number(marks[0]![2]) > 2.5, marks[0]![2]);
    // The screenshot shows the mark: the page's orange (#ff7f0e) is drawn only by change points.
    const png = path.join(dir, 'shot.png');
    chromium(`--screenshot=${png}`, '--window-size=800,1400', '--hide-scrollbars');
    const orange = execFileSync(PY, ['-c', ORANGE_PIXELS, png], { encoding: 'utf8' }).trim();
    assert.ok(Number(orange) >= 50, `${orange} orange pixels in the screenshot`);
  });

  it('bisect: a change point between two pushes 4 commits apart names the commit that added the work', async () => {
    const before = api.commentsOnCommits().length;
    commitFile(repo.ws, 'NOTES.md', 'one\n', 'docs');
    const bad = commitFile(repo.ws, 'watch_app.py', app(workFor(1.03 * 1.03)), 'more work');
    commitFile(repo.ws, 'NOTES.md', 'three\n', 'docs');
    // watch: fail: the run that finds a new change point fails, after reporting it.
    const { sha, run, result } = await push(repo, '/', undefined, { bisect: 'true', watch: 'fail' }, 1);
    assert.match(run.stdout, /::error::The watch over main found \d new finding\(s\) \(watch: fail\): cp\/instructionsPerRequest\/\/\//);
    const cp = exact(result.watch!.changePoints).find((c) => c.isNew);
    assert.ok(cp, run.summary);
    assert.equal(cp.commit, sha);
    assert.equal(cp.range?.length, 4);
    assert.equal(cp.bisect?.firstBad, bad, JSON.stringify(cp.bisect));
    console.log(`bisect: ${cp.bisect!.measured.map((m) => `${m.commit.slice(0, 7)} ${m.changePct?.toFixed(2)}%`).join(', ')}`);
    assert.ok(cp.bisect!.measured.length <= 2, 'log2(4) paired counts');
    assert.match(run.summary, new RegExp(`first bad commit <code>${bad.slice(0, 12)}</code>`));
    const comments = api.commentsOnCommits().slice(before).filter((c) => /instructions per request/.test(c.body));
    assert.deepEqual(comments.map((c) => c.commit), [bad], 'the comment is on the first bad commit');
    assert.equal(commentsOn(bad).length, 1);
  });
});

// Counts pixels of the change-point orange (#ff7f0e, within a small tolerance) in a PNG, with
// the standard library only (zlib; 8-bit RGB or RGBA, non-interlaced, as Chromium writes).
const ORANGE_PIXELS = String.raw`
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
pos, idat, w = 8, b'', 0
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        bpp = 4 if ctype == 6 else 3
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
count = 0
for y in range(h):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        r, g, bl = line[x], line[x + 1], line[x + 2]
        if abs(r - 255) < 12 and abs(g - 127) < 20 and bl < 40:
            count += 1
    prev = line
print(count)
`;
