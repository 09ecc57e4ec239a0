// Sharding a gate over a matrix: the assignment of scenarios to shards (pure), the `shard`
// input, and the merge of the shards' results files into one verdict (pure).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignShards, expectedSeconds, parseShard, scenariosOfShard } from '../src/shards/shards.js';
import { checkShards, mergeShards } from '../src/shards/mergeShards.js';
import { readConfig } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';
import { renderSummary } from '../src/report/summary.js';
import { configIdentity, parseShardFile, SHARD_KIND, type LoadedShard, type ShardFile } from '../src/store/shardFile.js';
import { FINGERPRINT, SCENARIO, runAt } from './helpers/records.js';
import type { Fingerprint, MetricComparison, RunResult, Verdict } from '../src/types.js';

const TIMING = { warmupSeconds: 1, rounds: 5, targets: 2 };
const named = (n: number, duration = (_: number) => 1) => Array.from({ length: n }, (_, i) => ({ name: `s${String(i + 1).padStart(2, '0')}`, durationSeconds: duration(i) }));

function throwsConfig(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ConfigError && message.test(err.message), `expected a ConfigError matching ${message}`);
}

describe('parseShard', () => {
  it('reads K/N, 1-based', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  });
  it('refuses anything else with the input, the value and the expected form', () => {
    for (const bad of ['0/4', '5/4', '2', '2/0', 'a/b', '1.5/3', '-1/3', '2/4/6', '']) {
      throwsConfig(() => parseShard(bad), new RegExp(`^Input \`shard\` is ${JSON.stringify(bad).replace(/[/.]/g, '\\$&')}: expected K/N with whole numbers 1 <= K <= N \\(1-based`));
    }
    throwsConfig(() => parseShard('1/1000'), /N <= 256/);
  });
});

describe('assignShards', () => {
  it('gives the same assignment twice, and the same whatever the order of the scenarios in the file', () => {
    const scenarios = named(12, (i) => [1, 2, 0.5][i % 3]!);
    const a = assignShards(scenarios, 4, TIMING);
    assert.deepEqual(assignShards(scenarios, 4, TIMING), a);
    const shuffled = [...scenarios].reverse();
    const b = assignShards(shuffled, 4, TIMING);
    assert.deepEqual(b.shards.map((s) => [...s].sort()), a.shards.map((s) => [...s].sort()));
  });

  it('puts every scenario in exactly one shard, for every N up to the number of scenarios', () => {
    for (const total of [1, 2, 5, 12, 17]) {
      const scenarios = named(total, (i) => 0.5 + ((i * 7) % 5));
      for (let n = 1; n <= total; n++) {
        const { shards } = assignShards(scenarios, n, TIMING);
        assert.equal(shards.length, n);
        const all = shards.flat();
        assert.equal(all.length, total, `N=${n} of ${total}: each scenario once`);
        assert.deepEqual([...all].sort(), scenarios.map((s) => s.name).sort());
        for (const [i, s] of shards.entries()) assert.ok(s.length >= 1, `N=${n} of ${total}: shard ${i + 1} is empty`);
        // Union over K of scenariosOfShard is the same partition.
        const viaShard = Array.from({ length: n }, (_, k) => scenariosOfShard(scenarios, { index: k + 1, count: n }, TIMING).map((s) => s.name));
        assert.deepEqual(viaShard, shards);
      }
    }
  });

  it('refuses more shards than scenarios with a clear error', () => {
    throwsConfig(() => assignShards(named(3), 4, TIMING), /asks for 4 shards but the config has 3 scenario\(s\): expected at most 3 shards/);
  });

  it('balances by expected time: longest first, each to the least loaded shard', () => {
    // Expected seconds 1 + 5 x d x 2: durations 6, 5, 4, 3, 2, 1 -> 61, 51, 41, 31, 21, 11.
    const scenarios = [6, 5, 4, 3, 2, 1].map((d, i) => ({ name: `x${i}`, durationSeconds: d }));
    assert.equal(expectedSeconds(scenarios[0]!, TIMING), 61);
    const { shards, seconds } = assignShards(scenarios, 2, TIMING);
    // LPT: 61->A, 51->B, 41->B (51<61), 31->A, 21->B? A=92, B=92 -> A (lowest index); 11 -> B.
    assert.deepEqual(shards, [['x0', 'x3', 'x4'], ['x1', 'x2', 'x5']]);
    assert.deepEqual(seconds, [113, 103]);
    // 12 equal scenarios over 4 shards: 3 each.
    assert.deepEqual(assignShards(named(12), 4, TIMING).shards.map((s) => s.length), [3, 3, 3, 3]);
  });

  it('ties are broken by name, not by the order of the file', () => {
    const { shards } = assignShards([{ name: 'b', durationSeconds: 1 }, { name: 'a', durationSeconds: 1 }, { name: 'c', durationSeconds: 1 }], 2, TIMING);
    assert.deepEqual(shards, [['a', 'c'], ['b']]);
  });
});

