// The Octokit client every GitHub call goes through: nothing is lost to a passing failure, and
// nothing waits without bound. Each attempt has a timeout; 5xx answers, network errors and
// timeouts are retried with growing pauses (@octokit/plugin-retry); primary and secondary
// rate limits are waited out when GitHub's wait is short (@octokit/plugin-throttling), as
// changesets/action does. The worst case is bounded: attempts x (timeout + pause).
import * as github from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export interface ClientOptions {
  /** One attempt's time limit. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 5xx, network errors, timeouts and rate limits. */
  retries?: number;
  /** Unit of the pauses between retries (1 s on GitHub: pauses of 1, 4, 9 s); also scales rate-limit waits. */
  retryBaseMs?: number;
  /** A rate limit whose reset is further away than this is not waited for. */
  maxRateLimitWaitSeconds?: number;
  /** Where a retried rate limit is said. */
  warn?: (message: string) => void;
  /** The API's address; by default @actions/github's (GITHUB_API_URL as the job started). */
  baseUrl?: string;
}

export const CLIENT_DEFAULTS = { timeoutMs: 30_000, retries: 3, retryBaseMs: 1_000, maxRateLimitWaitSeconds: 60 } satisfies ClientOptions;

/** The longest a single call can take with these options (every attempt times out, every pause taken). */
export function worstCaseMs(opts: ClientOptions = {}): number {
  const o = { ...CLIENT_DEFAULTS, ...opts };
  const pauses = Array.from({ length: o.retries }, (_, i) => Math.max((i + 1) ** 2 * o.retryBaseMs, o.maxRateLimitWaitSeconds * o.retryBaseMs));
  return (o.retries + 1) * o.timeoutMs + pauses.reduce((a, b) => a + b, 0);
}

/** fetch with a time limit per attempt. The timeout is thrown as a plain error, which Octokit
 * turns into a retryable 500 (an AbortError would be passed through and never retried). */
export function fetchWithTimeout(timeoutMs: number, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await base(input, { ...init, signal });
    } catch (err) {
      if (timeout.aborted && !init?.signal?.aborted) throw new Error(`no answer within ${timeoutMs / 1000} s`, { cause: err });
      throw err;
    }
  };
}

export type GitHubClient = ReturnType<typeof github.getOctokit>;

export function gitHubClient(token: string, opts: ClientOptions = {}): GitHubClient {
  const o = { ...CLIENT_DEFAULTS, ...opts };
  const waitFor = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _octokit: unknown, retryCount: number) => {
    const wait = retryAfter <= o.maxRateLimitWaitSeconds && retryCount < o.retries;
    o.warn?.(`GitHub ${kind} on ${options.method ?? ''} ${options.url ?? ''}: ${wait ? `retrying after ${retryAfter} s` : `not retried (GitHub asks for ${retryAfter} s)`}.`);
    return wait;
  };
  return github.getOctokit(
    token,
    {
      ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}),
      request: { fetch: fetchWithTimeout(o.timeoutMs) },
      retry: { retries: o.retries, retryAfterBaseValue: o.retryBaseMs },
      throttle: { onRateLimit: waitFor('rate limit'), onSecondaryRateLimit: waitFor('secondary rate limit'), retryAfterBaseValue: o.retryBaseMs },
    },
    retry,
    throttling,
  );
}
