// Action entry point: the only place that calls core.setFailed. Reads inputs, runs the gate,
// writes the results file and job summary, posts the PR comment, sets the outputs, then
// fails the step on a regression (a regression is a result: it is reported first).
// With `mode: post-comment` it only posts a comment saved by a pull request run; with
// `mode: merge` it reports the shards of a sharded gate (docs/sharding.md) as one run.
import * as core from '@actions/core';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readCommentSettings, readConfig, type CommentSettings } from '../config/config.js';
import { checkInputNames } from '../config/inputs.js';
import { errorMessage } from '../errors.js';
import { readRunContext, readWorkflowRun, shouldRecord } from '../github/api.js';
import { gateOutputs } from './outputs.js';
import { stepOutcome } from './stepOutcome.js';
import { runGate } from '../pipeline/pipeline.js';
import { postSavedComment, publishComment } from '../github/prComment.js';
import { postWatchComments } from '../github/watchComment.js';
import { renderErrorSummary } from '../report/errorSummary.js';
import { renderSummary } from '../report/summary.js';
import { histogramFiles } from '../report/histogramFiles.js';
import { openBranchHistory } from '../store/branchHistory.js';
import { processStartTime, type SavedServer } from './serverState.js';
import { platformRefusal } from './platform.js';
import { readMergeSettings, readShardsDir } from '../config/mergeSettings.js';
import { parseShard } from '../shards/shards.js';
import { mergeShardResults } from './merge.js';
import { startShard, writeFailedShard, type ShardJob } from './shard.js';
import type { RunResult } from '../types.js';

const log = {
  info: (m: string) => core.info(m),
  warning: (m: string) => core.warning(m),
  group: <T>(name: string, fn: () => Promise<T>) => core.group(name, fn),
};
/** Known once the comment inputs are read: a run that fails after that still reports. */
let commentSettings: CommentSettings | undefined;
/** Set in one job of a sharded gate, once its config is read. */
let shardJob: ShardJob | undefined;

