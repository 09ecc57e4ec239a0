// Plain data of the hardening checks (issue 16): settings, the evidence each probe gathers,
// the rows the classifiers make of it, and the gate's comparison with the baseline.
// Everything here is JSON-serialisable: it is recorded on the data branch with the run.

export type HardeningMode = 'off' | 'report' | 'gate';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

export type CheckId =
  | 'server-version'
  | 'x-powered-by'
  | 'debug-page'
  | 'stack-trace'
  | 'process-owner'
  | 'header-limits'
  | 'slow-clients'
  | 'body-size'
  | 'hanging-handler';

export interface HardeningSettings {
  mode: HardeningMode;
  /** A path that raises an error in the app (shows a debug 500 page when debugging is on). */
  errorPath?: string;
  /** Where growing request bodies are POSTed; the body-size check is skipped without it. */
  bodyPath?: string;
  /** Largest body sent, in bytes (the last step of the growing sizes). */
  maxBodyBytes: number;
  /** A path whose handler never finishes; the hanging-handler check is skipped without it. */
  hangPath?: string;
  /** The worker timeout the hanging handler must be cut within. */
  hangTimeoutSeconds: number;
  /** How long the slow clients hang before and while the normal request is sent. */
  slowClientSeconds: number;
}

export interface CheckRow {
  id: CheckId;
  status: CheckStatus;
  /** What was seen, in one or two sentences a reviewer can read. */
  evidence: string;
  /** What fixes it, for warn and fail. */
  fix?: string;
}

export interface TargetHardening {
  target: string;
  /** How the server was reached: directly, or behind the generated nginx. */
  topology: 'direct' | 'nginx';
  checks: CheckRow[];
  /** Every request and connection the checks made, in words (issue 16: "say what was sent"). */
  sent: string[];
  seconds: number;
}

export interface HardeningRegression {
  target: string;
  id: CheckId;
  evidence: string;
}

export interface HardeningReport {
  mode: Exclude<HardeningMode, 'off'>;
  targets: TargetHardening[];
  /** The baseline's checks, when there is a baseline that ran them. */
  baseline?: { source: string; targets: TargetHardening[] };
  /** Why there is no baseline to compare with. */
  baselineNote?: string;
  /** Checks that passed on the baseline and fail on the head. */
  regressions: HardeningRegression[];
  /** Gate mode and at least one regression: the step fails. */
  failed: boolean;
}

/** One HTTP exchange over a raw socket, as the probes saw it. */
export interface Exchange {
  /** Status code, absent when the connection closed or timed out before a status line. */
  status?: number;
  headers: Record<string, string>;
  /** The first bytes of the body (bounded). */
  body: string;
  outcome: 'response' | 'closed' | 'reset' | 'timeout';
  ms: number;
}
