// The pure parts of "where the instructions went": Callgrind's format, CPython's perf map, the
// names shown, the line of a definition, the profile per request and the table of changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCallgrind } from '../src/instructions/callgrindGraph.js';
import { PerfMap, unnamedAddress } from '../src/instructions/perfMap.js';
import { buildProfile, OUTSIDE_PYTHON } from '../src/instructions/profile.js';
import { nativeFunctionName, pythonLocation } from '../src/instructions/functionNames.js';
import { definitionLine } from '../src/instructions/definitionLine.js';
import { functionTable } from '../src/instructions/functionTable.js';
import { hasPerfTrampoline, pythonVersionInMaps } from '../src/instructions/pythonVersion.js';
import { renderInstructions } from '../src/report/instructions.js';
import type { FunctionCost, InstructionsResult } from '../src/types.js';

// The shape of a real dump (CPython 3.12 with -X perf under callgrind-3.19.0): compressed names,
// a callee named before its own block, relative positions, recursion levels ('2).
const DUMP = `# callgrind format
version: 1
creator: callgrind-3.19.0
positions: line
events: Ir
summary: 10000

ob=(1) /usr/lib/libpython3.12.so.1.0
fl=(1) /tmp/python-build.123/Python-3.12.1/Python/ceval.c
fn=(10) _PyEval_EvalFrameDefault
12 300
+2 100
cob=(2) ???
cfi=(2) ???
cfn=(20) 0x000000000547c79b
calls=40 0
* 4000
fi=(3) /tmp/python-build.123/Python-3.12.1/Include/internal/pycore_frame.h
-5 50

fn=(11) _PyEval_EvalFrameDefault'2
0 70
cob=(2)
cfi=(2)
cfn=(21) 0x000000000547c79b'2
calls=2 0
0 500

ob=(2)
fl=(2)
fn=(20)
0 40
cob=(1)
cfi=(1)
cfn=(11)
calls=40 0
0 3960

fn=(21)
0 2
cob=(1)
cfi=(1)
cfn=(11)
calls=2 0
0 498

fn=(30) 0x000000000547c785
0 1
cob=(1)
cfi=(1)
cfn=(10)
calls=1 0
0 8000
`;

const MAP = `547c785 b py::BookListView.get:/srv/app/catalog/views.py
547c79b b py::ModelIterable.__iter__:/venv/lib/python3.12/site-packages/django/db/models/query.py
547c7a6 b py::old:/srv/app/old.py
547c7a6 b py::reused:/srv/app/new.py
`;

describe('parseCallgrind', () => {
  const g = parseCallgrind(DUMP);
  it('reads names given once by id, self costs across relative positions and inlined files, and calls with their cost', () => {
    assert.equal(g.total, 10000);
    const evalFn = g.functions.get(10)!;
    assert.equal(evalFn.name, '_PyEval_EvalFrameDefault');
    assert.equal(evalFn.object, '/usr/lib/libpython3.12.so.1.0');
    assert.equal(evalFn.self, 450);
    assert.deepEqual(evalFn.calls, [{ to: 20, calls: 40, cost: 4000 }]);
  });
  it('a function named first as a callee gets its own object from its block', () => {
    const t = g.functions.get(20)!;
    assert.equal(t.name, '0x000000000547c79b');
    assert.equal(t.object, '???');
    assert.equal(t.self, 40);
  });
  it('the total is the sum of self costs when the dump has no summary', () => {
    assert.equal(parseCallgrind('events: Ir\nfn=(1) a\n1 5\n2 7\n').total, 12);
  });
});

describe('PerfMap', () => {
  const map = new PerfMap(MAP);
  it('finds the function whose trampoline holds an address; a later line for the same address wins', () => {
    assert.deepEqual(map.lookup(0x547c785), { qualname: 'BookListView.get', file: '/srv/app/catalog/views.py' });
    assert.equal(map.lookup(0x547c78f)?.qualname, 'BookListView.get');
    assert.equal(map.lookup(0x547c790), undefined);
    assert.equal(map.lookup(0x547c7a6)?.qualname, 'reused');
    assert.equal(map.lookup(0x100), undefined);
    assert.equal(map.size, 3);
  });
  it("reads Callgrind's names for code without a symbol", () => {
    assert.equal(unnamedAddress('0x000000000547c7bc'), 0x547c7bc);
    assert.equal(unnamedAddress("0x000000000547c7bc'2"), 0x547c7bc);
    assert.equal(unnamedAddress('crc32_z'), undefined);
  });
});

