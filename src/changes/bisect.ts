// Finding the commit: a change point between two recorded pushes names a range of commits; with
// `bisect: true` the commits in it are checked out (git worktrees) and their instructions per
// request counted beside the last good push's (the paired instructions gate), halving the
// range each time, so k commits cost about log2(k) paired counts.
import path from 'node:path';
import { checkoutMergeBase, type BaseCheckout } from '../git/worktree.js';
import { runInstructionsGate } from '../instructions/gate.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../pipeline/executePlan.js';
import type { Config, Scenario, Target } from '../types.js';
import type { BisectResult } from './watch.js';

/** Pure search: the first commit of `range` (oldest first, the last one known bad) that `isBad` says is bad. */
export async function firstBad(range: string[], isBad: (commit: string) => Promise<boolean | undefined>): Promise<{ commit?: string; unknown?: string }> {
  let lo = 0;
  let hi = range.length - 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const bad = await isBad(range[mid]!);
    if (bad === undefined) return { unknown: range[mid] };
    if (bad) hi = mid;
    else lo = mid + 1;
  }
  return { commit: range[lo] };
}

/** A commit is bad when its change against the good one is nearer the step than zero. */
export function nearerTheStep(changePct: number, stepPct: number): boolean {
  return Math.abs(changePct - stepPct) < Math.abs(changePct);
}

function targetAt(checkout: BaseCheckout, head: Target, name: string): Target {
  return { ...head, name, workingDirectory: path.join(checkout.dir, path.relative(checkout.repoRoot, head.workingDirectory)) };
}

/** Counts the commits of `range` against `good` on one scenario to name the first bad commit. */
export async function bisectRange(input: { config: Config; scenario: Scenario; good: string; range: string[]; stepPct: number; log: Logger }): Promise<BisectResult> {
  const { config, scenario, good, range, stepPct, log } = input;
  const head = config.targets[0]!;
  const measured: BisectResult['measured'] = [];
  let goodCheckout: BaseCheckout;
  try {
    goodCheckout = checkoutMergeBase(head.workingDirectory, good);
  } catch (err) {
    return { measured, note: `the good commit ${good.slice(0, 12)} could not be checked out: ${errorMessage(err)}` };
  }
  try {
    const found = await firstBad(range, async (commit) => {
      let checkout: BaseCheckout | undefined;
      try {
        checkout = checkoutMergeBase(head.workingDirectory, commit);
        log.info(`Bisect: counting ${commit.slice(0, 12)} beside ${good.slice(0, 12)} on ${scenario.name}`);
        const result = await runInstructionsGate({
          settings: { ...config.instructions, mode: 'on' },
          scenarios: [scenario],
          head: targetAt(checkout, head, 'bisect'),
          base: targetAt(goodCheckout, head, 'base'),
          wanted: true,
          log,
        });
        const c = result?.comparisons[0];
        measured.push({ commit, changePct: c?.changePct, verdict: c?.verdict ?? result?.status ?? 'not counted' });
        return c?.changePct === undefined ? undefined : nearerTheStep(c.changePct, stepPct);
      } catch (err) {
        measured.push({ commit, verdict: `failed: ${errorMessage(err).split('\n')[0]}` });
        return undefined;
      } finally {
        checkout?.remove();
      }
    });
    if (found.unknown) return { measured, note: `${found.unknown.slice(0, 12)} could not be counted, so the search stopped there` };
    return { firstBad: found.commit, measured };
  } finally {
    goodCheckout.remove();
  }
}
