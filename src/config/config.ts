// Reads every input and the YAML file once into one typed Config (the style of
// actions/checkout's input-helper). Pure: inputs and files come in through ConfigSources.
// Precedence, most specific last: built-in default < file top level < input < the file's
// per-scenario or per-target setting (a setting made for one scenario is the most specific).
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { parseConfigFile, type ConfigFile, type FileScenario, type FileTarget, type FileThresholds } from './configFile.js';
import { PRESETS, presetCommand, stopSignalForCommand, type PresetName } from '../server/presets.js';
import { APP_SPEC_FORMS, parseAppSpec } from '../server/appSpec.js';
import { assertLoopbackUrl } from './loopback.js';
import { assertDecidable } from './decidable.js';
import { MAX_USEFUL_ROUNDS, minRoundsToDecide } from '../stats/decidability.js';
import { roundsForBudget, secondsPerRound, setupSeconds } from '../plan/sequentialPlan.js';
import { assignShards, parseShard } from '../shards/shards.js';
import { readHardeningSettings } from '../hardening/settings.js';
import { readWatchSettings } from '../changes/settings.js';
import type { CommentMode, CompareTo, Config, InstructionsSettings, QueriesSettings, HttpMethod, RecordMode, Scenario, Target, Thresholds } from '../types.js';

export const DEFAULTS = {
  url: 'http://127.0.0.1:8000',
  readyPath: '/',
  readyTimeoutSeconds: 60,
  path: '/',
  configFile: '.github/perf-gate.yml',
  connections: 16,
  durationSeconds: 10,
  warmupSeconds: 3,
  rounds: 5,
  timeoutSeconds: 10,
  compareTo: 'stored' as CompareTo,
  baselineBranch: 'perf-data',
  historyKeepRuns: 100,
  record: 'auto' as RecordMode,
  confidence: 0.99,
  comment: 'auto' as CommentMode,
  python: 'python3',
  /** Instructions per request (docs/instructions.md, bench/instructions.ts): 20 uncounted warm-up
   * requests, then 3 windows of as many requests as fit in ~6 s each: <= 30 s per side for an app
   * of 10 ms CPU per request. 0.5%: boots of the same code differ by <0.1%, and a 1% change
   * (which reads 0.97% for 1% injected work) must fail. */
  instructions: { mode: 'auto', maxIncreasePct: 0.5, warmupRequests: 20, windows: 3, requestsPerWindow: 'auto' } as InstructionsSettings,
  /** Queries per request (docs/queries.md): counts are exact, so a short pass does. Fails from +2
   * queries per request and +20%: an N+1 over a page of rows fails, one deliberate extra query passes. */
  queries: { mode: 'auto', maxIncrease: 2, maxIncreasePct: 20, warmupRequests: 5, requests: 20 } as QueriesSettings,
  thresholds: { maxRpsDropPct: 5, maxP99IncreasePct: 10, maxErrorRatePct: 0.1, maxMemoryIncreasePct: 10 } as Thresholds,
};

/**
 * compare-to: base judges per-round ratios, so many short rounds beat a few long ones at the
 * same cost (bench/gate-quality-pool.ts): 0.5 s trials unless `duration-seconds` is given, and
 * as many rounds as fit the time budget unless `rounds` is given.
 */
export const PAIRED_DEFAULTS = { durationSeconds: 0.5 };

/**
 * compare-to: base without `rounds`: the time one measurement (boot, warmup, rounds) may take.
 * Today's default paired gate took 77-84 s to measure and 145-165 s with a confirmation run
 * (docs/how-sure.md); 3 minutes fits 128 rounds of 2 x 0.5 s, looked at after 20, 40,
 * 60 and 90, so an unchanged pull request on a quiet runner usually stops at 40-60 rounds.
 */
export const DEFAULT_TIME_BUDGET_MINUTES = 3;

export interface ConfigSources {
  /** The value of an input, '' when it was not given. */
  getInput(name: string): string;
  /** A file's text, or undefined when it does not exist. */
  readFile(file: string): string | undefined;
  /** Directory that relative paths are resolved against (the workspace). */
  workspace: string;
  cores: number;
  /** Whether a file exists (a virtualenv's own server program); readFile is asked when not given. */
  exists?(file: string): boolean;
}

