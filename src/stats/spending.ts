// Pure: alpha spending for group-sequential looks. A gate that looks at its data after 20,
// 40, 60... rounds and stops at the first decisive look gets as many chances to be fooled by
// noise as it takes looks; spending gives each look a share of the error rate so that the
// shares add up to at most 1 - confidence over the whole gate.
//
// The spending function is Hwang-Shih-DeCani with gamma = -4, an O'Brien-Fleming-like shape:
// early looks get a small share (a look after a sixth of the rounds spends 1.8% of alpha), so
// they decide only what is plain, and the last look keeps most of it (64% for looks at 1/6,
// 1/3, 1/2, 3/4 and 1). O'Brien-Fleming's own Lan-DeMets function spends too little early for
// rank statistics: after 20 paired rounds the signed-rank test cannot be surer than 2^-20, and
// that function asks for 6e-11 there (after 20 of 129 rounds).
//
// Each look's bounds are taken at its own share (the increment of the spending function).
// The union bound then keeps the overall rate at alpha whatever the correlation between looks
// (rank and bootstrap intervals are not the normal statistics that exact group-sequential
// boundaries assume); it is conservative by the overlap of the looks, which the shape keeps small.

/** Share of `alpha` spent by information fraction t (0 < t <= 1): HSD(gamma). */
export function spentAlpha(alpha: number, t: number, gamma = -4): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  if (gamma === 0) return alpha * t;
  return (alpha * (1 - Math.exp(-gamma * t))) / (1 - Math.exp(-gamma));
}

/**
 * The one-sided confidence of each look's bounds, for looks after `rounds[i]` rounds of at most
 * `rounds.at(-1)`: look i spends spentAlpha(t_i) - spentAlpha(t_{i-1}) of 1 - confidence. One
 * look gets `confidence` itself.
 */
export function lookConfidences(rounds: number[], confidence: number): number[] {
  const alpha = 1 - confidence;
  const last = rounds.at(-1) ?? 0;
  let spent = 0;
  return rounds.map((n) => {
    const now = spentAlpha(alpha, n / last);
    const share = now - spent;
    spent = now;
    return 1 - share;
  });
}
