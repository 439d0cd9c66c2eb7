/** "Did you mean …?" for a mistyped command or option. */

/** Edit distance counting a swap of two neighbours as one edit (`rnu` → `run`); the words are a few characters long. */
const distance = (a: string, b: string): number => {
  const d: Array<Array<number>> = Array.from({ length: a.length + 1 }, (_, i) => [i])
  for (let j = 0; j <= b.length; j++) d[0]![j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/** The closest candidate, when it is close enough to be a typo (or the word is a prefix of it). */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  let best: { readonly candidate: string; readonly d: number } | undefined
  for (const candidate of candidates) {
    const d = candidate.startsWith(word) && word.length >= 2 ? 1 : distance(word, candidate)
    if (best === undefined || d < best.d) best = { candidate, d }
  }
  if (best === undefined) return undefined
  return best.d <= Math.max(1, Math.floor(best.candidate.length / 3)) ? best.candidate : undefined
}

/** ` Did you mean \`x\`?`, or nothing. */
export const didYouMean = (word: string, candidates: ReadonlyArray<string>): string => {
  const found = closest(word, candidates)
  return found === undefined ? "" : ` Did you mean \`${found}\`?`
}
