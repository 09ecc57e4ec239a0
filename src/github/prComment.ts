// The PR comment step, both ways it runs:
// - publishComment (the gate's run on a pull request): render the comment from the job
//   summary, create or update it, and save it as a file. A token that cannot write (a fork
//   PR's) is a warning, not a failure: the summary is written anyway and the saved file is
//   what a workflow_run companion posts.
// - postSavedComment (mode: post-comment, in that companion): post a saved comment on the
//   pull request it belongs to, after checking it against the workflow_run event. It runs no
//   code of the pull request and boots nothing.
import { ConfigError, GateError, errorMessage } from '../errors.js';
import type { CommentSettings } from '../config/config.js';
import { gitHubClient, httpStatus, isReadOnlyTokenError, openPullRequestsWithHead, readPullRequest, upsertComment, type GitHubClient, type RunContext, type WorkflowRunInfo } from './api.js';
import { commentKey, renderComment } from '../report/comment.js';
import { readSavedComments, writeSavedComment } from './savedComment.js';
import type { Logger } from '../pipeline/executePlan.js';

/** The resilient client (timeouts, retries, rate limits: client.ts), saying its retries in the log. */
const defaultClient = (log: Logger) => (token: string) => gitHubClient(token, { warn: (m) => log.warning(m) });

/** An error of the GitHub edge (in post-comment mode, where posting is the whole job). */
export class GitHubError extends GateError {}

export interface PublishOutcome {
  /** The comment's URL, when one was created or updated. */
  url?: string;
  /** The saved comment file, for a workflow_run companion. */
  savedFile?: string;
  /** Why no comment was attempted. */
  skipped?: string;
}

/** The comment key: the job's id, plus `comment-id` when a job (or matrix) runs several gates. */
export function gateCommentKey(job: string, commentId: string | undefined): string {
  return commentKey([job || 'gate', commentId].filter(Boolean).join(':'));
}

export async function publishComment(args: {
  settings: CommentSettings;
  ctx: RunContext;
  summary: string;
  token: string;
  log: Logger;
  client?: (token: string) => GitHubClient;
  /** A run that could not measure: only an earlier comment is updated (so it does not show
   * stale results); no new comment is made and nothing is saved. */
  updateOnly?: boolean;
}): Promise<PublishOutcome> {
  const { settings, ctx, log } = args;
  if (settings.comment === 'never') return { skipped: 'comment: never' };
  if (args.updateOnly) {
    if (ctx.pullRequestNumber === undefined || !args.token) return { skipped: 'nothing to update' };
    const key = gateCommentKey(ctx.job, settings.commentId);
    const body = renderComment(args.summary, { key, commit: ctx.headSha ?? ctx.sha, runUrl: ctx.runUrl });
    return { url: await post((args.client ?? defaultClient(log))(args.token), ctx, ctx.pullRequestNumber, key, body, settings, log, false) };
  }
  const pr = ctx.pullRequestNumber;
  // Never on a commit: a comment belongs on a pull request or nowhere. `always` also looks
  // for the open pull request of a pushed commit (workflows that run on push only).
  if (pr === undefined && settings.comment !== 'always') return { skipped: `not a pull request (${ctx.eventName})` };
  const key = gateCommentKey(ctx.job, settings.commentId);
  const commit = ctx.headSha ?? ctx.sha;
  const body = renderComment(args.summary, { key, commit, runUrl: ctx.runUrl });
  if (!args.token) {
    log.warning('No PR comment: `github-token` is empty. The report is in the job summary.');
    return pr === undefined ? { skipped: 'no token' } : save(settings, ctx, pr, key, body, undefined, log);
  }
  const client = (args.client ?? defaultClient(log))(args.token);

  if (pr === undefined) {
    let prs: number[];
    try {
      prs = await openPullRequestsWithHead(client, ctx.repository, commit);
    } catch (err) {
      log.warning(`No PR comment: the pull requests of commit ${commit} could not be listed: ${errorMessage(err)}.`);
      return { skipped: 'lookup failed' };
    }
    if (!prs.length) {
      log.info(`No PR comment: no open pull request has commit ${commit.slice(0, 12)} as its head (the report is in the job summary).`);
      return { skipped: 'no open pull request' };
    }
    let url: string | undefined;
    for (const n of prs) {
      const posted = await post(client, ctx, n, key, body, settings, log);
      url ??= posted;
    }
    return { url };
  }
  const url = await post(client, ctx, pr, key, body, settings, log);
  return save(settings, ctx, pr, key, body, url, log);
}

