// Schema of the YAML config file (.github/perf-gate.yml). Keys are kebab-case like the
// inputs; every object is strict, so a misspelt key is an error that names it.
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { PRESETS } from '../server/presets.js';
import { APP_SPEC_FORMS, APP_SPEC_PATTERN } from '../server/appSpec.js';
import { didYouMean } from './suggest.js';

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const pct = z.number().min(0);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
// Any case, spelt with [Gg][Ee][Tt] because the JSON Schema pattern carries no `i` flag.
const METHOD_PATTERN = new RegExp(`^(${METHODS.map((m) => [...m].map((c) => `[${c}${c.toLowerCase()}]`).join('')).join('|')})$`);

/** Refused with the reason rather than measured wrongly (also in the JSON Schema, as `not: {}`). */
const RATE_REFUSAL =
  '`rate` (constant-rate, open-loop load) is not supported: autocannon\'s rate limiter sends bursts once per second per ' +
  'connection and corrects coordinated omission with a 1 ms interval at any rate, so its tail latency at a fixed rate ' +
  'would be a wrong number. Remove `rate`; the gate measures closed-loop load with `connections`.';

export const thresholdsSchema = z
  .object({
    'max-rps-drop-pct': pct.describe('Smallest drop of requests per second, in percent, that may fail the gate.'),
    'max-p99-increase-pct': pct.describe('Smallest rise of p99 latency, in percent, that may fail the gate.'),
    'max-error-rate-pct': pct.describe('Error rate (errors, timeouts, non-2xx), in percent, that fails on its own.'),
    'max-memory-increase-pct': pct.describe('Smallest rise of server memory, in percent, that may fail the gate.'),
  })
  .partial()
  .strict()
  .describe('Thresholds; a change must pass them and be statistically certain to count.');

const scenarioSchema = z
  .object({
    name: z.string().min(1).describe('Name shown in the report; unique among scenarios.'),
    method: z
      .string()
      .regex(METHOD_PATTERN, `expected one of ${METHODS.join(', ')}`)
      .transform((m) => m.toUpperCase())
      .optional()
      .describe('HTTP method (default GET).'),
    path: z.string().startsWith('/', 'must start with /').describe('URL path requested, e.g. /api/items.'),
    headers: z
      .record(z.string(), z.union([z.string(), z.number()]).transform(String))
      .optional()
      .describe('Request headers.'),
    // A mapping is sent as JSON; a string is sent as it is.
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .describe('Request body: a string as it is, a mapping as JSON (or a form when content-type says so).'),
    'expect-status': z.number().int().min(100).max(599).optional().describe('Status every response must have (default: any 2xx or 3xx).'),
    connections: positiveInt.optional().describe('Concurrent connections for this scenario.'),
    'duration-seconds': positive.optional().describe('Length of one measured trial of this scenario.'),
    'timeout-seconds': positive.optional().describe('A request slower than this counts as an error (default 10).'),
    rate: z.never({ error: RATE_REFUSAL }).optional().describe('Not supported (constant-rate load would give wrong tail latency).'),
    thresholds: thresholdsSchema.optional(),
  })
  .strict();

const targetSchema = z
  .object({
    name: z.string().min(1).describe('Name shown in the report; unique among targets.'),
    command: z.string().min(1).optional().describe('Shell command that starts the server in the foreground; $PORT is its port.'),
    server: z.enum(PRESETS).optional().describe('Preset instead of command.'),
    app: z
      .string()
      .regex(APP_SPEC_PATTERN, `expected ${APP_SPEC_FORMS}`)
      .optional()
      .describe('WSGI app for a preset: module:callable, module:create_app(), or a module (its `application`).'),
    workers: positiveInt.optional().describe('Worker processes for a preset (waitress: threads); default 2 x cores + 1.'),
    'working-directory': z.string().optional().describe('Where the server starts, relative to the workspace.'),
    url: z.string().optional().describe('Base URL of the server; loopback only unless allow-remote; may contain $PORT.'),
    'ready-path': z.string().optional().describe('Path polled until it answers below 500 (default /).'),
    'ready-timeout-seconds': positive.optional().describe('Give up booting after this many seconds (default 60).'),
    env: z
      .record(z.string(), z.union([z.string(), z.number()]).transform(String))
      .optional()
      .describe('Environment variables for the server process.'),
    proxy: z.enum(['nginx']).optional().describe('Measure this target behind a generated nginx on loopback (docs/hardening.md).'),
    'static-url': z.string().startsWith('/', 'must start with /').optional().describe('Behind the proxy: URL prefix (e.g. /static/) that nginx serves from static-dir.'),
    'static-dir': z.string().min(1).optional().describe('Behind the proxy: folder nginx serves static-url from.'),
  })
  .strict()
  // For editors only (the JSON Schema); the code says the same in config.ts with a longer message.
  .meta({ anyOf: [{ required: ['command'] }, { required: ['server', 'app'] }] });

