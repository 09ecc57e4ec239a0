// Generates everything derived from the code and action.yml (committed; tests check it is fresh):
//   schema/perf-gate.schema.json  the config file, from its zod schema (input mode: what users write),
//                                 the keys that are also inputs described as action.yml describes them
//   schema/results.schema.json    the results file, from the RunResult type in src/types.ts
//   src/config/reference.generated.ts, and the input and output tables of README.md and
//   docs/configuration.md: from action.yml (scripts/reference.ts)
// Usage: npm run schemas [-- --check]   (node --import tsx scripts/schemas.ts [--check])
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { createGenerator } from 'ts-json-schema-generator';
import { configFileSchema } from '../src/config/configFile.js';
import { MOVED_INPUTS } from '../src/config/inputs.js';
import { inputsTable, outputsTable, readReference, referenceModule, replaceGenerated, type Reference } from './reference.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_SCHEMA_FILE = path.join(ROOT, 'schema', 'perf-gate.schema.json');
export const RESULTS_SCHEMA_FILE = path.join(ROOT, 'schema', 'results.schema.json');

export const ACTION_FILE = path.join(ROOT, 'action.yml');
export const REFERENCE_MODULE_FILE = path.join(ROOT, 'src', 'config', 'reference.generated.ts');
export const README_FILE = path.join(ROOT, 'README.md');
export const CONFIGURATION_DOC_FILE = path.join(ROOT, 'docs', 'configuration.md');

export const actionReference = (): Reference => readReference(readFileSync(ACTION_FILE, 'utf8'));

type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode; description?: string };

/** Keys that are also inputs (top level, thresholds, targets[]) get the input's description. */
function describeAsInputs(schema: SchemaNode, ref: Reference): void {
  const byName = new Map(ref.inputs.map((i) => [i.name, i.description]));
  const apply = (props: Record<string, SchemaNode> | undefined) => {
    for (const [key, node] of Object.entries(props ?? {})) {
      const description = byName.get(key);
      if (description && !node.properties) node.description = description;
    }
  };
  apply(schema.properties);
  apply(schema.properties?.thresholds?.properties);
  apply(schema.properties?.targets?.items?.properties);
}

export function configSchemaText(): string {
  const schema = z.toJSONSchema(configFileSchema, { io: 'input' }) as SchemaNode;
  describeAsInputs(schema, actionReference());
  return JSON.stringify(schema, null, 2) + '\n';
}

/** The reference blocks of a Markdown file, regenerated. */
function withReference(file: string): string {
  const ref = actionReference();
  let text = readFileSync(file, 'utf8');
  text = replaceGenerated(text, 'inputs', inputsTable(ref, MOVED_INPUTS), path.relative(ROOT, file));
  return replaceGenerated(text, 'outputs', outputsTable(ref), path.relative(ROOT, file));
}

/** Every generated file with the text it should have. */
export function generatedFiles(): Array<[string, string]> {
  return [
    [CONFIG_SCHEMA_FILE, configSchemaText()],
    [RESULTS_SCHEMA_FILE, resultsSchemaText()],
    [REFERENCE_MODULE_FILE, referenceModule(actionReference())],
    [README_FILE, withReference(README_FILE)],
    [CONFIGURATION_DOC_FILE, withReference(CONFIGURATION_DOC_FILE)],
  ];
}

/** Files whose committed text differs from what the sources give (relative paths). */
export function staleFiles(): string[] {
  return generatedFiles()
    .filter(([file, text]) => {
      try {
        return readFileSync(file, 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([file]) => path.relative(ROOT, file));
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
  if (process.argv.includes('--check')) {
    const stale = staleFiles();
    for (const file of stale) console.error(`${file} is stale: run npm run schemas`);
    process.exitCode = stale.length ? 1 : 0;
  } else {
    for (const [file, text] of generatedFiles()) {
      writeFileSync(file, text);
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  }
}
