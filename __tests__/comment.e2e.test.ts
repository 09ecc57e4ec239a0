// The PR conversation end to end: dist/main.js run as a runner runs it, against the Flask
// example under real gunicorn, talking to the GitHub API stand-in (validated against GitHub's
// OpenAPI description) through GITHUB_API_URL. Runs are tiny: the verdict is not what these
// tests are about, the comment is.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { GitHubApiStandIn, type StoredComment } from './helpers/githubApi.js';
import { FLASK_DIR, PY } from './helpers/paths.js';
import { newServerProcesses, serverProcesses, type ProcessInfo } from './helpers/processes.js';
import { eventPayload, newRunnerDirs, runAction, type RunnerDirs } from './helpers/runner.js';

const TINY = {
  // --name tags this file's servers: other engineers' tests run servers on this machine too.
  command: `${PY} -m gunicorn app:app --bind 127.0.0.1:$PORT --workers 1 --name comment-e2e`,
  url: 'http://127.0.0.1:$PORT',
  'working-directory': FLASK_DIR,
  'duration-seconds': '0.5',
  'warmup-seconds': '0',
  rounds: '1',
  connections: '2',
  'compare-to': 'none',
};
const HEAD = 'a'.repeat(40);
const NEXT_HEAD = 'd'.repeat(40);
const FORK_HEAD = 'f'.repeat(40);
const PUSHED_HEAD = 'e'.repeat(40);
const MARKER = '<!-- wsgi-perf-gate:perf -->';

let api: GitHubApiStandIn;
let servers: ProcessInfo[];
const env = () => ({ GITHUB_API_URL: api.baseUrl, GITHUB_JOB: 'perf', GITHUB_RUN_ID: '7', GITHUB_SERVER_URL: 'https://github.com' });
const gateComments = (issue: number): StoredComment[] => api.commentsOn(issue).filter((c) => c.body.startsWith('<!-- wsgi-perf-gate:'));

/** A pull request from the fork fork/shop: GitHub gives its workflow a read-only token. */
function forkPullRequest(number: number, head: string): Record<string, unknown> {
  const payload = eventPayload('pull_request', head) as { pull_request: Record<string, unknown>; number: number };
  const fork = { id: 9, name: 'shop', full_name: 'fork/shop', owner: { login: 'fork', id: 10, type: 'User' } };
  payload.number = number;
  payload.pull_request = { ...payload.pull_request, number, head: { ref: 'feature', sha: head, repo: fork } };
  return payload;
}

/** The event of the companion workflow: `on: workflow_run` after the pull request workflow. */
function workflowRunEvent(head: string, pullRequests: Array<{ number: number }> = []): Record<string, unknown> {
  return {
    action: 'completed',
    workflow_run: {
      id: 7,
      event: 'pull_request',
      head_sha: head,
      head_repository: { full_name: 'fork/shop' },
      pull_requests: pullRequests,
      conclusion: 'success',
    },
    repository: { id: 1, name: 'shop', full_name: 'acme/shop', default_branch: 'main', owner: { login: 'acme', id: 2, type: 'Organization' } },
    sender: { login: 'dev', id: 3, type: 'User' },
  };
}

before(async () => {
  servers = serverProcesses();
  api = await GitHubApiStandIn.start({
    pulls: [
      { number: 42, headSha: HEAD, headRepo: 'acme/shop' },
      { number: 43, headSha: FORK_HEAD, headRepo: 'fork/shop' },
      { number: 45, headSha: PUSHED_HEAD, headRepo: 'acme/shop' },
      // A second pull request from the same branch head (e.g. into a release branch).
      { number: 46, headSha: PUSHED_HEAD, headRepo: 'acme/shop' },
      { number: 47, headSha: HEAD, headRepo: 'acme/shop' },
    ],
  });
});
after(() => api.close());
afterEach(() => {
  // Every request the action made must be one GitHub's spec allows.
  api.assertNoViolations();
  assert.deepEqual(newServerProcesses(servers).filter((p) => p.args.includes('comment-e2e')), [], 'a server process was left running');
});