describe('readConfig with `shard`', () => {
  const FILE = { '/ws/.github/perf-gate.yml': 'scenarios:\n  - { name: a, path: /a }\n  - { name: b, path: /b }\n' };
  const read = (inputs: Record<string, string>) => readConfig({ getInput: (n) => inputs[n] ?? '', readFile: (f) => FILE[f as keyof typeof FILE], workspace: '/ws', cores: 2 });
  const CMD = { command: 'gunicorn app:app -b 127.0.0.1:8000' };

  it('keeps every scenario and the spec; a shard does not record or fail unless asked', () => {
    const c = read({ ...CMD, shard: '2/2' });
    assert.deepEqual(c.shard, { index: 2, count: 2 });
    assert.equal(c.scenarios.length, 2);
    assert.equal(c.record, 'false');
    assert.equal(c.failOnRegression, false);
    assert.equal(read({ ...CMD, shard: '1/2', 'fail-on-regression': 'true' }).failOnRegression, true);
    assert.equal(read(CMD).failOnRegression, true, 'a run without shard still fails by default');
  });
  it('every shard of one gate has the same configuration identity; another setting changes it', () => {
    const id = (inputs: Record<string, string>) => configIdentity(read({ ...CMD, ...inputs }));
    assert.equal(id({ shard: '1/2' }), id({ shard: '2/2' }));
    assert.equal(id({ shard: '1/2', 'fail-on-regression': 'true' }), id({ shard: '2/2' }), 'what a shard reports is not what it measures');
    assert.notEqual(id({ shard: '1/2', rounds: '7' }), id({ shard: '2/2' }));
    assert.notEqual(id({ shard: '1/2', 'max-rps-drop-pct': '3' }), id({ shard: '2/2' }));
    assert.notEqual(id({ shard: '1/1' }), id({ shard: '1/2' }), 'another shard count');
  });
  it('more shards than scenarios, a bad value, record: true: clear errors before anything starts', () => {
    throwsConfig(() => read({ ...CMD, shard: '1/3' }), /^Input `shard` asks for 3 shards but the config has 2 scenario\(s\)/);
    throwsConfig(() => read({ ...CMD, shard: 'two' }), /^Input `shard` is "two": expected K\/N/);
    throwsConfig(() => read({ ...CMD, shard: '1/2', record: 'true' }), /^Input `record` is "true": expected auto or false with `shard`/);
  });
});

// --- merging ---------------------------------------------------------------------------

const COMMIT = 'c'.repeat(40);
const FP2: Fingerprint = { ...FINGERPRINT, cpuModel: 'Other CPU 9000' };

function metric(verdict: Verdict, reason: string): MetricComparison {
  return { metric: 'rps', candidate: 1000, baseline: 1000, changePct: verdict === 'regressed' ? -20 : 0, verdict, gating: true, reason };
}

/** A shard's run: one scenario per name, each with the given verdict. */
function shardResult(scenarios: Array<[string, Verdict]>, createdAt: string): RunResult {
  const run = runAt(COMMIT, 1000, 5, createdAt);
  return {
    ...run,
    settings: { ...run.settings, scenarios: scenarios.map(([name]) => ({ ...SCENARIO, name, path: `/${name}` })) },
    samples: scenarios.flatMap(([name]) => run.samples.map((s) => ({ ...s, scenario: name }))),
    comparison: {
      scenarios: scenarios.map(([name, v]) => ({ scenario: name, target: 'app', metrics: [metric(v, `${name}: rps ${v}`)], verdict: v, excludedTrials: [], warnings: [] })),
      verdict: 'pass',
    },
  };
}