describe('buildProfile', () => {
  const g = parseCallgrind(DUMP);
  it('with a perf map: Python functions per request, inclusive from the outermost call, calls from all, and the interpreter outside them', () => {
    const p = buildProfile(g, { requests: 2, perfMap: new PerfMap(MAP), appRoots: ['/srv/app'], limit: 10, lineOf: (file, q) => (file.endsWith('views.py') && q === 'BookListView.get' ? 7 : undefined) });
    assert.equal(p.names, 'python');
    const byName = new Map(p.rows.map((r) => [r.fn, r]));
    assert.deepEqual(byName.get('catalog/views.py:BookListView.get'), { fn: 'catalog/views.py:BookListView.get', inclusive: Math.round(8001 / 2), self: undefined, calls: 0, kind: 'app', package: undefined, file: 'catalog/views.py', line: 7 });
    const orm = byName.get('django/db/models/query.py:ModelIterable.__iter__')!;
    // 40 + 2 calls (the nested level included); inclusive of the outer level only (40 + 3960), not + the nested 500.
    assert.equal(orm.calls, 21);
    assert.equal(orm.inclusive, 2000);
    assert.equal(orm.kind, 'library');
    assert.equal(orm.package, 'django');
    assert.deepEqual(byName.get(OUTSIDE_PYTHON), { fn: OUTSIDE_PYTHON, inclusive: Math.round((10000 - 8001) / 2), self: undefined, calls: undefined, kind: 'interpreter' });
    assert.ok(![...byName.keys()].some((k) => k.includes('_PyEval')), 'the interpreter\'s C functions are one row');
  });
  it('without one: native functions, one row per symbol whatever its recursion level, named without build paths', () => {
    const p = buildProfile(g, { requests: 1, appRoots: ['/srv/app'], limit: 10 });
    assert.equal(p.names, 'c');
    const evalRow = p.rows.find((r) => r.fn === '_PyEval_EvalFrameDefault [libpython3.12.so.1.0]')!;
    assert.equal(evalRow.self, 450 + 70);
    assert.equal(evalRow.inclusive, 450 + 4000, "the outermost level's own cost and calls");
    assert.equal(evalRow.calls, 1 + 40 + 2);
    assert.equal(p.rows.filter((r) => r.fn.startsWith('_PyEval_EvalFrameDefault')).length, 1);
    assert.ok(p.rows.every((r) => !r.fn.includes('python-build') && !r.fn.startsWith('0x')), p.rows.map((r) => r.fn).join('\n'));
  });
});

describe('names', () => {
  it('places a Python file in the repository, an installed package or the standard library', () => {
    assert.deepEqual(pythonLocation('/srv/app/catalog/views.py', ['/srv/app']), { kind: 'app', path: 'catalog/views.py' });
    assert.deepEqual(pythonLocation('/v/lib/python3.12/site-packages/django/db/models/query.py', ['/srv/app']), { kind: 'library', path: 'django/db/models/query.py', package: 'django' });
    assert.deepEqual(pythonLocation('/usr/lib/python3/dist-packages/six.py', []), { kind: 'library', path: 'six.py', package: 'six' });
    assert.deepEqual(pythonLocation('/root/.pyenv/versions/3.12.1/lib/python3.12/json/decoder.py', ['/srv/app']), { kind: 'stdlib', path: 'json/decoder.py' });
    assert.deepEqual(pythonLocation('<frozen importlib._bootstrap>', ['/srv/app']), { kind: 'stdlib', path: '<frozen importlib._bootstrap>' });
    // A venv inside the repository is still a package.
    assert.equal(pythonLocation('/srv/app/.venv/lib/python3.12/site-packages/flask/app.py', ['/srv/app']).kind, 'library');
  });
  it('a native function: no recursion level, its object without a path', () => {
    assert.equal(nativeFunctionName("_PyFunction_Vectorcall'2", '/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0'), '_PyFunction_Vectorcall [libpython3.11.so.1.0]');
    assert.equal(nativeFunctionName('crc32_z', '???'), 'crc32_z');
  });
  it('tells the Python of a worker from its mapped files', () => {
    assert.equal(pythonVersionInMaps('7f0 r-xp 00000000 08:01 1 /root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0\n'), '3.12');
    assert.equal(pythonVersionInMaps('55 r-xp 0 08:01 2 /usr/bin/python3.11\n7f r-xp 0 08:01 3 /usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so\n'), '3.11');
    assert.equal(pythonVersionInMaps('55 r-xp 0 08:01 2 /usr/bin/node\n'), undefined);
    assert.deepEqual(['3.11', '3.12', '3.13', '4.0', undefined].map(hasPerfTrampoline), [false, true, true, true, false]);
  });
});