describe('PR comment on a pull request', () => {
  let dirs: RunnerDirs;
  let firstId: number;
  before(() => {
    dirs = newRunnerDirs();
    // 105 comments by people first: the gate's comment lands on page 2 of 100, so finding it
    // again needs pagination.
    for (let i = 0; i < 105; i++) api.seedComment(42, `LGTM ${i}`);
  });

  it('creates one comment: verdict first, the job summary\'s content, a link to the run', async () => {
    const run = await runAction('main', dirs, { inputs: { ...TINY, 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    const mine = gateComments(42);
    assert.equal(mine.length, 1);
    const body = mine[0]!.body;
    firstId = mine[0]!.id;
    assert.ok(body.startsWith(`${MARKER}\n## wsgi-perf-gate: `), body.slice(0, 200));
    // The comment is the job summary (always written) under the marker, plus a footer.
    assert.ok(run.summary.length > 200);
    assert.ok(body.includes(run.summary.trimEnd()), 'the comment carries the job summary');
    assert.match(body, /\| Metric \| Baseline \| Candidate \| Change \| Interval \| Verdict \|/);
    assert.match(body, /<summary>Settings<\/summary>/);
    assert.match(body, /<sub>wsgi-perf-gate · for commit <code>aaaaaaaaaaaa<\/code> · \[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/7\)<\/sub>\n$/);
    assert.equal(run.outputs['comment-url'], `https://github.com/acme/shop/pull/42#issuecomment-${firstId}`);
    assert.equal(api.calls('issues/create-comment').length, 1);
    // The saved copy says it was posted, so a workflow_run companion has nothing to do.
    const saved = JSON.parse(readFileSync(run.outputs['comment-file']!, 'utf8'));
    assert.equal(saved.posted, true);
    assert.equal(saved.pullRequest, 42);
  });

  it('a second run updates the same comment in place (still one)', async () => {
    const run = await runAction('main', dirs, { sha: NEXT_HEAD, inputs: { ...TINY, 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    const mine = gateComments(42);
    assert.equal(mine.length, 1, 'one comment per pull request and gate');
    assert.equal(mine[0]!.id, firstId);
    assert.match(mine[0]!.body, /for commit <code>dddddddddddd<\/code>/);
    assert.equal(api.calls('issues/create-comment').length, 1);
    assert.equal(api.calls('issues/update-comment').length, 1);
    // Found on page 2: the list was followed by its Link header.
    assert.ok(api.calls('issues/list-comments').some((r) => /page=2/.test(r.path)), 'paginated');
    assert.equal(run.outputs['comment-url'], `https://github.com/acme/shop/pull/42#issuecomment-${firstId}`);
    assert.equal(api.commentsOn(42).length, 106, 'nobody else\'s comment was touched');
  });

  it('a second gate in the same job (comment-id) keeps its own comment', async () => {
    const run = await runAction('main', dirs, { inputs: { ...TINY, 'comment-id': 'api', 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    const mine = gateComments(42);
    assert.equal(mine.length, 2);
    assert.ok(mine[1]!.body.startsWith('<!-- wsgi-perf-gate:perf:api -->\n## wsgi-perf-gate (api): '));
    assert.match(run.summary, /^## wsgi-perf-gate \(api\): /);
    // Saved beside the first gate's comment, not over it.
    assert.equal(run.outputs['comment-file'], path.join(dirs.dir, 'runner-temp', 'wsgi-perf-gate', 'comment-api.json'));
  });

  it('its workflow_run companion has nothing to do: the pull request run posted the comment itself', async () => {
    const saved = path.join(dirs.dir, 'runner-temp', 'wsgi-perf-gate', 'comment.json');
    assert.equal(JSON.parse(readFileSync(saved, 'utf8')).posted, true);
    const before = api.requests.length;
    const run = await runAction('main', newRunnerDirs(), {
      eventName: 'workflow_run',
      payload: workflowRunEvent(NEXT_HEAD, [{ number: 42 }]),
      inputs: { mode: 'post-comment', 'comment-file': saved, 'github-token': GitHubApiStandIn.WRITE_TOKEN },
      env: env(),
    });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /The pull request run posted its comment itself \(its token could write\): nothing to do\./);
    assert.equal(api.requests.length, before);
    assert.equal(run.outputs['comment-url'], '');
  });
});

describe('a run that cannot measure', () => {
  const broken = { ...TINY, command: `${PY} -c "import sys; print('perfgate-test: <b>cannot</b> import @settings'); sys.exit(3)" --name comment-e2e` };

  it('fails, writes the error to the summary and updates the earlier comment, so it shows no stale result', async () => {
    const earlier = gateComments(42).find((c) => c.body.startsWith(`${MARKER}\n`))!;
    const run = await runAction('main', newRunnerDirs(), { sha: NEXT_HEAD, inputs: { ...broken, 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 1, run.stdout);
    assert.equal(run.stdout.split('\n').filter((l) => l.startsWith('::error::')).length, 1, run.stdout);
    assert.match(run.summary, /^## wsgi-perf-gate: 💥 could not measure\n/);
    assert.match(run.summary, /<pre>[^]*the server exited with code 3[^]*perfgate-test: &lt;b&gt;cannot&lt;\/b&gt; import @settings[^]*<\/pre>/);
    const now = gateComments(42).find((c) => c.id === earlier.id)!;
    assert.ok(now.body.startsWith(`${MARKER}\n## wsgi-perf-gate: 💥 could not measure`), now.body.slice(0, 200));
    assert.equal(run.outputs['comment-url'], `https://github.com/acme/shop/pull/42#issuecomment-${earlier.id}`);
  });

  it('makes no new comment on a pull request that has none', async () => {
    const payload = eventPayload('pull_request', HEAD) as { pull_request: Record<string, unknown>; number: number };
    payload.number = 47;
    payload.pull_request = { ...payload.pull_request, number: 47 };
    const run = await runAction('main', newRunnerDirs(), { payload, inputs: { ...broken, 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.summary, /could not measure/);
    assert.equal(api.commentsOn(47).length, 0);
    assert.equal(api.calls('issues/list-comments').filter((r) => r.path.includes('/47/')).length, 1);
  });
});

describe('a pull request from a fork (read-only token) and its workflow_run companion', () => {
  let dirs: RunnerDirs;
  let savedFile: string;
  let artifactDir: string;
  before(() => {
    dirs = newRunnerDirs();
    artifactDir = path.join(dirs.dir, 'downloaded-artifact');
  });

  it('writes the summary and saves the comment, with a warning, not a failure', async () => {
    const run = await runAction('main', dirs, {
      sha: FORK_HEAD,
      payload: forkPullRequest(43, FORK_HEAD),
      inputs: { ...TINY, 'github-token': GitHubApiStandIn.READ_TOKEN },
      env: env(),
    });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.summary, /^## wsgi-perf-gate: /);
    assert.match(run.stdout, /::warning::No PR comment: the token may not write to pull request #43 \(Resource not accessible by integration.*a pull request from a fork gets a read-only token/);
    assert.equal(run.stdout.includes('::error::'), false, run.stdout);
    assert.equal(run.outputs['comment-url'], '');
    savedFile = run.outputs['comment-file']!;
    assert.equal(savedFile, path.join(dirs.dir, 'runner-temp', 'wsgi-perf-gate', 'comment.json'));
    const saved = JSON.parse(readFileSync(savedFile, 'utf8'));
    assert.deepEqual([saved.format, saved.pullRequest, saved.headSha, saved.key, saved.posted], ['wsgi-perf-gate/pr-comment', 43, FORK_HEAD, 'perf', false]);
    assert.ok(saved.body.startsWith(`${MARKER}\n`));
    assert.equal(gateComments(43).length, 0);
    // It tried (the 403 is GitHub's answer, not a violation).
    assert.deepEqual(api.calls('issues/create-comment').filter((r) => r.path.includes('/43/')).map((r) => r.status), [403]);
  });

  it('mode: post-comment posts the saved comment on its pull request, booting nothing', async () => {
    // What download-artifact does in the companion workflow: the file lands in a directory.
    mkdirSync(artifactDir, { recursive: true });
    copyFileSync(savedFile, path.join(artifactDir, 'comment.json'));
    const companion = newRunnerDirs();
    const marker = path.join(companion.dir, 'anything-ran');
    const run = await runAction('main', companion, {
      eventName: 'workflow_run',
      payload: workflowRunEvent(FORK_HEAD),
      // No server inputs at all; a command would never be run in this mode.
      inputs: { mode: 'post-comment', 'comment-file': artifactDir, 'github-token': GitHubApiStandIn.WRITE_TOKEN, command: `touch ${marker}` },
      env: env(),
    });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(existsSync(marker), false);
    const mine = gateComments(43);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.body, JSON.parse(readFileSync(savedFile, 'utf8')).body);
    assert.equal(run.outputs['comment-url'], `https://github.com/acme/shop/pull/43#issuecomment-${mine[0]!.id}`);
    // A fork's run lists no pull requests: the pull request's head confirmed the commit.
    assert.equal(api.calls('pulls/get').length, 1);
    assert.equal(run.summary, '', 'the companion writes no job summary of its own');

    // Run again (a re-run of the companion): the same comment is updated, not duplicated.
    const again = await runAction('main', companion, {
      eventName: 'workflow_run',
      payload: workflowRunEvent(FORK_HEAD),
      inputs: { mode: 'post-comment', 'comment-file': artifactDir, 'github-token': GitHubApiStandIn.WRITE_TOKEN },
      env: env(),
    });
    assert.equal(again.code, 0, again.stdout);
    assert.equal(gateComments(43).length, 1);
  });

  // The saved file comes from the pull request's own run: it is checked, never trusted.
  const tampered: Array<[string, (saved: Record<string, unknown>) => Record<string, unknown>, Record<string, unknown> | undefined, RegExp]> = [
    ['another pull request than the run\'s', (s) => ({ ...s, pullRequest: 42 }), undefined, /names pull request #42, whose head is a{40}, not the workflow run's f{40}: refusing to post it/],
    ['another commit than the run\'s', (s) => s, workflowRunEvent(NEXT_HEAD), /is for commit f{40}, but the workflow run is for d{40}: refusing to post it/],
    ['another repository', (s) => ({ ...s, repository: 'evil/repo' }), undefined, /is for evil\/repo, not acme\/shop: refusing to post it/],
    ['a body without its marker', (s) => ({ ...s, body: 'pwned' }), undefined, /is not a comment saved by wsgi-perf-gate \(body: body does not start with the marker of its key\)/],
    ['a body over GitHub\'s limit', (s) => ({ ...s, body: `${MARKER}\n${'x'.repeat(70_000)}` }), undefined, /body: Too big: expected string to have <=65536 characters/],
  ];
  for (const [name, tamper, event, message] of tampered) {
    it(`mode: post-comment refuses a saved comment for ${name}`, async () => {
      const companion = newRunnerDirs();
      const file = path.join(companion.dir, 'comment.json');
      writeFileSync(file, JSON.stringify(tamper(JSON.parse(readFileSync(savedFile, 'utf8')))));
      const before = api.requests.filter((r) => r.method !== 'GET').length;
      const run = await runAction('main', companion, {
        eventName: 'workflow_run',
        payload: event ?? workflowRunEvent(FORK_HEAD),
        inputs: { mode: 'post-comment', 'comment-file': file, 'github-token': GitHubApiStandIn.WRITE_TOKEN },
        env: env(),
      });
      assert.equal(run.code, 1, run.stdout);
      const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
      assert.equal(errors.length, 1, run.stdout);
      assert.match(errors[0]!, message);
      assert.equal(api.requests.filter((r) => r.method !== 'GET').length, before, 'nothing was written');
    });
  }

  it('mode: post-comment outside a workflow_run says what it needs', async () => {
    const run = await runAction('main', newRunnerDirs(), { inputs: { mode: 'post-comment', 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::Input `mode` is "post-comment": expected a workflow triggered by `workflow_run`.*this run's event is "pull_request"/);
  });
});

describe('no comment where none belongs', () => {
  it('a push run writes the summary and no comment (no API call at all)', async () => {
    const before = api.requests.length;
    const run = await runAction('main', newRunnerDirs(), { eventName: 'push', inputs: { ...TINY, 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.summary, /^## wsgi-perf-gate: /);
    assert.equal(api.requests.length, before);
    assert.equal(run.outputs['comment-url'], '');
    assert.equal(run.outputs['comment-file'], '');
  });

  it('comment: always on a push posts on the open pull requests whose head is the commit, not on the commit', async () => {
    const before = gateComments(42).length;
    const run = await runAction('main', newRunnerDirs(), { eventName: 'push', sha: NEXT_HEAD, inputs: { ...TINY, comment: 'always', 'comment-id': 'push', 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /No PR comment: no open pull request has commit dddddddddddd as its head/);
    assert.equal(gateComments(42).length, before);

    const onHead = await runAction('main', newRunnerDirs(), { eventName: 'push', sha: PUSHED_HEAD, inputs: { ...TINY, comment: 'always', 'comment-id': 'push', 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(onHead.code, 0, onHead.stdout);
    const posted = gateComments(45);
    assert.equal(posted.length, 1);
    assert.ok(posted[0]!.body.startsWith('<!-- wsgi-perf-gate:perf:push -->\n'));
    assert.equal(onHead.outputs['comment-url'], `https://github.com/acme/shop/pull/45#issuecomment-${posted[0]!.id}`);
    assert.equal(gateComments(46).length, 1, 'every open pull request of the commit');
    assert.equal(api.calls('repos/list-pull-requests-associated-with-commit').length, 2);
  });

  it('comment: never on a pull request makes no API call', async () => {
    const before = api.requests.length;
    const run = await runAction('main', newRunnerDirs(), { inputs: { ...TINY, comment: 'never', 'github-token': GitHubApiStandIn.WRITE_TOKEN }, env: env() });
    assert.equal(run.code, 0, run.stdout);
    assert.equal(api.requests.length, before);
  });
});

describe('markdown injection', () => {
  it('a scenario name and path full of Markdown and HTML are shown as text in the comment', async () => {
    const dirs = newRunnerDirs();
    mkdirSync(path.join(dirs.workspace, '.github'));
    const name = 'x | <img src=x onerror=alert(1)> [link](http://evil) @mention';
    writeFileSync(
      path.join(dirs.workspace, '.github', 'perf-gate.yml'),
      ['scenarios:', `  - name: ${JSON.stringify(name)}`, `    path: ${JSON.stringify('/json?q=<b>bold</b>|[x](http://evil)@team')}`].join('\n'),
    );
    api.seedComment(44, 'first!');
    const payload = eventPayload('pull_request', HEAD) as { pull_request: Record<string, unknown>; number: number };
    payload.number = 44;
    payload.pull_request = { ...payload.pull_request, number: 44 };
    const run = await runAction('main', dirs, {
      payload,
      inputs: { ...TINY, 'fail-on-regression': 'false', 'github-token': GitHubApiStandIn.WRITE_TOKEN },
      env: env(),
    });
    assert.equal(run.code, 0, run.stdout);
    const [comment] = gateComments(44);
    assert.ok(comment, 'posted');
    const body = comment.body;
    for (const raw of ['<img', '<b>', '](http://evil)', '@mention', '@team', 'http://evil']) assert.equal(body.includes(raw), false, `${raw} is live in:\n${body}`);
    assert.ok(body.includes('### x &#124; &lt;img src=x onerror=alert(1)&gt; \\[link\\](http:&#8203;//evil) @&#8203;mention'), body);
    assert.ok(body.includes('&lt;b&gt;bold&lt;/b&gt;&#124;\\[x\\](http:&#8203;//evil)@&#8203;team'), body);
    // No table was broken: every table row has the header's number of cells.
    for (const line of body.split('\n').filter((l) => l.startsWith('|'))) assert.equal(line.split('|').length, 8, line);
  });
});
