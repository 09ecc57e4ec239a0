// Pure: the flags of `run` and `shootout`, from the action's inputs (generated from action.yml),
// so the command line takes every input a local run can use and its help says what each means.
import { INPUT_REFERENCE } from '../config/reference.generated.js';
import { MOVED_INPUTS } from '../config/inputs.js';

/** Inputs that only mean something inside a GitHub job: the PR comment, the data branch, shards. */
export const ACTION_ONLY_INPUTS: ReadonlySet<string> = new Set(['baseline-branch', 'comment', 'comment-id', 'comment-file', 'mode', 'shard', 'shards-dir', 'github-token']);

/** Config file settings that are still read as inputs, and so as flags; history is the data branch's. */
const MOVED_FLAGS = Object.keys(MOVED_INPUTS).filter((name) => name !== 'history-keep-runs');

export const RUN_FLAGS: readonly string[] = [...INPUT_REFERENCE.map((i) => i.name).filter((name) => !ACTION_ONLY_INPUTS.has(name)), ...MOVED_FLAGS];

/** One line per flag: the name, then the input's description from action.yml. */
export function runFlagsHelp(): string {
  const width = Math.max(...RUN_FLAGS.map((f) => f.length)) + 4;
  const lines = INPUT_REFERENCE.filter((i) => !ACTION_ONLY_INPUTS.has(i.name)).map((i) => `  --${i.name.padEnd(width)}${i.description}`);
  for (const name of MOVED_FLAGS) lines.push(`  --${name.padEnd(width)}Also the config file's \`${MOVED_INPUTS[name]}:\` (docs/configuration.md).`);
  return lines.join('\n');
}
