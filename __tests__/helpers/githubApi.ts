// A local stand-in for GitHub's REST API, checked against GitHub's own OpenAPI description
// (@octokit/openapi, api.github.com; the part of it used here, extracted into
// __tests__/fixtures/github-openapi.json by scripts/extract-openapi-fixture.mjs). It serves, on loopback, the endpoints the action calls,
// keeps issue comments in memory so tests can count them, and validates every request (path,
// method, path and query parameters, JSON body) against the operation the spec defines. A
// request the spec does not allow is recorded as a violation and answered with a 4xx, as
// GitHub would; every answer is itself checked against the spec's response schema, so the
// stand-in cannot drift from what GitHub sends. The action reaches it through
// GITHUB_API_URL, as on GitHub Enterprise. Test code, not shipped.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under ESM the function may sit on .default.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

interface Operation {
  operationId: string;
  template: string;
  method: string;
  /** JSON pointer of the operation in the spec, for ajv references. */
  pointer: string[];
  parameters: Array<{ param: SpecParameter; pointer: string[] }>;
  body?: { required: boolean; pointer: string[] };
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literalSegments: number;
}

/** The spec, its routes and the validator: loaded once per test process. */
interface Spec {
  doc: JsonObject;
  routes: Route[];
  operations: Map<string, Operation>;
  ajv: Ajv;
  validators: Map<string, ValidateFunction>;
}

let loaded: Spec | undefined;

const SPEC_ID = 'github';

