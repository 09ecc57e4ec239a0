// Schema of the YAML config file (.github/perf-gate.yml). Keys are kebab-case like the
// inputs; every object is strict, so a misspelt key is an error that names it.
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { PRESETS } from '../server/presets.js';

const positive = z.number().positive();
const positiveInt = z.number().int().positive();
const pct = z.number().min(0);

export const thresholdsSchema = z
  .object({
    'max-rps-drop-pct': pct,
    'max-p99-increase-pct': pct,
    'max-error-rate-pct': pct,
    'max-memory-increase-pct': pct,
  })
  .partial()
  .strict();

const scenarioSchema = z
  .object({
    name: z.string().min(1),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']))
      .optional(),
    path: z.string().startsWith('/', 'must start with /'),
    headers: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
    // A mapping is sent as JSON; a string is sent as it is.
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    'expect-status': z.number().int().min(100).max(599).optional(),
    connections: positiveInt.optional(),
    'duration-seconds': positive.optional(),
    'timeout-seconds': positive.optional(),
    /** Accepted only to be refused with the reason (see config.ts). */
    rate: z.number().optional(),
    thresholds: thresholdsSchema.optional(),
  })
  .strict();

const targetSchema = z
  .object({
    name: z.string().min(1),
    command: z.string().min(1).optional(),
    server: z.enum(PRESETS).optional(),
    app: z.string().min(1).optional(),
    workers: positiveInt.optional(),
    'working-directory': z.string().optional(),
    url: z.string().optional(),
    'ready-path': z.string().optional(),
    'ready-timeout-seconds': positive.optional(),
    env: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
    /** Measure this target behind a generated nginx on loopback (issue 16). */
    proxy: z.enum(['nginx']).optional(),
    /** Behind the proxy: URL prefix (e.g. /static/) that nginx serves from static-dir. */
    'static-url': z.string().startsWith('/', 'must start with /').optional(),
    'static-dir': z.string().min(1).optional(),
  })
  .strict();

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
    mode: z.enum(['auto', 'on', 'off']).optional(),
    command: z.string().min(1).optional(),
    'max-increase-pct': pct.optional(),
    'warmup-requests': z.number().int().min(0).optional(),
    windows: z.number().int().min(1).max(20).optional(),
    'requests-per-window': z.union([z.literal('auto'), z.number().int().min(1).max(10_000)]).optional(),
  })
  .strict();

export const configFileSchema = z
  .object({
    scenarios: z.array(scenarioSchema).min(1).optional(),
    thresholds: thresholdsSchema.optional(),
    targets: z.array(targetSchema).min(1).optional(),
    rounds: positiveInt.optional(),
    'warmup-seconds': z.number().min(0).optional(),
    'duration-seconds': positive.optional(),
    connections: positiveInt.optional(),
    confidence: z.number().gt(0.5).lt(1).optional(),
    'cpu-placement': z.enum(['auto', 'off']).optional(),
    instructions: instructionsSchema.optional(),
    hardening: hardeningSchema.optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;
export type FileScenario = z.infer<typeof scenarioSchema>;
export type FileTarget = z.infer<typeof targetSchema>;
export type FileThresholds = z.infer<typeof thresholdsSchema>;

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
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}`;
      }
      return `${issuePath(issue.path) || '(top level)'}: ${issue.message}`;
    });
    throw new ConfigError(`Config file ${fileName} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}