function shardFile(index: number, count: number, scenarios: Array<[string, Verdict]>, over: Partial<ShardFile> = {}): LoadedShard {
  const file: ShardFile = {
    kind: SHARD_KIND,
    schemaVersion: 1,
    shard: { index, count },
    commit: COMMIT,
    createdAt: `2026-01-01T00:00:0${index}.000Z`,
    configIdentity: 'id0000000000',
    scenarioOrder: ['a', 'b', 'c', 'd'],
    scenarios: scenarios.map(([n]) => n),
    runner: { fingerprint: FINGERPRINT, fingerprintHash: 'fp1111111111', historyConfigHash: 'cf2222222222' },
    result: shardResult(scenarios, `2026-01-01T00:00:0${index}.000Z`),
    ...over,
  };
  return { file: `shard-${index}-of-${count}.json`, ok: true, shard: file };
}

const THREE = () => [shardFile(2, 3, [['b', 'pass']]), shardFile(1, 3, [['a', 'pass'], ['d', 'pass']]), shardFile(3, 3, [['c', 'pass']])];

describe('mergeShards', () => {
  it('merges three shards into one result in the config order, each scenario naming its shard and runner', () => {
    const out = mergeShards(THREE(), { commit: COMMIT, dir: '/shards' });
    assert.ok(out.ok, JSON.stringify(!out.ok && out.problems));
    assert.deepEqual(out.result.comparison.scenarios.map((s) => s.scenario), ['a', 'b', 'c', 'd']);
    assert.deepEqual(out.result.settings.scenarios.map((s) => s.name), ['a', 'b', 'c', 'd']);
    assert.equal(out.result.samples.length, 4 * 3);
    assert.equal(out.result.verdict, 'pass');
    assert.match(out.result.comparison.scenarios[1]!.measuredBy!, /^shard 2\/3 on runner fp1111111111 \(Test CPU 3000 × 2, linux\/x64, Python 3\.11\.2, gunicorn \(version 20\.1\.0\)\)$/);
    assert.equal(out.records.length, 1, 'one runner class: one record');
    assert.deepEqual(out.records[0]!.shards, ['1/3', '2/3', '3/3']);
    assert.equal(out.records[0]!.samples.length, 12);
    assert.equal(out.result.meta.createdAt, '2026-01-01T00:00:03.000Z');
    const summary = renderSummary(out.result);
    assert.match(summary, /### b \(GET \/b\) — ✅ pass\n\nMeasured by shard 2\/3 on runner fp1111111111 \(Test CPU 3000 × 2, linux\/x64, Python 3\.11\.2, gunicorn \(version 20\.1\.0\)\)\.\n/);
  });

  it('a regression in one shard makes the merged verdict regressed; each scenario keeps its own pairing', () => {
    const shards = THREE();
    shards[2] = shardFile(3, 3, [['c', 'regressed']]);
    const out = mergeShards(shards, { commit: COMMIT, dir: '/shards' });
    assert.ok(out.ok);
    assert.equal(out.result.verdict, 'regressed');
    assert.deepEqual(out.result.comparison.scenarios.map((s) => s.verdict), ['pass', 'pass', 'regressed', 'pass']);
  });

  it('the exact counts of every shard are kept: an instructions or queries regression in one shard fails the merge', () => {
    const withCounts = (loaded: LoadedShard, scenario: string, instructions: Verdict, queries: Verdict): LoadedShard => {
      if (!loaded.ok) return loaded;
      const result = loaded.shard.result!;
      const counted = (verdict: Verdict) => ({ scenario, target: 'app', candidate: 100, baseline: 100, verdict, reason: `${scenario}: ${verdict}` });
      return {
        ...loaded,
        shard: {
          ...loaded.shard,
          result: {
            ...result,
            instructions: { status: 'measured', measurements: [], comparisons: [{ ...counted(instructions), thresholdPct: 0.5 }], verdict: instructions },
            queries: { status: 'measured', measurements: [], comparisons: [{ ...counted(queries), changed: [] }], threshold: { maxIncrease: 2, maxIncreasePct: 20 }, verdict: queries },
          },
        },
      };
    };
    const [b, ad, c] = THREE();
    const out = mergeShards([withCounts(b!, 'b', 'pass', 'regressed'), withCounts(ad!, 'a', 'pass', 'pass'), withCounts(c!, 'c', 'regressed', 'pass')], { commit: COMMIT, dir: '/shards' });
    assert.ok(out.ok);
    assert.equal(out.result.comparison.verdict, 'pass', 'the wall clock passed everywhere');
    assert.deepEqual(out.result.instructions!.comparisons.map((x) => [x.scenario, x.verdict]), [['a', 'pass'], ['b', 'pass'], ['c', 'regressed']]);
    assert.deepEqual(out.result.queries!.comparisons.map((x) => [x.scenario, x.verdict]), [['a', 'pass'], ['b', 'regressed'], ['c', 'pass']]);
    assert.equal(out.result.instructions!.verdict, 'regressed');
    assert.equal(out.result.queries!.verdict, 'regressed');
    assert.equal(out.result.verdict, 'regressed', 'as one job would have said');
    assert.deepEqual(out.records[0]!.instructions!.comparisons.map((x) => x.scenario), ['a', 'b', 'c'], 'and recorded with the samples');
    assert.deepEqual(out.records[0]!.queries!.comparisons.map((x) => x.scenario), ['a', 'b', 'c']);
    const uncounted = mergeShards(THREE(), { commit: COMMIT, dir: '/shards' });
    assert.ok(uncounted.ok);
    assert.equal(uncounted.result.instructions, undefined, 'no shard counted: none in the merge');
  });

  it('shards on two runner classes: one record per fingerprint, scenarios say which', () => {
    const shards = THREE();
    shards[0] = shardFile(2, 3, [['b', 'pass']], { runner: { fingerprint: FP2, fingerprintHash: 'fp9999999999', historyConfigHash: 'cf2222222222' } });
    const out = mergeShards(shards, { commit: COMMIT, dir: '/shards' });
    assert.ok(out.ok);
    assert.deepEqual(out.records.map((r) => [r.fingerprintHash, r.shards, r.samples.map((s) => s.scenario)]), [
      ['fp1111111111', ['1/3', '3/3'], ['a', 'a', 'a', 'd', 'd', 'd', 'c', 'c', 'c']],
      ['fp9999999999', ['2/3'], ['b', 'b', 'b']],
    ]);
    assert.match(out.result.comparison.scenarios[1]!.measuredBy!, /runner fp9999999999 \(Other CPU 9000/);
  });

  const problems = (loaded: LoadedShard[], commit = COMMIT) => {
    const out = mergeShards(loaded, { commit, dir: '/shards' });
    assert.equal(out.ok, false, 'the merge must refuse');
    return (out as { problems: string[] }).problems;
  };

  it('a missing shard is named', () => {
    assert.deepEqual(problems(THREE().filter((s) => s.ok && s.shard.shard.index !== 2)), [
      'shard 2/3 is missing: no results file from it in /shards (did its job stop before writing one, or not upload it? upload with `if: always()`).',
    ]);
  });
  it('a failed shard is named with its error', () => {
    const shards = THREE();
    shards[0] = shardFile(2, 3, [], { result: undefined, error: 'Target "app": the server exited with code 3 before it answered' });
    assert.deepEqual(problems(shards), ['shard 2/3 failed: Target "app": the server exited with code 3 before it answered']);
  });
  it('a shard from another commit, of another config, of another count, or twice is refused', () => {
    const other = THREE();
    other[1] = shardFile(1, 3, [['a', 'pass'], ['d', 'pass']], { commit: 'd'.repeat(40) });
    assert.match(problems(other).join('\n'), /^shard 1\/3 \(shard-1-of-3\.json\) measured commit dddddddddddd, not cccccccccccc that this run is for/);
    const config = THREE();
    config[2] = shardFile(3, 3, [['c', 'pass']], { configIdentity: 'id9999999999' });
    assert.match(problems(config).join('\n'), /shard 3\/3 \(shard-3-of-3\.json\) ran another configuration \(identity id9999999999\) than shard 2\/3 \(id0000000000\)/);
    const count = [...THREE(), shardFile(4, 4, [['a', 'pass']])];
    assert.match(problems(count).join('\n'), /shard 4\/4 \(shard-4-of-4\.json\) was one of 4 shards, but shard 2\/3 one of 3/);
    const twice = [...THREE(), { ...shardFile(3, 3, [['c', 'pass']]), file: 'again/shard-3-of-3.json' }];
    assert.match(problems(twice).join('\n'), /shard 3\/3 appears 2 times \(shard-3-of-3\.json, again\/shard-3-of-3\.json\)/);
  });
  it('no shard files at all, and unreadable files, are refused', () => {
    assert.match(problems([]).join(''), /^No shard results in \/shards/);
    const bad = parseShardFile('x.json', '{"kind": "wsgi-perf-gate/shard", "schemaVersion": 1}')!;
    assert.equal(bad.ok, false);
    assert.match(checkShards([bad, ...THREE()], { commit: COMMIT, dir: '/shards' }).problems.join(''), /^x\.json: not a shard results file \(shard: /);
    assert.equal(parseShardFile('results.json', '{"schemaVersion": 1}'), undefined, 'another JSON file is not a shard and is passed over');
  });
});