const urlPath = z.string().startsWith('/', 'must start with /');
/** The hardening checks (issue 16): paths of the app's own endpoints and the caps. */
const hardeningSchema = z
  .object({
    mode: z.enum(['off', 'report', 'gate']).optional(),
    'error-path': urlPath.optional(),
    'body-path': urlPath.optional(),
    'max-body-mib': z.number().positive().max(1024).optional(),
    'hang-path': urlPath.optional(),
    'hang-timeout-seconds': z.number().positive().max(300).optional(),
    'slow-client-seconds': z.number().positive().max(30).optional(),
  })
  .strict();

const instructionsSchema = z
  .object({
    mode: z.enum(['auto', 'on', 'off', 'profile']).optional(),
    command: z.string().min(1).optional(),
    'max-increase-pct': pct.optional(),
    'warmup-requests': z.number().int().min(0).optional(),
    windows: z.number().int().min(1).max(20).optional(),
    'requests-per-window': z.union([z.literal('auto'), z.number().int().min(1).max(10_000)]).optional(),
  })
  .strict();

const queriesSchema = z
  .object({
    mode: z.enum(['auto', 'on', 'off']).optional(),
    command: z.string().min(1).optional(),
    'max-increase': z.number().min(0).optional(),
    'max-increase-pct': pct.optional(),
    'warmup-requests': z.number().int().min(0).max(1000).optional(),
    requests: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const configFileSchema = z
  .object({
    scenarios: z.array(scenarioSchema).min(1).optional().describe('Request patterns to measure (default: GET of the `path` input).'),
    thresholds: thresholdsSchema.optional(),
    targets: z.array(targetSchema).min(1).optional().describe('Server setups measured interleaved (instead of the command/server inputs).'),
    rounds: positiveInt.optional().describe('The most measured trials per target and scenario; a gate stops earlier once every scenario is decided.'),
    'time-budget-minutes': positive.optional().describe('Wall time one measurement (boot, warmup, rounds) may take; sets the rounds (default 3 with compare-to: base).'),
    'warmup-seconds': z.number().min(0).optional().describe('Unmeasured load before the trials.'),
    'duration-seconds': positive.optional().describe('Length of one measured trial.'),
    connections: positiveInt.optional().describe('Concurrent connections.'),
    confidence: z.number().gt(0.5).lt(1).optional().describe('A change must be this certain before it counts (e.g. 0.99).'),
    'cpu-placement': z.enum(['auto', 'off']).optional().describe('auto pins the load generator and the servers to separate CPUs.'),
    confirm: z.boolean().optional().describe('Measure a found regression again with fresh servers before failing (default true).'),
    'allow-remote': z.boolean().optional().describe('Allow a non-loopback target url (default false).'),
    'history-keep-runs': positiveInt.optional().describe('Recorded runs kept per runner fingerprint on the data branch (default 100).'),
    instructions: instructionsSchema.optional().describe('Instructions per request under Valgrind (docs/instructions.md).'),
    queries: queriesSchema.optional().describe('Database queries per request, counted in the worker processes (docs/queries.md).'),
    hardening: hardeningSchema.optional().describe('Hardening checks of the server setup (docs/hardening.md).'),
    'timeout-minutes': positive
      .optional()
      .describe("The job's timeout-minutes: the log warns at the start when the estimated run time exceeds it."),
  })
  .strict()
  .meta({ title: 'wsgi-perf-gate config file (.github/perf-gate.yml)' });

export type ConfigFile = z.infer<typeof configFileSchema>;
export type FileScenario = z.infer<typeof scenarioSchema>;
export type FileTarget = z.infer<typeof targetSchema>;
export type FileThresholds = z.infer<typeof thresholdsSchema>;

/** The keys allowed where an unknown key was found (array indices do not change the object kind). */
function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const where = path.filter((p) => typeof p === 'string').join('.');
  const shapes: Record<string, z.ZodObject> = {
    '': configFileSchema,
    thresholds: thresholdsSchema,
    scenarios: scenarioSchema,
    'scenarios.thresholds': thresholdsSchema,
    targets: targetSchema,
    instructions: instructionsSchema,
    queries: queriesSchema,
    hardening: hardeningSchema,
  };
  return Object.keys(shapes[where]?.shape ?? {});
}

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/** Parses and validates the file's text; every problem is listed with its key path. */
export function parseConfigFile(text: string, fileName: string): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`Config file ${fileName} is not valid YAML: ${(err as Error).message}`);
  }
  if (raw === null || raw === undefined) return {};
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        const where = issuePath(issue.path);
        const known = knownKeysAt(issue.path);
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"${didYouMean(k, known)}`).join(', ')}${where ? ` in ${where}` : ''}`;
      }
      return `${issuePath(issue.path) || '(top level)'}: ${issue.message}`;
    });
    throw new ConfigError(`Config file ${fileName} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}
