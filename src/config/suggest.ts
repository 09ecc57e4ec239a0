// "Did you mean" for misspelt keys and inputs. A dozen lines of Levenshtein distance are
// smaller than any dependency and the word lists are tiny (at most a few dozen names).

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest known name, when it is close enough to be a typo (at most a third of the word changed). */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(w, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(w.length / 3)) ? best.name : undefined;
}

/** ` (did you mean "x"?)` or '' */
export function didYouMean(word: string, known: readonly string[]): string {
  const hit = closest(word, known);
  return hit ? ` (did you mean "${hit}"?)` : '';
}
