// Pure: how long the measuring takes, said at the start of a run so a job's timeout-minutes
// can be checked before the time is spent. Boot, readiness and base-setup come on top.

export interface EstimateInput {
  targets: number;
  scenarios: Array<{ durationSeconds: number }>;
  warmupSeconds: number;
  rounds: number;
  /** A regression is measured a second time before failing (confirm, one candidate). */
  confirms: boolean;
}

export interface Estimate {
  /** targets x sum over scenarios of (warmup + rounds x duration). */
  seconds: number;
  /** Doubled when a found regression is confirmed by a second measurement. */
  worstSeconds: number;
}

export function estimateMeasuring(e: EstimateInput): Estimate {
  const perTarget = e.scenarios.reduce((sum, s) => sum + e.warmupSeconds + e.rounds * s.durationSeconds, 0);
  const seconds = e.targets * perTarget;
  return { seconds, worstSeconds: e.confirms ? 2 * seconds : seconds };
}

/** "45 s", "3 min 20 s", "1 h 5 min" */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** The start-of-run lines: the estimate, and a warning when it may not fit the job's timeout-minutes. */
export function estimateMessages(est: Estimate, timeoutMinutes: number | undefined): { info: string; warning?: string } {
  const info =
    `Estimated measuring time: ${formatDuration(est.seconds)}` +
    (est.worstSeconds > est.seconds ? ` (${formatDuration(est.worstSeconds)} if a regression is found and measured again to confirm it)` : '') +
    '; booting the servers comes on top.';
  if (timeoutMinutes === undefined || est.worstSeconds <= timeoutMinutes * 60) return { info };
  return {
    info,
    warning:
      `The measuring may take ${formatDuration(est.worstSeconds)}, more than timeout-minutes: ${timeoutMinutes}: ` +
      'raise the job\'s timeout-minutes (and the config file\'s), or lower rounds, duration-seconds or warmup-seconds.',
  };
}
