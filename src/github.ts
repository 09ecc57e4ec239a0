// The only importer of @actions/github: what the workflow run is about (event, commit,
// default branch). Comment posting will live here too.
import * as github from '@actions/github';

export interface RunContext {
  eventName: string;
  sha: string;
  ref: string;
  defaultBranch?: string;
  pullRequestNumber?: number;
  /** The pull request's base commit (compare-to: base boots its merge-base with HEAD). */
  baseSha?: string;
}

export function readRunContext(): RunContext {
  const ctx = github.context;
  const payload = ctx.payload as { repository?: { default_branch?: string }; pull_request?: { number?: number; base?: { sha?: string } } };
  return {
    eventName: ctx.eventName,
    sha: ctx.sha,
    ref: ctx.ref,
    defaultBranch: payload.repository?.default_branch,
    pullRequestNumber: payload.pull_request?.number,
    baseSha: payload.pull_request?.base?.sha,
  };
}

/** `record: auto` records pushes to the default branch only: that is the history PRs compare with. */
export function shouldRecord(mode: 'auto' | 'true' | 'false', ctx: RunContext): boolean {
  if (mode !== 'auto') return mode === 'true';
  return ctx.eventName === 'push' && !!ctx.defaultBranch && ctx.ref === `refs/heads/${ctx.defaultBranch}`;
}