export function invalid(name: string, value: string, expected: string): ConfigError {
  return new ConfigError(`Input \`${name}\` is ${JSON.stringify(value)}: expected ${expected}.`);
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  below?: number;
  expected: string;
}

export function parseNumber(name: string, value: string, rule: NumberRule): number {
  const n = value.trim() === '' ? NaN : Number(value.trim());
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.above === undefined || n > rule.above) &&
    (rule.below === undefined || n < rule.below);
  if (!ok) throw invalid(name, value, rule.expected);
  return n;
}

export function parseChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(v)) throw invalid(name, value, `one of ${choices.join(', ')}`);
  return v as T;
}

export function parseBool(name: string, value: string): boolean {
  return parseChoice(name, value, ['true', 'false'] as const) === 'true';
}

const SECONDS: NumberRule = { above: 0, expected: 'a positive number of seconds (e.g. 10)' };
const PCT: NumberRule = { min: 0, expected: 'a percentage, a number >= 0 (e.g. 5)' };

export function readConfig(src: ConfigSources): Config {
  const input = (name: string) => src.getInput(name).trim();
  const given = (name: string) => input(name) !== '';
  const num = (name: string, rule: NumberRule) => (given(name) ? parseNumber(name, input(name), rule) : undefined);

  // Inputs first: every bad input fails here, before anything is started.
  const connections = num('connections', { integer: true, min: 1, expected: 'a whole number of connections >= 1 (e.g. 16)' });
  const durationSeconds = num('duration-seconds', SECONDS);
  const warmupSeconds = num('warmup-seconds', { min: 0, expected: 'a number of seconds >= 0 (e.g. 3)' });
  const rounds = num('rounds', { integer: true, min: 1, expected: 'a whole number of rounds >= 1 (e.g. 5)' });
  const timeBudgetMinutes = num('time-budget-minutes', { above: 0, expected: 'a positive number of minutes (e.g. 3)' });
  const readyTimeoutSeconds = num('ready-timeout-seconds', SECONDS);
  const workers = num('workers', { integer: true, min: 1, expected: 'a whole number of worker processes >= 1' });
  const historyKeepRuns = num('history-keep-runs', { integer: true, min: 1, expected: 'a whole number of runs >= 1 kept per runner on the data branch (e.g. 100)' });
  const confidence = num('confidence', { above: 0.5, below: 1, expected: 'a probability between 0.5 and 1 (e.g. 0.99)' });
  const inputThresholds: Partial<Thresholds> = {
    maxRpsDropPct: num('max-rps-drop-pct', PCT),
    maxP99IncreasePct: num('max-p99-increase-pct', PCT),
    maxErrorRatePct: num('max-error-rate-pct', PCT),
    maxMemoryIncreasePct: num('max-memory-increase-pct', PCT),
  };
  const instructionsMode = given('instructions') ? parseChoice('instructions', input('instructions'), ['auto', 'on', 'off', 'profile'] as const) : undefined;
  const maxInstructionsIncreasePct = num('max-instructions-increase-pct', PCT);
  const queriesMode = given('queries') ? parseChoice('queries', input('queries'), ['auto', 'on', 'off'] as const) : undefined;
  const maxQueriesIncrease = num('max-queries-increase', { min: 0, expected: 'a number of queries per request >= 0 (e.g. 2)' });
  const compareTo = given('compare-to') ? parseCompareTo(input('compare-to')) : DEFAULTS.compareTo;
  const record = given('record') ? parseChoice('record', input('record'), ['auto', 'true', 'false'] as const) : DEFAULTS.record;
  const comment = given('comment') ? parseChoice('comment', input('comment'), ['auto', 'always', 'never'] as const) : DEFAULTS.comment;
  // One shard of a sharded gate reports nothing on its own: the merge job does (docs/sharding.md).
  const shard = given('shard') ? parseShard(input('shard')) : undefined;
  if (shard && record === 'true') {
    throw invalid('record', input('record'), 'auto or false with `shard`: the merge job (mode: merge) records the whole sharded run as one record');
  }
  const failOnRegression = given('fail-on-regression') ? parseBool('fail-on-regression', input('fail-on-regression')) : !shard;
  // confirm, cpu-placement, allow-remote, history-keep-runs: config file settings, still read as inputs (inputs.ts).
  const confirmInput = given('confirm') ? parseBool('confirm', input('confirm')) : undefined;
  const cpuPlacementInput = given('cpu-placement') ? parseChoice('cpu-placement', input('cpu-placement'), ['auto', 'off'] as const) : undefined;
  const allowRemoteInput = given('allow-remote') ? parseBool('allow-remote', input('allow-remote')) : undefined;
  const readyPath = given('ready-path') ? parsePath('ready-path', input('ready-path')) : undefined;
  const scenarioPath = given('path') ? parsePath('path', input('path')) : DEFAULTS.path;
  const server = given('server') ? parseChoice('server', input('server'), PRESETS) : undefined;
  const baselineFile = given('baseline-file') ? path.resolve(src.workspace, input('baseline-file')) : undefined;

  const file = readFileConfig(src, given('config') ? input('config') : undefined);
  const hardening = readHardeningSettings(input('hardening'), file.config.hardening);
  const watch = readWatchSettings(input);
  const allowRemote = allowRemoteInput ?? file.config['allow-remote'] ?? false;

  const thresholds = mergeThresholds(DEFAULTS.thresholds, fromFileThresholds(file.config.thresholds), inputThresholds);
  const scenarioDefaults = {
    connections: connections ?? file.config.connections ?? DEFAULTS.connections,
    durationSeconds: durationSeconds ?? file.config['duration-seconds'] ?? (compareTo === 'base' ? PAIRED_DEFAULTS : DEFAULTS).durationSeconds,
  };
  const scenarios: Scenario[] = file.config.scenarios
    ? file.config.scenarios.map((s) => toScenario(s, scenarioDefaults, thresholds))
    : [
        {
          name: scenarioPath,
          method: 'GET',
          path: scenarioPath,
          headers: {},
          connections: scenarioDefaults.connections,
          durationSeconds: scenarioDefaults.durationSeconds,
          timeoutSeconds: DEFAULTS.timeoutSeconds,
          thresholds,
        },
      ];
  assertUnique('scenario', scenarios.map((s) => s.name));

  const targetDefaults: TargetDefaults = {
    workingDirectory: path.resolve(src.workspace, input('working-directory') || '.'),
    readyPath: readyPath ?? DEFAULTS.readyPath,
    readyTimeoutSeconds: readyTimeoutSeconds ?? DEFAULTS.readyTimeoutSeconds,
    python: input('python') || DEFAULTS.python,
    workers,
    cores: src.cores,
    exists: src.exists ?? ((file) => src.readFile(file) !== undefined),
  };
  let targets: Target[];
  const inputTarget = given('command') || server !== undefined || given('app');
  if (file.config.targets) {
    if (inputTarget) {
      throw new ConfigError(
        `Both the inputs (\`command\`/\`server\`) and the config file ${file.name} (\`targets\`) say which server to start: keep one of them.`,
      );
    }
    targets = file.config.targets.map((t) => toTarget(t, targetDefaults, src.workspace, file.config.targets!.length > 1));
  } else {
    targets = [
      singleTarget(
        { command: input('command'), server, app: input('app'), url: input('url') },
        targetDefaults,
      ),
    ];
  }
  assertUnique('target', targets.map((t) => t.name));
  if (compareTo === 'base') {
    if (targets.length > 1) throw new ConfigError('Input `compare-to` is "base" with several targets in the config file: paired mode compares one server setup across two commits; use one target.');
    // Base and head run at the same time, so neither may use a fixed port.
    if (!/\$\{?PORT\b/.test(targets[0]!.url)) {
      throw new ConfigError(
        `Input \`url\` is ${JSON.stringify(targets[0]!.url)}: compare-to "base" boots the base and the head side by side, so expected a URL with $PORT ` +
          '(e.g. http://127.0.0.1:$PORT) and a command that listens on $PORT.',
      );
    }
  }
  for (const t of targets) {
    assertLoopbackUrl(t.url, allowRemote, file.config.targets ? `targets[${t.name}].url` : 'url');
  }
  // More shards than scenarios is refused here, before anything starts.
  if (shard) assignShards(scenarios, shard.count, { warmupSeconds: 0, rounds: 1, targets: 1 });

  const finalConfidence = confidence ?? file.config.confidence ?? DEFAULTS.confidence;
  const finalWarmup = warmupSeconds ?? file.config['warmup-seconds'] ?? DEFAULTS.warmupSeconds;
  const roundsGiven = rounds ?? file.config.rounds;
  const budget = resolveBudget({
    minutes: timeBudgetMinutes ?? file.config['time-budget-minutes'],
    from: timeBudgetMinutes !== undefined ? 'Input `time-budget-minutes`' : `Config file ${file.name} \`time-budget-minutes\``,
    roundsGiven,
    compareTo,
    targets: compareTo === 'base' ? 2 : targets.length,
    scenarios,
    warmupSeconds: finalWarmup,
    confidence: finalConfidence,
  });
  const finalRounds = budget?.rounds ?? roundsGiven ?? DEFAULTS.rounds;
  // A gate that could never decide is refused now, not after minutes of load.
  if (compareTo !== 'none') {
    assertDecidable({
      rounds: finalRounds,
      confidence: finalConfidence,
      mode: compareTo === 'base' ? 'paired' : 'stored',
      compareTo,
      roundsFrom: rounds !== undefined ? 'Input `rounds`' : file.config.rounds !== undefined ? `Config file ${file.name} \`rounds\`` : undefined,
      confidenceFrom: confidence !== undefined ? 'Input `confidence`' : file.config.confidence !== undefined ? `Config file ${file.name} \`confidence\`` : undefined,
    });
  }

  return {
    targets,
    scenarios,
    warmupSeconds: finalWarmup,
    rounds: finalRounds,
    confidence: finalConfidence,
    timeBudgetMinutes: budget?.minutes,
    compareTo,
    baseRef: input('base-ref') || undefined,
    baseSetup: input('base-setup') || undefined,
    baselineFile,
    baselineBranch: parseBranch(input('baseline-branch') || DEFAULTS.baselineBranch),
    historyKeepRuns: historyKeepRuns ?? file.config['history-keep-runs'] ?? DEFAULTS.historyKeepRuns,
    record: shard ? 'false' : record,
    failOnRegression,
    confirm: confirmInput ?? file.config.confirm ?? true,
    comment,
    allowRemote,
    cpuPlacement: cpuPlacementInput ?? file.config['cpu-placement'] ?? 'auto',
    configFile: file.path,
    instructions: {
      mode: instructionsMode ?? file.config.instructions?.mode ?? DEFAULTS.instructions.mode,
      maxIncreasePct: maxInstructionsIncreasePct ?? file.config.instructions?.['max-increase-pct'] ?? DEFAULTS.instructions.maxIncreasePct,
      command: file.config.instructions?.command,
      warmupRequests: file.config.instructions?.['warmup-requests'] ?? DEFAULTS.instructions.warmupRequests,
      windows: file.config.instructions?.windows ?? DEFAULTS.instructions.windows,
      requestsPerWindow: file.config.instructions?.['requests-per-window'] ?? DEFAULTS.instructions.requestsPerWindow,
    },
    queries: {
      mode: queriesMode ?? file.config.queries?.mode ?? DEFAULTS.queries.mode,
      maxIncrease: maxQueriesIncrease ?? file.config.queries?.['max-increase'] ?? DEFAULTS.queries.maxIncrease,
      maxIncreasePct: file.config.queries?.['max-increase-pct'] ?? DEFAULTS.queries.maxIncreasePct,
      command: file.config.queries?.command,
      warmupRequests: file.config.queries?.['warmup-requests'] ?? DEFAULTS.queries.warmupRequests,
      requests: file.config.queries?.requests ?? DEFAULTS.queries.requests,
    },
    shard,
    hardening,
    watch,
    timeoutMinutes: file.config['timeout-minutes'],
  };
}

function parseCompareTo(value: string): CompareTo {
  return parseChoice('compare-to', value, ['stored', 'base', 'none'] as const);
}

/** A branch name git accepts and that cannot be read as an option or a refspec. */
export function parseBranch(value: string): string {
  const ok = /^[\w][\w./-]*$/.test(value) && !/\.\.|\/\/|\/$|\.lock$|\.$/.test(value);
  if (!ok) throw invalid('baseline-branch', value, 'a branch name of letters, digits, ".", "_", "-" and "/" (e.g. perf-data)');
  return value;
}

function parsePath(name: string, value: string): string {
  if (!value.startsWith('/')) throw invalid(name, value, 'a URL path that starts with / (e.g. /health)');
  return value;
}

function readFileConfig(src: ConfigSources, explicit: string | undefined): { config: ConfigFile; name?: string; path?: string } {
  const name = explicit ?? DEFAULTS.configFile;
  const full = path.resolve(src.workspace, name);
  const text = src.readFile(full);
  if (text === undefined) {
    if (explicit) throw new ConfigError(`Input \`config\` is ${JSON.stringify(explicit)}: no such file (looked at ${full}).`);
    return { config: {} };
  }
  return { config: parseConfigFile(text, name), name, path: full };
}

function fromFileThresholds(t: FileThresholds | undefined): Partial<Thresholds> {
  return {
    maxRpsDropPct: t?.['max-rps-drop-pct'],
    maxP99IncreasePct: t?.['max-p99-increase-pct'],
    maxErrorRatePct: t?.['max-error-rate-pct'],
    maxMemoryIncreasePct: t?.['max-memory-increase-pct'],
  };
}

function mergeThresholds(base: Thresholds, ...layers: Array<Partial<Thresholds>>): Thresholds {
  const out = { ...base };
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer) as Array<[keyof Thresholds, number | undefined]>) {
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

function toScenario(
  s: FileScenario,
  defaults: { connections: number; durationSeconds: number },
  thresholds: Thresholds,
): Scenario {
  const headers: Record<string, string> = { ...(s.headers ?? {}) };
  // A mapping body is sent as a form when the content-type says so, as JSON otherwise.
  let body: string | undefined;
  const contentTypeKey = Object.keys(headers).find((h) => h.toLowerCase() === 'content-type');
  if (typeof s.body === 'string') body = s.body;
  else if (s.body !== undefined && contentTypeKey && /x-www-form-urlencoded/i.test(headers[contentTypeKey]!)) {
    body = new URLSearchParams(Object.entries(s.body).map(([k, v]) => [k, String(v)])).toString();
  } else if (s.body !== undefined) {
    body = JSON.stringify(s.body);
    if (!contentTypeKey) headers['content-type'] = 'application/json';
  }
  return {
    name: s.name,
    method: (s.method ?? 'GET') as HttpMethod,
    path: s.path,
    headers,
    body,
    expectStatus: s['expect-status'],
    connections: s.connections ?? defaults.connections,
    durationSeconds: s['duration-seconds'] ?? defaults.durationSeconds,
    timeoutSeconds: s['timeout-seconds'] ?? DEFAULTS.timeoutSeconds,
    thresholds: mergeThresholds(thresholds, fromFileThresholds(s.thresholds)),
  };
}

interface TargetDefaults {
  workingDirectory: string;
  readyPath: string;
  readyTimeoutSeconds: number;
  python: string;
  workers?: number;
  cores: number;
  exists(file: string): boolean;
}

function commandFor(
  where: string,
  t: { command?: string; server?: PresetName; app?: string; workers?: number },
  d: TargetDefaults,
  workingDirectory: string,
): { command: string; stopSignal: NodeJS.Signals; preset?: Target['preset']; serverNote?: string } {
  if (t.command) return { command: t.command, stopSignal: stopSignalForCommand(t.command) };
  if (t.server && t.app) {
    const app = parseAppSpec(t.app);
    if (!app) throw new ConfigError(`${where} \`app\` is ${JSON.stringify(t.app)}: expected ${APP_SPEC_FORMS}.`);
    const { note, ...command } = presetCommand({ server: t.server, app, workers: t.workers ?? d.workers, python: d.python, cores: d.cores, workingDirectory, exists: d.exists });
    return { ...command, serverNote: note };
  }
  if (t.server) throw new ConfigError(`${where} \`server\` is "${t.server}" but \`app\` is missing: expected ${APP_SPEC_FORMS}.`);
  throw new ConfigError(
    `${where} \`command\` is missing: expected the shell command that starts your server in the foreground ` +
      '(e.g. "gunicorn app:app --bind 127.0.0.1:$PORT"), or `server` and `app` for a preset.',
  );
}

function singleTarget(
  inputs: { command: string; server?: PresetName; app: string; url: string },
  d: TargetDefaults,
): Target {
  const { command, stopSignal, preset, serverNote } = commandFor('Input', { command: inputs.command || undefined, server: inputs.server, app: inputs.app || undefined }, d, d.workingDirectory);
  // Presets listen on $PORT; a user command decides its own port, so the URL says where.
  const url = inputs.url || (inputs.command ? DEFAULTS.url : 'http://127.0.0.1:$PORT');
  return {
    name: 'app',
    command,
    workingDirectory: d.workingDirectory,
    url,
    readyPath: d.readyPath,
    readyTimeoutSeconds: d.readyTimeoutSeconds,
    env: {},
    stopSignal,
    preset,
    serverNote,
  };
}

function toTarget(t: FileTarget, d: TargetDefaults, workspace: string, several: boolean): Target {
  const workingDirectory = t['working-directory'] ? path.resolve(workspace, t['working-directory']) : d.workingDirectory;
  const { command, stopSignal, preset, serverNote } = commandFor(`Config file target "${t.name}":`, t, d, workingDirectory);
  return {
    name: t.name,
    command,
    workingDirectory,
    // Several servers run side by side, so each gets its own port unless its URL says otherwise.
    url: t.url ?? (several || !t.command ? 'http://127.0.0.1:$PORT' : DEFAULTS.url),
    readyPath: t['ready-path'] ?? d.readyPath,
    readyTimeoutSeconds: t['ready-timeout-seconds'] ?? d.readyTimeoutSeconds,
    env: t.env ?? {},
    stopSignal,
    preset,
    proxy: toProxy(t, workspace),
    serverNote,
  };
}

function toProxy(t: FileTarget, workspace: string): Target['proxy'] {
  if (!t.proxy) {
    if (t['static-url'] || t['static-dir']) throw new ConfigError(`Config file target "${t.name}": \`static-url\`/\`static-dir\` need \`proxy: nginx\` (nginx serves the static files).`);
    return undefined;
  }
  if (!!t['static-url'] !== !!t['static-dir']) {
    throw new ConfigError(`Config file target "${t.name}": \`static-url\` and \`static-dir\` go together: expected both (e.g. static-url: /static/, static-dir: static) or neither.`);
  }
  return { server: t.proxy, staticUrl: t['static-url'], staticDir: t['static-dir'] ? path.resolve(workspace, t['static-dir']) : undefined };
}

function assertUnique(kind: string, names: string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ConfigError(`Two ${kind}s are named ${JSON.stringify(n)}: each ${kind} needs its own name.`);
    seen.add(n);
  }
}

