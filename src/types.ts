// The plain data that flows through the pipeline: config -> plan -> samples -> comparison
// -> verdict. Everything here is JSON-serialisable; results files and baselines are made of it.
import type { HardeningReport, HardeningSettings } from './hardening/types.js';
import type { WatchReport, WatchSettings } from './changes/watch.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface Thresholds {
  maxRpsDropPct: number;
  maxP99IncreasePct: number;
  maxErrorRatePct: number;
  maxMemoryIncreasePct: number;
}

export interface Scenario {
  name: string;
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** When set, only this status counts as success; otherwise any 2xx/3xx does. */
  expectStatus?: number;
  connections: number;
  durationSeconds: number;
  timeoutSeconds: number;
  thresholds: Thresholds;
}

export interface Target {
  name: string;
  /** Shell command, may contain $PORT. */
  command: string;
  workingDirectory: string;
  /** Base URL, may contain $PORT. */
  url: string;
  readyPath: string;
  readyTimeoutSeconds: number;
  env: Record<string, string>;
  stopSignal: NodeJS.Signals;
  /** Set when the command was built from a preset. */
  preset?: { server: string; workers: number };
  /** Measured behind a generated nginx on loopback, optionally serving static files itself. */
  proxy?: { server: 'nginx'; staticUrl?: string; staticDir?: string };
  /** For a preset: which server program runs the app (e.g. a virtualenv's own uwsgi), for the log. */
  serverNote?: string;
}

export type CompareTo = 'stored' | 'base' | 'none';
export type RecordMode = 'auto' | 'true' | 'false';
export type CommentMode = 'auto' | 'always' | 'never';

/** One job of a sharded gate (`shard: K/N`). */
export interface ShardSpec {
  /** 1-based: shard 1 of N is the first. */
  index: number;
  count: number;
}

export interface Config {
  targets: Target[];
  scenarios: Scenario[];
  warmupSeconds: number;
  /** The most rounds per target and scenario; compare-to: base looks at the data along the way (plan/sequentialPlan.ts). */
  rounds: number;
  confidence: number;
  /** Bounds the wall time of one measurement (boot, warmup, rounds); undefined: `rounds` alone decides. */
  timeBudgetMinutes?: number;
  compareTo: CompareTo;
  /** compare-to: base: the commit (or ref) whose merge-base with HEAD is booted beside the head. */
  baseRef?: string;
  /** compare-to: base: shell command run in the base checkout before it boots. */
  baseSetup?: string;
  baselineFile?: string;
  baselineBranch: string;
  /** Runs kept per runner fingerprint on the data branch; older record files are removed. */
  historyKeepRuns: number;
  /** The job's timeout-minutes, when the config file gives it: the run warns when its estimate exceeds it. */
  timeoutMinutes?: number;
  record: RecordMode;
  failOnRegression: boolean;
  /** Measure again with fresh servers before failing, and fail only if that finds the regression too. */
  confirm: boolean;
  comment: CommentMode;
  allowRemote: boolean;
  /** Pin the load generator and the server to different CPUs (Linux). */
  cpuPlacement: 'auto' | 'off';
  /** Path of the YAML file that was read, if any. */
  configFile?: string;
  /** Set in one job of a sharded gate; `scenarios` still holds all of them (see shards/shards.ts). */
  shard?: ShardSpec;
  /** Instructions per request under Valgrind (src/instructions/). */
  instructions: InstructionsSettings;
  /** Database queries per request (src/queries/). */
  queries: QueriesSettings;
  hardening: HardeningSettings;
  /** The watch over main: change points and creep on pushes that record (src/changes/). */
  watch: WatchSettings;
}

/** How instructions per request are counted and gated (docs/instructions.md). */
export interface InstructionsSettings {
  /** auto: when valgrind is on PATH and there is a baseline or a record to make; on: always (a missing valgrind is an error); off: never; profile: as on, and the profile of where the instructions went is collected every run, not only when the count changed past the threshold. */
  mode: 'auto' | 'on' | 'off' | 'profile';
  maxIncreasePct: number;
  /** Single-worker command to count under Valgrind instead of the target's (custom commands). */
  command?: string;
  warmupRequests: number;
  /** Counting windows per boot; each gives one count, so the spread is measured. */
  windows: number;
  /** 'auto': as many as fit in ~6 s (5, 10, 20 or 50), chosen by the first side counted and kept for the other. */
  requestsPerWindow: number | 'auto';
}

/** One trial = one target on one scenario in one round. */
export interface Trial {
  round: number;
  target: string;
  scenario: string;
}

