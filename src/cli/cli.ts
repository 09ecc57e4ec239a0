// Local command line over the same pipeline, to reproduce a CI result on a laptop.
//   wsgi-perf-gate run --command "gunicorn app:app -b 127.0.0.1:8000" [--path /] [--rounds 5] [--json out.json]
//   wsgi-perf-gate shootout --app app:app [--servers gunicorn,uwsgi,...] [--sweep-workers 1,2,4]
//   wsgi-perf-gate compare BASE.json HEAD.json
//   wsgi-perf-gate history --changes [--branch perf-data] [--repo .] | [--file index.json]
// Every action input a local run can use is also a flag of `run` (src/cli/flags.ts).
// Exit status: 0 pass/improved/inconclusive, 1 regressed, 2 bad input or failure to measure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { compare } from '../gate/compare.js';
import { incomparableRun, measuredAsOf, type MeasuredAs } from '../gate/comparability.js';
import { readConfig } from '../config/config.js';
import { ConfigError, errorMessage } from '../errors.js';
import { runGate } from '../pipeline/pipeline.js';
import { changesOfFile, formatChanges, readBranchIndex } from '../changes/historyCommand.js';
import { indexChanges } from '../changes/fromIndex.js';
import { platformRefusal } from '../action/platform.js';
import { stepOutcome } from '../action/stepOutcome.js';
import { RUN_FLAGS, runFlagsHelp } from './flags.js';
import { renderSummary } from '../report/summary.js';
import type { RunResult, Sample } from '../types.js';


const USAGE = `Usage:
  wsgi-perf-gate run --command "gunicorn app:app -b 127.0.0.1:8000" [--url http://127.0.0.1:8000] [--path /]
                     [--rounds 5] [--duration-seconds 10] [--baseline-file base.json] [--record true] [--json out.json]
  wsgi-perf-gate run --server gunicorn --app app:app [--workers 5] ...
  wsgi-perf-gate shootout --app app:app [--servers gunicorn,gunicorn-gthread,uwsgi,waitress] [--workers 3] ...
  wsgi-perf-gate shootout --app app:app --server gunicorn --sweep-workers 1,2,3,5,8 ...
  wsgi-perf-gate compare BASE.json HEAD.json
  wsgi-perf-gate history --changes [--branch perf-data] [--repo .]   change points and creep on a data branch
  wsgi-perf-gate history --changes --file index.json|baseline.json

Every input of the GitHub Action that a local run can use is a flag of \`run\` and \`shootout\`
(the PR comment, data branch and shard inputs are not). Exit status: 0 pass, improved or
inconclusive (or a regression with --fail-on-regression false); 1 regressed; 2 bad input or a
failure to measure.

Flags of run (from action.yml):
${runFlagsHelp()}`;

const stderrLog = {
  info: (m: string) => process.stderr.write(`${m}\n`),
  warning: (m: string) => process.stderr.write(`warning: ${m}\n`),
};

/** The action's rule: a regression (performance or hardening) fails unless fail-on-regression is false. */
function historyCommand(argv: string[]): number {
  const { values } = parseArgs({ args: argv, strict: true, options: { changes: { type: 'boolean' }, branch: { type: 'string' }, repo: { type: 'string' }, file: { type: 'string' } } });
  if (!values.changes) throw new ConfigError('history needs --changes (the change points and creep of a data branch or file).');
  if (values.file && values.branch) throw new ConfigError('history --changes takes --branch or --file, not both.');
  const groups = values.file ? changesOfFile(values.file) : indexChanges(readBranchIndex(values.repo ?? process.cwd(), values.branch ?? 'perf-data'));
  process.stdout.write(formatChanges(groups));
  return 0;
}

function exitCodeFor(result: RunResult, failOnRegression = true): number {
  const outcome = stepOutcome(result, failOnRegression);
  for (const w of outcome.warnings) stderrLog.warning(w);
  return outcome.failures.length ? 1 : 0;
}

const SHOOTOUT_FILE = '<shootout targets>';

/**
 * `shootout` is `run` over several presets of one app: its targets become a config file
 * (checked by the same schema as a user's) held in memory.
 */
function shootoutTargets(flags: Record<string, string | undefined>): string {
  if (!flags.app) throw new ConfigError('shootout needs --app: module:callable, a factory module:create_app() or a module (e.g. --app app:app).');
  const list = (value: string | undefined) => (value ? value.split(',').map((v) => v.trim()).filter(Boolean) : undefined);
  const sweep = list(flags['sweep-workers']);
  let targets: Array<Record<string, string | number>>;
  if (sweep) {
    const server = flags.server ?? 'gunicorn';
    targets = sweep.map((w) => {
      if (!/^\d+$/.test(w) || Number(w) < 1) throw new ConfigError(`--sweep-workers has ${JSON.stringify(w)}: expected whole numbers >= 1, e.g. 1,2,4,8.`);
      return { name: `${server} x${w}`, server, app: flags.app!, workers: Number(w) };
    });
  } else {
    const servers = list(flags.servers) ?? ['gunicorn', 'gunicorn-gthread', 'uwsgi', 'waitress'];
    targets = servers.map((server) => ({ name: server, server, app: flags.app!, ...(flags.workers ? { workers: Number(flags.workers) } : {}) }));
  }
  return JSON.stringify({ targets });
}

