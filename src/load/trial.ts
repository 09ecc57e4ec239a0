// One trial: autocannon against one URL for a fixed window -> one plain result.
// Latency goes into our own microsecond histogram from autocannon's `response` events.
// Every request sent inside the window is counted (docs/accuracy.md): when the window
// closes no new request is sent, and the requests still in flight are awaited (at most the
// request timeout) and recorded at their real duration, or as timeouts. Requests/s counts
// only the responses that completed inside the window, so the wait adds no throughput.
import autocannon from 'autocannon';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadError } from '../errors.js';
import type { ErrorCounts, LoadResult, Scenario } from '../types.js';
import { setupCloseAwareClient } from './closeAwareClient.js';
import { REQUEST_CUT } from './errorKinds.js';
import { encodeHistogram, newLatencyHistogram, recordLatencyMs, summarize } from './histogram.js';

export interface TrialRequest {
  baseUrl: string;
  scenario: Scenario;
  durationSeconds: number;
}

export type { LoadResult } from '../types.js';

const LOOP_RESOLUTION_MS = 10;

export { REQUEST_CUT } from './errorKinds.js';

export function isExpectedStatus(status: number, expectStatus: number | undefined): boolean {
  return expectStatus !== undefined ? status === expectStatus : status >= 200 && status < 400;
}

/** The parts of autocannon's (untyped) Client that the drain touches. */
interface DrainableClient {
  on(event: string, fn: (...a: unknown[]) => void): void;
  _doRequest(...args: unknown[]): void;
}

/** How often the drain checks whether the last in-flight request has ended. */
const DRAIN_POLL_MS = 5;