export interface LatencySummary {
  /** Microseconds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface ErrorCounts {
  /** Connection refused/reset and other socket errors. */
  connection: number;
  /** The same split by socket error code: ECONNREFUSED (connect), ECONNRESET and EPIPE (reset), ... */
  connectionByCode?: Record<string, number>;
  timeouts: number;
  /** Responses whose status was not the expected one, by status code. */
  badStatus: Record<string, number>;
}

/** Failed requests of one side by kind (gate/errorKinds.ts). */
export interface ErrorKinds {
  /** No answer within the request timeout. */
  timeouts: number;
  /** ECONNRESET and EPIPE. */
  resets: number;
  /** ECONNREFUSED. */
  refused: number;
  /** The server closed the connection while a request on it had no complete response. */
  closedBeforeResponse: number;
  /** Other socket errors, by code. */
  otherConnection: Record<string, number>;
  /** Responses with an unexpected status, by status code. */
  badStatus: Record<string, number>;
}

export interface ServerUsage {
  processes: number;
  rssBytesTotal: number;
  /** Mean resident memory of the worker processes (the leaves of the server's process tree). */
  rssBytesPerWorker: number;
  /** CPU seconds the whole process tree used during the trial. */
  cpuSeconds: number;
}

/** What one trial of the load driver measured (load/trial.ts). */
export interface LoadResult {
  elapsedSeconds: number;
  /** Responses with the expected status, including those that ended after the window. */
  requests: number;
  /** Responses to requests sent inside the window that ended after it (docs/accuracy.md):
   * in the latency figures and the error rate, not in rps. Optional: older records lack it. */
  lateResponses?: number;
  /** How long the trial waited after its window for the requests in flight, in seconds. */
  drainSeconds?: number;
  /** Responses completed inside the window per second of the window. */
  rps: number;
  latencyUs: LatencySummary;
  /** Base64 HDR histogram of latency in microseconds, so trials can be merged later. */
  histogram: string;
  errors: ErrorCounts;
  errorRatePct: number;
  bytes: number;
  /** Requests reset by a server closing a kept-alive connection without saying so: no
   * response byte was lost and HTTP clients retry them, so they are not errors. */
  keepAliveRaces: number;
  /** Responses of any status each connection got inside the window, one entry per connection.
   * Optional: records written before it was counted lack it. */
  responsesPerConnection?: number[];
  /** How busy the load generator itself was: a saturated generator measures itself.
   * cpuPct is of one CPU; eventLoopDelayP99Ms is how late its timers ran (p99). */
  generator: { cpuPct: number; eventLoopDelayP99Ms: number };
}

/** One trial of one target on one scenario: what the load driver measured, plus the server's side. */
export interface Sample extends Trial, Omit<LoadResult, 'keepAliveRaces'> {
  startedAt: string;
  /** Optional: records written before it was measured lack it. */
  keepAliveRaces?: number;
  server?: ServerUsage;
  /** Workers that exited or appeared during this trial (a crash, a recycle, a new worker).
   * The trial still counts: what it measured is what the server did (gate/breakage.ts). */
  processChange?: ProcessChange;
  /** Records written before processChange existed: why the trial was left out then. Such
   * trials still count as a process change of their side. */
  failure?: string;
}

export interface ProcessChange {
  exited: number;
  started: number;
  /** The server's last log lines, kept on the first trial of a target in which this happened. */
  logTail?: string;
}

export type Verdict = 'pass' | 'regressed' | 'improved' | 'inconclusive';

export type MetricName = 'rps' | 'p50' | 'p99' | 'errorRate' | 'memory' | 'cpuPerRequest' | 'workerChanges';

export interface MetricComparison {
  metric: MetricName;
  /** Median over the trials of each side (unit: rps, ms, pct or MiB). */
  baseline?: number;
  candidate: number;
  /** Signed change in percent (positive = larger), undefined when there is no baseline. */
  changePct?: number;
  /** Confidence interval of the change in percent. */
  ciLowPct?: number;
  ciHighPct?: number;
  /** Half the interval's width in percent: smaller changes are within this run's noise. */
  detectablePct?: number;
  /** Threshold that applies to this metric (pct). */
  thresholdPct?: number;
  verdict: Verdict;
  /** False for metrics shown for insight only (p50, CPU per request): they never fail the gate. */
  gating: boolean;
  /** One sentence a reviewer can read. */
  reason: string;
  /** Tail quantiles: how many requests the pooled figures rest on (stats/tailQuantiles). */
  tail?: {
    percentile: number;
    baselineRequests: number;
    candidateRequests: number;
    /** Requests above the quantile on each side. */
    baselineBeyond: number;
    candidateBeyond: number;
    /** False when a side has too few requests beyond the quantile to measure it. */
    enough: boolean;
  };
  /** What the confirmation run found for a metric that regressed in the first measurement. */
  confirmation?: MetricConfirmation;
  /** An open metric of a gate that stopped: about how many more rounds would likely decide it. */
  moreRoundsToDecide?: number;
  /** Against a stored baseline: open, and how far recorded runs move is alone beyond the
   * threshold, so no number of rounds decides it; only paired mode (compare-to: base) can. */
  onlyPairedDecides?: boolean;
  /** Error rate: the failed requests by kind, per side. */
  errorKinds?: { candidate: ErrorKinds; baseline?: ErrorKinds };
}

