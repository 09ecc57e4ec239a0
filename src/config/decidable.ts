// Refuses settings under which every gate would end `inconclusive` (stats/decidability.ts),
// with the input that causes it, its value and the number that works.
import { ConfigError } from '../errors.js';
import { maxReachableConfidence, minRoundsToDecide, type GateMode } from '../stats/decidability.js';
import type { CompareTo } from '../types.js';

export interface DecidableInput {
  rounds: number;
  confidence: number;
  mode: GateMode;
  compareTo: CompareTo;
  /** Where each setting came from ("Input `rounds`", "Config file ... `rounds`"); undefined for a default. */
  roundsFrom?: string;
  confidenceFrom?: string;
}

const pct = (c: number) => `${Math.round(c * 100000) / 1000}%`;

export function assertDecidable(s: DecidableInput): void {
  const statistic = s.mode === 'paired' ? 'the signed-rank test over paired rounds (Mann-Whitney when they are too few)' : 'the Mann-Whitney test against the stored run';
  const min = minRoundsToDecide(s.confidence, s.mode);
  if (min === undefined) {
    throw new ConfigError(
      `${s.confidenceFrom ?? 'Input `confidence`'} is ${s.confidence}: with compare-to ${s.compareTo} no number of rounds a gate can run ` +
        `reaches ${pct(s.confidence)} with ${statistic}, so every gate would end inconclusive; expected a confidence such as 0.99 or 0.999.`,
    );
  }
  if (s.rounds >= min) return;
  const why =
    `with compare-to ${s.compareTo} at confidence ${s.confidence}, ${s.rounds} round(s) per side can never reach ${pct(s.confidence)} ` +
    `with ${statistic} (at most ${pct(maxReachableConfidence(s.rounds, s.mode))}), so every gate would end inconclusive`;
  // Blame the setting that was chosen; when both (or neither) were, the rounds.
  if (s.confidenceFrom && !s.roundsFrom) {
    throw new ConfigError(`${s.confidenceFrom} is ${s.confidence}: ${why}; expected at most ${maxReachableConfidence(s.rounds, s.mode).toFixed(4).replace(/0+$/, '')} for ${s.rounds} rounds, or at least ${min} rounds.`);
  }
  throw new ConfigError(`${s.roundsFrom ?? 'Input `rounds`'} is ${s.rounds}: ${why}; expected at least ${min} rounds (the minimum), or a lower confidence.`);
}
