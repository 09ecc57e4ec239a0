// Checks a GitHub workflow as GitHub would read it, and as this action would: the real
// validator of workflow syntax (@action-validator/core, the WebAssembly build of
// action-validator, with SchemaStore's workflow schema built in; runs offline), then what
// no schema knows: the inputs given to this action exist in action.yml, a gate that needs
// history checks out with fetch-depth: 0, and the bundled examples it points at exist.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateAction, validateWorkflow } from '@action-validator/core';
import { isMap, isSeq, parse, parseDocument } from 'yaml';
import { parseConfigFile } from '../../src/config/configFile.js';
import { ROOT } from './paths.js';

type Obj = Record<string, unknown>;
interface Step {
  uses?: string;
  run?: string;
  with?: Obj;
  'working-directory'?: string;
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Obj; runs: { using: string } };
export const ACTION_INPUTS = new Set(Object.keys(action.inputs));

/** owner/name of this action on GitHub, from package.json's repository (a placeholder owner until published). */
export const ACTION_REPO = (() => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { repository?: { url?: string } };
  const m = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository?.url ?? '');
  if (!m) throw new Error('package.json has no GitHub repository url');
  return m[1]!;
})();

function validatorErrors(result: { errors: unknown[] }): string[] {
  return result.errors.map((e) => JSON.stringify(e));
}

/** Steps that run this action: `uses: ./` (this repository) or `uses: OWNER/wsgi-perf-gate@vN`. */
function isThisAction(uses: string | undefined): boolean {
  return uses === './' || /(^|\/)wsgi-perf-gate@/.test(uses ?? '');
}

/** `${{ matrix.x }}` replaced by one matrix entry's value (other expressions left as they are). */
function expand(value: unknown, matrix: Obj): unknown {
  if (typeof value === 'string') return value.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (all, k: string) => (k in matrix ? String(matrix[k]) : all));
  if (Array.isArray(value)) return value.map((v) => expand(v, matrix));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, matrix)]));
  return value;
}

/** `pkg.module:callable` or `pkg:factory()` has a module file under dir. */
function moduleExists(dir: string, app: string): boolean {
  const module = app.split(':')[0]!.replace(/\./g, '/');
  return existsSync(path.join(dir, `${module}.py`)) || existsSync(path.join(dir, module, '__init__.py'));
}

/** Bundled paths a step refers to: only those under examples/ (a user's own paths are theirs). */
function checkBundled(where: string, workingDirectory: string | undefined, gate: Obj | undefined, run: string | undefined, problems: string[]): void {
  const bundled = (p: string | undefined) => p !== undefined && /^examples\//.test(p) && !p.includes('${{');
  if (bundled(workingDirectory) && !existsSync(path.join(ROOT, workingDirectory!))) problems.push(`${where}: working-directory ${workingDirectory} does not exist`);
  if (run && bundled(workingDirectory)) {
    for (const [, file] of run.matchAll(/-r\s+(\S+)/g)) {
      if (!existsSync(path.join(ROOT, workingDirectory!, file!))) problems.push(`${where}: ${workingDirectory}/${file} does not exist`);
    }
  }
  for (const [, file] of (run ?? '').matchAll(/-r\s+(examples\/\S+)/g)) {
    if (!existsSync(path.join(ROOT, file!))) problems.push(`${where}: ${file} does not exist`);
  }
  if (!gate) return;
  const config = gate.config as string | undefined;
  if (bundled(config)) {
    const file = path.join(ROOT, config!);
    if (!existsSync(file)) problems.push(`${where}: config ${config} does not exist`);
    else {
      const parsed = parseConfigFile(readFileSync(file, 'utf8'), config!);
      for (const t of parsed.targets ?? []) {
        const dir = t['working-directory'];
        if (dir && !existsSync(path.join(ROOT, dir))) problems.push(`${where}: ${config} target ${t.name}: working-directory ${dir} does not exist`);
        else if (dir && t.app && !moduleExists(path.join(ROOT, dir), t.app)) problems.push(`${where}: ${config} target ${t.name}: app ${t.app} is not in ${dir}`);
      }
    }
  }
  const app = gate.app as string | undefined;
  if (app && bundled(workingDirectory) && !moduleExists(path.join(ROOT, workingDirectory!), app)) problems.push(`${where}: app ${app} is not in ${workingDirectory}`);
}

/** One step of a workflow that runs this action, its `${{ matrix.* }}` filled in. */
export interface GateStep {
  where: string;
  with: Obj;
}

/** The matrix entries a job runs: its `include` list, or the first value of each list key. */
function matrixEntries(matrix: Obj | undefined): Obj[] {
  if (!matrix) return [{}];
  if (Array.isArray(matrix.include)) return matrix.include as Obj[];
  return [Object.fromEntries(Object.entries(matrix).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))];
}