function pointerRef(pointer: string[]): string {
  return `${SPEC_ID}#/${pointer.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

function resolve(doc: JsonObject, node: Json, pointer: string[]): { node: JsonObject; pointer: string[] } {
  let cur = node as JsonObject;
  let at = pointer;
  while (cur && typeof cur === 'object' && typeof cur.$ref === 'string') {
    at = (cur.$ref as string).replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    cur = at.reduce<Json>((o, k) => (o as JsonObject)[k]!, doc) as JsonObject;
  }
  return { node: cur, pointer: at };
}

export function loadSpec(): Spec {
  if (loaded) return loaded;
  // Every path with its methods, and in full only the operations the stand-in serves.
  const doc = JSON.parse(readFileSync(new URL('../fixtures/github-openapi.json', import.meta.url), 'utf8')) as JsonObject;
  if (!String(doc.openapi).startsWith('3.0')) throw new Error(`the stand-in expects an OpenAPI 3.0 description, got ${String(doc.openapi)}`);
  // OpenAPI 3.0 schemas are JSON Schema draft-04-ish with `nullable` (ajv knows it) and
  // extension keywords (x-github, example), hence strict: false. Formats: ajv-formats has the
  // JSON Schema ones; the OpenAPI number formats are checked here; the rest are descriptive.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addFormat('timestamp', true);
  ajv.addFormat('binary', true);
  ajv.addFormat('repo.nwo', /^[\w.-]+\/[\w.-]+$/);
  ajv.addSchema(doc, SPEC_ID);

  const routes: Route[] = [];
  const operations = new Map<string, Operation>();
  const paths = doc.paths as Record<string, JsonObject>;
  for (const [template, item] of Object.entries(paths)) {
    const names: string[] = [];
    const regex = new RegExp(
      '^' +
        template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        }) +
        '$',
    );
    routes.push({ template, regex, names, literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length });
    const shared = (item.parameters as Json[] | undefined) ?? [];
    for (const method of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
      const op = item[method] as JsonObject | undefined;
      if (!op) continue;
      const opPointer = ['paths', template, method];
      const parameters = [
        ...shared.map((p, i) => resolve(doc, p, ['paths', template, 'parameters', String(i)])),
        ...((op.parameters as Json[] | undefined) ?? []).map((p, i) => resolve(doc, p, [...opPointer, 'parameters', String(i)])),
      ].map(({ node, pointer }) => ({ param: node as unknown as SpecParameter, pointer }));
      let body: Operation['body'];
      const requestBody = op.requestBody as JsonObject | undefined;
      if (requestBody) {
        const rb = resolve(doc, requestBody, [...opPointer, 'requestBody']);
        if ((rb.node.content as JsonObject | undefined)?.['application/json']) {
          body = { required: rb.node.required === true, pointer: [...rb.pointer, 'content', 'application/json', 'schema'] };
        }
      }
      operations.set(`${method.toUpperCase()} ${template}`, { operationId: String(op.operationId), template, method: method.toUpperCase(), pointer: opPointer, parameters, body });
    }
  }
  // A literal segment beats a parameter: /issues/comments/{id} before /issues/{number}/...
  routes.sort((a, b) => b.literalSegments - a.literalSegments);
  loaded = { doc, routes, operations, ajv, validators: new Map() };
  return loaded;
}

function validator(spec: Spec, pointer: string[]): ValidateFunction {
  const ref = pointerRef(pointer);
  let v = spec.validators.get(ref);
  if (!v) {
    v = spec.ajv.compile({ $ref: ref });
    spec.validators.set(ref, v);
  }
  return v;
}

function errorsText(v: ValidateFunction): string {
  return (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ');
}

/** Query and path values arrive as strings: convert them as the parameter's schema types them. */
function coerce(spec: Spec, pointer: string[], value: string): Json {
  const schema = resolve(spec.doc, pointer.reduce<Json>((o, k) => (o as JsonObject)[k]!, spec.doc), pointer).node;
  const type = schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: string;
  userType: 'User' | 'Bot';
  createdAt: string;
  updatedAt: string;
}

export interface StoredCommitComment {
  id: number;
  commit: string;
  body: string;
  user: string;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Set when the request was answered with an injected fault. */
  fault?: Fault;
  operationId?: string;
  status: number;
  body?: Json;
}

export interface PullRequestFixture {
  number: number;
  headSha: string;
  /** owner/name of the head repository (a fork when it differs from the base). */
  headRepo: string;
}

export interface StandInOptions {
  /** owner/name of the only repository the stand-in knows. */
  repository?: string;
  /** Tokens and what they may do; a `read` token is answered as GitHub answers a fork PR's token. */
  tokens?: Record<string, 'write' | 'read'>;
  /** Tokens of a user (personal access tokens): GET /user answers with this login and their
   * comments carry it. Every other token is an app installation token, as the workflow's
   * GITHUB_TOKEN: GET /user is refused (403) and it writes as github-actions[bot]. */
  users?: Record<string, string>;
  pulls?: PullRequestFixture[];
}

/** A failure GitHub (or the network) can hand any request. */
export type Fault = 'bad-gateway' | 'secondary-rate-limit' | 'rate-limit' | 'connection-reset';

// GitHub's documented limit on an issue comment's body (the API answers 422 beyond it).
const COMMENT_BODY_LIMIT = 65536;

class Reply {
  constructor(
    public status: number,
    public body: Json | undefined,
    public headers: Record<string, string> = {},
    /** The pointer of the spec's response schema this reply must match. */
    public schemaPointer?: string[],
  ) {}
}

export class GitHubApiStandIn {
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  private comments: StoredComment[] = [];
  private commitComments: StoredCommitComment[] = [];
  private nextCommentId = 1001;
  private readonly repository: string;
  private readonly tokens: Record<string, 'write' | 'read'>;
  private readonly users: Record<string, string>;
  private readonly pulls: PullRequestFixture[];
  private faults: Array<{ fault: Fault; matches: (method: string, path: string) => boolean }> = [];
  private server!: Server;
  baseUrl = '';
  /** Tokens this stand-in accepts by default. */
  static readonly WRITE_TOKEN = 'ghs_standin_write';
  static readonly READ_TOKEN = 'ghs_standin_readonly';
  /** A personal access token of the user PAT_USER. */
  static readonly PAT_TOKEN = 'ghp_standin_personal';
  static readonly PAT_USER = 'perf-bot-user';

  private constructor(opts: StandInOptions) {
    this.repository = opts.repository ?? 'acme/shop';
    this.tokens = opts.tokens ?? { [GitHubApiStandIn.WRITE_TOKEN]: 'write', [GitHubApiStandIn.READ_TOKEN]: 'read', [GitHubApiStandIn.PAT_TOKEN]: 'write' };
    this.users = opts.users ?? { [GitHubApiStandIn.PAT_TOKEN]: GitHubApiStandIn.PAT_USER };
    this.pulls = opts.pulls ?? [];
  }

  static async start(opts: StandInOptions = {}): Promise<GitHubApiStandIn> {
    loadSpec();
    const s = new GitHubApiStandIn(opts);
    s.server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((ok) => s.server.listen(0, '127.0.0.1', ok));
    s.baseUrl = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  close(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }

  /** Comments on one issue or pull request, oldest first. */
  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Comments on commits (POST /repos/{owner}/{repo}/commits/{commit_sha}/comments), oldest first. */
  commentsOnCommits(): StoredCommitComment[] {
    return [...this.commitComments];
  }

  /** A comment someone else wrote, e.g. to fill pages before the gate's comment. */
  seedComment(issue: number, body: string, user = 'reviewer', userType: 'User' | 'Bot' = 'User'): StoredComment {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const c: StoredComment = { id: this.nextCommentId++, issue, body, user, userType, createdAt: now, updatedAt: now };
    this.comments.push(c);
    return c;
  }

  /**
   * The next requests that match (all by default) fail this way, one fault each, in order:
   * a 502 with GitHub's HTML page, a secondary rate limit (403, retry-after: 1), a primary rate
   * limit (403, x-ratelimit-remaining: 0, reset in 1 s), or a connection closed without an answer.
   */
  inject(faults: Fault[], matches: (method: string, path: string) => boolean = () => true): void {
    this.faults.push(...faults.map((fault) => ({ fault, matches })));
  }

  /** Requests that reached a known operation, by operationId. */
  calls(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Throws when any request broke the spec: call at the end of each test. */
  assertNoViolations(): void {
    if (this.violations.length) throw new Error(`GitHub API stand-in: ${this.violations.length} request(s) the spec does not allow:\n- ${this.violations.join('\n- ')}`);
  }

  private violation(req: RecordedRequest, message: string): void {
    this.violations.push(`${req.method} ${req.path}: ${message}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = { method, path: url.pathname + url.search, status: 0 };
    this.requests.push(record);
    const faultAt = this.faults.findIndex((f) => f.matches(method, url.pathname));
    if (faultAt >= 0) {
      const { fault } = this.faults.splice(faultAt, 1)[0]!;
      record.fault = fault;
      return this.fail(fault, record, res);
    }
    let reply: Reply;
    try {
      reply = this.route(req, url, method, raw, record);
    } catch (err) {
      this.violation(record, `the stand-in failed: ${(err as Error).stack}`);
      reply = new Reply(500, { message: 'stand-in error' });
    }
    if (reply.schemaPointer && reply.body !== undefined) {
      const v = validator(loadSpec(), reply.schemaPointer);
      if (!v(reply.body)) this.violation(record, `the stand-in's own ${reply.status} answer does not match the spec: ${errorsText(v)}`);
    }
    record.status = reply.status;
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...reply.headers,
    });
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  private fail(fault: Fault, record: RecordedRequest, res: ServerResponse): void {
    if (fault === 'connection-reset') {
      record.status = 0;
      res.socket?.destroy();
      return;
    }
    const reset = String(Math.ceil(Date.now() / 1000) + 1);
    const [status, headers, body] =
      fault === 'bad-gateway'
        ? [502, { 'content-type': 'text/html' }, '<html><body><h1>502 Bad Gateway</h1></body></html>']
        : fault === 'secondary-rate-limit'
          ? [403, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' }, JSON.stringify({ message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: '403' })]
          : [403, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, JSON.stringify({ message: 'API rate limit exceeded for installation ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' })];
    record.status = status;
    res.writeHead(status, headers);
    res.end(body);
  }

  /** The login a token writes as (see StandInOptions.users). */
  private writer(token: string): { login: string; type: 'User' | 'Bot' } {
    const user = this.users[token];
    return user ? { login: user, type: 'User' } : { login: 'github-actions[bot]', type: 'Bot' };
  }

  private route(req: IncomingMessage, url: URL, method: string, raw: string, record: RecordedRequest): Reply {
    const spec = loadSpec();
    // Octokit sends /repos/..., GitHub Enterprise's /api/v3 prefix is part of the base URL.
    const matches = spec.routes.filter((r) => r.regex.test(url.pathname));
    if (!matches.length) {
      this.violation(record, 'no such path in the spec');
      return this.error(404, 'Not Found');
    }
    const route = matches.find((r) => spec.operations.has(`${method} ${r.template}`));
    if (!route) {
      this.violation(record, `method not allowed (the spec has ${matches.map((m) => m.template).join(', ')} without ${method})`);
      return this.error(404, 'Not Found');
    }
    const op = spec.operations.get(`${method} ${route.template}`)!;
    record.operationId = op.operationId;

    const values = route.regex.exec(url.pathname)!.slice(1).map(decodeURIComponent);
    const pathParams = Object.fromEntries(route.names.map((n, i) => [n, values[i]!]));
    const problems: string[] = [];
    const params: Record<string, Json> = {};
    const queryNames = new Set(url.searchParams.keys());
    for (const { param, pointer } of op.parameters) {
      if (param.in !== 'path' && param.in !== 'query') continue;
      const value = param.in === 'path' ? pathParams[param.name] : url.searchParams.get(param.name) ?? undefined;
      queryNames.delete(param.name);
      if (value === undefined) {
        if (param.required) problems.push(`${param.in} parameter ${param.name} is required`);
        continue;
      }
      const typed = coerce(spec, [...pointer, 'schema'], value);
      const v = validator(spec, [...pointer, 'schema']);
      if (!v(typed)) problems.push(`${param.in} parameter ${param.name}=${JSON.stringify(value)}: ${errorsText(v)}`);
      params[param.name] = typed;
    }
    for (const extra of queryNames) problems.push(`query parameter ${extra} is not defined for ${op.operationId}`);

    let body: Json | undefined;
    if (raw.length) {
      if (!op.body) problems.push(`${op.operationId} takes no request body`);
      else if (!/application\/json/.test(req.headers['content-type'] ?? '')) problems.push(`content-type ${req.headers['content-type']} is not application/json`);
      else {
        try {
          body = JSON.parse(raw) as Json;
          record.body = body;
          const v = validator(spec, op.body.pointer);
          if (!v(body)) problems.push(`request body: ${errorsText(v)}`);
        } catch {
          problems.push('request body is not JSON');
        }
      }
    } else if (op.body?.required) {
      problems.push('request body is required');
    }
    if (problems.length) {
      this.violation(record, `${op.operationId}: ${problems.join('; ')}`);
      return this.validationFailed(problems.join('; '));
    }

    const auth = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const access = auth ? this.tokens[auth] : undefined;
    if (!access) {
      this.violation(record, 'no valid token in the Authorization header');
      return new Reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    }
    if (op.operationId === 'users/get-authenticated') {
      const login = this.users[auth!];
      if (!login) {
        // What GitHub answers an app installation token (the workflow's GITHUB_TOKEN).
        return new Reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user', status: '403' }, {}, this.responsePointer(op, 403));
      }
      const shaped = this.example('private-user');
      return new Reply(200, { ...shaped, login }, {}, this.responsePointer(op, 200));
    }
    if (`${params.owner}/${params.repo}` !== this.repository) {
      this.violation(record, `repository ${String(params.owner)}/${String(params.repo)} is not ${this.repository}`);
      return this.error(404, 'Not Found');
    }
    if (method !== 'GET' && access === 'read') {
      // What GitHub answers a fork pull request's read-only GITHUB_TOKEN: not a violation.
      return new Reply(
        403,
        { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment', status: '403' },
        {},
        this.responsePointer(op, 403),
      );
    }
    return this.operate(op, params, body as JsonObject | undefined, url, record, this.writer(auth!));
  }

  private responsePointer(op: Operation, status: number): string[] | undefined {
    const spec = loadSpec();
    const response = (spec.doc.paths as Record<string, Record<string, JsonObject>>)[op.template]![op.method.toLowerCase()]!.responses as JsonObject;
    const entry = response[String(status)];
    if (!entry) return undefined;
    const r = resolve(spec.doc, entry, [...op.pointer, 'responses', String(status)]);
    return (r.node.content as JsonObject | undefined)?.['application/json'] ? [...r.pointer, 'content', 'application/json', 'schema'] : undefined;
  }

  private error(status: number, message: string): Reply {
    return new Reply(status, { message, documentation_url: 'https://docs.github.com/rest', status: String(status) });
  }

  private validationFailed(message: string): Reply {
    return new Reply(422, { message: 'Validation Failed', errors: [message], documentation_url: 'https://docs.github.com/rest', status: '422' });
  }

  /** A spec example of a pull request, made into one of this stand-in's open pull requests.
   * The spec's own examples list teams without their now-required `type`: none here. */
  private pullFields(example: JsonObject, pr: PullRequestFixture): JsonObject {
    return {
      ...example,
      number: pr.number,
      state: 'open',
      requested_teams: [],
      url: `${this.baseUrl}/repos/${this.repository}/pulls/${pr.number}`,
      html_url: `https://github.com/${this.repository}/pull/${pr.number}`,
    };
  }

  private example(name: string): JsonObject {
    const examples = (loadSpec().doc.components as JsonObject).examples as Record<string, JsonObject>;
    return structuredClone(examples[name]!.value) as JsonObject;
  }

  private commentJson(c: StoredComment): JsonObject {
    const api = `${this.baseUrl}/repos/${this.repository}`;
    const shaped = this.example('issue-comment');
    const user = shaped.user as JsonObject;
    return {
      ...shaped,
      id: c.id,
      node_id: Buffer.from(`IssueComment${c.id}`).toString('base64'),
      url: `${api}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue}`,
      body: c.body,
      user: { ...user, login: c.user, type: c.userType },
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.userType === 'Bot' ? 'NONE' : 'MEMBER',
    };
  }

  private issueExists(n: number): boolean {
    return this.pulls.some((p) => p.number === n) || this.comments.some((c) => c.issue === n);
  }

  private operate(op: Operation, params: Record<string, Json>, body: JsonObject | undefined, url: URL, record: RecordedRequest, writer: { login: string; type: 'User' | 'Bot' }): Reply {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    switch (op.operationId) {
      case 'issues/list-comments': {
        const issue = params.issue_number as number;
        if (!this.issueExists(issue)) {
          this.violation(record, `issue ${issue} does not exist`);
          return this.error(404, 'Not Found');
        }
        const perPage = Math.min((params.per_page as number | undefined) ?? 30, 100);
        const page = (params.page as number | undefined) ?? 1;
        const all = this.commentsOn(issue);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const headers: Record<string, string> = {};
        // GitHub's Link header; Octokit's paginate follows rel="next".
        const link = (p: number) => `<${this.baseUrl}${url.pathname}?per_page=${perPage}&page=${p}>`;
        const rels: string[] = [];
        if (page < last) rels.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
        if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
        if (rels.length) headers.link = rels.join(', ');
        const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.commentJson(c));
        return new Reply(200, items, headers, this.responsePointer(op, 200));
      }
      case 'issues/create-comment': {
        const issue = params.issue_number as number;
        if (!this.issueExists(issue)) {
          this.violation(record, `issue ${issue} does not exist`);
          return this.error(404, 'Not Found');
        }
        const text = String(body!.body);
        if (text.length > COMMENT_BODY_LIMIT) {
          this.violation(record, `body is ${text.length} characters, over GitHub's limit of ${COMMENT_BODY_LIMIT}`);
          return this.validationFailed(`Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`);
        }
        const c = this.seedComment(issue, text, writer.login, writer.type);
        const json = this.commentJson(c);
        return new Reply(201, json, { location: String(json.url) }, this.responsePointer(op, 201));
      }
      case 'issues/update-comment': {
        const c = this.comments.find((x) => x.id === params.comment_id);
        if (!c) {
          this.violation(record, `comment ${String(params.comment_id)} does not exist`);
          return this.error(404, 'Not Found');
        }
        if (c.user !== writer.login) {
          // GitHub refuses to let a token edit someone else's comment; the gate must never try.
          this.violation(record, `${writer.login} tried to edit comment ${c.id} written by ${c.user}`);
          return new Reply(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/issues/comments#update-an-issue-comment', status: '403' }, {}, this.responsePointer(op, 403));
        }
        const text = String(body!.body);
        if (text.length > COMMENT_BODY_LIMIT) {
          this.violation(record, `body is ${text.length} characters, over GitHub's limit of ${COMMENT_BODY_LIMIT}`);
          return this.validationFailed(`Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`);
        }
        c.body = text;
        c.updatedAt = now;
        return new Reply(200, this.commentJson(c), {}, this.responsePointer(op, 200));
      }
      case 'pulls/get': {
        const pr = this.pulls.find((p) => p.number === params.pull_number);
        if (!pr) {
          this.violation(record, `pull request ${String(params.pull_number)} does not exist`);
          return this.error(404, 'Not Found');
        }
        const shaped = this.example('pull-request');
        const head = shaped.head as JsonObject;
        const base = shaped.base as JsonObject;
        const [headOwner, headName] = pr.headRepo.split('/') as [string, string];
        const [owner, name] = this.repository.split('/') as [string, string];
        return new Reply(
          200,
          {
            ...this.pullFields(shaped, pr),
            head: { ...head, sha: pr.headSha, repo: { ...(head.repo as JsonObject), name: headName, full_name: pr.headRepo, owner: { ...((head.repo as JsonObject).owner as JsonObject), login: headOwner } } },
            base: { ...base, repo: { ...(base.repo as JsonObject), name, full_name: this.repository, owner: { ...((base.repo as JsonObject).owner as JsonObject), login: owner } } },
          },
          {},
          this.responsePointer(op, 200),
        );
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const shaped = (loadSpec().doc.components as JsonObject).examples as Record<string, JsonObject>;
        const item = structuredClone((shaped['pull-request-simple-items']!.value as Json[])[0]) as JsonObject;
        const head = item.head as JsonObject;
        const items = this.pulls
          .filter((p) => p.headSha === params.commit_sha)
          .map((p) => ({ ...this.pullFields(item, p), head: { ...head, sha: p.headSha, repo: { ...(head.repo as JsonObject), full_name: p.headRepo } } }));
        return new Reply(200, items, {}, this.responsePointer(op, 200));
      }
      case 'repos/create-commit-comment': {
        const sha = String(params.commit_sha);
        // GitHub answers 422 for a commit it does not have; the stand-in knows only full ids.
        if (!/^[0-9a-f]{40}$/.test(sha)) {
          this.violation(record, `commit ${sha} is not a full commit id`);
          return this.validationFailed(`No commit found for SHA: ${sha}`);
        }
        const text = String(body!.body);
        if (text.length > COMMENT_BODY_LIMIT) {
          this.violation(record, `body is ${text.length} characters, over GitHub's limit of ${COMMENT_BODY_LIMIT}`);
          return this.validationFailed(`Body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`);
        }
        const c: StoredCommitComment = { id: this.nextCommentId++, commit: sha, body: text, user: writer.login, createdAt: now };
        this.commitComments.push(c);
        const shaped = this.example('commit-comment');
        const json = {
          ...shaped,
          id: c.id,
          node_id: Buffer.from(`CommitComment${c.id}`).toString('base64'),
          url: `${this.baseUrl}/repos/${this.repository}/comments/${c.id}`,
          html_url: `https://github.com/${this.repository}/commit/${sha}#commitcomment-${c.id}`,
          commit_id: sha,
          body: text,
          path: null,
          position: null,
          line: null,
          user: { ...(shaped.user as JsonObject), login: writer.login, type: writer.type },
          created_at: now,
          updated_at: now,
          author_association: writer.type === 'Bot' ? 'NONE' : 'MEMBER',
        };
        return new Reply(201, json, { location: String(json.url) }, this.responsePointer(op, 201));
      }
      default:
        this.violation(record, `${op.operationId} is allowed by the spec but the stand-in does not serve it (add it when the action needs it)`);
        return this.error(501, 'Not Implemented');
    }
  }
}