export type ActionMode = 'gate' | 'post-comment' | 'merge';

/** The PR comment's inputs, and which mode the action runs in. */
export interface CommentSettings {
  /** gate: measure and report; post-comment: post a comment a pull request run saved (workflow_run);
   * merge: report the shards of a sharded gate as one run (docs/sharding.md). */
  mode: ActionMode;
  comment: CommentMode;
  /** Tells several gates of one job (or a matrix) apart: each keeps its own comment. */
  commentId?: string;
  /** Where the comment is saved for a workflow_run companion; in post-comment mode, what to post. */
  commentFile: string;
}

export interface CommentSources {
  getInput(name: string): string;
  workspace: string;
  /** RUNNER_TEMP: the default comment file lives there. */
  runnerTemp: string;
}

export const DEFAULT_COMMENT_FILE = path.join('wsgi-perf-gate', 'comment.json');

/** Read on its own (before readConfig), because post-comment mode needs no server inputs. */
export function readCommentSettings(src: CommentSources): CommentSettings {
  const input = (name: string) => src.getInput(name).trim();
  const mode = input('mode') ? parseChoice('mode', input('mode'), ['gate', 'post-comment', 'merge'] as const) : 'gate';
  const comment = input('comment') ? parseChoice('comment', input('comment'), ['auto', 'always', 'never'] as const) : DEFAULTS.comment;
  const commentId = input('comment-id') || undefined;
  if (commentId !== undefined && !/^[\w.:/-]{1,64}$/.test(commentId)) {
    throw invalid('comment-id', commentId, 'up to 64 letters, digits and _ . : / - (e.g. "api" or "${{ matrix.python }}")');
  }
  // Several gates in one job each save their own file (comment-ID.json).
  const defaultFile = commentId ? path.join(path.dirname(DEFAULT_COMMENT_FILE), `comment-${commentId.replace(/[^\w.-]/g, '_')}.json`) : DEFAULT_COMMENT_FILE;
  const commentFile = input('comment-file') ? path.resolve(src.workspace, input('comment-file')) : path.join(src.runnerTemp, defaultFile);
  return { mode, comment, commentId, commentFile };
}

