// The pure core of the hardening checks: what a response leaks, each check's pass/warn/fail
// rule, the gate against the baseline, the settings, the nginx config and the report section.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { debugPage, serverVersion, stackTrace } from '../src/hardening/leaks.js';
import {
  bodySizes,
  classifyBodySize,
  classifyHang,
  classifyHeaderLimits,
  classifyLeaks,
  classifyOwner,
  classifySlowClients,
  type LabelledExchange,
} from '../src/hardening/classify.js';
import { findRegressions, hardeningBaseline, judgeHardening, recordedHardening } from '../src/hardening/gate.js';
import { readHardeningSettings } from '../src/hardening/settings.js';
import { describeCoverage, parseTcpTable, slowCoverage } from '../src/hardening/slowCoverage.js';
import { nginxConfig } from '../src/server/nginxConfig.js';
import { renderHardening } from '../src/report/hardening.js';
import { readConfig } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';
import type { CheckRow, Exchange, TargetHardening } from '../src/hardening/types.js';

const ok = (status: number, body = '', headers: Record<string, string> = {}, ms = 5): Exchange => ({ status, headers, body, outcome: 'response', ms });
const none = (outcome: Exchange['outcome'], ms = 3000): Exchange => ({ headers: {}, body: '', outcome, ms });
const req = (request: string, e: Exchange): LabelledExchange => ({ ...e, request });

// Lines of Django 3.2's own templates (views/templates/technical_404.html and technical_500.html).
const DJANGO_404 = '<title>Page not found at /nope</title>...<p>\n      You’re seeing this error because you have <code>DEBUG = True</code> in\n      your Django settings file.';
const DJANGO_500 = '<title>RuntimeError at /boom</title><th>Django Version:</th>...You’re seeing this error because you have <code>DEBUG = True</code> in your\n Django settings file. Traceback (most recent call last):';
const WERKZEUG = '<title>RuntimeError: boom // Werkzeug Debugger</title><link rel="stylesheet" href="?__debugger__=yes&amp;cmd=resource&amp;f=style.css">';

