// One trial: autocannon against one URL for a fixed window -> one plain result.
// Latency goes into our own microsecond histogram from autocannon's `response` events;
// only responses that arrive inside the window count, so the figures do not depend on
// when autocannon's 1-second ticker notices the end.
import autocannon from 'autocannon';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadError } from '../errors.js';
import type { ErrorCounts, LoadResult, Scenario } from '../types.js';
import { setupCloseAwareClient } from './closeAwareClient.js';
import { encodeHistogram, newLatencyHistogram, recordLatencyMs, summarize } from './histogram.js';

export interface TrialRequest {
  baseUrl: string;
  scenario: Scenario;
  durationSeconds: number;
}

export type { LoadResult } from '../types.js';

const LOOP_RESOLUTION_MS = 10;

/** connectionByCode key of requests whose connection the server closed before answering. */
export const REQUEST_CUT = 'closed-before-response';

export function isExpectedStatus(status: number, expectStatus: number | undefined): boolean {
  return expectStatus !== undefined ? status === expectStatus : status >= 200 && status < 400;
}

export function runTrial(req: TrialRequest): Promise<LoadResult> {
  const { scenario } = req;
  const histogram = newLatencyHistogram();
  const errors: ErrorCounts = { connection: 0, connectionByCode: {}, timeouts: 0, badStatus: {} };
  let requests = 0;
  let bytes = 0;
  let keepAliveRaces = 0;
  let inWindow = true;

  const url = new URL(scenario.path, req.baseUrl).toString();
  // The histogram holds whole timer intervals; their excess over the resolution is the lag.
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const cpuStart = process.cpuUsage();
  const started = process.hrtime.bigint();

  return new Promise<LoadResult>((resolve, reject) => {
    let instance: autocannon.Instance | undefined;
    const windowMs = req.durationSeconds * 1000;
    const closeWindow = setTimeout(() => {
      inWindow = false;
    }, windowMs);
    // Bound on the whole trial, whatever autocannon does: window + request timeout + slack.
    const hardStop = setTimeout(() => {
      instance?.stop();
      reject(new LoadError(`Load trial on ${url} did not finish within ${Math.round(windowMs / 1000 + scenario.timeoutSeconds + 15)} s.`));
    }, windowMs + (scenario.timeoutSeconds + 15) * 1000);

    loopDelay.enable();
    try {
      instance = autocannon(
        {
          url,
          method: scenario.method,
          headers: scenario.headers,
          body: scenario.body,
          connections: scenario.connections,
          duration: req.durationSeconds,
          // autocannon only notices its end on a sample tick (1 s by default): a 0.5 s trial
          // would load the server for a whole second. Ticks every 100 ms end it on time.
          sampleInt: 100,
          timeout: scenario.timeoutSeconds,
          setupClient: (client: unknown) => {
            const closeAware = setupCloseAwareClient(client, {
              // The server closed the connection under an unanswered request: it is lost, an error.
              onRequestCut: () => {
                if (!inWindow) return;
                errors.connection++;
                errors.connectionByCode![REQUEST_CUT] = (errors.connectionByCode![REQUEST_CUT] ?? 0) + 1;
              },
              onKeepAliveRaceAtClose: () => {
                if (inWindow) keepAliveRaces++;
              },
            });
            const c = client as { on(event: string, fn: (...a: unknown[]) => void): void };
            c.on('connError', (err) => {
              if (!inWindow) return;
              if (closeAware.lastErrorWasKeepAliveRace) {
                keepAliveRaces++;
                return;
              }
              errors.connection++;
              const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'other';
              errors.connectionByCode![code] = (errors.connectionByCode![code] ?? 0) + 1;
            });
            c.on('timeout', () => {
              if (inWindow) errors.timeouts++;
            });
          },
        } as autocannon.Options,
        (err: Error | null) => {
          clearTimeout(hardStop);
          clearTimeout(closeWindow);
          loopDelay.disable();
          if (err) return reject(new LoadError(`autocannon failed on ${url}: ${err.message}`));
          const elapsedSeconds = Math.min(Number(process.hrtime.bigint() - started) / 1e9, req.durationSeconds);
          const cpu = process.cpuUsage(cpuStart);
          const wall = Number(process.hrtime.bigint() - started) / 1e9;
          const failed = errors.connection + errors.timeouts + Object.values(errors.badStatus).reduce((a, b) => a + b, 0);
          const attempts = requests + failed;
          resolve({
            elapsedSeconds,
            requests,
            rps: requests / elapsedSeconds,
            latencyUs: summarize(histogram),
            histogram: encodeHistogram(histogram),
            errors,
            errorRatePct: attempts === 0 ? 100 : (failed / attempts) * 100,
            bytes,
            keepAliveRaces,
            generator: {
              cpuPct: ((cpu.user + cpu.system) / 1e6 / wall) * 100,
              eventLoopDelayP99Ms: Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
            },
          });
        },
      );
    } catch (err) {
      clearTimeout(hardStop);
      clearTimeout(closeWindow);
      loopDelay.disable();
      reject(new LoadError(`autocannon could not start on ${url}: ${(err as Error).message}`));
      return;
    }
    instance!.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => {
      if (!inWindow) return;
      bytes += resBytes;
      if (isExpectedStatus(statusCode, scenario.expectStatus)) {
        requests++;
        recordLatencyMs(histogram, responseTimeMs);
      } else {
        errors.badStatus[statusCode] = (errors.badStatus[statusCode] ?? 0) + 1;
      }
    });
  });
}