describe('definitionLine', () => {
  const src = [
    'import os', //1
    '', //2
    'class A:', //3
    '    def get_queryset(self):', //4
    '        return 1', //5
    '', //6
    'class BookListView(A):', //7
    '    """Lists books."""', //8
    '    @property', //9
    '    def get_queryset(self):', //10
    '        def helper():', //11
    '            return [x for x in range(3)]', //12
    '        return helper()', //13
    '', //14
    'async def view(request):', //15
    '    pass', //16
    'def get_queryset():', //17
    '    pass', //18
  ].join('\n');
  it('follows the nesting of classes and functions', () => {
    assert.equal(definitionLine(src, 'BookListView.get_queryset'), 10);
    assert.equal(definitionLine(src, 'A.get_queryset'), 4);
    assert.equal(definitionLine(src, 'get_queryset'), 17);
    assert.equal(definitionLine(src, 'view'), 15);
    assert.equal(definitionLine(src, 'BookListView.get_queryset.<locals>.helper'), 11);
  });
  it('a comprehension or lambda links to the function that holds it; the module to line 1; an unknown name to none', () => {
    assert.equal(definitionLine(src, 'BookListView.get_queryset.<locals>.helper.<locals>.<listcomp>'), 11);
    assert.equal(definitionLine(src, '<module>'), 1);
    assert.equal(definitionLine(src, 'B.get_queryset'), undefined);
  });
});

describe('functionTable', () => {
  const cost = (fn: string, inclusive: number, extra: Partial<FunctionCost> = {}): FunctionCost => ({ fn, inclusive, kind: 'library', package: fn.split('/')[0], ...extra });
  const before = [
    cost('gunicorn/workers/sync.py:SyncWorker.accept', 10_000),
    cost('gunicorn/workers/sync.py:SyncWorker.handle', 9_000),
    cost('django/core/handlers/base.py:BaseHandler.get_response', 8_000),
    cost('catalog/views.py:BookListView.get', 6_000, { kind: 'app', file: 'catalog/views.py', line: 12, calls: 1 }),
    cost('django/db/models/sql/compiler.py:SQLCompiler.execute_sql', 1_000, { calls: 1 }),
    cost('django/utils/html.py:escape', 300, { calls: 40 }),
    cost(OUTSIDE_PYTHON, 500, { kind: 'interpreter', package: undefined }),
  ];
  const after = [
    cost('gunicorn/workers/sync.py:SyncWorker.accept', 30_000),
    cost('gunicorn/workers/sync.py:SyncWorker.handle', 29_000),
    cost('django/core/handlers/base.py:BaseHandler.get_response', 28_000),
    cost('catalog/views.py:BookListView.get', 26_000, { kind: 'app', file: 'catalog/views.py', line: 14, calls: 1 }),
    cost('django/db/models/sql/compiler.py:SQLCompiler.execute_sql', 15_000, { calls: 41 }),
    cost('django/utils/html.py:escape', 300, { calls: 40 }),
    cost(OUTSIDE_PYTHON, 700, { kind: 'interpreter', package: undefined }),
  ];
  it('folds callers that passed the same change through, leaves out the trunk and unchanged functions, app first, interpreter last', () => {
    const t = functionTable(before, after, (file, line) => `https://x/blob/s/${file}#L${line}`);
    assert.deepEqual(
      t.rows.map((r) => [r.fn, r.callers ?? 0]),
      [
        ['catalog/views.py:BookListView.get', 1],
        ['django/db/models/sql/compiler.py:SQLCompiler.execute_sql', 0],
        [OUTSIDE_PYTHON, 0],
      ],
    );
    assert.equal(t.rows[0]!.link, 'https://x/blob/s/catalog/views.py#L14', "the head's line");
    assert.deepEqual([t.rows[1]!.callsBefore, t.rows[1]!.callsAfter], [1, 41]);
    assert.equal(t.folded, 0);
  });
  it('shows at most the limit, the largest changes, and counts the rest', () => {
    const many = (k: number) => [cost('lib/main.py:main', 1e6), ...Array.from({ length: 30 }, (_, i) => cost(`lib/m.py:f${i}`, 100 + i * 37 * k))];
    const t = functionTable(many(1), many(2), undefined, 15);
    assert.equal(t.rows.length, 15);
    assert.equal(t.folded, 14, '29 changed (f0 did not), 15 shown');
    assert.equal(t.rows[0]!.fn, 'lib/m.py:f29');
  });
  it('renders a row a person reads: link, where, calls before -> after, no HTML from names', () => {
    const t = functionTable(before, after, (file, line) => `https://github.com/o/r/blob/abc/${file}#L${line}`);
    const r: InstructionsResult = {
      status: 'measured',
      valgrind: 'valgrind-3.19.0',
      verdict: 'regressed',
      measurements: [{ target: 'head', scenario: '/', perRequest: [1, 1, 1], requestsPerWindow: 10, warmupRequests: 20, seconds: 9, profileSeconds: 7 }],
      comparisons: [{ scenario: '/', target: 'head', baseline: 1, candidate: 2, changePct: 100, thresholdPct: 0.5, verdict: 'regressed', reason: 'r', functions: t.rows, functionsFolded: 3, functionNames: 'python' }],
    };
    const md = renderInstructions(r);
    assert.match(md, /\(Python functions, inclusive instructions per request, largest changes\)/);
    assert.match(md, /\| <a href="https:\/\/github.com\/o\/r\/blob\/abc\/catalog\/views.py#L14"><code>catalog\/views.py:BookListView.get<\/code><\/a> <sub>and 1 caller with the same change<\/sub> \| this repository \| 6.0k \| 26.0k \|/);
    assert.match(md, /<code>django\/db\/models\/sql\/compiler.py:SQLCompiler.execute\\_sql<\/code> \| django \| 1.0k \| 15.0k \| \+1400.0% \(\+14.0k\) \| 1 → 41 \|/);
    assert.match(md, /\| <i>interpreter, no Python frame<\/i> \| — \|/);
    assert.match(md, /3 more changed functions with smaller changes not shown\./);
    assert.match(md, /Profiling cost: 7 s\./);
    assert.doesNotMatch(md, /on Python 3\.12 and newer/);
  });
});