/** Every step of a workflow that runs this action (once per matrix entry). */
export function gateSteps(text: string, where: string): GateStep[] {
  const doc = parse(text) as { jobs: Record<string, { steps?: Step[]; strategy?: { matrix?: Obj } }> };
  const out: GateStep[] = [];
  for (const [jobName, job] of Object.entries(doc.jobs)) {
    for (const matrix of matrixEntries(job.strategy?.matrix)) {
      (job.steps ?? []).forEach((raw, i) => {
        const step = expand(raw, matrix) as Step;
        if (isThisAction(step.uses)) out.push({ where: `${where}: job ${jobName}${Object.keys(matrix).length ? ` (${JSON.stringify(matrix)})` : ''}, step ${i + 1}`, with: step.with ?? {} });
      });
    }
  }
  return out;
}

/** Every problem of one workflow file's text, empty when it is fine. */
export function checkWorkflow(text: string, where: string): string[] {
  const problems = validatorErrors(validateWorkflow(text)).map((e) => `${where}: ${e}`);
  if (problems.length) return problems;
  const doc = parse(text) as { jobs: Record<string, { steps?: Step[]; strategy?: { matrix?: { include?: Obj[] } } }> };
  for (const [jobName, job] of Object.entries(doc.jobs)) {
    const matrices = job.strategy?.matrix?.include ?? [{}];
    for (const matrix of matrices) {
      const steps = (job.steps ?? []).map((s) => expand(s, matrix) as Step);
      steps.forEach((step, i) => {
        const at = `${where}: job ${jobName}, step ${i + 1}`;
        const gate = isThisAction(step.uses) ? (step.with ?? {}) : undefined;
        if (gate) {
          if (step.uses !== './' && step.uses !== `${ACTION_REPO}@v1`) problems.push(`${at}: uses ${step.uses}, expected ${ACTION_REPO}@v1 (package.json's repository) or ./`);
          for (const key of Object.keys(gate)) if (!ACTION_INPUTS.has(key)) problems.push(`${at}: input ${key} is not in action.yml`);
          const needsHistory = (gate.mode ?? 'gate') === 'gate' && gate['compare-to'] !== 'none';
          const checkout = steps.slice(0, i).find((s) => /^actions\/checkout@/.test(s.uses ?? ''));
          if (needsHistory && Number(checkout?.with?.['fetch-depth']) !== 0) problems.push(`${at}: a gate that compares needs actions/checkout with fetch-depth: 0 before it`);
        }
        checkBundled(at, (gate?.['working-directory'] as string | undefined) ?? step['working-directory'], gate, step.run, problems);
      });
    }
  }
  return problems;
}

/** action.yml as an action. The validator's built-in schema (SchemaStore, December 2024)
 * predates GitHub's node24 runtime, so `using` is checked here and node20 shown to it. */
export function checkAction(text: string): string[] {
  const doc = parseDocument(text);
  const using = doc.getIn(['runs', 'using']);
  const problems: string[] = [];
  if (using !== 'node24') problems.push(`action.yml: runs.using is ${String(using)}, expected node24`);
  doc.setIn(['runs', 'using'], 'node20');
  return [...problems, ...validatorErrors(validateAction(doc.toString())).map((e) => `action.yml: ${e}`)];
}

export interface YamlBlock {
  text: string;
  line: number;
}

/** The ```yaml blocks of a Markdown file, with the line each starts on. */
export function yamlBlocks(markdown: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  for (const m of markdown.matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```/gm)) {
    blocks.push({ text: m[1]!, line: markdown.slice(0, m.index).split('\n').length + 1 });
  }
  return blocks;
}

const WORKFLOW_KEYS = ['on', 'jobs', 'steps', 'runs-on', 'permissions', 'uses'];

/** A block is a workflow when it has a workflow's keys (then it must be whole), or a list of
 * steps (checked inside a job of its own, with the same rules: a gate step needs its checkout
 * with fetch-depth: 0 in the same list); otherwise it must be a config file the action accepts. */
export function checkMarkdownBlock(block: YamlBlock, where: string): string[] {
  const at = `${where}:${block.line}`;
  const doc = parseDocument(block.text);
  if (doc.errors.length) return [`${at}: not YAML: ${doc.errors[0]!.message}`];
  if (isSeq(doc.contents)) {
    const steps = block.text.replace(/^/gm, '      ');
    return checkWorkflow(`on: push\njobs:\n  steps-shown:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`, `${at} (a list of steps)`);
  }
  const isWorkflow = isMap(doc.contents) && WORKFLOW_KEYS.some((k) => doc.has(k));
  if (isWorkflow) return checkWorkflow(block.text, at);
  try {
    parseConfigFile(block.text, at);
    return [];
  } catch (err) {
    return [`${at}: neither a whole workflow nor a config file the action accepts: ${(err as Error).message}`];
  }
}
