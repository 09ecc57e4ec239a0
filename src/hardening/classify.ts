// Pure: the rule of each hardening check, from the evidence a probe gathered to a row with
// pass / warn / fail, the evidence in words and what fixes it. No sockets, no processes.
import { debugPage, serverVersion, stackTrace } from './leaks.js';
import type { CheckRow, Exchange } from './types.js';

const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`);
export const formatBytes = kib;

function describe(e: Exchange): string {
  if (e.status !== undefined) return `${e.status}`;
  return e.outcome === 'timeout' ? 'no answer' : `connection ${e.outcome}`;
}

/** A labelled response of the leak probe: which request it answered. */
export interface LabelledExchange extends Exchange {
  /** e.g. "GET /__missing" */
  request: string;
}

export function classifyLeaks(responses: LabelledExchange[]): CheckRow[] {
  const versions = responses.map((r) => serverVersion(r.headers)).filter((v): v is string => !!v);
  const poweredBy = responses.map((r) => r.headers['x-powered-by']).filter((v): v is string => !!v);
  const pages = responses.flatMap((r) => {
    const page = debugPage(r.status, r.body);
    return page ? [`${page}, on ${r.request} (${describe(r)})`] : [];
  });
  const traces = responses.flatMap((r) => {
    const trace = stackTrace(r.body);
    return trace ? [`${r.request} (${describe(r)}) shows "${trace}"`] : [];
  });
  const asked = responses.map((r) => `${r.request} -> ${describe(r)}`).join(', ');
  return [
    versions.length
      ? {
          id: 'server-version',
          status: 'warn',
          evidence: `The Server header names its version: "${versions[0]}".`,
          fix: 'Hide the version: nginx `server_tokens off`; gunicorn and uWSGI only behind a proxy that replaces the header.',
        }
      : { id: 'server-version', status: 'pass', evidence: `No version in the Server header (${responses[0]?.headers['server'] ?? 'none sent'}).` },
    poweredBy.length
      ? { id: 'x-powered-by', status: 'warn', evidence: `X-Powered-By: "${poweredBy[0]}".`, fix: 'Remove the X-Powered-By header in the app or the proxy.' }
      : { id: 'x-powered-by', status: 'pass', evidence: 'No X-Powered-By header.' },
    pages.length
      ? { id: 'debug-page', status: 'fail', evidence: `Debug page served: ${pages.join('; ')}.`, fix: 'Turn debugging off in production settings (Django DEBUG = False, Flask debug off).' }
      : { id: 'debug-page', status: 'pass', evidence: `No debug page: ${asked}.` },
    traces.length
      ? { id: 'stack-trace', status: 'fail', evidence: `Stack trace in a body: ${traces.join('; ')}.`, fix: 'Do not return tracebacks to clients; log them instead.' }
      : { id: 'stack-trace', status: 'pass', evidence: 'No stack trace in any body.' },
  ];
}

export interface OwnerEvidence {
  /** The server's worker processes (leaves of its process tree) and their real user ids. */
  workers: Array<{ pid: number; uid: number }>;
  /** Running in CI (GITHUB_ACTIONS / CI set). */
  ci: boolean;
}

export function classifyOwner(e: OwnerEvidence): CheckRow {
  if (e.workers.length === 0) return { id: 'process-owner', status: 'skipped', evidence: 'No worker process was found to inspect.' };
  const root = e.workers.filter((w) => w.uid === 0);
  const list = e.workers.map((w) => `${w.pid} (uid ${w.uid})`).join(', ');
  if (!root.length) return { id: 'process-owner', status: 'pass', evidence: `Workers run as a non-root user: ${list}.` };
  return {
    id: 'process-owner',
    status: 'warn',
    evidence:
      `${root.length} of ${e.workers.length} worker processes run as root: ${list}.` +
      (e.ci ? ' Usual in CI (job containers run as root), so a warning only; production should not.' : ''),
    fix: 'Run the workers as an unprivileged user (gunicorn --user/--group, uWSGI uid/gid, a USER line in the Dockerfile).',
  };
}

/** 400 (gunicorn), 413, 414 (nginx), 431, or a closed connection (uWSGI buffer-size) refuse a request. */
export function refused(e: Exchange): boolean {
  return (e.status !== undefined && [400, 413, 414, 431].includes(e.status)) || e.outcome === 'closed' || e.outcome === 'reset';
}

export interface HeaderLimitEvidence {
  longLine: Exchange;
  longLineBytes: number;
  bigHeader: Exchange;
  bigHeaderBytes: number;
  /** A normal request afterwards got an answer. */
  servesAfter: boolean;
  /** Worker processes that disappeared during the check (a crash, not a refusal). */
  workersLost: number;
}

export function classifyHeaderLimits(e: HeaderLimitEvidence): CheckRow {
  const seen = `a ${kib(e.longLineBytes)} request line -> ${describe(e.longLine)}, a ${kib(e.bigHeaderBytes)} header -> ${describe(e.bigHeader)}`;
  if (!e.servesAfter || e.workersLost > 0) {
    return {
      id: 'header-limits',
      status: 'fail',
      evidence: `${seen}; then ${!e.servesAfter ? 'the server no longer answered' : `${e.workersLost} worker process(es) died`}.`,
      fix: 'Oversized headers must be refused, not crash a worker: set gunicorn limit_request_line / limit_request_field_size, uWSGI buffer-size.',
    };
  }
  const accepted = [refused(e.longLine) ? undefined : 'request line', refused(e.bigHeader) ? undefined : 'header'].filter(Boolean);
  if (!accepted.length) return { id: 'header-limits', status: 'pass', evidence: `Refused: ${seen}; the server kept serving.` };
  return {
    id: 'header-limits',
    status: 'warn',
    evidence: `Accepted an oversized ${accepted.join(' and an oversized ')}: ${seen}.`,
    fix: 'Limit header sizes: gunicorn limit_request_line / limit_request_field_size, uWSGI buffer-size, nginx large_client_header_buffers.',
  };
}

export interface SlowClientEvidence {
  /** Slow connections open while the normal requests were sent. */
  slowConnections: number;
  /** How they were spread over the accepting processes, in words (slowCoverage.ts). */
  coverage: string;
  /** Latency of the same request with no slow client, ms. */
  idleMs: number;
  /** Normal requests sent together while the slow clients hung. */
  normals: Exchange[];
  /** How long each normal request was given, ms. */
  timeoutMs: number;
}

const SLOW_FIX =
  'Put a buffering proxy in front (proxy: nginx in the target), or use gevent workers, or a short header read timeout; ' +
  'sync and gthread workers give each connection a thread while it sends its headers.';

export function classifySlowClients(e: SlowClientEvidence): CheckRow {
  const starved = e.normals.filter((n) => n.status === undefined || n.status >= 500);
  const answered = e.normals.filter((n) => !starved.includes(n));
  const worst = Math.max(0, ...answered.map((n) => n.ms));
  const outcome = [
    starved.length ? `${starved.length} of ${e.normals.length} got ${starved.map((n) => (n.status !== undefined ? `${n.status}` : describe(n))).join(', ')} within ${e.timeoutMs} ms` : '',
    answered.length ? `${answered.length} of ${e.normals.length} answered, the slowest after ${Math.round(worst)} ms` : '',
  ].filter(Boolean);
  const evidence = `${e.coverage}; idle latency ${Math.round(e.idleMs)} ms; ${e.normals.length} normal requests sent together: ${outcome.join('; ')}.`;
  // One starved request is enough: the kernel handed it to a worker whose threads all held slow clients.
  if (starved.length) {
    return { id: 'slow-clients', status: 'fail', evidence: `A normal request starved while clients sent headers one byte at a time. ${evidence}`, fix: SLOW_FIX };
  }
  // Answered, but far slower than when idle: the slow clients hold most of the capacity.
  if (worst > Math.max(500, 10 * e.idleMs)) {
    return { id: 'slow-clients', status: 'warn', evidence: `Answered, but after ${Math.round(worst)} ms instead of ${Math.round(e.idleMs)} ms. ${evidence}`, fix: SLOW_FIX };
  }
  return { id: 'slow-clients', status: 'pass', evidence };
}

export interface BodyStep {
  bytes: number;
  /** Bytes written before the server answered or closed. */
  sentBytes: number;
  result: Exchange;
}

/** The body sizes sent: 64 KiB, then x4 each step, ending exactly at the cap. */
export function bodySizes(capBytes: number): number[] {
  const out: number[] = [];
  for (let b = 64 * 1024; b < capBytes && out.length < 20; b *= 4) out.push(b);
  out.push(capBytes);
  return out;
}

export interface BodySizeEvidence {
  path: string;
  capBytes: number;
  steps: BodyStep[];
  /** Largest rise of the workers' resident memory over the check, bytes. */
  rssGrowthBytes: number;
}

export function classifyBodySize(e: BodySizeEvidence): CheckRow {
  const memory = `worker memory grew by ${kib(Math.max(0, e.rssGrowthBytes))}`;
  const steps = e.steps.map((s) => `${kib(s.bytes)} -> ${describe(s.result)}`).join(', ');
  const first = e.steps[0];
  if (first && (first.result.status === 404 || first.result.status === 405)) {
    return { id: 'body-size', status: 'warn', evidence: `POST ${e.path} answered ${first.result.status}: it does not take bodies, so nothing was measured (${steps}).`, fix: 'Point body-path at a view that reads the request body.' };
  }
  const refusedAt = e.steps.find((s) => refused(s.result));
  if (refusedAt) {
    return { id: 'body-size', status: 'pass', evidence: `Refused at ${kib(refusedAt.bytes)} (${describe(refusedAt.result)}); ${memory}. Sent: ${steps}.` };
  }
  const broke = e.steps.find((s) => s.result.status === undefined || s.result.status >= 500);
  if (broke) {
    return {
      id: 'body-size',
      status: 'warn',
      evidence: `No refusal, but ${kib(broke.bytes)} got ${describe(broke.result)}; ${memory}. Sent: ${steps}.`,
      fix: 'Refuse large bodies early with 413 (nginx client_max_body_size, Django DATA_UPLOAD_MAX_MEMORY_SIZE, a WSGI middleware).',
    };
  }
  return {
    id: 'body-size',
    status: 'fail',
    evidence: `Never refused: every size up to the cap of ${kib(e.capBytes)} was accepted; ${memory}. Sent: ${steps}.`,
    fix: 'Limit the request body: nginx client_max_body_size, Django DATA_UPLOAD_MAX_MEMORY_SIZE, Flask MAX_CONTENT_LENGTH or a WSGI middleware.',
  };
}

export interface HangEvidence {
  path: string;
  timeoutSeconds: number;
  /** How long the check waited in all, ms. */
  waitedMs: number;
  result: Exchange;
  servesAfter: boolean;
}

/** Seconds past the worker timeout still counted as "cut in time" (gunicorn checks once a second). */
export const HANG_GRACE_SECONDS = 3;

export function classifyHang(e: HangEvidence): CheckRow {
  const fix = 'Set a worker timeout that kills hung requests (gunicorn --timeout, uWSGI harakiri) and keep it at or below the configured time.';
  if (e.result.outcome === 'timeout' || e.result.ms > (e.timeoutSeconds + HANG_GRACE_SECONDS) * 1000) {
    return { id: 'hanging-handler', status: 'fail', evidence: `GET ${e.path} was still open after ${Math.round(e.waitedMs / 1000)} s (worker timeout expected ${e.timeoutSeconds} s).`, fix };
  }
  const cut = `GET ${e.path} was cut after ${(e.result.ms / 1000).toFixed(1)} s (${describe(e.result)})`;
  if (!e.servesAfter) return { id: 'hanging-handler', status: 'fail', evidence: `${cut}, but the server then stopped answering.`, fix };
  return { id: 'hanging-handler', status: 'pass', evidence: `${cut}; the server kept serving.` };
}