async function runCommand(argv: string[], shootout = false): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(RUN_FLAGS.map((f) => [f, { type: 'string' as const }])),
      json: { type: 'string' },
      ...(shootout ? { servers: { type: 'string' as const }, 'sweep-workers': { type: 'string' as const } } : {}),
    },
    strict: true,
    allowPositionals: false,
  });
  const flags = values as Record<string, string | undefined>;
  const targetsYaml = shootout ? shootoutTargets(flags) : undefined;
  const shootoutOnly = new Set(['server', 'app', 'workers', 'command', 'config']);
  const config = readConfig({
    getInput: (name) => {
      if (!targetsYaml) return flags[name] ?? '';
      if (name === 'config') return SHOOTOUT_FILE;
      if (name === 'compare-to') return flags[name] ?? 'none';
      return shootoutOnly.has(name) ? '' : (flags[name] ?? '');
    },
    readFile: (file) => {
      if (targetsYaml && file.endsWith(SHOOTOUT_FILE)) return targetsYaml;
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    },
    workspace: process.cwd(),
    cores: os.availableParallelism(),
    exists: existsSync,
  });
  const result = await runGate(config, {
    record: config.record === 'true',
    meta: { eventName: 'cli' },
    hooks: { log: stderrLog },
  });
  if (flags.json) writeFileSync(flags.json, JSON.stringify(result, null, 1) + '\n');
  process.stdout.write(renderSummary(result));
  return exitCodeFor(result, config.failOnRegression);
}

function readResults(file: string): RunResult {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot read a results file (${errorMessage(err)}); expected the JSON written by \`run --json\` or the action's results-file.`);
  }
  const r = doc as Partial<RunResult>;
  if (!Array.isArray(r.samples) || !r.settings?.scenarios || !r.settings.targets?.length) {
    throw new ConfigError(`${file}: not a wsgi-perf-gate results file (no samples/settings); expected the JSON written by \`run --json\`.`);
  }
  return r as RunResult;
}

function compareCommand(argv: string[]): number {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 2) throw new ConfigError(`compare needs two files, BASE.json and HEAD.json; got ${positionals.length}.`);
  const [base, head] = positionals.map(readResults) as [RunResult, RunResult];
  const headTarget = head.settings.targets[0]!.name;
  // The base run's first target stands for the baseline even when the two were named differently.
  const baseTarget = base.settings.targets[0]!.name;
  const baseSamples: Sample[] = base.samples.filter((s) => s.target === baseTarget).map((s) => ({ ...s, target: headTarget }));
  // The same rule as the baseline file and the data branch: a run measured differently is not compared.
  const incomparable = incomparableRun(measuredAsOf(head) as MeasuredAs, measuredAsOf(base));
  if (incomparable) process.stderr.write(`warning: ${positionals[0]}: ${incomparable}.\n`);
  const comparison = compare({
    scenarios: head.settings.scenarios,
    target: headTarget,
    candidate: head.samples,
    baseline: incomparable ? undefined : baseSamples,
    baselineScenarios: base.settings.scenarios,
    baselineInfo: incomparable ? undefined : { source: positionals[0]!, commit: base.meta?.commit, createdAt: base.meta?.createdAt },
    noBaselineNote: incomparable ? `${positionals[0]}: ${incomparable}.` : undefined,
    baselineExpected: true,
    confidence: head.settings.confidence,
  });
  const result: RunResult = { ...head, comparison, verdict: comparison.verdict };
  process.stdout.write(renderSummary(result));
  return exitCodeFor(result);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'run' || command === 'shootout') {
      // `compare` reads two files and runs anywhere; measuring needs Linux.
      const refusal = platformRefusal(process.platform, 'cli');
      if (refusal) throw new ConfigError(refusal);
      return await runCommand(rest, command === 'shootout');
    }
    if (command === 'compare') return compareCommand(rest);
    if (command === 'history') return historyCommand(rest);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    throw new ConfigError(`Unknown command ${JSON.stringify(command)}: expected "run", "shootout", "compare" or "history".`);
  } catch (err) {
    process.stderr.write(`wsgi-perf-gate: ${errorMessage(err)}\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