/**
 * The confirmation run's figures of one metric (the same fields as MetricComparison). Spelt out
 * rather than a Pick of MetricComparison, which the results' JSON Schema generator mishandles.
 */
export interface MetricConfirmation {
  verdict: Verdict;
  changePct?: number;
  ciLowPct?: number;
  ciHighPct?: number;
  reason: string;
}

export interface ScenarioComparison {
  scenario: string;
  target: string;
  metrics: MetricComparison[];
  verdict: Verdict;
  /** Candidate trials left out of the statistics, with why. */
  excludedTrials: Array<{ round: number; reason: string }>;
  /** Things that make the figures less trustworthy (e.g. a saturated load generator). */
  warnings: string[];
  /** The server log at the first trial in which a worker exited or started, per side. */
  workerLogs?: Array<{ side: 'baseline' | 'candidate'; round: number; tail: string }>;
  /** A sharded gate: which shard and runner (fingerprint) measured this scenario. */
  measuredBy?: string;
}

export interface BaselineInfo {
  source: string;
  commit?: string;
  /** In paired mode: the head commit measured beside the base. */
  headCommit?: string;
  createdAt?: string;
  /** Data branch: the record file that was used. */
  run?: string;
  /** Data branch: why this run was chosen (merge-base, nearest recorded ancestor). */
  selection?: string;
  /** Data branch: recorded runs nearer than the chosen one that were passed over, and why. */
  skipped?: string[];
}

export interface Comparison {
  baseline?: BaselineInfo;
  /** Why no comparison was made, when none was. */
  note?: string;
  scenarios: ScenarioComparison[];
  verdict: Verdict;
  /** Set when a regression was measured a second time before failing (the confirmation run),
   * or could not be confirmed independently; `against` says what the second measurement was judged against. */
  confirmation?: { verdict: Verdict; against?: string };
  /** How a group-sequential gate went: its looks, where it stopped and why (gate/sequential.ts). */
  sequential?: SequentialSummary;
}

/** The looks of a sequential gate; `look` is 1-based. */
export interface SequentialSummary {
  looks: Array<{ look: number; rounds: number; confidence: number; decided: string[] }>;
  /** Cumulative rounds of every planned look. */
  plannedRounds: number[];
  stoppedAtLook: number;
  /** Rounds measured by the last look taken. */
  rounds: number;
  /** decided: no scenario left open; last-look: the most rounds were run; budget: the next rounds would not fit the time budget;
   * only-paired: against a stored baseline, every open metric is as narrow as the recorded runs' spread allows, which is
   * beyond its threshold, so more rounds cannot decide it. */
  stoppedBecause: 'decided' | 'last-look' | 'budget' | 'only-paired';
  /** Stored mode or paired rounds: which statistic the looks used (absent: paired, records before stored looks). */
  mode?: 'paired' | 'stored';
  /** Scenarios still open when the gate stopped. */
  open: string[];
  /** The look at which each scenario was decided (or last judged). */
  scenarioLooks: Record<string, number>;
}

export interface RunMeta {
  commit?: string;
  ref?: string;
  eventName?: string;
  createdAt: string;
  tool: { name: string; version: string };
  runner: { os: string; arch: string; cpus: number; cpuModel: string; node: string };
}

/** One recorded commit (or this run) on the trend: median figures per scenario. */
export interface TrendPoint {
  commit: string;
  createdAt: string;
  /** True for the run being reported. */
  current?: boolean;
  scenarios: Record<string, { rps: number; p99Ms: number; instructionsPerRequest?: number; queriesPerRequest?: number }>;
}

/** Where this run stands in the history on the data branch. */
export interface HistoryInfo {
  branch: string;
  fingerprint: Fingerprint;
  fingerprintHash: string;
  configHash: string;
  /** Path of this run's record, when it was recorded. */
  recordedAs?: string;
}

