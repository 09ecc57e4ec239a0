// Action entry point: the only place that calls core.setFailed. Reads inputs, runs the gate,
// writes the results file, job summary and outputs, then fails the step on a regression.
import * as core from '@actions/core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readConfig } from './config.js';
import { errorMessage } from './errors.js';
import { readRunContext, shouldRecord } from './github.js';
import { failureMessage, gateOutputs } from './outputs.js';
import { runGate } from './pipeline.js';
import { renderSummary } from './report/summary.js';
import { openBranchHistory } from './store/branchHistory.js';
import { processStartTime, type SavedServer } from './serverState.js';

async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const config = readConfig({
    getInput: (name) => core.getInput(name),
    readFile: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    workspace,
    cores: os.availableParallelism(),
  });
  const ctx = readRunContext();
  const record = shouldRecord(config.record, ctx);
  if (config.comment !== 'never' && ctx.pullRequestNumber !== undefined) {
    core.info('PR comments are not posted by this version yet; the report is in the job summary.');
  }

  const outDir = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'wsgi-perf-gate');
  mkdirSync(outDir, { recursive: true });
  const servers: SavedServer[] = [];
  const log = { info: (m: string) => core.info(m), warning: (m: string) => core.warning(m) };
  const result = await runGate(config, {
    record,
    meta: { commit: ctx.sha || undefined, ref: ctx.ref || undefined, eventName: ctx.eventName || undefined },
    baseSha: ctx.baseSha,
    history: openBranchHistory({ repoDir: workspace, branch: config.baselineBranch, keepRuns: config.historyKeepRuns, log }),
    hooks: {
      log,
      logDir: outDir,
      onSpawn: (pid, signal) => {
        servers.push({ pid, signal, startTime: processStartTime(pid) });
        core.saveState('servers', JSON.stringify(servers));
      },
    },
  });
  // Torn down cleanly: nothing for the post step to do.
  core.saveState('servers', '[]');

  const resultsFile = path.join(outDir, 'results.json');
  writeFileSync(resultsFile, JSON.stringify(result, null, 1) + '\n');
  for (const [name, value] of Object.entries(gateOutputs(result, resultsFile))) core.setOutput(name, value);
  const markdown = renderSummary(result);
  await core.summary.addRaw(markdown).write();
  core.info(markdown);

  if (result.verdict === 'regressed') {
    if (config.failOnRegression) core.setFailed(failureMessage(result));
    else core.warning(`${failureMessage(result)} (fail-on-regression is false)`);
  }
}

run().catch((err) => core.setFailed(errorMessage(err)));
