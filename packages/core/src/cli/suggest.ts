/** "Did you mean …?" for a mistyped command or option. */

/** Levenshtein distance, bounded: the words compared are a few characters long. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[b.length]!
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
