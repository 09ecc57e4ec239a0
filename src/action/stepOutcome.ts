// Pure: what fails the step once a run has a result. One rule for every gate: a regression
// (performance, instructions per request, or a hardening check in `hardening: gate`) fails the
// step when `fail-on-regression` is true, and is a warning when it is false. Errors (bad input,
// a server that does not boot) fail the step either way; they never reach here.
import { hardeningFailureMessage } from '../hardening/gate.js';
import type { RunResult } from '../types.js';
import { failureMessage } from './outputs.js';

export interface StepOutcome {
  failures: string[];
  warnings: string[];
}

export function stepOutcome(result: RunResult, failOnRegression: boolean): StepOutcome {
  const regressions = [
    ...(result.verdict === 'regressed' ? [failureMessage(result)] : []),
    ...(result.hardening?.failed ? [hardeningFailureMessage(result.hardening)] : []),
  ];
  if (failOnRegression) return { failures: regressions, warnings: [] };
  return { failures: [], warnings: regressions.map((m) => `${m} (fail-on-regression is false)`) };
}