describe('leaks', () => {
  it('a Server header with a version is named; without one it is not', () => {
    assert.equal(serverVersion({ server: 'gunicorn/20.1.0' }), 'gunicorn/20.1.0');
    assert.equal(serverVersion({ server: 'WSGIServer/0.2 CPython/3.11.2' }), 'WSGIServer/0.2 CPython/3.11.2');
    assert.equal(serverVersion({ server: 'nginx' }), undefined);
    assert.equal(serverVersion({ server: 'waitress' }), undefined);
    assert.equal(serverVersion({}), undefined);
  });
  it('names Django technical pages and the Werkzeug debugger; a plain 404 is no debug page', () => {
    assert.match(debugPage(404, DJANGO_404)!, /Django's technical 404 page/);
    assert.match(debugPage(500, DJANGO_500)!, /Django's technical 500 page/);
    assert.match(debugPage(500, WERKZEUG)!, /Werkzeug interactive debugger/);
    assert.equal(debugPage(404, '<h1>Not Found</h1><p>The requested resource was not found on this server.</p>'), undefined);
  });
  it('finds a stack trace, also HTML-escaped', () => {
    assert.equal(stackTrace('Traceback (most recent call last):\n  File "app.py", line 3'), 'Traceback (most recent call last)');
    assert.equal(stackTrace('<pre>File &quot;/srv/app/views.py&quot;, line 12, in boom</pre>'), 'File "/srv/app/views.py", line 12');
    assert.equal(stackTrace('all good'), undefined);
  });
});

const byId = (rows: CheckRow[], id: string) => rows.find((r) => r.id === id)!;

describe('classifyLeaks', () => {
  it('a clean server passes every row', () => {
    const rows = classifyLeaks([req('GET /', ok(200, 'hi', { server: 'nginx' })), req('GET /__missing', ok(404, 'Not Found', { server: 'nginx' }))]);
    assert.deepEqual(rows.map((r) => [r.id, r.status]), [['server-version', 'pass'], ['x-powered-by', 'pass'], ['debug-page', 'pass'], ['stack-trace', 'pass']]);
  });
  it('DEBUG = True fails with the page and the request named; versions and X-Powered-By warn', () => {
    const rows = classifyLeaks([
      req('GET /', ok(200, 'hi', { server: 'gunicorn/20.1.0', 'x-powered-by': 'Django' })),
      req('GET /__missing', ok(404, DJANGO_404, { server: 'gunicorn/20.1.0' })),
      req('GET /boom', ok(500, DJANGO_500)),
    ]);
    assert.equal(byId(rows, 'server-version').status, 'warn');
    assert.match(byId(rows, 'server-version').evidence, /gunicorn\/20\.1\.0/);
    assert.equal(byId(rows, 'x-powered-by').status, 'warn');
    const page = byId(rows, 'debug-page');
    assert.equal(page.status, 'fail');
    assert.match(page.evidence, /technical 404 page.*GET \/__missing \(404\).*technical 500 page.*GET \/boom \(500\)/);
    assert.equal(byId(rows, 'stack-trace').status, 'fail');
  });
});

describe('classifyOwner', () => {
  it('root workers warn, and in CI the row says that is usual', () => {
    const row = classifyOwner({ workers: [{ pid: 10, uid: 0 }, { pid: 11, uid: 0 }], ci: true });
    assert.equal(row.status, 'warn');
    assert.match(row.evidence, /2 of 2 .*root.*Usual in CI/);
    assert.equal(classifyOwner({ workers: [{ pid: 10, uid: 1000 }], ci: true }).status, 'pass');
    assert.equal(classifyOwner({ workers: [], ci: false }).status, 'skipped');
  });
});

describe('classifyHeaderLimits', () => {
  const base = { longLineBytes: 65536, bigHeaderBytes: 65536, servesAfter: true, workersLost: 0 };
  it('400/431 or a closed connection are refusals: pass', () => {
    assert.equal(classifyHeaderLimits({ ...base, longLine: ok(400), bigHeader: ok(431) }).status, 'pass');
    assert.equal(classifyHeaderLimits({ ...base, longLine: none('closed', 2), bigHeader: none('reset', 2) }).status, 'pass');
  });
  it('an accepted oversized header warns and says which', () => {
    const row = classifyHeaderLimits({ ...base, longLine: ok(400), bigHeader: ok(200) });
    assert.equal(row.status, 'warn');
    assert.match(row.evidence, /oversized header/);
  });
  it('a worker that died or a server that stopped answering fails', () => {
    assert.equal(classifyHeaderLimits({ ...base, longLine: none('closed'), bigHeader: none('closed'), workersLost: 1 }).status, 'fail');
    assert.equal(classifyHeaderLimits({ ...base, longLine: ok(400), bigHeader: ok(400), servesAfter: false }).status, 'fail');
  });
});

describe('classifySlowClients', () => {
  const base = { slowConnections: 10, coverage: '10 slow connections; held per accepting process (slow connections/threads): 5/5, 5/5', idleMs: 2, timeoutMs: 3000 };
  it('a normal request starved by slow clients fails, shows the coverage and says what fixes it', () => {
    const row = classifySlowClients({ ...base, normals: [ok(200, '', {}, 4), none('timeout'), ok(200, '', {}, 5), ok(200, '', {}, 3)] });
    assert.equal(row.status, 'fail', 'one starved request of four is enough');
    assert.match(row.evidence, /held per accepting process.*5\/5, 5\/5.*1 of 4 got no answer within 3000 ms; 3 of 4 answered, the slowest after 5 ms/);
    assert.match(row.fix!, /proxy.*gevent.*timeout/);
  });
  it('answered quickly: pass; answered only after seconds: warn; a 5xx is starved', () => {
    assert.equal(classifySlowClients({ ...base, normals: [ok(200, '', {}, 8), ok(200, '', {}, 9)] }).status, 'pass');
    assert.equal(classifySlowClients({ ...base, normals: [ok(200, '', {}, 8), ok(200, '', {}, 1500)] }).status, 'warn');
    assert.equal(classifySlowClients({ ...base, normals: [ok(200, '', {}, 8), ok(502, '', {}, 30)] }).status, 'fail');
  });
});

describe('slowCoverage', () => {
  // Server on port 8000 (0x1F40); slow clients from 40001 (0x9C41) and 40002 (0x9C42), 40003 not yet accepted.
  const TABLE = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 500 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:1F40 0100007F:9C41 01 00000000:00000000 00:00000000 00000000  1000        0 601 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:1F40 0100007F:9C42 01 00000000:00000000 00:00000000 00000000  1000        0 602 1 0000000000000000 20 4 30 10 -1',
    '   3: 0100007F:1F40 0100007F:9C43 01 00000000:00000000 00:00000000 00000000  1000        0 0 1 0000000000000000 20 4 30 10 -1',
    '   4: 0100007F:9C41 0100007F:1F40 01 00000000:00000000 00:00000000 00000000  1000        0 701 1 0000000000000000 20 4 30 10 -1',
  ].join('\n');
  const table = parseTcpTable(TABLE);
  const ports = [40001, 40002, 40003];
  it('reads ports, state and inode of the kernel table', () => {
    assert.deepEqual(table[1], { localPort: 8000, remotePort: 40001, state: '01', inode: 601 });
    assert.equal(table.length, 5);
  });
  it('covered only when every worker holding the listener holds as many slow connections as it has threads', () => {
    const sync = slowCoverage(table, 8000, ports, [
      { pid: 1, threads: 1, socketInodes: new Set([500, 601]) },
      { pid: 2, threads: 1, socketInodes: new Set([500, 602]) },
    ]);
    assert.deepEqual(sync.acceptors.map((a) => a.held), [1, 1]);
    assert.equal(sync.accepted, 2, 'the connection still in the accept queue is held by nobody');
    assert.equal(sync.covered, true);
    const gthread = slowCoverage(table, 8000, ports, [
      { pid: 1, threads: 3, socketInodes: new Set([500, 601, 602]) },
      { pid: 2, threads: 1, socketInodes: new Set([500]) },
    ]);
    assert.equal(gthread.covered, false, 'a worker with more threads than slow connections still serves');
    assert.match(describeCoverage(gthread, 3), /2\/3, 0\/1: not every thread/);
  });
  it('no worker holds the listening socket: something in front accepted them', () => {
    const c = slowCoverage(table, 8000, ports, [{ pid: 3, threads: 1, socketInodes: new Set([900]) }]);
    assert.equal(c.fronted, true);
    assert.equal(c.covered, false);
    assert.match(describeCoverage(c, 3), /in front of it/);
  });
});

describe('classifyBodySize', () => {
  const step = (bytes: number, result: Exchange) => ({ bytes, sentBytes: bytes, result });
  it('the size of the first refusal is named', () => {
    const row = classifyBodySize({ path: '/upload', capBytes: 16 << 20, rssGrowthBytes: 1 << 20, steps: [step(65536, ok(200)), step(262144, ok(200)), step(1 << 20, ok(413))] });
    assert.equal(row.status, 'pass');
    assert.match(row.evidence, /Refused at 1 MiB \(413\); worker memory grew by 1 MiB/);
  });
  it('never refused up to the cap fails with the memory growth', () => {
    const row = classifyBodySize({ path: '/upload', capBytes: 1 << 20, rssGrowthBytes: 3 << 20, steps: [step(65536, ok(200)), step(262144, ok(200)), step(1 << 20, ok(200))] });
    assert.equal(row.status, 'fail');
    assert.match(row.evidence, /Never refused.*cap of 1 MiB.*grew by 3 MiB/);
  });
  it('a path that takes no bodies warns instead of measuring nothing', () => {
    assert.equal(classifyBodySize({ path: '/', capBytes: 1 << 20, rssGrowthBytes: 0, steps: [step(65536, ok(405))] }).status, 'warn');
  });
  it('sizes grow by 4 from 64 KiB and end at the cap, never past it', () => {
    assert.deepEqual(bodySizes(1 << 20), [65536, 262144, 1 << 20]);
    assert.deepEqual(bodySizes(100_000), [65536, 100_000]);
    assert.ok(bodySizes(64 << 20).every((b) => b <= 64 << 20));
  });
});

describe('classifyHang', () => {
  it('cut by the worker timeout in time and still serving: pass; still open: fail', () => {
    assert.equal(classifyHang({ path: '/hang', timeoutSeconds: 2, waitedMs: 3100, result: none('closed', 3100), servesAfter: true }).status, 'pass');
    assert.equal(classifyHang({ path: '/hang', timeoutSeconds: 2, waitedMs: 5000, result: none('timeout', 5000), servesAfter: true }).status, 'fail');
    assert.equal(classifyHang({ path: '/hang', timeoutSeconds: 2, waitedMs: 3100, result: none('closed', 3100), servesAfter: false }).status, 'fail');
  });
});

const target = (name: string, statuses: Record<string, CheckRow['status']>): TargetHardening => ({
  target: name,
  topology: 'direct',
  checks: Object.entries(statuses).map(([id, status]) => ({ id: id as CheckRow['id'], status, evidence: `${id} ${status}` })),
  sent: ['GET /'],
  seconds: 1,
});

describe('the hardening gate', () => {
  it('pass -> fail is a regression; fail -> fail and warn are not', () => {
    const head = [target('app', { 'debug-page': 'fail', 'slow-clients': 'fail', 'server-version': 'warn' })];
    const base = [target('app', { 'debug-page': 'pass', 'slow-clients': 'fail', 'server-version': 'pass' })];
    assert.deepEqual(findRegressions(head, base).map((r) => r.id), ['debug-page']);
  });
  it('gate mode fails on a regression, report mode never does, no baseline never does', () => {
    const head = [target('app', { 'debug-page': 'fail' })];
    const base = { source: 'base commit', targets: [target('base', { 'debug-page': 'pass' })] };
    assert.equal(judgeHardening('gate', head, base).failed, true);
    assert.equal(judgeHardening('report', head, base).failed, false);
    assert.equal(judgeHardening('report', head, base).regressions.length, 1);
    assert.equal(judgeHardening('gate', head, undefined, 'no baseline').failed, false);
  });
  it('the baseline: the paired base of this job, else the stored run\'s checks, else none with why', () => {
    const base = [target('base', { 'debug-page': 'pass' })];
    const stored = { hardening: judgeHardening('report', [target('app', { 'debug-page': 'pass' })], undefined) };
    assert.deepEqual(hardeningBaseline(base, stored, 'x')[0]?.targets, base);
    assert.equal(hardeningBaseline(undefined, stored, 'baseline-file b.json')[0]?.source, 'baseline-file b.json');
    assert.match(hardeningBaseline(undefined, {}, 'x')[1], /recorded without hardening checks/);
    assert.equal(hardeningBaseline(undefined, undefined, undefined)[0], undefined);
  });
  it('the record keeps the run\'s own checks, not its baseline', () => {
    const r = judgeHardening('gate', [target('app', { 'debug-page': 'fail' })], { source: 'x', targets: [target('app', { 'debug-page': 'pass' })] });
    assert.equal(recordedHardening(r)!.baseline, undefined);
    assert.equal(recordedHardening(r)!.targets.length, 1);
  });
});

describe('hardening settings', () => {
  it('defaults to report with a 64 MiB cap; the input beats the file', () => {
    const s = readHardeningSettings('', undefined);
    assert.deepEqual([s.mode, s.maxBodyBytes, s.bodyPath, s.hangPath], ['report', 64 << 20, undefined, undefined]);
    assert.equal(readHardeningSettings('GATE', { mode: 'off' }).mode, 'gate');
    assert.equal(readHardeningSettings('', { mode: 'off', 'max-body-mib': 2 }).maxBodyBytes, 2 << 20);
  });
  it('a bad input or file key is a ConfigError that names it, from readConfig', () => {
    const src = (inputs: Record<string, string>, file?: string) => ({
      getInput: (n: string) => inputs[n] ?? '',
      readFile: (f: string) => (f === '/ws/.github/perf-gate.yml' ? file : undefined),
      workspace: '/ws',
      cores: 2,
    });
    assert.throws(() => readConfig(src({ command: 'x', hardening: 'loud' })), (e: unknown) => e instanceof ConfigError && /Input `hardening` is "loud": expected one of off, report, gate/.test(e.message));
    assert.throws(() => readConfig(src({}, 'hardening:\n  body-path: upload\ntargets:\n  - name: a\n    command: x\n')), (e: unknown) => e instanceof ConfigError && /hardening\.body-path: must start with \//.test(e.message));
    const c = readConfig(src({}, 'hardening:\n  mode: gate\n  body-path: /upload\n  max-body-mib: 8\ntargets:\n  - name: a\n    command: x\n    proxy: nginx\n    static-url: /static/\n    static-dir: assets\n'));
    assert.deepEqual([c.hardening.mode, c.hardening.bodyPath, c.hardening.maxBodyBytes], ['gate', '/upload', 8 << 20]);
    assert.deepEqual(c.targets[0]!.proxy, { server: 'nginx', staticUrl: '/static/', staticDir: '/ws/assets' });
    assert.throws(() => readConfig(src({}, 'targets:\n  - name: a\n    command: x\n    static-dir: assets\n')), /need `proxy: nginx`/);
  });
});

describe('nginx config', () => {
  it('listens on loopback only, proxies to the backend port, serves static files, keeps its files in its directory', () => {
    const conf = nginxConfig({ dir: '/tmp/n', listenPort: 8080, backendPort: 9090, staticUrl: '/static', staticDir: '/srv/app/static' });
    assert.match(conf, /listen 127\.0\.0\.1:8080;/);
    assert.doesNotMatch(conf, /listen (?!127\.0\.0\.1)/);
    assert.match(conf, /server 127\.0\.0\.1:9090;/);
    assert.match(conf, /location \/static\/ \{\n\s+alias "\/srv\/app\/static\/";/);
    assert.match(conf, /pid "\/tmp\/n\/nginx\.pid";/);
    assert.match(conf, /server_tokens off;/);
    assert.doesNotMatch(nginxConfig({ dir: '/tmp/n', listenPort: 1, backendPort: 2 }), /location \/static/);
  });
});

describe('renderHardening', () => {
  it('names the newly failing check with its evidence, and escapes what the server sent', () => {
    const head = [target('app', { 'debug-page': 'fail', 'server-version': 'warn' })];
    head[0]!.checks[0]!.evidence = 'Debug page served: Django\'s technical 404 page <script>';
    const md = renderHardening(judgeHardening('gate', head, { source: 'the base commit', targets: [target('base', { 'debug-page': 'pass', 'server-version': 'warn' })] }));
    assert.match(md, /## Hardening: ❌ 1 check\(s\) newly failing/);
    assert.match(md, /\*\*app\*\*: Debug error page passed on the baseline and fails now: Debug page served: Django's technical 404 page &lt;script&gt;/);
    assert.match(md, /\| \*\*Debug error page\*\* \| ❌ fail \| ✅ pass \|/);
    assert.match(md, /<details><summary>What the checks sent<\/summary>/);
  });
});