export interface RunResult {
  schemaVersion: number;
  meta: RunMeta;
  settings: {
    rounds: number;
    warmupSeconds: number;
    confidence: number;
    timeBudgetMinutes?: number;
    targets: Array<Pick<Target, 'name' | 'command' | 'url' | 'preset'>>;
    scenarios: Scenario[];
    /** CPUs of the load generator and the servers, or 'off' when they shared all CPUs. */
    cpuPlacement: { generatorCpus: number[]; serverCpus: number[] } | 'off';
  };
  samples: Sample[];
  /** The confirmation run's samples, when a regression was measured again before failing. */
  confirmationSamples?: Sample[];
  comparison: Comparison;
  /** With several targets: which setup serves each scenario best (a server shoot-out). */
  ranking?: ScenarioRanking[];
  /** The last recorded runs on this runner and config, oldest first, then this run. */
  trend?: TrendPoint[];
  history?: HistoryInfo;
  /** Instructions per request under Valgrind, when counted (or why not). */
  instructions?: InstructionsResult;
  /** Database queries per request, when counted (or why not). */
  queries?: QueriesResult;
  /** The hardening checks of every target, and how they compare with the baseline's. */
  hardening?: HardeningReport;
  /** On a push that records: change points and creep on main's history (src/changes/). */
  watch?: WatchReport;
  verdict: Verdict;
}

/** Instructions per request of one target on one scenario, counted under Callgrind. */
export interface InstructionsMeasurement {
  target: string;
  scenario: string;
  /** One figure per counting window: instructions of the worker processes / requests. */
  perRequest: number[];
  requestsPerWindow: number;
  warmupRequests: number;
  /** How the requests were counted; absent in records made before 2026-11-27 (collector on, requests back to back). */
  counting?: CountingMethod;
  /** Wall time of this measurement, boot and teardown included. */
  seconds: number;
  /** Peak resident memory of the largest process under Valgrind (VmHWM), MiB. */
  peakRssMiB?: number;
  /** The functions with the largest inclusive counts per request (first window), for "where it went". */
  profile?: FunctionCost[];
  /** What the profile's functions are: Python functions (CPython 3.12+, perf trampoline) or the interpreter's C functions. */
  profileNames?: 'python' | 'c';
  /** Wall time of the separate profiling boot (Python functions), when there was one. */
  profileSeconds?: number;
  /** The counted server's Python (e.g. "3.12"), when it could be told. */
  python?: string;
}

/** What changes a count besides the code: measurements counted differently are not compared. */
export interface CountingMethod {
  /** Python's cyclic garbage collector ran in the counted server (src/instructions/pythonStartup.ts). */
  cyclicGc: boolean;
  /** Each counted request was sent once the workers were idle (src/instructions/idleWorkers.ts). */
  idleFirst: boolean;
}

/** Where a profiled function lives: the repository's own code, an installed package, the standard library, native code (C), or the interpreter outside any Python function. */
export type FunctionKind = 'app' | 'library' | 'stdlib' | 'native' | 'interpreter';

export interface FunctionCost {
  /** `file.py:Qualname.method` for a Python function (path relative to the repository, site-packages or the standard library), `function [object]` for native code. */
  fn: string;
  /** Inclusive instructions per request. */
  inclusive: number;
  /** Own instructions per request (native functions: Callgrind separates them exactly). */
  self?: number;
  /** Calls per request. */
  calls?: number;
  kind?: FunctionKind;
  /** The installed package, for kind library. */
  package?: string;
  /** The file relative to the repository (kind app). */
  file?: string;
  /** The line of the definition in the head (kind app, when found). */
  line?: number;
}

export interface FunctionChange {
  fn: string;
  before: number;
  after: number;
  changePct: number;
  kind?: FunctionKind;
  package?: string;
  callsBefore?: number;
  callsAfter?: number;
  /** GitHub link to the definition at the head commit (the repository's own functions). */
  link?: string;
  /** Callers whose change was the same as this function's (they only passed it through), folded into this row. */
  callers?: number;
}

export interface InstructionsComparison {
  scenario: string;
  target: string;
  /** Median instructions per request of each side. */
  baseline?: number;
  candidate: number;
  changePct?: number;
  ciLowPct?: number;
  ciHighPct?: number;
  thresholdPct: number;
  verdict: Verdict;
  reason: string;
  /** Functions whose inclusive counts changed most, when the change passed the threshold (or instructions: profile). */
  functions?: FunctionChange[];
  /** What the functions are (see InstructionsMeasurement.profileNames). */
  functionNames?: 'python' | 'c';
  /** Changed functions left out of the table (they changed less). */
  functionsFolded?: number;
  /** Why there is no function table although the change passed the threshold. */
  functionsNote?: string;
}

