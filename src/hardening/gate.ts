// Pure: the hardening gate. A check that passed on the baseline and fails on the head is a
// regression; one already failing on the baseline is reported only, so adopting the check
// does not block every pull request. Warnings never gate.
import type { HardeningMode, HardeningRegression, HardeningReport, TargetHardening } from './types.js';

export function findRegressions(head: TargetHardening[], base: TargetHardening[] | undefined): HardeningRegression[] {
  if (!base) return [];
  const out: HardeningRegression[] = [];
  for (const t of head) {
    // In paired mode the base target has its own name; with one target on each side they pair up.
    const b = base.find((x) => x.target === t.target) ?? (base.length === 1 && head.length === 1 ? base[0] : undefined);
    if (!b) continue;
    for (const c of t.checks) {
      const before = b.checks.find((x) => x.id === c.id);
      if (before?.status === 'pass' && c.status === 'fail') out.push({ target: t.target, id: c.id, evidence: c.evidence });
    }
  }
  return out;
}

export function judgeHardening(
  mode: Exclude<HardeningMode, 'off'>,
  head: TargetHardening[],
  baseline: { source: string; targets: TargetHardening[] } | undefined,
  baselineNote?: string,
): HardeningReport {
  const regressions = findRegressions(head, baseline?.targets);
  return { mode, targets: head, baseline, baselineNote: baseline ? undefined : baselineNote, regressions, failed: mode === 'gate' && regressions.length > 0 };
}

/** The checks to compare with: the paired base's (checked in this job), else the stored run's. */
export function hardeningBaseline(
  /** Paired mode: the base commit's checks from this job. */
  pairedBase: TargetHardening[] | undefined,
  stored: { hardening?: HardeningReport } | undefined,
  storedSource: string | undefined,
): [{ source: string; targets: TargetHardening[] } | undefined, string] {
  if (pairedBase?.length) return [{ source: 'the base commit, checked in this job', targets: pairedBase }, ''];
  if (!stored) return [undefined, 'none, so nothing is gated'];
  if (!stored.hardening) return [undefined, 'the stored baseline run was recorded without hardening checks, so nothing is gated'];
  return [{ source: storedSource ?? 'the stored baseline run', targets: stored.hardening.targets }, ''];
}

export function hardeningFailureMessage(report: HardeningReport): string {
  return (
    `Hardening: ${report.regressions.length} check(s) passed on the baseline and fail on this commit: ` +
    report.regressions.map((r) => `${r.target} ${r.id}: ${r.evidence}`).join(' | ')
  );
}

/** What is recorded with a run: its own checks, not the baseline they were compared with. */
export function recordedHardening(report: HardeningReport | undefined): HardeningReport | undefined {
  return report && { mode: report.mode, targets: report.targets, regressions: report.regressions, failed: report.failed };
}