export function runTrial(req: TrialRequest): Promise<LoadResult> {
  const { scenario } = req;
  const histogram = newLatencyHistogram();
  const errors: ErrorCounts = { connection: 0, connectionByCode: {}, timeouts: 0, badStatus: {} };
  let requests = 0;
  let lateResponses = 0;
  let bytes = 0;
  let keepAliveRaces = 0;
  // Responses (of any status) each connection got inside the window: a server that serves
  // some connections and leaves others waiting shows here (load/connectionFairness.ts).
  const responsesPerConnection: number[] = [];
  let inWindow = true;
  // Set when the drain ends: an answer after that was already counted as a timeout.
  let finished = false;
  // Per connection: whether a request it sent is still waiting for its answer.
  const awaiting = new Map<DrainableClient, boolean>();
  const inFlight = () => [...awaiting.values()].filter(Boolean).length;

  const url = new URL(scenario.path, req.baseUrl).toString();
  // The histogram holds whole timer intervals; their excess over the resolution is the lag.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();

  return new Promise<LoadResult>((resolve, reject) => {
    let instance: autocannon.Instance | undefined;
    let drainPoll: NodeJS.Timeout | undefined;
    let drainSeconds = 0;
    const windowMs = req.durationSeconds * 1000;
    const timeoutMs = scenario.timeoutSeconds * 1000;
    const closeWindow = setTimeout(() => {
      inWindow = false;
      // Wait for the requests in flight, at most as long as one may take (autocannon times
      // each one out after timeoutSeconds; the extra second covers its timer's lateness).
      const closedAt = process.hrtime.bigint();
      drainPoll = setInterval(() => {
        const waitedMs = Number(process.hrtime.bigint() - closedAt) / 1e6;
        if (inFlight() > 0 && waitedMs < timeoutMs + 1000) return;
        clearInterval(drainPoll);
        // Any still unanswered: they outlived the request timeout.
        errors.timeouts += inFlight();
        awaiting.clear();
        drainSeconds = waitedMs / 1000;
        finished = true;
        instance?.stop();
      }, DRAIN_POLL_MS);
    }, windowMs);
    // Bound on the whole trial, whatever autocannon does: window + request timeout + slack.
    const hardStop = setTimeout(() => {
      clearInterval(drainPoll);
      instance?.stop();
      reject(new LoadError(`Load trial on ${url} did not finish within ${Math.round(windowMs / 1000 + scenario.timeoutSeconds + 15)} s.`));
    }, windowMs + (scenario.timeoutSeconds + 15) * 1000);
    const clearTimers = () => {
      clearTimeout(hardStop);
      clearTimeout(closeWindow);
      clearInterval(drainPoll);
      loopDelay.disable();
    };

    loopDelay.enable();
    try {
      instance = autocannon(
        {
          url,
          method: scenario.method,
          headers: scenario.headers,
          body: scenario.body,
          connections: scenario.connections,
          // The drain above stops autocannon; its own end comes only after the longest drain.
          duration: req.durationSeconds + scenario.timeoutSeconds + 5,
          // autocannon only notices a stop on a sample tick (1 s by default): a 0.5 s trial
          // would load the server for a whole second. Ticks every 100 ms end it on time.
          sampleInt: 100,
          timeout: scenario.timeoutSeconds,
          setupClient: (raw: unknown) => {
            const c = raw as DrainableClient;
            const connection = responsesPerConnection.push(0) - 1;
            // A request that ends without a response is no longer awaited; it counts when it was
            // sent inside the window (after the window only requests sent inside it are awaited).
            const settle = (): boolean => {
              const wasAwaiting = awaiting.get(c) === true;
              awaiting.set(c, false);
              return !finished && (inWindow || wasAwaiting);
            };
            const closeAware = setupCloseAwareClient(raw, {
              // The server closed the connection under an unanswered request: it is lost, an error.
              onRequestCut: () => {
                if (!settle()) return;
                errors.connection++;
                errors.connectionByCode![REQUEST_CUT] = (errors.connectionByCode![REQUEST_CUT] ?? 0) + 1;
              },
              onKeepAliveRaceAtClose: () => {
                if (settle()) keepAliveRaces++;
              },
            });
            awaiting.set(c, false);
            // Outermost wrapper: after the window no connection sends a new request.
            const doRequest = c._doRequest;
            c._doRequest = function (...args: unknown[]) {
              if (!inWindow) return;
              doRequest.apply(this, args);
            };
            // Emitted only when a request really goes out.
            c.on('request', () => awaiting.set(c, true));
            c.on('response', () => {
              awaiting.set(c, false);
              if (inWindow) responsesPerConnection[connection]!++;
            });
            c.on('connError', (err) => {
              if (!settle()) return;
              if (closeAware.lastErrorWasKeepAliveRace) {
                keepAliveRaces++;
                return;
              }
              errors.connection++;
              const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'other';
              errors.connectionByCode![code] = (errors.connectionByCode![code] ?? 0) + 1;
            });
            c.on('timeout', () => {
              // autocannon's timer also fires on an idle connection: only an unanswered request times out.
              if (awaiting.get(c) === true) errors.timeouts++;
              awaiting.set(c, false);
            });
          },
        } as autocannon.Options,
        (err: Error | null) => {
          clearTimers();
          if (err) return reject(new LoadError(`autocannon failed on ${url}: ${err.message}`));
          const elapsedSeconds = Math.min(Number(process.hrtime.bigint() - started) / 1e9, req.durationSeconds);
          const cpu = process.cpuUsage(cpuStart);
          const wall = Number(process.hrtime.bigint() - started) / 1e9;
          const failed = errors.connection + errors.timeouts + Object.values(errors.badStatus).reduce((a, b) => a + b, 0);
          const attempts = requests + failed;
          resolve({
            elapsedSeconds,
            requests,
            // Completions inside the window only: the drain's late answers add no throughput.
            rps: (requests - lateResponses) / elapsedSeconds,
            lateResponses,
            drainSeconds,
            latencyUs: summarize(histogram),
            histogram: encodeHistogram(histogram),
            errors,
            errorRatePct: attempts === 0 ? 100 : (failed / attempts) * 100,
            bytes,
            keepAliveRaces,
            responsesPerConnection,
            generator: {
              cpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
              eventLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
            },
          });
        },
      );
    } catch (err) {
      clearTimers();
      reject(new LoadError(`autocannon could not start on ${url}: ${(err as Error).message}`));
      return;
    }
    instance!.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => {
      if (finished) return;
      bytes += resBytes;
      if (isExpectedStatus(statusCode, scenario.expectStatus)) {
        requests++;
        if (!inWindow) lateResponses++;
        recordLatencyMs(histogram, responseTimeMs);
      } else {
        errors.badStatus[statusCode] = (errors.badStatus[statusCode] ?? 0) + 1;
      }
    });
  });
}
