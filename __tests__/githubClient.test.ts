// Nothing lost talking to GitHub: the action's client against the spec-checked stand-in,
// which injects 502s, rate limits and dropped connections; and a comment counts as ours only
// when the token's own identity wrote it.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gitHubClient, upsertComment } from '../src/github/api.js';
import { worstCaseMs } from '../src/github/client.js';
import { ACTIONS_BOT, isOwnComment, tokenIdentity } from '../src/github/commentOwner.js';
import { commentKey, renderComment } from '../src/report/comment.js';
import { GitHubApiStandIn } from './helpers/githubApi.js';

const REPO = 'acme/shop';
// Short pauses: the retry logic is the same, the test is fast (production pauses 1, 4, 9 s).
const FAST = { retryBaseMs: 20, timeoutMs: 2_000 };
const KEY = commentKey('perf');
const body = (text: string) => renderComment(`## wsgi-perf-gate: ✅ pass\n\n${text}\n`, { key: KEY, commit: 'a'.repeat(40) });

describe('GitHub client: retries within a bounded time', () => {
  let api: GitHubApiStandIn;
  const warnings: string[] = [];
  const client = (token = GitHubApiStandIn.WRITE_TOKEN, opts = {}) => gitHubClient(token, { ...FAST, baseUrl: api.baseUrl, warn: (m) => warnings.push(m), ...opts });
  before(async () => {
    api = await GitHubApiStandIn.start({ pulls: [{ number: 42, headSha: 'c'.repeat(40), headRepo: REPO }] });
  });
  after(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    warnings.length = 0;
  });

  it('502s and a dropped connection are retried until the call succeeds', async () => {
    api.inject(['bad-gateway', 'connection-reset', 'bad-gateway'], (method) => method === 'POST');
    const posted = await upsertComment(client(), REPO, 42, KEY, body('first'));
    assert.equal(posted?.created, true);
    const posts = api.requests.filter((r) => r.method === 'POST');
    assert.deepEqual(posts.map((r) => r.fault ?? r.status), ['bad-gateway', 'connection-reset', 'bad-gateway', 201]);
    assert.equal(api.commentsOn(42).length, 1, 'one comment, not one per attempt');
    api.assertNoViolations();
  });

  it('secondary and primary rate limits are waited out, and said', async () => {
    api.inject(['secondary-rate-limit', 'rate-limit'], (method) => method === 'GET');
    const pr = await client().rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 42 });
    assert.equal(pr.status, 200);
    assert.deepEqual(api.requests.map((r) => r.fault ?? r.status), ['secondary-rate-limit', 'rate-limit', 200]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /secondary rate limit on GET .*: retrying after 1 s/);
    assert.match(warnings[1]!, /rate limit on GET .*: retrying after \d s/);
  });

  it('gives up after the retries: the error reaches the caller, nothing hangs', async () => {
    api.inject(['bad-gateway', 'bad-gateway', 'bad-gateway', 'bad-gateway'], (method) => method === 'GET');
    const started = Date.now();
    await assert.rejects(client().rest.pulls.get({ owner: 'acme', repo: 'shop', pull_number: 42 }), (err: { status?: number }) => err.status === 502);
    assert.equal(api.requests.length, 4, 'the first attempt and 3 retries');
    assert.ok(Date.now() - started < worstCaseMs({ ...FAST, maxRateLimitWaitSeconds: 0 }) + 1_000);
  });

  it('a server that never answers is cut at the attempt timeout and retried', async () => {
    // A socket that accepts and then says nothing, as a stuck proxy does.
    let connections = 0;
    const silent: Server = createServer(() => {
      connections++;
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const slow = gitHubClient(GitHubApiStandIn.WRITE_TOKEN, { retryBaseMs: 10, timeoutMs: 200, retries: 2 });
      const started = Date.now();
      await assert.rejects(slow.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner: 'acme', repo: 'shop', pull_number: 42, baseUrl }), /no answer within 0\.2 s/);
      const took = Date.now() - started;
      assert.equal(connections, 3, 'the first attempt and 2 retries');
      assert.ok(took >= 600 && took < 5_000, `took ${took} ms`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('the worst case of the defaults is bounded (about 6 minutes: 4 attempts of 30 s, rate-limit waits of up to 60 s)', () => {
    assert.equal(worstCaseMs(), 4 * 30_000 + 3 * 60_000);
  });
});

describe('a comment counts as ours only when the token\'s identity wrote it', () => {
  let api: GitHubApiStandIn;
  before(async () => {
    api = await GitHubApiStandIn.start({ pulls: [{ number: 7, headSha: 'c'.repeat(40), headRepo: REPO }] });
  });
  after(() => api.close());

  it('isOwnComment: marker at the start and the same author', () => {
    const b = body('x');
    assert.equal(isOwnComment({ body: b, user: { login: ACTIONS_BOT } }, KEY, ACTIONS_BOT), true);
    assert.equal(isOwnComment({ body: b, user: { login: 'reviewer' } }, KEY, ACTIONS_BOT), false);
    assert.equal(isOwnComment({ body: `> ${b}`, user: { login: ACTIONS_BOT } }, KEY, ACTIONS_BOT), false);
  });

  it('the identity: the user of a personal token; github-actions[bot] for an installation token (GET /user is refused)', async () => {
    assert.equal(await tokenIdentity(gitHubClient(GitHubApiStandIn.PAT_TOKEN, { ...FAST, baseUrl: api.baseUrl })), GitHubApiStandIn.PAT_USER);
    assert.equal(await tokenIdentity(gitHubClient(GitHubApiStandIn.WRITE_TOKEN, { ...FAST, baseUrl: api.baseUrl })), ACTIONS_BOT);
  });

  it('another author\'s comment that starts with the marker is never edited: ours is created, then updated', async () => {
    const pasted = api.seedComment(7, body('pasted by a reviewer'), 'reviewer', 'User');
    const first = await upsertComment(gitHubClient(GitHubApiStandIn.WRITE_TOKEN, { ...FAST, baseUrl: api.baseUrl }), REPO, 7, KEY, body('run 1'));
    assert.equal(first?.created, true);
    const second = await upsertComment(gitHubClient(GitHubApiStandIn.WRITE_TOKEN, { ...FAST, baseUrl: api.baseUrl }), REPO, 7, KEY, body('run 2'));
    assert.deepEqual([second?.created, second?.id], [false, first?.id]);
    assert.match(api.commentsOn(7).find((c) => c.id === pasted.id)!.body, /pasted by a reviewer/);
    assert.equal(api.calls('issues/update-comment').length, 1);
    // The stand-in answers an edit of someone else's comment with 403 and records a violation: none happened.
    api.assertNoViolations();
  });

  it('a personal token keeps its own comment apart from the bot\'s', async () => {
    const mine = await upsertComment(gitHubClient(GitHubApiStandIn.PAT_TOKEN, { ...FAST, baseUrl: api.baseUrl }), REPO, 7, KEY, body('by the user'));
    assert.equal(mine?.created, true);
    assert.equal(api.commentsOn(7).find((c) => c.id === mine!.id)!.user, GitHubApiStandIn.PAT_USER);
    api.assertNoViolations();
  });
});
