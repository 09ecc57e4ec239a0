// Action entry point: the only place that calls core.setFailed. Reads inputs, runs the gate,
// writes the results file and job summary, posts the PR comment, sets the outputs, then
// fails the step on a regression (a regression is a result: it is reported first).
// With `mode: post-comment` it only posts a comment saved by a pull request run.
import * as core from '@actions/core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCommentSettings, readConfig, type CommentSettings } from '../config/config.js';
import { checkInputNames } from '../config/inputs.js';
import { errorMessage } from '../errors.js';
import { readRunContext, readWorkflowRun, shouldRecord } from '../github/api.js';
import { failureMessage, gateOutputs } from './outputs.js';
import { runGate } from '../pipeline/pipeline.js';
import { postSavedComment, publishComment } from '../github/prComment.js';
import { renderErrorSummary } from '../report/errorSummary.js';
import { renderSummary } from '../report/summary.js';
import { histogramFiles } from '../report/histogramFiles.js';
import { openBranchHistory } from '../store/branchHistory.js';
import { processStartTime, type SavedServer } from './serverState.js';

const log = {
  info: (m: string) => core.info(m),
  warning: (m: string) => core.warning(m),
  group: <T>(name: string, fn: () => Promise<T>) => core.group(name, fn),
};
/** Known once the comment inputs are read: a run that fails after that still reports. */
let commentSettings: CommentSettings | undefined;

async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const runnerTemp = process.env.RUNNER_TEMP || os.tmpdir();
  for (const warning of checkInputNames(process.env)) core.warning(warning);
  commentSettings = readCommentSettings({ getInput: (name) => core.getInput(name), workspace, runnerTemp });
  if (commentSettings.mode === 'post-comment') return postComment(commentSettings);

  const config = readConfig({
    getInput: (name) => core.getInput(name),
    readFile: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    workspace,
    cores: os.availableParallelism(),
    exists: existsSync,
  });
  const ctx = readRunContext();
  const record = shouldRecord(config.record, ctx);
  // One folder for upload-artifact: results, server logs, histograms (one per gate of a job).
  const outDir = artifactsDir(runnerTemp, commentSettings.commentId);
  mkdirSync(outDir, { recursive: true });
  core.setOutput('artifacts-dir', outDir);
  const servers: SavedServer[] = [];
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

  await log.group('Report', async () => {
    const resultsFile = path.join(outDir, 'results.json');
    writeFileSync(resultsFile, JSON.stringify(result, null, 1) + '\n');
    const histograms = [...histogramFiles(result.samples), ...histogramFiles(result.confirmationSamples ?? [], '-confirmation')];
    for (const h of histograms) writeFileSync(path.join(outDir, h.name), h.text);
    core.info(`Artifacts in ${outDir}: results.json, server logs, ${histograms.length} latency histogram${histograms.length === 1 ? '' : 's'} (.hgrm)`);
    const markdown = renderSummary(result, { gateName: commentSettings!.commentId });
    await core.summary.addRaw(markdown).write();
    core.info(markdown);
    const comment = await publishComment({ settings: commentSettings!, ctx, summary: markdown, token: core.getInput('github-token'), log });
    for (const [name, value] of Object.entries(gateOutputs(result, resultsFile, comment))) core.setOutput(name, value);
  });

  if (result.verdict === 'regressed') {
    if (config.failOnRegression) core.setFailed(failureMessage(result));
    else core.warning(`${failureMessage(result)} (fail-on-regression is false)`);
  }
}

/** $RUNNER_TEMP/wsgi-perf-gate/artifacts, or artifacts-ID when several gates share a job. */
function artifactsDir(runnerTemp: string, commentId: string | undefined): string {
  return path.join(runnerTemp, 'wsgi-perf-gate', commentId ? `artifacts-${commentId.replace(/[^\w.-]/g, '_')}` : 'artifacts');
}

async function postComment(settings: CommentSettings): Promise<void> {
  const ctx = readRunContext();
  const posted = await postSavedComment({
    settings,
    repository: ctx.repository,
    eventName: ctx.eventName,
    run: readWorkflowRun(),
    token: core.getInput('github-token'),
    log,
  });
  core.setOutput('comment-url', posted.url ?? '');
}

/**
 * A run that could not measure still writes the job summary, and updates the PR comment if
 * there is one (it would otherwise show an earlier run's results as if they were current).
 */
async function reportFailure(err: unknown): Promise<void> {
  if (!commentSettings || commentSettings.mode !== 'gate') return;
  const markdown = renderErrorSummary(errorMessage(err), { gateName: commentSettings.commentId });
  await core.summary.addRaw(markdown).write();
  const comment = await publishComment({ settings: commentSettings, ctx: readRunContext(), summary: markdown, token: core.getInput('github-token'), log, updateOnly: true });
  if (comment.url) core.setOutput('comment-url', comment.url);
}

run().catch(async (err) => {
  try {
    await reportFailure(err);
  } catch (reportErr) {
    core.warning(`The failure could not be reported in the job summary or PR comment: ${errorMessage(reportErr)}`);
  }
  core.setFailed(errorMessage(err));
});
