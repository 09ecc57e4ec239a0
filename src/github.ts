// The only importer of @actions/github: what the workflow run is about (event, commit,
// default branch). Comment posting will live here too.
import * as github from '@actions/github';

export interface RunContext {
  eventName: string;
  sha: string;
  ref: string;
  defaultBranch?: string;
  pullRequestNumber?: number;
}

export function readRunContext(): RunContext {
  const ctx = github.context;
  const payload = ctx.payload as { repository?: { default_branch?: string }; pull_request?: { number?: number } };
  return {
    eventName: ctx.eventName,
    sha: ctx.sha,
    ref: ctx.ref,
    defaultBranch: payload.repository?.default_branch,
    pullRequestNumber: payload.pull_request?.number,
  };
}

/** `record: auto` records pushes to the default branch only: that is the history PRs compare with. */
export function shouldRecord(mode: 'auto' | 'true' | 'false', ctx: RunContext): boolean {
  if (mode !== 'auto') return mode === 'true';
  return ctx.eventName === 'push' && !!ctx.defaultBranch && ctx.ref === `refs/heads/${ctx.defaultBranch}`;
}
