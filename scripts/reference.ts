// The input and output reference, generated from one source: action.yml. Its one-sentence
// descriptions become the tables of README.md and docs/configuration.md (between marker
// comments), the code's list of inputs with the command line's flags and help
// (src/config/reference.generated.ts), and the descriptions of the config file keys that are
// also inputs in the JSON Schema (scripts/schemas.ts). A new input is one entry in action.yml,
// then `npm run schemas`; `npm run schemas -- --check` (a test) fails when anything drifted.
import { parse } from 'yaml';

export interface ReferenceEntry {
  name: string;
  description: string;
  /** action.yml's `default:`, when it declares one. */
  default?: string;
}

export interface Reference {
  inputs: ReferenceEntry[];
  outputs: ReferenceEntry[];
}

export function readReference(actionYml: string): Reference {
  const doc = parse(actionYml) as {
    inputs: Record<string, { description: string; default?: unknown }>;
    outputs: Record<string, { description: string }>;
  };
  return {
    inputs: Object.entries(doc.inputs).map(([name, v]) => ({ name, description: v.description, ...(v.default !== undefined ? { default: String(v.default) } : {}) })),
    outputs: Object.entries(doc.outputs).map(([name, v]) => ({ name, description: v.description })),
  };
}

/** A description as a Markdown cell: backticks around `kebab-case` names and values are kept; pipes escaped. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

export function inputsTable(ref: Reference, moved: Readonly<Record<string, string>>): string {
  const rows = ref.inputs.map((i) => `| \`${i.name}\` | ${cell(i.description)}${i.default !== undefined ? ` (declared default \`${i.default}\`)` : ''} |`);
  const movedNames = Object.keys(moved).map((m) => `\`${m}\``);
  return [
    '| input | meaning |',
    '|---|---|',
    ...rows,
    '',
    `Moved to the config file, still accepted as inputs with a warning that says so: ${movedNames.join(', ')}.`,
  ].join('\n');
}

export function outputsTable(ref: Reference): string {
  return ['| output | meaning |', '|---|---|', ...ref.outputs.map((o) => `| \`${o.name}\` | ${cell(o.description)} |`)].join('\n');
}

const marker = (name: string) => [`<!-- generated:${name} from action.yml by npm run schemas; edit action.yml, not this table -->`, `<!-- /generated:${name} -->`] as const;

/** `text` with the block between the named markers replaced; throws when the markers are missing. */
export function replaceGenerated(text: string, name: string, content: string, file: string): string {
  const [start, end] = marker(name);
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} has no ${start} ... ${end} block`);
  return `${text.slice(0, a + start.length)}\n${content}\n${text.slice(b)}`;
}

/** The TypeScript module the code reads: every input and output with its description. */
export function referenceModule(ref: Reference): string {
  const entries = (list: ReferenceEntry[]) => list.map((e) => `  ${JSON.stringify(e)},`).join('\n');
  return [
    '// Generated from action.yml by `npm run schemas` (scripts/reference.ts): do not edit.',
    '// The action\'s inputs and outputs as the code knows them: the did-you-mean check of input',
    '// names and the command line\'s flags and help read this list.',
    '',
    'export interface ReferenceEntry {',
    '  name: string;',
    '  description: string;',
    '  default?: string;',
    '}',
    '',
    'export const INPUT_REFERENCE: readonly ReferenceEntry[] = [',
    entries(ref.inputs),
    '];',
    '',
    'export const OUTPUT_REFERENCE: readonly ReferenceEntry[] = [',
    entries(ref.outputs),
    '];',
    '',
  ].join('\n');
}
