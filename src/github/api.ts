// The only importer of @actions/github: what the workflow run is about (event, commit,
// pull request, default branch) and the few REST calls the action makes (find, create and
// update its PR comment; read a pull request's head). Octokit reads GITHUB_API_URL, so the
// same code talks to github.com, GitHub Enterprise and the tests' stand-in.
import * as github from '@actions/github';
import type { GitHubClient } from './client.js';
import { isOwnComment, tokenIdentity } from './commentOwner.js';

export interface RunContext {
  eventName: string;
  sha: string;
  ref: string;
  defaultBranch?: string;
  pullRequestNumber?: number;
  /** The pull request's base commit (compare-to: base boots its merge-base with HEAD). */
  baseSha?: string;
  /** The pull request's head commit (GITHUB_SHA is the merge commit on pull_request events). */
  headSha?: string;
  /** A pull request from a fork: its token is read-only, so the comment needs workflow_run. */
  fromFork?: boolean;
  /** owner/name of the repository the workflow runs in. */
  repository: string;
  /** The workflow run's page, whose job summary holds the full report. */
  runUrl?: string;
  /** The job's id in the workflow (GITHUB_JOB). */
  job: string;
}

interface Payload {
  repository?: { default_branch?: string; full_name?: string };
  pull_request?: { number?: number; base?: { sha?: string; repo?: { full_name?: string } }; head?: { sha?: string; repo?: { full_name?: string } | null } };
}

export function readRunContext(): RunContext {
  const ctx = github.context;
  const payload = ctx.payload as Payload;
  const pr = payload.pull_request;
  const repository = process.env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? '';
  const headRepo = pr?.head?.repo?.full_name;
  return {
    eventName: ctx.eventName,
    sha: ctx.sha,
    ref: ctx.ref,
    defaultBranch: payload.repository?.default_branch,
    pullRequestNumber: pr?.number,
    baseSha: pr?.base?.sha,
    headSha: pr?.head?.sha,
    // A deleted fork has no head repo: it is a fork all the same.
    fromFork: pr ? headRepo !== (pr.base?.repo?.full_name ?? repository) : undefined,
    repository,
    runUrl: ctx.runId && repository ? `${ctx.serverUrl}/${repository}/actions/runs/${ctx.runId}` : undefined,
    job: ctx.job || '',
  };
}

/** `record: auto` records pushes to the default branch only: that is the history PRs compare with. */
export function shouldRecord(mode: 'auto' | 'true' | 'false', ctx: RunContext): boolean {
  if (mode !== 'auto') return mode === 'true';
  return ctx.eventName === 'push' && !!ctx.defaultBranch && ctx.ref === `refs/heads/${ctx.defaultBranch}`;
}

/** The `workflow_run` event's run: what the companion workflow posts for. */
export interface WorkflowRunInfo {
  /** The event that started the pull request workflow (pull_request, push, ...). */
  event: string;
  headSha: string;
  /** owner/name of the repository the head commit lives in (a fork's for fork PRs). */
  headRepository?: string;
  /** Pull requests GitHub associated with the run; empty for pull requests from forks. */
  pullRequests: Array<{ number: number; headSha?: string }>;
}

export function readWorkflowRun(): WorkflowRunInfo | undefined {
  const run = (github.context.payload as { workflow_run?: Record<string, unknown> }).workflow_run;
  if (github.context.eventName !== 'workflow_run' || !run) return undefined;
  const prs = Array.isArray(run.pull_requests) ? (run.pull_requests as Array<{ number?: unknown; head?: { sha?: unknown } }>) : [];
  return {
    event: String(run.event ?? ''),
    headSha: String(run.head_sha ?? ''),
    headRepository: (run.head_repository as { full_name?: string } | undefined)?.full_name,
    pullRequests: prs.filter((p) => typeof p.number === 'number').map((p) => ({ number: p.number as number, headSha: typeof p.head?.sha === 'string' ? p.head.sha : undefined })),
  };
}

export { gitHubClient, type GitHubClient } from './client.js';

function splitRepository(repository: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = repository.split('/');
  return { owner, repo };
}

/** An HTTP status from Octokit's RequestError, if the error is one. */
export function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's answer to a token that may read but not write (a fork PR's GITHUB_TOKEN). */
export function isReadOnlyTokenError(err: unknown): boolean {
  return httpStatus(err) === 403 && /not accessible by integration|permission|forbidden/i.test(String((err as Error).message));
}

export interface PostedComment {
  url: string;
  id: number;
  created: boolean;
}

/**
 * One comment per pull request and gate: the first comment whose body starts with this gate's
 * marker and that the token's own identity wrote is updated in place; otherwise a new one is
 * created (unless create: false). Comments of people (or of other gates) are never touched,
 * even if they start with the marker (commentOwner.ts).
 */
export async function upsertComment(
  client: GitHubClient,
  repository: string,
  issue: number,
  key: string,
  body: string,
  opts: { create?: boolean } = {},
): Promise<PostedComment | undefined> {
  const repo = splitRepository(repository);
  const identity = await tokenIdentity(client);
  let existing: { id: number } | undefined;
  for await (const page of client.paginate.iterator(client.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 })) {
    existing = page.data.find((c) => isOwnComment(c, key, identity));
    if (existing) break;
  }
  if (existing) {
    const { data } = await client.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { url: data.html_url, id: data.id, created: false };
  }
  if (opts.create === false) return undefined;
  const { data } = await client.rest.issues.createComment({ ...repo, issue_number: issue, body });
  return { url: data.html_url, id: data.id, created: true };
}

export interface PullRequestHead {
  number: number;
  state: string;
  headSha: string;
  headRepository?: string;
}

export async function readPullRequest(client: GitHubClient, repository: string, number: number): Promise<PullRequestHead> {
  const { data } = await client.rest.pulls.get({ ...splitRepository(repository), pull_number: number });
  return { number: data.number, state: data.state, headSha: data.head.sha, headRepository: data.head.repo?.full_name };
}

/** Open pull requests whose head is this commit (for `comment: always` on a push). */
export async function openPullRequestsWithHead(client: GitHubClient, repository: string, sha: string): Promise<number[]> {
  const pulls = await client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, { ...splitRepository(repository), commit_sha: sha, per_page: 100 });
  return pulls.filter((p) => p.state === 'open' && p.head.sha === sha).map((p) => p.number);
}

/** A comment on a commit (the watch over main tells the commit that changed a series). */
export async function commentOnCommit(client: GitHubClient, repository: string, sha: string, body: string): Promise<{ url: string; id: number }> {
  const { data } = await client.rest.repos.createCommitComment({ ...splitRepository(repository), commit_sha: sha, body });
  return { url: data.html_url, id: data.id };
}