export interface InstructionsResult {
  status: 'measured' | 'skipped' | 'failed';
  /** Why it was skipped or failed, or what the reader should know. */
  note?: string;
  valgrind?: string;
  measurements: InstructionsMeasurement[];
  comparisons: InstructionsComparison[];
  /** Where the baseline counts came from. */
  baselineSource?: string;
  verdict: Verdict;
}

// Shoot-out ranking (computed in gate/shootout.ts).
export interface Standing {
  target: string;
  rank: number;
  rps: number;
  p99Ms: number;
  memoryMiB?: number;
  errorRatePct: number;
  /** Requests/s relative to the fastest setup, with one-sided bounds at the confidence;
   * paired by round (signed-rank) when there are enough common rounds, else unpaired. */
  vsFastest?: { ratio: number; low: number; high: number; method: 'paired' | 'unpaired' };
  /** The interval includes 1: this setup cannot be told apart from the fastest. */
  tiedWithFastest: boolean;
}

export interface WorkerSweep {
  server: string;
  /** Sorted by workers. */
  points: Array<{ workers: number; rps: number; tiedWithFastest: boolean }>;
  /** The fewest workers whose requests/s cannot be told from the fastest setup's. */
  plateauWorkers: number;
  /** The 2 x cores + 1 rule for the cores the server had. */
  ruleWorkers: number;
  /** How the rule's worker count fared, in words. */
  finding: string;
}

export interface ScenarioRanking {
  scenario: string;
  standings: Standing[];
  recommendation: string;
  /** When the setups are one preset at several worker counts. */
  sweep?: WorkerSweep;
}

/** The machine and the software that serve the app (computed in store/fingerprint.ts). */
export interface Fingerprint {
  cpuModel: string;
  cpus: number;
  os: string;
  arch: string;
  /** Python version of the target, e.g. "3.12.4", or "unknown". */
  python: string;
  /** First line of the server's version output, e.g. "gunicorn (version 23.0.0)", or "unknown". */
  server: string;
}

/** How database queries per request are counted and gated (docs/queries.md). */
export interface QueriesSettings {
  /** auto: when there is a baseline or a record to make; on: always (no statement seen is said); off: never. */
  mode: 'auto' | 'on' | 'off';
  /** Smallest rise of queries per request that may fail the gate (with maxIncreasePct). */
  maxIncrease: number;
  /** ... and the smallest rise in percent; both must be reached. */
  maxIncreasePct: number;
  /** Single-worker command for the count instead of the target's (custom commands). */
  command?: string;
  warmupRequests: number;
  /** Requests counted, sent one at a time. */
  requests: number;
}

/** One statement fingerprint's share of a scenario's requests (src/queries/fingerprint.ts). */
export interface StatementCount {
  /** Literals and placeholders as `?`: never a value. */
  fingerprint: string;
  /** Calls per request (execute, executemany, executescript, callproc each count once). */
  perRequest: number;
  /** Wall time inside these calls per request, ms. */
  msPerRequest: number;
}

/** Queries per request of one target on one scenario, counted in the worker processes. */
export interface QueriesMeasurement {
  target: string;
  scenario: string;
  warmupRequests: number;
  requests: number;
  perRequest: number;
  msPerRequest: number;
  /** Largest first. */
  statements: StatementCount[];
  /** Counted drivers the app imported. */
  drivers: string[];
  /** Database modules the hook does not count that the app imported (asyncpg, pyodbc, ...). */
  otherDrivers: string[];
  /** Wall time of this count, boot and teardown included. */
  seconds: number;
}

export interface StatementChange {
  fingerprint: string;
  before: number;
  after: number;
  change: number;
}

export interface QueriesComparison {
  scenario: string;
  target: string;
  baseline?: number;
  candidate: number;
  change?: number;
  changePct?: number;
  baselineMs?: number;
  candidateMs?: number;
  verdict: Verdict;
  reason: string;
  /** Fingerprints whose count per request changed, largest change first. */
  changed: StatementChange[];
  /** A statement repeated many times per request whose count grew: the N+1 pattern. */
  nPlusOne?: StatementChange;
}

export interface QueriesResult {
  status: 'measured' | 'none-seen' | 'failed';
  note?: string;
  measurements: QueriesMeasurement[];
  comparisons: QueriesComparison[];
  threshold: { maxIncrease: number; maxIncreasePct: number };
  baselineSource?: string;
  verdict: Verdict;
}