/**
 * The time budget and the rounds it allows: given, or the default in paired mode when `rounds`
 * is not given. With `rounds` too, the rounds are at most what fits the budget. A budget that
 * fits too few rounds to ever decide is refused here, before anything starts.
 */
function resolveBudget(b: {
  minutes?: number;
  from: string;
  roundsGiven?: number;
  compareTo: CompareTo;
  targets: number;
  scenarios: Scenario[];
  warmupSeconds: number;
  confidence: number;
}): { minutes: number; rounds: number } | undefined {
  const minutes = b.minutes ?? (b.compareTo === 'base' && b.roundsGiven === undefined ? DEFAULT_TIME_BUDGET_MINUTES : undefined);
  if (minutes === undefined) return undefined;
  const shape = { targets: b.targets, scenarios: b.scenarios, warmupSeconds: b.warmupSeconds };
  const fitted = Math.min(MAX_USEFUL_ROUNDS, roundsForBudget({ ...shape, budgetSeconds: minutes * 60 }));
  // Paired rounds come in reversed pairs (plan/plan.ts): an even count keeps the last look balanced.
  const fit = b.compareTo === 'base' && fitted > 1 ? fitted - (fitted % 2) : fitted;
  const mode = b.compareTo === 'base' ? 'paired' : 'stored';
  const need = b.compareTo === 'none' ? 1 : (minRoundsToDecide(b.confidence, mode) ?? 1);
  if (fit < need) {
    const perRound = secondsPerRound(shape);
    const needMinutes = Math.ceil(((setupSeconds(shape) + need * perRound) / 60) * 10) / 10;
    throw new ConfigError(
      `${b.minutes !== undefined ? b.from : 'The default time budget'} is ${minutes} minute(s): after booting and warming up ` +
        `${b.targets} server(s) (about ${Math.round(setupSeconds(shape))} s) it fits ${fit} round(s) of ${perRound.toFixed(1)} s, and ` +
        `at least ${need} rounds are needed to reach confidence ${b.confidence} with compare-to ${b.compareTo}, so every gate would end inconclusive; ` +
        `expected at least ${needMinutes} minutes, or shorter trials (duration-seconds) or fewer scenarios.`,
    );
  }
  return { minutes, rounds: b.roundsGiven === undefined ? fit : Math.min(b.roundsGiven, fit) };
}
