// The action's inputs as the code knows them, to tell a misspelt `with:` key from a real one.
// GitHub passes every `with:` key as an INPUT_<NAME> variable, declared or not, and only warns
// about undeclared ones; a misspelt threshold would silently keep its default, so it is an error.
import { ConfigError } from '../errors.js';
import { didYouMean } from './suggest.js';

/** Every input declared in action.yml (interface.test.ts checks the two agree). */
export const ACTION_INPUTS = [
  'command', 'server', 'app', 'workers', 'python', 'working-directory', 'url', 'ready-path', 'ready-timeout-seconds',
  'path', 'config', 'connections', 'duration-seconds', 'warmup-seconds', 'rounds', 'compare-to', 'base-ref', 'base-setup',
  'baseline-branch', 'baseline-file', 'record', 'max-rps-drop-pct', 'max-p99-increase-pct', 'max-error-rate-pct',
  'max-memory-increase-pct', 'instructions', 'max-instructions-increase-pct', 'hardening', 'confidence',
  'fail-on-regression', 'watch', 'watch-anchor', 'watch-creep-pct', 'bisect', 'comment', 'comment-id', 'comment-file', 'mode', 'shard', 'shards-dir', 'github-token',
] as const;

/**
 * Rare settings that moved from inputs to the config file. They still work as inputs (a
 * workflow that sets one keeps working, with a warning that says where it lives now).
 */
export const MOVED_INPUTS: Readonly<Record<string, string>> = {
  'allow-remote': 'allow-remote',
  'cpu-placement': 'cpu-placement',
  'history-keep-runs': 'history-keep-runs',
  confirm: 'confirm',
};

/** The input names that GitHub's INPUT_* variables carry (runner: spaces become _, upper case). */
export function givenInputNames(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((k) => k.startsWith('INPUT_'))
    .map((k) => k.slice('INPUT_'.length).toLowerCase());
}

/**
 * Throws on an input this action does not know, with the closest known name; returns a warning
 * for each moved input that was given a value.
 */
export function checkInputNames(env: NodeJS.ProcessEnv): string[] {
  const known = new Set<string>(ACTION_INPUTS);
  const warnings: string[] = [];
  for (const name of givenInputNames(env)) {
    if (known.has(name)) continue;
    const moved = MOVED_INPUTS[name];
    if (moved !== undefined) {
      if ((env[`INPUT_${name.toUpperCase()}`] ?? '').trim() !== '') {
        warnings.push(`Input \`${name}\` still works but is now a config file setting: write \`${moved}:\` in .github/perf-gate.yml instead.`);
      }
      continue;
    }
    throw new ConfigError(
      `Input \`${name}\` is not an input of wsgi-perf-gate${didYouMean(name, [...ACTION_INPUTS, ...Object.keys(MOVED_INPUTS)])}; ` +
        'the inputs are listed in action.yml and docs/configuration.md.',
    );
  }
  return warnings;
}
