// Edge: runs every hardening check against one booted server on loopback and turns the
// evidence into rows (classify.ts). Each check is bounded in time (its own deadline) and in
// what it sends (the configured caps); every connection it opens is closed before it returns.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pidtree from 'pidtree';
import { isAlive, snapshotTree } from '../server/processTree.js';
import { isLoopbackHost } from '../config/loopback.js';
import {
  classifyBodySize,
  classifyHang,
  classifyHeaderLimits,
  classifyLeaks,
  classifyOwner,
  classifySlowClients,
  formatBytes,
  HANG_GRACE_SECONDS,
  bodySizes,
  type BodyStep,
  type LabelledExchange,
  type SlowClientRound,
} from './classify.js';
import { exchange, openSlowClients, requestHead, type Endpoint } from './rawHttp.js';
import type { CheckRow, HardeningSettings, TargetHardening } from './types.js';

export interface CheckedServer {
  target: string;
  /** Where the requests go (nginx in front, when proxied). */
  baseUrl: string;
  readyPath: string;
  /** Root pid of the WSGI server's process tree (behind nginx: the WSGI server's). */
  serverPid: number;
  /** Worker count of a preset; otherwise the worker processes are counted. */
  workers?: number;
  topology: TargetHardening['topology'];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Slow clients: one header byte per this many ms. */
const SLOW_BYTE_MS = 100;
/** How long the slow clients hang before the normal request is sent. */
const SLOW_HOLD_MS = 1000;
const LEAK_TIMEOUT_MS = 5000;
const HEADER_BYTES = 64 * 1024;

/** Worker processes: the leaves of the server's process tree (the master itself for one process). */
async function workerPids(rootPid: number): Promise<number[]> {
  try {
    const nodes = await pidtree(rootPid, { root: true, advanced: true });
    const parents = new Set(nodes.map((n) => n.ppid));
    return nodes.map((n) => n.pid).filter((p) => !parents.has(p));
  } catch {
    return isAlive(rootPid) ? [rootPid] : [];
  }
}

function realUid(pid: number): number | undefined {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function workersRss(rootPid: number): Promise<number> {
  return (await snapshotTree(rootPid))?.usage.rssBytesTotal ?? 0;
}

export async function runChecks(server: CheckedServer, settings: HardeningSettings, env: { ci: boolean }): Promise<TargetHardening> {
  const started = performance.now();
  const url = new URL(server.baseUrl);
  if (!isLoopbackHost(url.hostname)) throw new Error(`hardening checks only run on loopback, not ${server.baseUrl}`);
  const to: Endpoint = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) };
  const host = url.host;
  const sent: string[] = [];
  const get = (path: string, timeoutMs: number) => exchange(to, requestHead('GET', path, host), { timeoutMs });
  const servesAfter = async () => {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const r = await get(server.readyPath, 2000);
      if (r.status !== undefined && r.status < 500) return true;
      await sleep(200);
    }
    return false;
  };
  const checks: CheckRow[] = [];

  // Header and error leaks: the ready path, a path that cannot exist, the configured error path.
  const missing = `/__wsgi-perf-gate-missing-${randomBytes(4).toString('hex')}`;
  const leakPaths = [server.readyPath, missing, ...(settings.errorPath ? [settings.errorPath] : [])];
  const responses: LabelledExchange[] = [];
  for (const p of leakPaths) responses.push({ ...(await get(p, LEAK_TIMEOUT_MS)), request: `GET ${p}` });
  sent.push(`Leaks: ${leakPaths.map((p) => `GET ${p}`).join(', ')}.`);
  checks.push(...classifyLeaks(responses));

  // Process owner.
  const workers = await workerPids(server.serverPid);
  const owners = workers.flatMap((pid) => {
    const uid = realUid(pid);
    return uid === undefined ? [] : [{ pid, uid }];
  });
  checks.push(classifyOwner({ workers: owners, ci: env.ci }));

  // Header limits: one oversized request line, one oversized header, then is it still serving?
  const longLine = await exchange(to, requestHead('GET', `${server.readyPath.split('?')[0]}?q=${'a'.repeat(HEADER_BYTES)}`, host), { timeoutMs: LEAK_TIMEOUT_MS });
  const bigHeader = await exchange(to, requestHead('GET', server.readyPath, host, { 'X-Big': 'b'.repeat(HEADER_BYTES) }), { timeoutMs: LEAK_TIMEOUT_MS });
  await sleep(300);
  checks.push(
    classifyHeaderLimits({
      longLine,
      longLineBytes: HEADER_BYTES,
      bigHeader,
      bigHeaderBytes: HEADER_BYTES,
      servesAfter: await servesAfter(),
      workersLost: workers.filter((p) => !isAlive(p)).length,
    }),
  );
  sent.push(`Header limits: one ${formatBytes(HEADER_BYTES)} request line, one ${formatBytes(HEADER_BYTES)} header, then GET ${server.readyPath}.`);

  // Slow clients: as many as there are workers, then twice that.
  const workerCount = server.workers ?? Math.max(1, workers.length);
  const idle = await get(server.readyPath, LEAK_TIMEOUT_MS);
  const rounds: SlowClientRound[] = [];
  const timeoutMs = settings.slowClientSeconds * 1000;
  for (const n of [workerCount, 2 * workerCount]) {
    const slow = openSlowClients(to, n, SLOW_BYTE_MS);
    try {
      await sleep(SLOW_HOLD_MS);
      rounds.push({ slowConnections: n, normal: await get(server.readyPath, timeoutMs) });
    } finally {
      slow.close();
    }
    await servesAfter();
  }
  checks.push(classifySlowClients({ workers: workerCount, idleMs: idle.ms, rounds, timeoutMs }));
  sent.push(
    `Slow clients: ${workerCount} then ${2 * workerCount} connections sending headers one byte per ${SLOW_BYTE_MS} ms for up to ` +
      `${(SLOW_HOLD_MS + timeoutMs) / 1000} s each round, and one GET ${server.readyPath} while they hung.`,
  );

  // Request body size: growing bodies up to the cap, stopping at the first refusal.
  if (settings.bodyPath) {
    const rssBefore = await workersRss(server.serverPid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => void workersRss(server.serverPid).then((r) => (rssPeak = Math.max(rssPeak, r))), 100);
    const steps: BodyStep[] = [];
    try {
      for (const bytes of bodySizes(settings.maxBodyBytes)) {
        let sentBytes = 0;
        const head = requestHead('POST', settings.bodyPath, host, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes });
        const result = await exchange(to, head, { timeoutMs: 15_000, bodyBytes: bytes, onSent: (n) => (sentBytes = n) });
        steps.push({ bytes, sentBytes, result });
        rssPeak = Math.max(rssPeak, await workersRss(server.serverPid));
        const accepted = result.status !== undefined && result.status < 400 && result.status !== 404;
        if (!accepted) break;
      }
    } finally {
      clearInterval(sampler);
    }
    checks.push(classifyBodySize({ path: settings.bodyPath, capBytes: settings.maxBodyBytes, steps, rssGrowthBytes: rssPeak - rssBefore }));
    sent.push(`Body size: POST ${settings.bodyPath} with ${steps.map((s) => `${formatBytes(s.bytes)} (${formatBytes(s.sentBytes)} written)`).join(', ')}; cap ${formatBytes(settings.maxBodyBytes)}.`);
    if (!(await servesAfter())) sent.push('The server did not answer after the body-size check.');
  } else {
    checks.push({ id: 'body-size', status: 'skipped', evidence: 'No body path configured (hardening.body-path).' });
  }

  // Hanging handler: only the app's own endpoint, when the config names one.
  if (settings.hangPath) {
    const waitMs = (settings.hangTimeoutSeconds + HANG_GRACE_SECONDS) * 1000;
    const result = await get(settings.hangPath, waitMs);
    checks.push(classifyHang({ path: settings.hangPath, timeoutSeconds: settings.hangTimeoutSeconds, waitedMs: result.ms, result, servesAfter: await servesAfter() }));
    sent.push(`Hanging handler: GET ${settings.hangPath}, waited up to ${waitMs / 1000} s.`);
  } else {
    checks.push({ id: 'hanging-handler', status: 'skipped', evidence: 'No hanging endpoint configured (hardening.hang-path).' });
  }

  return { target: server.target, topology: server.topology, checks, sent, seconds: (performance.now() - started) / 1000 };
}
