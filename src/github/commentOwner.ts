// Which comments are ours: a comment counts as this gate's only when its body starts with the
// gate's marker AND it was written by the identity of the token in use. A person (or another
// bot) who pastes or quotes the marker at the top of a comment must not get it edited: GitHub
// would refuse the edit (403), and the report would blame the token.
import { markerKey } from '../report/comment.js';
import type { GitHubClient } from './client.js';

/** The author of comments written with the workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

function status(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | undefined)?.status;
  return typeof s === 'number' ? s : undefined;
}

/**
 * The login the token writes as. A personal access token can read its own user; an app
 * installation token (the workflow's GITHUB_TOKEN) is refused GET /user (403) and writes as
 * github-actions[bot]. Another GitHub App's installation token writes as that app's bot, which
 * cannot be read with its own token: such comments are not recognised, and a new one is made.
 */
export async function tokenIdentity(client: GitHubClient): Promise<string> {
  try {
    const { data } = await client.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    if (status(err) === 403 || status(err) === 404) return ACTIONS_BOT;
    throw err;
  }
}

/** Pure: whether a listed comment is this gate's own. */
export function isOwnComment(comment: { body?: string | null; user?: { login: string } | null }, key: string, identity: string): boolean {
  return markerKey(comment.body ?? '') === key && comment.user?.login === identity;
}