describe('functionTable: the app first', () => {
  it("the app's own changed function is shown even when libraries changed far more", () => {
    const lib = (i: number, v: number): FunctionCost => ({ fn: `django/m${i}.py:f`, inclusive: v, kind: 'library', package: 'django' });
    const before = [{ fn: 'gunicorn/a.py:run', inclusive: 1e7, kind: 'library' as const }, ...Array.from({ length: 20 }, (_, i) => lib(i, 1000 * (i + 1))), { fn: 'catalog/views.py:BookListView.get_queryset', inclusive: 900, kind: 'app' as const }];
    const after = [{ fn: 'gunicorn/a.py:run', inclusive: 1e7, kind: 'library' as const }, ...Array.from({ length: 20 }, (_, i) => lib(i, 1000 * (i + 1) * 3)), { fn: 'catalog/views.py:BookListView.get_queryset', inclusive: 700, kind: 'app' as const }];
    const t = functionTable(before, after, undefined, 15);
    assert.equal(t.rows[0]!.fn, 'catalog/views.py:BookListView.get_queryset');
    assert.equal(t.rows.length, 15);
    assert.equal(t.folded, 6);
  });
});

describe('functionTable: wobble and cut profiles', () => {
  const f = (fn: string, inclusive: number, kind: FunctionCost['kind'] = 'library'): FunctionCost => ({ fn, inclusive, kind });
  it("leaves out changes under 1% of the largest, except the app's own that changed by 5% or more of itself", () => {
    const before = [f('g/a.py:run', 1e7), f('shop/app.py:price', 2_000_000, 'app'), f('shop/app.py:names', 635_200, 'app'), f('g/h.py:parse', 86_300), f('shop/app.py:small', 2_000, 'app')];
    const after = [f('g/a.py:run', 1e7), f('shop/app.py:price', 2_100_000, 'app'), f('shop/app.py:names', 635_000, 'app'), f('g/h.py:parse', 85_800), f('shop/app.py:small', 1_000, 'app')];
    assert.deepEqual(functionTable(before, after).rows.map((r) => r.fn), ['shop/app.py:price', 'shop/app.py:small']);
  });
  it('a function absent from a profile cut at its limit is below that profile\'s smallest, not 0', () => {
    const before = [f('g/a.py:run', 1e7), f('d/q.py:get', 5_000), f('d/x.py:small', 1_000)];
    const after = [f('g/a.py:run', 1e7), f('d/q.py:get', 9_000), f('d/y.py:big', 50_000)];
    // Cut at 3 rows: x (1k) may be below the head's smallest (9k): unknown, left out; y (50k) is far above the base's smallest: new.
    assert.deepEqual(functionTable(before, after, undefined, 15, 3).rows.map((r) => r.fn).sort(), ['d/q.py:get', 'd/y.py:big']);
    assert.deepEqual(functionTable(before, after).rows.map((r) => r.fn).sort(), ['d/q.py:get', 'd/x.py:small', 'd/y.py:big']);
  });
});