async function run(): Promise<void> {
  const refusal = platformRefusal(process.platform);
  if (refusal) {
    core.setOutput('verdict', 'error');
    return core.setFailed(refusal);
  }
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const runnerTemp = process.env.RUNNER_TEMP || os.tmpdir();
  for (const warning of checkInputNames(process.env)) core.warning(warning);
  commentSettings = readCommentSettings({ getInput: (name) => core.getInput(name), workspace, runnerTemp });
  if (commentSettings.mode === 'post-comment') return postComment(commentSettings);
  // One folder for upload-artifact: results, server logs, histograms (one per gate of a job).
  const outDir = artifactsDir(runnerTemp, commentSettings.commentId);
  mkdirSync(outDir, { recursive: true });
  core.setOutput('artifacts-dir', outDir);
  const ctx = readRunContext();
  if (commentSettings.mode === 'merge') {
    const settings = readMergeSettings({ getInput: (name) => core.getInput(name), workspace, runnerTemp });
    const result = await mergeShardResults({ settings, commit: ctx.sha || undefined, workspace, record: shouldRecord(settings.record, ctx), log });
    return report(result, { outDir, settings: commentSettings, failOnRegression: settings.failOnRegression });
  }

  const fullConfig = readConfig({
    getInput: (name) => core.getInput(name),
    readFile: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    workspace,
    cores: os.availableParallelism(),
    exists: existsSync,
  });
  if (fullConfig.shard) {
    shardJob = startShard(fullConfig, fullConfig.shard, { commit: ctx.sha || undefined, dir: readShardsDir({ getInput: (name) => core.getInput(name), workspace, runnerTemp }), log });
    // A shard comments only when asked: the merge job posts the one comment.
    if (!core.getInput('comment').trim()) commentSettings.comment = 'never';
  }
  const config = shardJob?.config ?? fullConfig;
  const record = shouldRecord(config.record, ctx);
  const servers: SavedServer[] = [];
  const history = openBranchHistory({ repoDir: workspace, branch: config.baselineBranch, keepRuns: config.historyKeepRuns, log });
  const result = await runGate(config, {
    record,
    meta: { commit: ctx.sha || undefined, ref: ctx.ref || undefined, eventName: ctx.eventName || undefined },
    baseSha: ctx.baseSha,
    history: shardJob ? shardJob.history(history) : history,
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
  if (shardJob) core.setOutput('shard-file', shardJob.finish(result));
  await report(result, { outDir, settings: commentSettings, failOnRegression: config.failOnRegression });
}

/** Results file, artifacts, job summary, PR comment, outputs, then the step fails on a regression. */
async function report(result: RunResult, opts: { outDir: string; settings: CommentSettings; failOnRegression: boolean }): Promise<void> {
  await log.group('Report', async () => {
    const resultsFile = path.join(opts.outDir, 'results.json');
    writeFileSync(resultsFile, JSON.stringify(result, null, 1) + '\n');
    const histograms = [...histogramFiles(result.samples), ...histogramFiles(result.confirmationSamples ?? [], '-confirmation')];
    for (const h of histograms) writeFileSync(path.join(opts.outDir, h.name), h.text);
    core.info(`Artifacts in ${opts.outDir}: results.json, server logs, ${histograms.length} latency histogram${histograms.length === 1 ? '' : 's'} (.hgrm)`);
    const markdown = renderSummary(result, { gateName: opts.settings.commentId });
    await core.summary.addRaw(markdown).write();
    core.info(markdown);
    const comment = await publishComment({ settings: opts.settings, ctx: readRunContext(), summary: markdown, token: core.getInput('github-token'), log });
    for (const [name, value] of Object.entries(gateOutputs(result, resultsFile, comment))) core.setOutput(name, value);
    if (result.watch && opts.settings.comment !== 'never') {
      const ctx = readRunContext();
      await postWatchComments({ report: result.watch, repository: ctx.repository, headSha: result.meta.commit ?? ctx.sha, token: core.getInput('github-token'), runUrl: ctx.runUrl, log });
    }
  });

  if (result.watch?.mode === 'fail' && result.watch.newKeys.length) {
    core.setFailed(`The watch over main found ${result.watch.newKeys.length} new finding(s) (watch: fail): ${result.watch.newKeys.join(', ')}; see the job summary.`);
  }
  const outcome = stepOutcome(result, opts.failOnRegression);
  for (const m of outcome.warnings) core.warning(m);
  for (const m of outcome.failures) core.setFailed(m);
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
  if (!commentSettings || commentSettings.mode === 'post-comment') return;
  recordShardFailure(err);
  const markdown = renderErrorSummary(errorMessage(err), { gateName: commentSettings.commentId });
  await core.summary.addRaw(markdown).write();
  const comment = await publishComment({ settings: commentSettings, ctx: readRunContext(), summary: markdown, token: core.getInput('github-token'), log, updateOnly: true });
  if (comment.url) core.setOutput('comment-url', comment.url);
}

/** A shard that fails still leaves its results file, so the merge job can say which shard failed and why. */
function recordShardFailure(err: unknown): void {
  if (shardJob) {
    core.setOutput('shard-file', shardJob.fail(errorMessage(err)));
    return;
  }
  const input = core.getInput('shard').trim();
  if (commentSettings?.mode !== 'gate' || !input) return;
  try {
    const dir = readShardsDir({ getInput: (name) => core.getInput(name), workspace: process.env.GITHUB_WORKSPACE || process.cwd(), runnerTemp: process.env.RUNNER_TEMP || os.tmpdir() });
    core.setOutput('shard-file', writeFailedShard(parseShard(input), { commit: readRunContext().sha || undefined, dir }, errorMessage(err)));
  } catch {
    // An unreadable `shard` input: the merge reports this shard as missing.
  }
}

run().catch(async (err) => {
  // A run that could not measure (or merge) says so in its verdict, for `if:` conditions of later steps.
  if (commentSettings?.mode !== 'post-comment') core.setOutput('verdict', 'error');
  try {
    await reportFailure(err);
  } catch (reportErr) {
    core.warning(`The failure could not be reported in the job summary or PR comment: ${errorMessage(reportErr)}`);
  }
  core.setFailed(errorMessage(err));
});