/** Creates or updates the comment; a failure is a warning (the report is in the job summary). */
async function post(
  client: GitHubClient,
  ctx: RunContext,
  pr: number,
  key: string,
  body: string,
  settings: CommentSettings,
  log: Logger,
  create = true,
): Promise<string | undefined> {
  try {
    const posted = await upsertComment(client, ctx.repository, pr, key, body, { create });
    if (!posted) return undefined;
    log.info(`${posted.created ? 'Posted' : 'Updated'} the PR comment on #${pr}: ${posted.url}`);
    return posted.url;
  } catch (err) {
    if (isReadOnlyTokenError(err)) {
      log.warning(
        `No PR comment: the token may not write to pull request #${pr} (${errorMessage(err)})` +
          `${ctx.fromFork ? ': a pull request from a fork gets a read-only token' : ': grant `permissions: pull-requests: write`'}. ` +
          `The report is in the job summary, and the comment is saved in ${settings.commentFile} for a workflow_run companion workflow ` +
          '(upload it as an artifact; see "Pull requests from forks" in the README).',
      );
    } else {
      log.warning(`No PR comment: GitHub answered ${httpStatus(err) ?? 'with an error'}: ${errorMessage(err)}. The report is in the job summary.`);
    }
    return undefined;
  }
}

/** On a pull request event, the comment is also saved for a workflow_run companion. */
function save(settings: CommentSettings, ctx: RunContext, pr: number, key: string, body: string, url: string | undefined, log: Logger): PublishOutcome {
  try {
    writeSavedComment(settings.commentFile, { repository: ctx.repository, pullRequest: pr, headSha: ctx.headSha ?? ctx.sha, key, body, posted: url !== undefined });
  } catch (err) {
    log.warning(`The PR comment could not be saved in ${settings.commentFile}: ${errorMessage(err)}`);
    return { url };
  }
  return { url, savedFile: settings.commentFile };
}

/**
 * mode: post-comment. The saved file was written by a run of the pull request's code, so it
 * proves nothing by itself: it is posted only on a pull request of this repository whose head
 * is the commit the workflow_run event names.
 */
export async function postSavedComment(args: {
  settings: CommentSettings;
  repository: string;
  eventName: string;
  run: WorkflowRunInfo | undefined;
  token: string;
  log: Logger;
  client?: (token: string) => GitHubClient;
}): Promise<{ url?: string }> {
  const { run, log } = args;
  if (!run) {
    throw new ConfigError(
      `Input \`mode\` is "post-comment": expected a workflow triggered by \`workflow_run\` (the companion of the pull request workflow), but this run's event is "${args.eventName}".`,
    );
  }
  if (run.event !== 'pull_request' && run.event !== 'pull_request_target') {
    log.info(`The workflow run was started by a ${run.event || 'non-pull-request'} event, not a pull request: there is no PR comment to post.`);
    return {};
  }
  const saved = readSavedComments(args.settings.commentFile);
  // Every file is checked before anything is posted.
  for (const { file, comment } of saved) {
    if (comment.repository !== args.repository) {
      throw new ConfigError(`The saved comment in ${file} is for ${comment.repository}, not ${args.repository}: refusing to post it.`);
    }
    if (comment.headSha !== run.headSha) {
      throw new ConfigError(
        `The saved comment in ${file} is for commit ${comment.headSha}, but the workflow run is for ${run.headSha}: refusing to post it ` +
          '(download the artifacts of this very run: `run-id: ${{ github.event.workflow_run.id }}`).',
      );
    }
  }
  const toPost = saved.filter(({ comment }) => !comment.posted);
  if (!toPost.length) {
    log.info('The pull request run posted its comment itself (its token could write): nothing to do.');
    return {};
  }
  if (!args.token) throw new ConfigError('Input `github-token` is empty: expected a token with `pull-requests: write` to post the comment.');
  const client = (args.client ?? defaultClient(args.log))(args.token);
  let url: string | undefined;
  let current = toPost[0]!.comment;
  try {
    // All pull requests are confirmed before the first comment is written.
    for (const { comment } of toPost) {
      current = comment;
      await checkPullRequest(client, args.repository, run, comment.pullRequest, log);
    }
    for (const { comment } of toPost) {
      current = comment;
      const posted = (await upsertComment(client, args.repository, comment.pullRequest, comment.key, comment.body))!;
      log.info(`${posted.created ? 'Posted' : 'Updated'} the PR comment on #${comment.pullRequest}: ${posted.url}`);
      url ??= posted.url;
    }
    return { url };
  } catch (err) {
    if (err instanceof GateError) throw err;
    const hint = httpStatus(err) === 403 ? ' The companion workflow needs `permissions: pull-requests: write`.' : '';
    throw new GitHubError(`Could not post the saved comment on pull request #${current.pullRequest}: ${errorMessage(err)}.${hint}`);
  }
}

/**
 * GitHub lists the run's pull requests only when the head branch is in this repository; for
 * a fork the list is empty, so the pull request itself must confirm the head commit.
 */
async function checkPullRequest(client: GitHubClient, repository: string, run: WorkflowRunInfo, number: number, log: Logger): Promise<void> {
  const listed = run.pullRequests.find((p) => p.number === number);
  if (listed && (listed.headSha === undefined || listed.headSha === run.headSha)) return;
  const pr = await readPullRequest(client, repository, number);
  if (pr.headSha !== run.headSha) {
    throw new ConfigError(`The saved comment names pull request #${number}, whose head is ${pr.headSha}, not the workflow run's ${run.headSha}: refusing to post it.`);
  }
  if (pr.state !== 'open') log.info(`Pull request #${pr.number} is ${pr.state}; posting anyway.`);
}
