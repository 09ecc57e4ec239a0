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
} from './classify.js';
import { exchange, openSlowClients, requestHead, type Endpoint } from './rawHttp.js';
import { readProcessSockets, readTcpTables } from './procSockets.js';
import { describeCoverage, slowCoverage, type SlowCoverage } from './slowCoverage.js';
import type { CheckRow, Exchange, HardeningSettings, TargetHardening } from './types.js';

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
/** Wait after each batch of slow clients, so each has sent bytes and been taken by a thread. */
const SLOW_SETTLE_MS = 500;
/** The most slow connections opened: past any worker x thread count a runner gives a preset, below waitress's 100-connection limit. */
const MAX_SLOW_CONNECTIONS = 96;
/**
 * Normal requests sent together once the slow clients are in place. When the kernel keeps one
 * worker nearly idle (it gave one gthread worker 1 of 96 connections), the bound ends the
 * batches before that worker is covered; then all of these would have to land on it for a pass.
 */
const NORMAL_REQUESTS = 4;
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

  // Slow clients: opened in batches until every accepting process holds at least as many as it
  // has threads (or the bound), so the verdict does not depend on where the kernel put them.
  const workerCount = server.workers ?? Math.max(1, workers.length);
  const idle = await get(server.readyPath, LEAK_TIMEOUT_MS);
  const timeoutMs = settings.slowClientSeconds * 1000;
  const batch = Math.max(4, 2 * workerCount);
  const slow = openSlowClients(to, SLOW_BYTE_MS);
  let coverage: SlowCoverage;
  let normals: Exchange[];
  try {
    for (;;) {
      slow.open(Math.min(batch, MAX_SLOW_CONNECTIONS - slow.count()));
      // Each new connection has sent its first bytes (so a thread took it) before it is counted.
      await sleep(SLOW_SETTLE_MS);
      const leaves = await workerPids(server.serverPid);
      coverage = slowCoverage(readTcpTables(), to.port, slow.localPorts(), leaves.map(readProcessSockets));
      if (coverage.covered || coverage.fronted || slow.count() >= MAX_SLOW_CONNECTIONS) break;
    }
    normals = await Promise.all(Array.from({ length: NORMAL_REQUESTS }, () => get(server.readyPath, timeoutMs)));
  } finally {
    slow.close();
  }
  await servesAfter();
  checks.push(classifySlowClients({ slowConnections: slow.count(), coverage: describeCoverage(coverage, slow.count()), idleMs: idle.ms, normals, timeoutMs }));
  sent.push(
    `Slow clients: ${slow.count()} connections (batches of ${batch}, until every thread of every accepting process could hold one, at most ${MAX_SLOW_CONNECTIONS}) ` +
      `sending headers one byte per ${SLOW_BYTE_MS} ms, and ${NORMAL_REQUESTS} GET ${server.readyPath} together while they hung (up to ${timeoutMs / 1000} s).`,
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
