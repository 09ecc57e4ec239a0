// compare-to: base: checks out the pull request's base commit beside the head and describes
// it as a target to boot; whatever stops it is a reason to fall back, never a failure.
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { BASE_TARGET } from '../gate/compare.js';
import { checkoutMergeBase, runBaseSetup, type BaseCheckout } from '../git/worktree.js';
import type { Logger } from './executePlan.js';
import type { Config, Target } from '../types.js';

/** compare-to: base: the base commit's checkout and its target, booted beside the head. */
export interface PairedBase {
  checkout: BaseCheckout;
  target: Target;
}


/** Prepares the base checkout, or says why paired mode cannot run (the gate then falls back). */
export function prepareBase(config: Config, baseRef: string | undefined, log: Logger): PairedBase | { fallback: string } {
  if (!baseRef) return { fallback: 'compare-to: base needs a pull request (or `base-ref`) to know the base commit' };
  const head = config.targets[0]!;
  let checkout: BaseCheckout;
  try {
    checkout = checkoutMergeBase(head.workingDirectory, baseRef);
  } catch (err) {
    return { fallback: `the base could not be checked out: ${errorMessage(err)}` };
  }
  const workingDirectory = path.join(checkout.dir, path.relative(checkout.repoRoot, head.workingDirectory));
  log.info(`Base commit ${checkout.commit.slice(0, 12)} checked out in ${checkout.dir}`);
  try {
    if (config.baseSetup) {
      log.info(`Running base-setup in the base checkout: ${config.baseSetup}`);
      runBaseSetup(config.baseSetup, workingDirectory);
    }
  } catch (err) {
    checkout.remove();
    return { fallback: errorMessage(err) };
  }
  return { checkout, target: { ...head, name: BASE_TARGET, workingDirectory } };
}
