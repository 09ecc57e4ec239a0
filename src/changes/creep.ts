// Pure: creep, the slow kind of regression no per-PR gate sees. The head of main is compared
// with a pinned anchor (the run N pushes ago, or the last run at a tag) on an exact series; the
// change between them, less what change points in between already explain, is the creep. The
// steps that added most are named, so a reader can start with the largest.

export interface CreepStep {
  commit: string;
  /** Change from the run before, in percent of that run's value. */
  changePct: number;
}

export interface Creep {
  anchorCommit: string;
  /** How the anchor was chosen, for the sentence ("20 pushes ago", "v1.4.0"). */
  anchorLabel: string;
  headCommit: string;
  anchorValue: number;
  headValue: number;
  /** Head vs anchor, percent (signed; positive = more). */
  totalPct: number;
  /** What is left once the change points in between are taken out: the creep itself. */
  creepPct: number;
  /** Pushes between anchor and head that moved the series the worse way by more than the noise. */
  worseSteps: number;
  pushes: number;
  /** The steps that added most, largest first (at most `top`). */
  largest: CreepStep[];
}

export interface CreepInput {
  /** Runs of one exact series, oldest first, ending with the head. */
  runs: Array<{ commit: string; value: number; tags?: string[] }>;
  anchor: AnchorSetting;
  /** Change points' sizes in percent (signed), at run indexes: they are steps, not creep. */
  changePoints: Array<{ index: number; changePct: number }>;
  /** +1 when larger is worse. */
  worse: 1 | -1;
  /** Steps smaller than this (percent) are noise, not counted as steps. */
  noisePct: number;
  top?: number;
}

/** `watch-anchor`: N pushes back (clamped to the oldest recorded), or the last run at a tag. */
export type AnchorSetting = { kind: 'pushes'; pushes: number } | { kind: 'tag'; pattern?: RegExp };

function anchorIndex(runs: CreepInput['runs'], anchor: AnchorSetting): { index: number; label: string } | undefined {
  const head = runs.length - 1;
  if (anchor.kind === 'pushes') {
    const index = Math.max(0, head - anchor.pushes);
    return { index, label: index === head - anchor.pushes ? `${anchor.pushes} pushes ago` : `the oldest recorded push, ${head - index} push(es) ago` };
  }
  for (let i = head - 1; i >= 0; i--) {
    const tag = runs[i]!.tags?.find((t) => !anchor.pattern || anchor.pattern.test(t));
    if (tag) return { index: i, label: tag };
  }
  return undefined;
}

export function measureCreep(input: CreepInput): Creep | undefined {
  const { runs } = input;
  if (runs.length < 2) return undefined;
  const anchor = anchorIndex(runs, input.anchor);
  if (!anchor || anchor.index >= runs.length - 1) return undefined;
  const from = runs[anchor.index]!;
  const head = runs.at(-1)!;
  const totalPct = (head.value / from.value - 1) * 100;
  const steps: CreepStep[] = [];
  for (let i = anchor.index + 1; i < runs.length; i++) steps.push({ commit: runs[i]!.commit, changePct: (runs[i]!.value / runs[i - 1]!.value - 1) * 100 });
  // A change point inside the span is a step of its own: reported as such, not as creep.
  const explained = input.changePoints.filter((c) => c.index > anchor.index && c.index < runs.length).reduce((sum, c) => sum + c.changePct, 0);
  const worseSteps = steps.filter((s) => s.changePct * input.worse > input.noisePct);
  return {
    anchorCommit: from.commit,
    anchorLabel: anchor.label,
    headCommit: head.commit,
    anchorValue: from.value,
    headValue: head.value,
    totalPct,
    creepPct: totalPct - explained,
    worseSteps: worseSteps.length,
    pushes: steps.length,
    largest: [...worseSteps].sort((a, b) => b.changePct * input.worse - a.changePct * input.worse).slice(0, input.top ?? 3),
  };
}

/** Parses `watch-anchor`: a whole number of pushes, `tag`, or `tag:<regex>`; undefined when it is neither. */
export function parseAnchor(value: string): AnchorSetting | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v) && Number(v) >= 1) return { kind: 'pushes', pushes: Number(v) };
  if (v === 'tag') return { kind: 'tag' };
  const m = /^tag:(.+)$/.exec(v);
  if (m) {
    try {
      return { kind: 'tag', pattern: new RegExp(m[1]!) };
    } catch {
      return undefined;
    }
  }
  return undefined;
}
