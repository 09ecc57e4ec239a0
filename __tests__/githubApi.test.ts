// The GitHub API stand-in itself: it answers what the spec allows with spec-shaped
// responses, and records (and refuses) what the spec does not allow, so an e2e test that
// makes a wrong request fails. Requests are made with Octokit, as the action makes them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { getOctokit } from '@actions/github';
import { GitHubApiStandIn } from './helpers/githubApi.js';
import { commentOnCommit } from '../src/github/api.js';
import { ROOT } from './helpers/paths.js';

const REPO = { owner: 'acme', repo: 'shop' };

describe('GitHub API stand-in', () => {
  let api: GitHubApiStandIn;
  let octokit: ReturnType<typeof getOctokit>;
  before(async () => {
    api = await GitHubApiStandIn.start({ pulls: [{ number: 42, headSha: 'c'.repeat(40), headRepo: 'fork/shop' }] });
    octokit = getOctokit(GitHubApiStandIn.WRITE_TOKEN, { baseUrl: api.baseUrl });
  });
  after(() => api.close());

  it('serves create, list (paginated by Link headers) and update as the spec describes them', async () => {
    for (let i = 0; i < 3; i++) api.seedComment(42, `other ${i}`);
    const created = await octokit.rest.issues.createComment({ ...REPO, issue_number: 42, body: 'hello' });
    assert.equal(created.status, 201);
    assert.equal(created.data.body, 'hello');
    assert.match(created.data.html_url, /^https:\/\/github\.com\/acme\/shop\/pull\/42#issuecomment-\d+$/);
    // per_page 2 over 4 comments: Octokit follows rel="next" to page 2.
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...REPO, issue_number: 42, per_page: 2 });
    assert.deepEqual(all.map((c) => c.body), ['other 0', 'other 1', 'other 2', 'hello']);
    assert.equal(api.calls('issues/list-comments').length, 2);
    const updated = await octokit.rest.issues.updateComment({ ...REPO, comment_id: created.data.id, body: 'hello again' });
    assert.equal(updated.data.body, 'hello again');
    assert.equal(api.commentsOn(42).length, 4);
    const pr = await octokit.rest.pulls.get({ ...REPO, pull_number: 42 });
    assert.equal(pr.data.head.sha, 'c'.repeat(40));
    assert.equal(pr.data.head.repo?.full_name, 'fork/shop');
    api.assertNoViolations();
  });

  it('serves a commit comment (the watch over main) as the spec describes it', async () => {
    const sha = 'd'.repeat(40);
    const posted = await commentOnCommit(octokit, 'acme/shop', sha, 'main is heavier');
    assert.match(posted.url, new RegExp(`^https://github\\.com/acme/shop/commit/${sha}#commitcomment-\\d+$`));
    assert.deepEqual(api.commentsOnCommits().map((c) => [c.commit, c.body]), [[sha, 'main is heavier']]);
    api.assertNoViolations();
    // A short or unknown commit id is refused as GitHub refuses it (422), and recorded.
    await assert.rejects(commentOnCommit(octokit, 'acme/shop', 'abc123', 'x'), (err: Error & { status?: number }) => err.status === 422);
    assert.equal(api.violations.length, 1);
    api.violations.length = 0;
  });

  it('answers a read-only token with GitHub\'s 403, which is not a violation', async () => {
    const readOnly = getOctokit(GitHubApiStandIn.READ_TOKEN, { baseUrl: api.baseUrl });
    await assert.rejects(readOnly.rest.issues.createComment({ ...REPO, issue_number: 42, body: 'x' }), (err: { status?: number; message?: string }) => {
      assert.equal(err.status, 403);
      assert.match(String(err.message), /Resource not accessible by integration/);
      return true;
    });
    // Reading still works with a read-only token.
    const list = await readOnly.rest.issues.listComments({ ...REPO, issue_number: 42 });
    assert.equal(list.status, 200);
    api.assertNoViolations();
  });

  describe('a request the spec does not allow fails the test', () => {
    // Untyped, so the deliberately wrong requests get past TypeScript (Octokit's types know the spec too).
    const request = (route: string, params: Record<string, unknown>) => (octokit.request as (r: string, p: Record<string, unknown>) => Promise<unknown>)(route, params);
    const wrong: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['a body without the required field', () => request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...REPO, issue_number: 42, text: 'x' }), /issues\/create-comment: request body: \(root\) must have required property 'body'/],
      ['a path parameter of the wrong type', () => request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...REPO, comment_id: 'latest', body: 'x' }), /path parameter comment_id="latest": \(root\) must be integer/],
      ['a query parameter the operation does not define', () => request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...REPO, issue_number: 42, sort: 'created' }), /query parameter sort is not defined for issues\/list-comments/],
      ['a path the spec does not have', () => request('POST /repos/{owner}/{repo}/pulls/{pull_number}/comment', { ...REPO, pull_number: 42, body: 'x' }), /no such path in the spec/],
      ['a method the path does not have', () => request('PUT /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...REPO, issue_number: 42, body: 'x' }), /method not allowed/],
      ['a body over GitHub\'s 65536-character limit', () => octokit.rest.issues.createComment({ ...REPO, issue_number: 42, body: 'x'.repeat(65537) }), /over GitHub's limit of 65536/],
    ];
    for (const [name, request, message] of wrong) {
      it(name, async () => {
        const before = api.violations.length;
        await assert.rejects(request(), (err: { status?: number }) => err.status !== undefined && err.status >= 400 && err.status < 500);
        assert.equal(api.violations.length, before + 1);
        assert.match(api.violations.at(-1)!, message);
        assert.throws(() => api.assertNoViolations(), /request\(s\) the spec does not allow/);
        api.violations.length = 0;
      });
    }
  });
});

// The stand-in reads an extract of the API description (scripts/extract-openapi-fixture.mjs).
// The full package is not installed by `npm ci` (385 MB): `npm run check:openapi-fixture`
// fetches the pinned version and checks the extract (CI runs it).
describe('the API description fixture', () => {
  const FIXTURE = path.join(ROOT, '__tests__', 'fixtures', 'github-openapi.json');
  const script = path.join(ROOT, 'scripts', 'extract-openapi-fixture.mjs');

  it('names the package version the extract script pins', () => {
    const pinned = /export const PINNED = '([^']+)'/.exec(readFileSync(script, 'utf8'))?.[1];
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { 'x-extracted-from': string; info: { version: string } };
    assert.equal(fixture['x-extracted-from'], `@octokit/openapi@${pinned}`);
  });

  // The whole package is 385 MB and not installed here: comparing the fixture with it is CI's
  // step (npm run check:openapi-fixture fetches the pinned tarball). What runs here: the
  // fixture is what the extraction keeps of itself, so that comparison is like with like.
  it('is a fixed point of the extraction, and a changed fixture is not what the extraction gives', async () => {
    const { extract } = (await import(pathToFileURL(script).href)) as { extract(doc: unknown): unknown };
    const text = readFileSync(FIXTURE, 'utf8');
    const extracted = `${JSON.stringify(extract(JSON.parse(text)), null, 1)}\n`;
    assert.equal(extracted, text);
    const tampered = text.replace('"issues/create-comment"', '"issues/create-a-comment"');
    assert.notEqual(tampered, text);
    assert.notEqual(extracted, tampered);
  });

  it('is checked against the pinned package by CI', () => {
    assert.match(readFileSync(path.join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8'), /^\s+- run: npm run -s check:openapi-fixture/m);
  });
});
