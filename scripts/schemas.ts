// Generates the published JSON Schemas (committed under schema/; __tests__/schemas.test.ts checks
// they are fresh):
//   schema/perf-gate.schema.json  the config file, from its zod schema (input mode: what users write)
//   schema/results.schema.json    the results file, from the RunResult type in src/types.ts
// Usage: node --import tsx scripts/schemas.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createGenerator } from 'ts-json-schema-generator';
import { configFileSchema } from '../src/config/configFile.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_SCHEMA_FILE = path.join(ROOT, 'schema', 'perf-gate.schema.json');
export const RESULTS_SCHEMA_FILE = path.join(ROOT, 'schema', 'results.schema.json');

export function configSchemaText(): string {
  const schema = z.toJSONSchema(configFileSchema, { io: 'input' });
  return JSON.stringify(schema, null, 2) + '\n';
}

/** JSON has no NaN or Infinity: JSON.stringify writes null for them, so every number may be null. */
function nullableNumbers<T>(node: T): T {
  if (Array.isArray(node)) return node.map(nullableNumbers) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'type' && v === 'number' ? ['number', 'null'] : nullableNumbers(v);
  return out as T;
}

export function resultsSchemaText(): string {
  const schema = createGenerator({
    path: path.join(ROOT, 'src', 'types.ts'),
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    type: 'RunResult',
    skipTypeCheck: true,
    additionalProperties: true,
  }).createSchema('RunResult');
  return JSON.stringify({ ...nullableNumbers(schema), title: 'wsgi-perf-gate results file (results-file output)' }, null, 2) + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of [[CONFIG_SCHEMA_FILE, configSchemaText()], [RESULTS_SCHEMA_FILE, resultsSchemaText()]] as const) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`${path.relative(ROOT, file)} is stale: run npm run schemas`);
        stale++;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
